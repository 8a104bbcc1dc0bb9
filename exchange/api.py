"""POST /api/v1/submissions/: a department's complete list as JSON rows, through the same service as the upload page
(exchange.matching.submission_receive). The endpoint is wired in api/urls.py; its scope is api.models.Scope
.SUBMIT_LISTS."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Department, Role
from api.models import ApiClient, Scope
from api.serializers import ErrorSerializer
from api.views import ApiView

from . import matching, profiles
from .models import ListKind, MappingProfile, Submission, Via

MAX_ROWS = 200_000


class RowSerializer(serializers.Serializer):
    """One row (the schema's description; rows are read by exchange.profiles, which also takes the profile's
    column headers as keys)."""

    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=[s for s in profiles.RowStatus.values])
    relation = serializers.ChoiceField(choices=["father", "mother"], required=False, allow_blank=True)
    parent_name = serializers.CharField(max_length=50, required=False, allow_blank=True)


class SubmissionInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ListKind.choices)
    department = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        help_text="The submitting department; a department's client (a liaison) may leave it out.",
    )
    profile = serializers.CharField(
        max_length=100, required=False, help_text="A column-mapping profile's name (its code lists apply)."
    )
    rows = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True, allow_null=True, max_length=100)),
        min_length=1,
        max_length=MAX_ROWS,
    )

    def validate(self, attrs):
        from config.middleware import CONTROL_CHARACTERS

        for row in attrs["rows"]:
            if any(isinstance(v, str) and CONTROL_CHARACTERS.search(v) for v in row.values()):
                raise serializers.ValidationError({"rows": [_("Remove the control characters from this text.")]})
        return attrs


class SubmissionOutSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="source.kind")
    department = serializers.IntegerField(source="source.department_id")

    class Meta:
        model = Submission
        fields = [
            "id",
            "kind",
            "department",
            "received_at",
            "rows_n",
            "matched_n",
            "changed_n",
            "gone_n",
            "proposals_n",
            "candidates_n",
        ]


def _department(user, given: int | None) -> Department:
    if user.role == Role.LIAISON and (given is None or given == user.department_id):
        if user.department_id is None:
            raise PermissionDenied(_("You may submit only your own department's lists."))
        return user.department
    department = Department.objects.filter(pk=given).first() if given else None
    if department is None:
        raise serializers.ValidationError({"department": [_("Give the submitting department.")]})
    return department


@extend_schema(
    tags=["submissions"],
    request={"application/json": SubmissionInSerializer},
    responses={201: SubmissionOutSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
)
class SubmissionCreate(ApiView, APIView):
    """Submit a department's complete list of one kind. Each row names a child (ID number, or name and date of
    birth) and what the list says (status; for a parent's detention or return, which parent). The list is matched
    against every archive and against the department's previous list of this kind: changes of registered children
    go to their directors to confirm; unregistered children who may need help become candidates. Any bad row
    refuses the whole list."""

    scope = Scope.SUBMIT_LISTS

    def post(self, request):
        data = SubmissionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        user = request.user
        department = _department(user, fields.get("department"))
        profile = None
        if fields.get("profile"):
            profile = MappingProfile.objects.filter(name=fields["profile"]).first()
            if profile is None:
                raise serializers.ValidationError({"profile": [_("No such profile.")]})
        source = matching.source_for(user=user, department=department, kind=fields["kind"])
        client = request.auth if isinstance(request.auth, ApiClient) else None
        submission = matching.submission_receive(
            user=user,
            source=source,
            records=profiles.json_records(fields["rows"], profile),
            via=Via.API,
            profile=profile,
            client_id=client.pk if client else None,
        )
        return Response(SubmissionOutSerializer(submission).data, status=status.HTTP_201_CREATED)
