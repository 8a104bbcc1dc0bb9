"""What the API shows and accepts. Numbers the masking rule calls sensitive go through children.privacy for the
acting user (the client's service user or the signed-in user): never straight from the model."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from children import privacy
from children.categories import categories_in
from children.models import Child, RiskGrade
from guardianship.models import Referral, ReferralStatus
from plans.models import Goal, GoalProgress, HelpPlan, Measure, Need, Review
from tasks.models import Assignment, Status
from visits.models import RECORDED_FIELDS, Visit, VisitSchedule
from visits.services import MAX_PHOTOS


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message_zh = serializers.CharField()
    message_en = serializers.CharField()


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="not_found, invalid, not_authenticated, authentication_failed, …")
    message_zh = serializers.CharField()
    message_en = serializers.CharField()
    fields = serializers.DictField(child=ErrorItemSerializer(many=True))


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class MaskedField(serializers.Field):
    """A sensitive field of the model, as the acting user may see it (children.privacy.display)."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return privacy.display(self.context["request"].user, obj, self.field_name)


@extend_schema_field(serializers.CharField())
class _MaskedString(MaskedField):
    pass


class ChildSerializer(serializers.ModelSerializer):
    """Output only (no field is written through it), so model fields keep their blank choices in the schema."""

    id_number = _MaskedString(help_text="Masked (370283********123X) unless the acting user sees full numbers.")
    village = serializers.CharField(source="village_id", read_only=True, help_text="12-digit village code")
    village_name = serializers.CharField(source="village.name", read_only=True)
    categories = serializers.SerializerMethodField()
    risk_grade = serializers.ChoiceField(choices=RiskGrade.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Child
        fields = [
            "id",
            "name",
            "id_number",
            "sex",
            "birth_date",
            "village",
            "village_name",
            "status",
            "categories",
            "colour",
            "risk_grade",
            "enrolment",
            "school",
            "grade",
            "health",
            "disability",
            "disability_grade",
            "registered_on",
            "updated_at",
        ]

    def get_categories(self, obj) -> list[str]:
        return categories_in(obj.category_flags)


class ScheduleSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.name", read_only=True)
    village = serializers.CharField(source="village_id", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="visits.rules.status_for: overdue, due_soon, on_time or no_rule"
    )
    days_overdue = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = VisitSchedule
        fields = [
            "child",
            "child_name",
            "village",
            "due_on",
            "home_due_on",
            "contact_due_on",
            "last_home_on",
            "last_contact_on",
            "home_days",
            "contact_days",
            "status",
            "days_overdue",
        ]


VISIT_FIELDS = RECORDED_FIELDS  # the web form's list (visits.models)


class NoControlCharacters:
    """Text with a control character (NUL, ESC, DEL …) is refused, as config.middleware refuses it in forms. (A lone
    surrogate escaped in the JSON, \\ud800, is refused by DRF's CharField itself.)"""

    def validate(self, attrs):
        from config.middleware import CONTROL_CHARACTERS

        bad = {
            name: [_("Remove the control characters from this text.")]
            for name, value in attrs.items()
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value)
        }
        if bad:
            raise serializers.ValidationError(bad)
        return super().validate(attrs)


class VisitInSerializer(NoControlCharacters, serializers.ModelSerializer):
    """A visit to post. The child (and household) by id; the service checks the rest as on the web form."""

    child = serializers.IntegerField(min_value=1, max_value=2**53)
    household = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**53), required=False, max_length=20, default=list
    )
    client_key = serializers.CharField(
        required=False,
        max_length=100,
        help_text="The offline app's key for this visit; or the Idempotency-Key header. Posting again replays.",
    )
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        required=False,
        max_length=MAX_PHOTOS,
        default=list,
        help_text="JPEG or PNG photos of the visit (a multipart/form-data body), each checked by its content and "
        "size as on the web form (UPLOAD_MAX_BYTES).",
    )

    class Meta:
        model = Visit
        fields = ["child", "household", "client_key", "photos", *VISIT_FIELDS]


class VisitOutSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    photos = serializers.SerializerMethodField(help_text="How many photos the visit holds.")

    class Meta:
        model = Visit
        fields = ["id", "child", "visit_date", "household_key", "created_at", "photos", *VISIT_FIELDS]

    def get_photos(self, obj) -> int:
        return len(obj.photos.all())


class PostedVisitsSerializer(serializers.Serializer):
    client_key = serializers.CharField()
    replayed = serializers.BooleanField(help_text="True when this key was posted before: nothing new was made.")
    visits = VisitOutSerializer(many=True)


class ReferralSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.name", read_only=True)
    department = serializers.IntegerField(
        source="department_id", read_only=True, allow_null=True, help_text="Null when referred to an organisation."
    )
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True)
    organisation = serializers.IntegerField(
        source="organisation_id",
        read_only=True,
        allow_null=True,
        help_text="The social organisation or social-work agency referred to (null when referred to a department).",
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, allow_null=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "child",
            "child_name",
            "department",
            "department_name",
            "organisation",
            "organisation_name",
            "service",
            "reason",
            "due_on",
            "status",
            "result",
            "decline_reason",
            "created_at",
            "closed_at",
        ]


class ReferralMoveSerializer(NoControlCharacters, serializers.Serializer):
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AssignmentSerializer(serializers.ModelSerializer):
    task = serializers.CharField(source="task.__str__", read_only=True)
    plan = serializers.CharField(source="task.action.plan.__str__", read_only=True)
    department = serializers.IntegerField(source="department_id", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "plan", "task", "department", "original_name", "status", "updated_at"]


class AssignmentUpdateSerializer(NoControlCharacters, serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ChildVersionSerializer(ChildSerializer):
    """A version of a child's archive from its history (no `updated_at` there: `changed_at` says when)."""

    class Meta(ChildSerializer.Meta):
        fields = [f for f in ChildSerializer.Meta.fields if f != "updated_at"]


class ChangeSerializer(serializers.Serializer):
    history_id = serializers.IntegerField(help_text="Increases with every change; the feed is ordered by it.")
    changed_at = serializers.DateTimeField(source="history_date")
    change = serializers.ChoiceField(
        choices=[("created", "created"), ("changed", "changed"), ("left", "left")],
        help_text="left: the child moved out of the caller's scope (no data is given); drop it from a mirror.",
    )
    child_id = serializers.IntegerField(source="id")
    child = ChildVersionSerializer(source="*", allow_null=True, help_text="The archive after this change.")

    def to_representation(self, row):
        data = super().to_representation(row) if row.change != "left" else None
        if data is None:
            data = {
                "history_id": row.history_id,
                "changed_at": serializers.DateTimeField().to_representation(row.history_date),
                "change": "left",
                "child_id": row.id,
                "child": None,
            }
        return data


# --- Help plans (read only) ------------------------------------------------------------------------------------


class PlanNeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Need
        fields = ["id", "description", "problem", "assessment", "assessment_item", "visit"]
        extra_kwargs = {
            "problem": {"help_text": "The archive's problem this need was found in"},
            "visit": {"help_text": "The visit whose observation found it"},
        }


class PlanGoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = ["id", "need", "description"]


class PlanMeasureSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(
        source="owner_label", read_only=True, help_text="Who carries it out: a staff member, a department or a name"
    )
    referral = serializers.IntegerField(source="referral_id", read_only=True, allow_null=True)

    class Meta:
        model = Measure
        fields = ["id", "goal", "description", "owner_kind", "owner", "referral", "due_on", "done_on", "result"]


class GoalProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = GoalProgress
        fields = ["goal", "progress", "note"]


class PlanReviewSerializer(serializers.ModelSerializer):
    reviewed_by = serializers.StringRelatedField(read_only=True)
    progress = GoalProgressSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = ["id", "reviewed_on", "decision", "notes", "reviewed_by", "progress"]


class HelpPlanSerializer(serializers.ModelSerializer):
    """A help plan (帮扶方案, 一人一案) with its needs, goals, measures and reviews. Read only: plans are drawn up,
    reviewed and closed (through approval) on the pages. No field of a plan is a number the masking rule hides."""

    lead = serializers.StringRelatedField(read_only=True, help_text="The responsible person (责任人)")
    needs = PlanNeedSerializer(many=True, read_only=True)
    goals = PlanGoalSerializer(many=True, read_only=True)
    measures = PlanMeasureSerializer(many=True, read_only=True)
    reviews = PlanReviewSerializer(many=True, read_only=True)

    class Meta:
        model = HelpPlan
        fields = [
            "id",
            "kind",
            "status",
            "summary",
            "opened_on",
            "lead",
            "next_review_on",
            "school",
            "school_contact",
            "back_to_school_on",
            "closed_on",
            "close_reason",
            "needs",
            "goals",
            "measures",
            "reviews",
        ]
