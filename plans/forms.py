"""Plan forms: choices scoped to the plan's child (its problems, assessments, visits, referrals; staff of its area)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from children.forms import DateInput
from guardianship.casework import possible_owners
from guardianship.models import Assessment, Item, Referral, ReferralStatus
from pairing import selectors as pairing_selectors
from visits.models import Visit

from .models import Decision, OwnerKind, PlanKind, Progress
from .services import STAFF_ROLES, NeedInput


class _Choice(forms.ModelChoiceField):
    """A choice labelled by a function (dates and short texts, no database identifiers)."""

    def __init__(self, *args, label_of, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_of = label_of

    def label_from_instance(self, obj) -> str:
        return self.label_of(obj)


def staff_of(child):
    return possible_owners(child).filter(role__in=STAFF_ROLES)


class NeedFields(forms.Form):
    """A need and where it was found, each source limited to the child's own records."""

    need = forms.CharField(label=_("need found"), max_length=300)

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem"] = _Choice(
            label=_("from a problem found"),
            queryset=child.problems.order_by("-found_on", "-id"),
            required=False,
            label_of=lambda p: f"{p.found_on:%Y-%m-%d} {p.description[:40]}",
        )
        self.fields["assessment"] = _Choice(
            label=_("from a guardianship assessment"),
            queryset=Assessment.objects.filter(child=child).order_by("-assessed_on", "-id"),
            required=False,
            label_of=lambda a: f"{a.assessed_on:%Y-%m-%d} {a.get_grade_display()}",
        )
        self.fields["assessment_item"] = _Choice(
            label=_("assessment item"),
            queryset=Item.objects.filter(pk__in=self._answered(child)).select_related("dimension"),
            required=False,
            label_of=lambda i: f"{i.dimension.name} · {i.text}",
        )
        self.fields["visit"] = _Choice(
            label=_("from a visit's observations"),
            queryset=Visit.objects.filter(child=child)
            .exclude(observations="", problems_found="")
            .order_by("-visited_at", "-id"),
            required=False,
            label_of=lambda v: f"{v.visit_date:%Y-%m-%d} {(v.problems_found or v.observations)[:40]}",
        )

    @staticmethod
    def _answered(child):
        from guardianship.models import AssessmentAnswer

        return AssessmentAnswer.objects.filter(assessment__child=child).values("item_id")

    def need_input(self) -> NeedInput:
        d = self.cleaned_data
        item = d.get("assessment_item")
        return NeedInput(
            description=d["need"],
            problem=d.get("problem"),
            assessment=d.get("assessment"),
            assessment_item_id=item.pk if item else None,
            visit=d.get("visit"),
        )


class PlanForm(NeedFields):
    kind = forms.ChoiceField(label=_("kind"), choices=PlanKind.choices)
    opened_on = forms.DateField(label=_("drawn up on"), widget=DateInput, initial=timezone.localdate)
    summary = forms.CharField(label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_review_on = forms.DateField(
        label=_("next review by"), required=False, widget=DateInput, help_text=_("Empty: 90 days from now.")
    )
    school = forms.CharField(label=_("school"), max_length=100, required=False)
    school_contact = forms.CharField(label=_("teacher responsible at the school"), max_length=100, required=False)

    field_order = ["kind", "opened_on", "lead", "summary", "next_review_on", "school", "school_contact", "need"]

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, child=child, **kwargs)
        self.fields["lead"] = forms.ModelChoiceField(label=_("responsible person"), queryset=staff_of(child))
        self.order_fields(self.field_order)


class NeedForm(NeedFields):
    pass


class GoalForm(forms.Form):
    description = forms.CharField(label=_("goal"), max_length=300)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"] = _Choice(
            label=_("need"), queryset=plan.needs.all(), required=False, label_of=lambda n: n.description[:60]
        )


class MeasureForm(forms.Form):
    description = forms.CharField(label=_("measure"), max_length=300)
    owner_kind = forms.ChoiceField(label=_("carried out by"), choices=OwnerKind.choices)
    owner_name = forms.CharField(
        label=_("helper or organisation"),
        max_length=100,
        required=False,
        help_text=_("For a helper or organisation not in the registries: the name."),
    )
    due_on = forms.DateField(label=_("due by"), widget=DateInput)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        child = plan.child
        self.fields["goal"] = _Choice(
            label=_("goal"), queryset=plan.goals.all(), required=False, label_of=lambda g: g.description[:60]
        )
        self.fields["owner"] = forms.ModelChoiceField(
            label=_("member of staff"),
            queryset=staff_of(child),
            required=False,
            help_text=_("For a director or a civil-affairs officer."),
        )
        self.fields["referral"] = _Choice(
            label=_("referral"),
            queryset=Referral.objects.filter(child=child, department__isnull=False)
            .exclude(status__in=[ReferralStatus.DONE, ReferralStatus.DECLINED])
            .select_related("department"),
            required=False,
            label_of=lambda r: f"{r.department} · {r.get_service_display()}",
            help_text=_("For a department: the referral that asks it."),
        )
        today = timezone.localdate()
        self.fields["helper"] = forms.ModelChoiceField(
            label=_("helper"),
            queryset=pairing_selectors.helpers_for_child(child, today),
            required=False,
            help_text=_("For a paired helper in the county's registry."),
        )
        self.fields["organisation"] = forms.ModelChoiceField(
            label=_("social organisation"),
            queryset=pairing_selectors.referral_organisations(child.village_id, today),
            required=False,
            help_text=_("For an organisation in the registry."),
        )
        self.order_fields(
            ["description", "goal", "owner_kind", "owner", "referral", "helper", "organisation", "owner_name", "due_on"]
        )


class MeasureDoneForm(forms.Form):
    result = forms.CharField(label=_("result"), max_length=300, required=False)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("reviewed on"), widget=DateInput, initial=timezone.localdate)
    decision = forms.ChoiceField(label=_("decision"), choices=Decision.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_review_on = forms.DateField(
        label=_("next review by"), required=False, widget=DateInput, help_text=_("Empty: 90 days after this review.")
    )
    close_reason = forms.CharField(
        label=_("reason for closing"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the plan is closed."),
    )

    def __init__(self, *args, plan, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_fields = []
        for g in goals:
            self.fields[f"goal_{g.pk}"] = forms.ChoiceField(
                label=_("progress: %(goal)s") % {"goal": g.description[:60]},
                choices=Progress.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Say the progress on this goal.")},
            )
            self.fields[f"goal_{g.pk}_note"] = forms.CharField(label=_("note"), max_length=300, required=False)
            self.goal_fields.append(g.pk)
        if plan.kind == PlanKind.RETURN_TO_SCHOOL:
            self.fields["back_to_school_on"] = forms.DateField(
                label=_("back in school on"), required=False, widget=DateInput
            )

    def progress(self) -> dict[int, tuple[str, str]]:
        return {g: (self.cleaned_data[f"goal_{g}"], self.cleaned_data[f"goal_{g}_note"]) for g in self.goal_fields}
