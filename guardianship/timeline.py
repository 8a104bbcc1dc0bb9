"""One timeline for a child's archive: everything that happened to the child, newest first, each with its date, what
happened and who recorded it (issue 15: a supervisor reads the whole story in order).

Read by one UNION ALL over every record of the child (visits, reports, assessments, conferences, interventions,
placements, referrals, care records, problems and their solutions, the work log, categories, colour grades,
transfers, welfare, registration and closing), ordered and cut in the database, plus one query for the names of the
users. The archive page's own lists are capped differently (10 visits, 50 care records …), so merging them would
leave gaps; this reads the latest `limit` events of all kinds alike. Who started or ended a category or a welfare
benefit, solved a problem or closed the archive is the user of the first history record (django-simple-history)
that shows it.
"""

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models
from django.db.models import Case, CharField, DateField, DecimalField, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, TruncDate
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from approvals import services as approval_services
from approvals.models import Approval, ApprovalStatus
from children.models import (
    CareRecord,
    Child,
    ChildCategory,
    ColourChange,
    Problem,
    Transfer,
    WelfareCoverage,
    WorkLogEntry,
)
from pairing.models import Pairing, PairingContact
from plans.models import HelpPlan, Review
from visits.models import Visit

from .models import Assessment, CaseConference, Intervention, Referral, Report, TemporaryPlacement

LIMIT = 60

# Kinds in the order they happen within one day: a later kind is shown above an earlier one of the same date.
RANK = {
    "registered": 0,
    "category_started": 1,
    "colour": 2,
    "welfare_started": 3,
    "transfer": 4,
    "visit": 5,
    "no_report": 6,
    "report": 7,
    "assessment": 8,
    "conference": 9,
    "intervention": 10,
    "placement": 11,
    "referral": 12,
    "care": 13,
    "pairing": 14,
    "pairing_contact": 15,
    "problem": 16,
    "plan_opened": 17,
    "work_log": 18,
    "plan_review": 19,
    "solution": 20,
    # A change through approval: requested, then decided, then the change itself (a plan or the archive closed, a
    # category ended) on the same day.
    "approval_requested": 21,
    "approval_decided": 22,
    "plan_closed": 23,
    "welfare_ended": 24,
    "category_ended": 25,
    "closed": 26,
}


@dataclass
class Event:
    day: datetime.date
    kind: str
    text: str
    url: str
    who: str = ""


@dataclass(frozen=True)
class _Row:
    kind: str
    day: datetime.date
    rank: int
    obj: int
    who: int | None
    code: str
    code2: str
    text: str
    text2: str
    amount: Decimal | None
    until: datetime.date | None


_COLUMNS = (
    "t_kind",
    "t_day",
    "t_rank",
    "t_obj",
    "t_who",
    "t_code",
    "t_code2",
    "t_text",
    "t_text2",
    "t_amount",
    "t_until",
)


def _value(value, field):
    """A constant typed for the union (PostgreSQL types a bare NULL as text, which no other member's column matches)."""
    return value if hasattr(value, "resolve_expression") else Cast(Value(value), output_field=field)


def _part(qs, kind: str, day, *, who=None, obj="pk", code="", code2="", text="", text2="", amount=None, until=None):
    """One member of the union: the same columns (_COLUMNS), typed, from any of the child's records (`obj`: the
    record the event links to, the row itself unless named)."""
    return (
        qs.order_by()
        .annotate(
            t_kind=Value(kind, output_field=CharField()),
            t_day=F(day) if isinstance(day, str) else day,
            t_rank=Value(RANK[kind], output_field=IntegerField()),
            t_obj=Cast(obj, output_field=IntegerField()),
            t_who=_value(who, IntegerField()),
            t_code=_value(code, CharField()),
            t_code2=_value(code2, CharField()),
            t_text=_value(text, models.TextField()),
            t_text2=_value(text2, models.TextField()),
            t_amount=_value(amount, DecimalField(max_digits=12, decimal_places=2)),
            t_until=_value(until, DateField()),
        )
        .values_list(*_COLUMNS)
    )


def _first_user(history, **condition):
    """The user of the earliest history record of the same object that satisfies `condition`."""
    return Subquery(
        history.objects.filter(id=OuterRef("pk"), **condition)
        .order_by("history_date", "history_id")[:1]
        .values("history_user_id"),
        output_field=IntegerField(),
    )


def _union(child: Child):
    category_history = ChildCategory.history.model
    welfare_history = WelfareCoverage.history.model
    problem_history = Problem.history.model
    child_history = Child.history.model
    visits = Visit.objects.filter(child=child)
    problems = Problem.objects.filter(child=child)
    categories = ChildCategory.objects.filter(child=child)
    welfare = WelfareCoverage.objects.filter(child=child)
    plan_history = HelpPlan.history.model
    plans = HelpPlan.objects.filter(child=child)
    approvals = Approval.objects.filter(child=child)
    parts = [
        # In the order things happen within one day (the `rank` of each kind).
        _part(Child.objects.filter(pk=child.pk), "registered", "registered_on", who=F("created_by_id")),
        _part(
            categories,
            "category_started",
            "started_on",
            who=_first_user(category_history, history_type="+"),
            code=F("category"),
            text=F("note"),
        ),
        _part(
            ColourChange.objects.filter(child=child),
            "colour",
            "changed_on",
            who=F("changed_by_id"),
            code=F("colour"),
            text=F("reason"),
        ),
        _part(
            welfare,
            "welfare_started",
            "started_on",
            who=_first_user(welfare_history, history_type="+"),
            code=F("kind"),
            text=F("note"),
            amount=F("monthly_amount"),
        ),
        _part(
            Transfer.objects.filter(child=child),
            "transfer",
            "transferred_on",
            who=F("transferred_by_id"),
            text=F("reason"),
            text2=Concat(F("from_village__name"), Value(" → "), F("to_village__name"), output_field=CharField()),
        ),
        _part(
            visits,
            "visit",
            "visit_date",
            who=F("created_by_id"),
            code=F("kind"),
            code2=Case(When(harm_found=True, then=Value("harm")), default=Value(""), output_field=CharField()),
            text=F("problems_found"),
            text2=F("met_whom"),
        ),
        _part(
            visits.filter(no_report_at__isnull=False),
            "no_report",
            TruncDate("no_report_at"),
            who=F("no_report_by_id"),
            text=F("no_report_reason"),
        ),
        _part(
            Report.objects.filter(child=child),
            "report",
            TruncDate("created_at"),
            who=F("reporter_id"),
            code=F("harm_type"),
            code2=F("status"),
        ),
        _part(
            Assessment.objects.filter(child=child),
            "assessment",
            "assessed_on",
            who=F("assessor_id"),
            code=F("grade"),
            amount=F("score"),
        ),
        _part(
            CaseConference.objects.filter(child=child),
            "conference",
            "held_on",
            who=F("created_by_id"),
            text=F("summary"),
        ),
        _part(
            Intervention.objects.filter(child=child),
            "intervention",
            "issued_on",
            who=F("created_by_id"),
            code=F("kind"),
            code2=F("placement"),
            text=F("issuing_body"),
        ),
        _part(
            TemporaryPlacement.objects.filter(child=child),
            "placement",
            "from_on",
            who=F("created_by_id"),
            code=F("kind"),
            text=F("institution"),
            until=F("to_on"),
        ),
        _part(
            Referral.objects.filter(child=child),
            "referral",
            TruncDate("created_at"),
            who=F("sent_by_id"),
            code=F("service"),
            code2=F("status"),
            text2=Coalesce(F("department__name"), F("organisation__name")),
        ),
        _part(
            CareRecord.objects.filter(child=child),
            "care",
            "date",
            who=F("created_by_id"),
            code=F("kind"),
            text=F("description"),
            text2=F("provider"),
        ),
        # Pairing with a helper (结对帮扶, pairing/) and the helper's contacts: care and assistance the archive keeps.
        _part(
            Pairing.objects.filter(child=child),
            "pairing",
            "from_on",
            who=F("created_by_id"),
            text=F("helper__name"),
            text2=F("aims"),
            until=F("to_on"),
        ),
        _part(
            PairingContact.objects.filter(pairing__child=child),
            "pairing_contact",
            "contacted_on",
            who=F("recorded_by_id"),
            obj=F("pairing_id"),
            code=F("kind"),
            text=F("summary"),
            text2=F("pairing__helper__name"),
        ),
        _part(problems, "problem", "found_on", who=F("created_by_id"), text=F("description")),
        # Help plans (plans/): drawn up, each review with its decision, and closing (through approval, below).
        _part(plans, "plan_opened", "opened_on", who=F("created_by_id"), code=F("kind"), text=F("summary")),
        _part(WorkLogEntry.objects.filter(child=child), "work_log", "date", who=F("created_by_id"), text=F("content")),
        _part(
            Review.objects.filter(plan__child=child),
            "plan_review",
            "reviewed_on",
            who=F("reviewed_by_id"),
            obj=F("plan_id"),
            code=F("decision"),
            text=F("notes"),
        ),
        _part(
            problems.filter(resolved_on__isnull=False),
            "solution",
            "resolved_on",
            who=_first_user(problem_history, resolved_on__isnull=False),
            text=F("solution"),
            text2=F("description"),
        ),
        # Changes through approval (approvals/): the request with its reason, and the decision (approved, or
        # returned with a reason); a withdrawn request is the proposer's own and leaves only its request.
        _part(
            approvals,
            "approval_requested",
            TruncDate("proposed_at"),
            who=F("proposed_by_id"),
            code=F("kind"),
            text=F("reason"),
        ),
        _part(
            approvals.filter(status__in=[ApprovalStatus.APPROVED, ApprovalStatus.RETURNED]),
            "approval_decided",
            TruncDate("decided_at"),
            who=F("decided_by_id"),
            code=F("kind"),
            code2=F("status"),
            text=F("decision_reason"),
        ),
        _part(
            plans.filter(closed_on__isnull=False),
            "plan_closed",
            "closed_on",
            who=_first_user(plan_history, closed_on__isnull=False),
            code=F("kind"),
            text=F("close_reason"),
        ),
        _part(
            welfare.filter(ended_on__isnull=False),
            "welfare_ended",
            "ended_on",
            who=_first_user(welfare_history, ended_on__isnull=False),
            code=F("kind"),
        ),
        _part(
            categories.filter(ended_on__isnull=False),
            "category_ended",
            "ended_on",
            who=_first_user(category_history, ended_on__isnull=False),
            code=F("category"),
        ),
        _part(
            Child.objects.filter(pk=child.pk, closed_on__isnull=False),
            "closed",
            "closed_on",
            who=_first_user(child_history, closed_on__isnull=False),
            code=F("close_reason"),
        ),
    ]
    return parts


def _labels(model, field: str) -> dict:
    return {k: str(v) for k, v in model._meta.get_field(field).flatchoices}


def _amount(value: Decimal | None) -> str:
    return "" if value is None else _("%(amount)s yuan a month") % {"amount": f"{value:.2f}".rstrip("0").rstrip(".")}


def _join(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def _describe(child: Child) -> dict[str, Callable[[_Row], tuple[str, str, str]]]:
    """kind -> (what, text, link) of a row."""
    pk = child.pk
    return {
        "registered": lambda r: (_("Registered"), "", "#basic"),
        "category_started": lambda r: (
            _("Category added"),
            _join(_labels(ChildCategory, "category").get(r.code, r.code), r.text),
            "#categories",
        ),
        "category_ended": lambda r: (
            _("Category ended"),
            _labels(ChildCategory, "category").get(r.code, r.code),
            "#categories",
        ),
        "colour": lambda r: (
            _("Colour grade changed"),
            _join(_labels(ColourChange, "colour").get(r.code, r.code), r.text),
            "#colour",
        ),
        "welfare_started": lambda r: (
            _("Welfare coverage started"),
            _join(_labels(WelfareCoverage, "kind").get(r.code, r.code), _amount(r.amount), r.text),
            "#welfare",
        ),
        "welfare_ended": lambda r: (
            _("Welfare coverage ended"),
            _labels(WelfareCoverage, "kind").get(r.code, r.code),
            "#welfare",
        ),
        "transfer": lambda r: (_("Transferred"), _join(r.text2, r.text), "#transfers"),
        "visit": lambda r: (
            _labels(Visit, "kind").get(r.code, r.code),
            _join(_("harm found") if r.code2 == "harm" else "", r.text or r.text2),  # problems found, else whom met
            reverse("visits:detail", args=[pk, r.obj]),
        ),
        # A visit that found harm and needed no report: the director's reason, kept in the archive (guardianship.harm).
        "no_report": lambda r: (
            _("No mandatory report needed"),
            r.text,
            reverse("visits:detail", args=[pk, r.obj]) + "#harm",
        ),
        "report": lambda r: (
            _("Mandatory report"),
            _join(_labels(Report, "harm_type").get(r.code, r.code), _labels(Report, "status").get(r.code2, r.code2)),
            reverse("guardianship:report", args=[r.obj]),
        ),
        "assessment": lambda r: (
            _("Guardianship assessment"),
            _join(_labels(Assessment, "grade").get(r.code, r.code), f"{r.amount:g}" if r.amount is not None else ""),
            reverse("guardianship:assessment", args=[pk, r.obj]),
        ),
        "conference": lambda r: (_("Case conference"), r.text[:60], "#guardianship"),
        "intervention": lambda r: (
            _("Guardianship intervention"),
            _join(
                _labels(Intervention, "kind").get(r.code, r.code),
                _labels(Intervention, "placement").get(r.code2, r.code2),
                r.text,
            ),
            "#guardianship",
        ),
        "placement": lambda r: (
            _("Temporary placement"),
            f"{_labels(TemporaryPlacement, 'kind').get(r.code, r.code)} · {r.text}"
            + (f" · {_('until')} {r.until:%Y-%m-%d}" if r.until else ""),
            "#guardianship",
        ),
        "referral": lambda r: (
            _("Referral"),
            _join(
                f"{_labels(Referral, 'service').get(r.code, r.code)} → {r.text2}",
                _labels(Referral, "status").get(r.code2, r.code2),
            ),
            reverse("guardianship:referral", args=[r.obj]),
        ),
        "care": lambda r: (
            _("Care and assistance"),
            _join(_labels(CareRecord, "kind").get(r.code, r.code), r.text, r.text2),
            "#care",
        ),
        "pairing": lambda r: (
            _("Paired with a helper"),
            _join(r.text, r.text2) + (f" · {_('until')} {r.until:%Y-%m-%d}" if r.until else ""),
            reverse("pairing:pairing", args=[r.obj]),
        ),
        "pairing_contact": lambda r: (
            _("Helper's contact"),
            _join(r.text2, _labels(PairingContact, "kind").get(r.code, r.code), r.text),
            reverse("pairing:pairing", args=[r.obj]),
        ),
        "problem": lambda r: (_("Problem found"), r.text, "#problems"),
        "plan_opened": lambda r: (
            _("Help plan drawn up"),
            _join(_labels(HelpPlan, "kind").get(r.code, r.code), r.text),
            reverse("plans:detail", args=[pk, r.obj]),
        ),
        "plan_review": lambda r: (
            _("Help plan reviewed"),
            _join(_labels(Review, "decision").get(r.code, r.code), r.text),
            reverse("plans:detail", args=[pk, r.obj]),
        ),
        "plan_closed": lambda r: (
            _("Help plan closed"),
            _join(_labels(HelpPlan, "kind").get(r.code, r.code), r.text),
            reverse("plans:detail", args=[pk, r.obj]),
        ),
        "approval_requested": lambda r: (
            _("Approval requested"),
            _join(approval_services.kind_label(r.code), r.text),
            reverse("approvals:detail", args=[r.obj]),
        ),
        "approval_decided": lambda r: (
            _labels(Approval, "status").get(r.code2, r.code2),
            _join(approval_services.kind_label(r.code), r.text),
            reverse("approvals:detail", args=[r.obj]),
        ),
        "solution": lambda r: (_("Problem solved"), _join(r.text, r.text2), "#problems"),
        "work_log": lambda r: (_("Work log"), r.text, "#worklog"),
        "closed": lambda r: (
            _("Archive closed"),
            _labels(Child, "close_reason").get(r.code, r.code),
            "#basic",
        ),
    }


def _union_queryset(child: Child, limit: int | None):
    parts = _union(child)
    union = parts[0].union(*parts[1:], all=True).order_by("-t_day", "-t_rank", "-t_obj")
    return union if limit is None else union[:limit]


def _orm_rows(child: Child, limit: int | None) -> list[_Row]:
    """The rows through the ORM: the reference the compiled statement below is tested against."""
    return [_Row(*values) for values in _union_queryset(child, limit)]


# Compiling the twenty-member union costs more than running it (about 30 ms of CPU a page): it is compiled once per
# process and database vendor, for a stand-in child id that each call replaces with the real one.
_STAND_IN = -982_451_653


@functools.lru_cache(maxsize=8)
def _compiled(vendor: str, limit: int | None) -> tuple[str, tuple, tuple[int, ...]]:
    stand_in = Child(pk=_STAND_IN)
    stand_in._state.adding = False
    query = _union_queryset(stand_in, limit).query
    sql, params = query.get_compiler(connection=connection).as_sql()
    slots = tuple(i for i, p in enumerate(params) if p == _STAND_IN)
    return sql, tuple(params), slots


def _date(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.datetime):
        return value.date()
    return datetime.date.fromisoformat(str(value)[:10])  # SQLite gives dates as text


def _rows(child: Child, limit: int | None) -> list[_Row]:
    sql, params, slots = _compiled(connection.vendor, limit)
    params = list(params)
    for i in slots:
        params[i] = child.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [
        _Row(
            kind,
            _date(day),
            rank,
            obj,
            who,
            code,
            code2,
            text,
            text2,
            None if amount is None else Decimal(str(amount)),
            _date(until),
        )
        for kind, day, rank, obj, who, code, code2, text, text2, amount, until in found
    ]


def for_child(child: Child, *, limit: int | None = LIMIT) -> list[Event]:
    """The child's latest `limit` events (all of them with None), newest first: two queries (one when empty)."""
    rows = _rows(child, limit)
    ids = {r.who for r in rows if r.who}
    users = (
        {u.pk: str(u) for u in User.objects.filter(pk__in=ids).only("username", "first_name", "last_name")}
        if ids
        else {}
    )
    describe = _describe(child)
    events = []
    for r in rows:
        what, text, url = describe[r.kind](r)
        events.append(Event(r.day, str(what), text, url, users.get(r.who, "")))
    return events
