"""The child-director ledger (信息台账): entries, trainings, yearly evaluations.

Villages served are the director's `User.areas`. Staff edit the ledger of directors whose villages lie within
their areas (civil affairs only); a supervisor reads their township's directors; a director reads their own.

The yearly evaluation (001 §20) is computed from what the system holds, per director, over the villages they
serve, in a fixed number of queries for a whole page of directors:
- visits on time: over the year, the share of children whose last home visit and contact were within their rule's
  interval at each month's end (the dashboards' monthly compliance snapshots, summed over the year's months); and,
  beside it, the share of open archives not overdue today (visit schedules);
- activities: activities held in those villages in the year;
- archive completeness: share of open archives with enrolment recorded and at least one guardian recorded;
- spot-check findings: findings on those villages' children in the year, and how many are still open;
- satisfaction: entered by staff (0–100).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from children.models import ArchiveStatus, Child, FamilyMember
from dashboards.models import ComplianceSnapshot
from visits.models import VisitSchedule

from .coverage import AreaUser, directors_in_scope, trained_in
from .models import Activity, DirectorProfile, Evaluation, Finding, Training
from .permissions import covers, is_civil_affairs


def ledger_for(user: User, year: int) -> QuerySet[User]:
    """Directors the user may read, with their ledger entry, villages and "trained this year"."""
    if user.role == Role.DIRECTOR and not user.is_administrator:
        qs = User.objects.filter(pk=user.pk)
    elif user.role in (Role.SUPERVISOR, Role.CIVIL_AFFAIRS) or user.is_administrator:
        qs = directors_in_scope(user)
    else:
        qs = User.objects.none()
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        qs.select_related("director_profile")
        .prefetch_related("areas")
        .annotate(
            trained=trained_in(year),
            training_hours=Sum("trainings__hours", filter=Q(trainings__date__gte=first, trainings__date__lte=last)),
        )
        .order_by("last_name", "first_name", "pk")
    )


def get_director_for_user(user: User, pk: int) -> User:
    try:
        return ledger_for(user, timezone.localdate().year).get(pk=int(pk))
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such director.")) from None


def can_edit_ledger(user: User, director: User) -> bool:
    """Civil-affairs staff whose areas contain one of the director's villages."""
    if user.is_administrator:
        return True
    if not is_civil_affairs(user):
        return False
    return any(covers(user, a.code) for a in director.areas.all())


def _require_edit(user: User, director: User) -> None:
    if not can_edit_ledger(user, director):
        raise PermissionDenied(_("Only civil-affairs staff of the director's county may change the ledger."))


@transaction.atomic
def profile_save(*, user: User, director: User, profile: DirectorProfile) -> DirectorProfile:
    _require_edit(user, director)
    today = timezone.localdate()
    for name in ("appointed_on", "entry_checked_on"):
        value = getattr(profile, name)
        if value and value > today:
            raise ValidationError({name: _("This date cannot be in the future.")})
    if profile.entry_check_result and not profile.entry_checked_on:
        raise ValidationError({"entry_checked_on": _("Give the date of the employment-restriction check.")})
    if profile.qualification and not profile.certificate_number:
        raise ValidationError({"certificate_number": _("Give the certificate number.")})
    profile.director = director
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def training_add(*, user: User, director: User, training: Training) -> Training:
    _require_edit(user, director)
    if training.date > timezone.localdate():
        raise ValidationError({"date": _("This date cannot be in the future.")})
    if training.hours is None or training.hours <= 0:
        raise ValidationError({"hours": _("The hours must be more than zero.")})
    training.director = director
    training.created_by = user
    training.full_clean()
    training.save()
    return training


@transaction.atomic
def evaluation_save(*, user: User, director: User, year: int, satisfaction: int, comment: str = "") -> Evaluation:
    _require_edit(user, director)
    if not 0 <= satisfaction <= 100:
        raise ValidationError({"satisfaction": _("The score is between 0 and 100.")})
    if year > timezone.localdate().year:
        raise ValidationError({"year": _("This year has not started yet.")})
    evaluation, _created = Evaluation.objects.update_or_create(
        director=director, year=year, defaults={"satisfaction": satisfaction, "comment": comment, "entered_by": user}
    )
    return evaluation


@dataclass
class Score:
    villages: list[str] = field(default_factory=list)
    children: int = 0
    not_overdue: int = 0
    complete: int = 0
    activities: int = 0
    findings: int = 0
    findings_open: int = 0
    satisfaction: int | None = None
    year_children: int = 0  # children counted at the year's month ends (monthly compliance snapshots)
    year_compliant: int = 0  # of them, visited within their interval

    @staticmethod
    def _pct(n: int, d: int) -> int | None:
        return round(100 * n / d) if d else None

    @property
    def on_time_pct(self) -> int | None:
        return self._pct(self.not_overdue, self.children)

    @property
    def year_on_time_pct(self) -> int | None:
        return self._pct(self.year_compliant, self.year_children)

    @property
    def complete_pct(self) -> int | None:
        return self._pct(self.complete, self.children)


def evaluations_for(directors: list[User], year: int, today: datetime.date | None = None) -> dict[int, Score]:
    """Scores for a page of directors: eight queries whatever the number of directors or children."""
    today = today or timezone.localdate()
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    scores = {d.pk: Score() for d in directors}
    villages_of: dict[str, list[int]] = defaultdict(list)
    for director_id, village in AreaUser.objects.filter(user_id__in=list(scores)).values_list("user_id", "area_id"):
        villages_of[village].append(director_id)
        scores[director_id].villages.append(village)
    villages = list(villages_of)

    def add(rows, attr):
        for village, n in rows:
            for director_id in villages_of.get(village, []):
                setattr(scores[director_id], attr, getattr(scores[director_id], attr) + (n or 0))

    open_children = Child.objects.filter(village_id__in=villages, status=ArchiveStatus.OPEN)
    guardian = FamilyMember.objects.filter(child_id=OuterRef("pk"), is_guardian=True)
    rows = (
        open_children.order_by()
        .values("village_id")
        .annotate(
            n=Count("id"),
            complete=Count("id", filter=~Q(enrolment="") & Q(Exists(guardian))),
        )
        .values_list("village_id", "n", "complete")
    )
    rows = list(rows)
    add([(v, n) for v, n, _c in rows], "children")
    add([(v, c) for v, _n, c in rows], "complete")
    add(
        VisitSchedule.objects.filter(village_id__in=villages, child__status=ArchiveStatus.OPEN)
        .not_overdue(today)
        .order_by()
        .values("village_id")
        .annotate(n=Count("child_id"))
        .values_list("village_id", "n"),
        "not_overdue",
    )
    snapshot_rows = list(
        ComplianceSnapshot.objects.filter(village_id__in=villages, month__gte=first, month__lte=last)
        .order_by()
        .values("village_id")
        .annotate(n=Sum("children"), ok=Sum("compliant"))
        .values_list("village_id", "n", "ok")
    )
    add([(v, n) for v, n, _ok in snapshot_rows], "year_children")
    add([(v, ok) for v, _n, ok in snapshot_rows], "year_compliant")
    add(
        Activity.objects.filter(area_id__in=villages, date__gte=first, date__lte=last)
        .order_by()
        .values("area_id")
        .annotate(n=Count("id"))
        .values_list("area_id", "n"),
        "activities",
    )
    finding_rows = list(
        Finding.objects.filter(child__village_id__in=villages, created_at__date__gte=first, created_at__date__lte=last)
        .order_by()
        .values("child__village_id")
        .annotate(n=Count("id"), still_open=Count("id", filter=Q(done_on__isnull=True)))
        .values_list("child__village_id", "n", "still_open")
    )
    add([(v, n) for v, n, _o in finding_rows], "findings")
    add([(v, o) for v, _n, o in finding_rows], "findings_open")
    for director_id, satisfaction in Evaluation.objects.filter(director_id__in=list(scores), year=year).values_list(
        "director_id", "satisfaction"
    ):
        scores[director_id].satisfaction = satisfaction
    return scores


def visible_directors_for_assignment(user: User, village_code: str) -> QuerySet[User]:
    """Active directors of one village (for assigning a discovery candidate)."""
    return User.objects.filter(role=Role.DIRECTOR, is_active=True, areas__code=village_code).order_by("pk")
