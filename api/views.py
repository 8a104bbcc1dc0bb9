"""The API's endpoints: thin, like the pages. Every child or record of a child is reached through the access gate
(children.access) with the DRF request, whose `.user` is the client's service user or the signed-in user; the gate
writes the access log, with the client (children.access.log_access reads `api_client_id`). Writes go through the
same services as the web forms."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Case, CharField, OuterRef, Subquery, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.pagination import Cursor as CursorPosition
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import CODE_LENGTH, AreaLevel
from children import access
from children.models import Child
from guardianship import referrals as referral_service
from plans import selectors as plan_selectors
from plans.models import HelpPlan
from tasks import selectors as task_selectors
from tasks import services as task_services
from visits import selectors as visit_selectors
from visits.models import Visit
from visits.services import visit_create

from . import serializers as s
from .models import ApiClient, PostedVisit, Scope
from .pagination import Cursor


class ApiView:
    """Mixed into every endpoint: runs in English, so that api.errors can give each message in both languages."""

    scope: str = ""

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            return super().dispatch(request, *args, **kwargs)


class LoggedPageMixin:
    """A list whose page shows children writes one access-log row per child shown (children.access.log_shown)."""

    def child_ids(self, rows) -> list[int]:
        return [row.child_id for row in rows]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        self.prepare(rows)
        access.log_shown(self.request, self.child_ids(rows))
        return page

    def prepare(self, rows) -> None:
        pass


def _client(request) -> ApiClient | None:
    return request.auth if isinstance(request.auth, ApiClient) else None


# --- Children --------------------------------------------------------------------------------------------------


class ChildPagination(Cursor):
    ordering = "id"


class NewestFirst(Cursor):
    ordering = "-id"


@extend_schema(
    tags=["children"],
    parameters=[
        OpenApiParameter("area", OpenApiTypes.STR, description="Only children whose village code starts with this"),
    ],
)
class ChildList(ApiView, LoggedPageMixin, generics.ListAPIView):
    """Children whose archive the caller may read (the area's; never those merely shared for a referral)."""

    scope = Scope.READ_CHILDREN
    serializer_class = s.ChildSerializer
    pagination_class = ChildPagination

    def get_queryset(self):
        qs = access.visible_children(self.request.user).select_related("village")
        area = self.request.query_params.get("area", "")
        if area:
            if not area.isdigit() or len(area) > CODE_LENGTH[AreaLevel.VILLAGE]:
                raise exceptions.ValidationError({"area": [_("Give an area code (digits).")]})
            qs = qs.filter(village__code__startswith=area)
        return qs

    def child_ids(self, rows):
        return [c.pk for c in rows]


@extend_schema(tags=["children"])
class ChildDetail(ApiView, generics.RetrieveAPIView):
    """One child, through the gate: 404 unless the caller may read the whole archive."""

    scope = Scope.READ_CHILDREN
    serializer_class = s.ChildSerializer

    def get_object(self):
        return access.child_for(self.request, self.kwargs["pk"], need=access.Level.ARCHIVE, related=("village",))


@extend_schema(tags=["children"])
class HelpPlanList(ApiView, generics.ListAPIView):
    """A child's help plans (帮扶方案, 一人一案), newest first, each with its needs, goals, measures (with their
    owners) and reviews (with the progress per goal). Read only. Through the gate: 404 unless the caller may read
    the whole archive (the access log records the read); a fixed number of queries however many plans."""

    scope = Scope.READ_CHILDREN
    serializer_class = s.HelpPlanSerializer
    pagination_class = NewestFirst
    queryset = HelpPlan.objects.none()  # for the schema; the plans are read in get_queryset

    def get_queryset(self):
        child = access.child_for(self.request, self.kwargs["pk"], need=access.Level.ARCHIVE)
        return plan_selectors.plans_for_api(child)


# --- Visit schedules -------------------------------------------------------------------------------------------


class SchedulePagination(Cursor):
    ordering = ("due_on", "child_id")


class _ScheduleList(ApiView, LoggedPageMixin, generics.ListAPIView):
    scope = Scope.READ_SCHEDULES
    serializer_class = s.ScheduleSerializer
    pagination_class = SchedulePagination

    def prepare(self, rows) -> None:
        visit_selectors.annotate_status(rows, timezone.localdate())


@extend_schema(tags=["visits"])
class Worklist(_ScheduleList):
    """本周待访: children due within 7 days or overdue (the worklist page's selector)."""

    def get_queryset(self):
        return visit_selectors.worklist_for(self.request.user, timezone.localdate())


@extend_schema(
    tags=["visits"],
    parameters=[
        OpenApiParameter("min_days", OpenApiTypes.INT, description="Overdue by at least this many days (default 1)"),
        OpenApiParameter("village", OpenApiTypes.STR, description="12-digit village code"),
    ],
)
class OverdueList(_ScheduleList):
    """The overdue list (the supervisors' page's selector)."""

    def get_queryset(self):
        raw = self.request.query_params.get("min_days", "1")
        if not raw.isdigit() or not 1 <= int(raw) <= 3650:
            raise exceptions.ValidationError({"min_days": [_("Give a number of days from 1 to 3650.")]})
        village = self.request.query_params.get("village", "")
        if village and (not village.isdigit() or len(village) != CODE_LENGTH[AreaLevel.VILLAGE]):
            raise exceptions.ValidationError({"village": [_("Give a 12-digit village code.")]})
        return visit_selectors.overdue_for(self.request.user, timezone.localdate(), min_days=int(raw), village=village)


# --- Visits ----------------------------------------------------------------------------------------------------


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_reused"
    default_detail = _("This client key was already used for a different visit.")


def _digest(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _fingerprint(data: dict) -> str:
    """The body without its key; photos by their content's digest (the same photos posted again match)."""
    body = {k: v for k, v in data.items() if k not in ("client_key", "photos")}
    body["photos"] = [_digest(p) for p in data.get("photos") or []]
    return hashlib.sha256(json.dumps(body, sort_keys=True, cls=DjangoJSONEncoder).encode()).hexdigest()


def _posted(posted: PostedVisit, *, replayed: bool) -> dict:
    visits = list(posted.visits.prefetch_related("photos").order_by("id"))
    return s.PostedVisitsSerializer({"client_key": posted.key, "replayed": replayed, "visits": visits}).data


@extend_schema(
    tags=["visits"],
    parameters=[
        OpenApiParameter(
            "Idempotency-Key",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            description="The client's key for this visit (or `client_key` in the body): posting it again makes "
            "nothing new.",
        )
    ],
    request=s.VisitInSerializer,
    responses={201: s.PostedVisitsSerializer, 200: s.PostedVisitsSerializer},
)
class VisitCreate(ApiView, APIView):
    """Record a visit (and the same visit to other children of the household) through visits.services.visit_create.

    Needs a client key: the same key and body posted again answer 200 with the visits made the first time; the same
    key with another body answers 409. A JSON body, or multipart/form-data with `photos` (the offline app's outbox,
    static/pwa/offline.js): the photos go through the web form's checks (content, size, at most nine)."""

    scope = Scope.POST_VISITS
    parser_classes = [JSONParser, MultiPartParser]

    def post(self, request):
        data = s.VisitInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        key = (request.headers.get("Idempotency-Key") or fields.get("client_key") or "").strip()
        if not key or len(key) > 100:
            raise exceptions.ValidationError({"client_key": [_("Give a client key of at most 100 characters.")]})
        # The gate first, outside the transaction, so its access-log rows stay even when the visit is refused.
        child = access.child_for(request, fields["child"], need=access.Level.EDIT)
        household = [access.child_for(request, pk, need=access.Level.EDIT) for pk in fields.get("household", [])]
        fingerprint = _fingerprint(fields)
        with transaction.atomic():
            posted = PostedVisit.objects.filter(user=request.user, key=key).first()
            if posted is None:
                try:
                    with transaction.atomic():
                        posted = PostedVisit.objects.create(
                            user=request.user, client=_client(request), key=key, fingerprint=fingerprint
                        )
                except IntegrityError:  # the same key posted at the same moment: the other request made it
                    posted = PostedVisit.objects.get(user=request.user, key=key)
                else:
                    visit = Visit(child=child, **{f: fields[f] for f in s.VISIT_FIELDS if f in fields})
                    made = visit_create(
                        user=request.user, child=child, visit=visit, household=household, photos=fields["photos"]
                    )
                    posted.visits.set(made)
                    return Response(_posted(posted, replayed=False), status=status.HTTP_201_CREATED)
        if posted.fingerprint != fingerprint:
            raise Conflict()
        return Response(_posted(posted, replayed=True), status=status.HTTP_200_OK)


# --- Referrals -------------------------------------------------------------------------------------------------


@extend_schema(tags=["referrals"])
class ReferralList(ApiView, LoggedPageMixin, generics.ListAPIView):
    """The department's referrals inbox (a liaison's client); an area's client sees its children's referrals."""

    scope = Scope.REFERRALS
    serializer_class = s.ReferralSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return referral_service.referrals_for(self.request.user)


@extend_schema(tags=["referrals"])
class ReferralDetail(ApiView, APIView):
    """One referral of the inbox; PATCH moves its status (guardianship.referrals.referral_move: only the receiving
    department, and only along the allowed steps; declining needs a note)."""

    scope = Scope.REFERRALS

    def _get(self, request, pk):
        return access.record_for(request, referral_service.referrals_for(request.user), pk, need=access.Level.NONE)

    @extend_schema(responses=s.ReferralSerializer)
    def get(self, request, pk: int):
        return Response(s.ReferralSerializer(self._get(request, pk)).data)

    @extend_schema(request=s.ReferralMoveSerializer, responses=s.ReferralSerializer)
    def patch(self, request, pk: int):
        referral = self._get(request, pk)
        move = s.ReferralMoveSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        referral = referral_service.referral_move(user=request.user, referral=referral, **move.validated_data)
        return Response(s.ReferralSerializer(referral).data)


# --- Task assignments ------------------------------------------------------------------------------------------


@extend_schema(tags=["tasks"])
class AssignmentList(ApiView, generics.ListAPIView):
    """本部门任务: the department's assignments in the task matrix."""

    scope = Scope.ASSIGNMENTS
    serializer_class = s.AssignmentSerializer
    pagination_class = ChildPagination

    def get_queryset(self):
        return task_selectors.assignments_of(self.request.user)


@extend_schema(tags=["tasks"])
class AssignmentDetail(ApiView, APIView):
    """One of the department's assignments; PATCH updates it through tasks.services.assignment_update."""

    scope = Scope.ASSIGNMENTS

    def _get(self, request, pk):
        try:
            return task_selectors.assignments_of(request.user).get(pk=int(pk))
        except (ValueError, OverflowError, task_selectors.Assignment.DoesNotExist):
            raise exceptions.NotFound() from None

    @extend_schema(responses=s.AssignmentSerializer)
    def get(self, request, pk: int):
        return Response(s.AssignmentSerializer(self._get(request, pk)).data)

    @extend_schema(request=s.AssignmentUpdateSerializer, responses=s.AssignmentSerializer)
    def patch(self, request, pk: int):
        assignment = self._get(request, pk)
        update = s.AssignmentUpdateSerializer(data=request.data)
        update.is_valid(raise_exception=True)
        assignment = task_services.assignment_update(user=request.user, assignment=assignment, **update.validated_data)
        return Response(s.AssignmentSerializer(assignment).data)


# --- Changes feed ----------------------------------------------------------------------------------------------


class ChangePagination(Cursor):
    """Ordered by the history table's id (unique, increasing). Unlike other lists the last page has a `next` link
    too, from its last change (or, when there is nothing new, the same link): a mirror keeps it and asks later."""

    ordering = "history_id"

    def get_next_link(self):
        if self.has_next:
            return super().get_next_link()
        if self.page:
            last = self._get_position_from_instance(self.page[-1], self.ordering)
            return self.encode_cursor(CursorPosition(offset=0, reverse=False, position=last))
        return self.request.build_absolute_uri()


CHANGE_KINDS = {"+": "created", "~": "changed", "-": "changed"}


@extend_schema(tags=["changes"])
class ChangeList(ApiView, LoggedPageMixin, generics.ListAPIView):
    """Changes to the archives in the caller's scope, oldest first, from django-simple-history's table of child
    versions. A mirror keeps the `next` link and asks it again later. A version that took a child out of the scope
    is given as `left`, without data."""

    scope = Scope.CHANGES
    serializer_class = s.ChangeSerializer
    pagination_class = ChangePagination

    def get_queryset(self):
        history = Child.history.model
        user = self.request.user
        now_q = access.scope_q(user, village_field="village__code", child_field="id")
        qs = history.objects.select_related("village")
        if now_q is None:
            return qs.annotate(in_scope=Value(True, output_field=BooleanField()))
        previous = (
            history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
            .order_by("-history_id")
            .values("village_id")[:1]
        )
        qs = qs.annotate(previous_village=Subquery(previous, output_field=CharField()))
        before_q = access.scope_q(user, village_field="previous_village", child_field="id")
        return qs.filter(now_q | before_q).annotate(
            in_scope=Case(When(now_q, then=Value(True)), default=Value(False), output_field=BooleanField())
        )

    def prepare(self, rows) -> None:
        for row in rows:
            row.change = CHANGE_KINDS[row.history_type] if row.in_scope else "left"

    def child_ids(self, rows):
        return [row.id for row in rows if row.change != "left"]
