"""Activities (safety education, workstation themed activities, parents' training, home schooling 送教上门) and
the numeric duties of DOMAIN.md §3:

- a safety-education event in every village at least once a year (000 #37, 001 §16, 003 §13): an event held
  in the village itself;
- a themed activity at each township workstation at least every quarter (000 #38): held in the township;
- home schooling at least twice a month for each child taught at home (002): each open archive whose
  enrolment is "taught at home", counted in home-schooling visits the child took part in, for every full month
  of the year since the child was registered.

A period still running is not a miss: only finished quarters and months are listed.
"""

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import ExtractMonth, ExtractQuarter
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AreaLevel, User
from children import access, idnumber
from children.models import ArchiveStatus, Child, Enrolment
from children.uploads import check_upload_for

from .models import Activity, ActivityKind, ActivityPhoto
from .permissions import covers

PHOTO_KINDS = {"jpeg", "png"}
HOME_SCHOOLING_PER_MONTH = 2


def activities_for(user: User) -> QuerySet[Activity]:
    """Activities held in the user's areas or in an area above them."""
    return (
        Activity.objects.filter(area__in=access.related_areas(user))
        .select_related("area", "organiser_department", "site")
        .annotate(children_n=Count("children", distinct=True))
        .order_by("-date", "-id")
    )


def get_activity_for_user(user: User, pk: int) -> Activity:
    try:
        return activities_for(user).get(pk=int(pk))
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such activity.")) from None


def visible_participants(user: User, activity: Activity) -> QuerySet[Child]:
    """The participants the user may see (the others are only counted)."""
    return access.visible_children(user).filter(activities=activity).select_related("village").order_by("name")


def can_record(user: User, area_code: str) -> bool:
    return covers(user, area_code)


def resolve_participants(user: User, raw: str) -> list[Child]:
    """Children by ID number, one a line; only children the user may see. Unknown numbers are refused."""
    numbers = [idnumber.normalise(line) for line in raw.splitlines() if line.strip()]
    if not numbers:
        return []
    found = {
        c.id_number: c for c in access.visible_children(user).filter(id_number__in=numbers, status=ArchiveStatus.OPEN)
    }
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise ValidationError(
            {"participants": _("No open archive you may see has these ID numbers: %(n)s") % {"n": "、".join(unknown)}}
        )
    return list(dict.fromkeys(found[n] for n in numbers))


@transaction.atomic
def activity_create(
    *, user: User, activity: Activity, participants: list[Child], photos: list | None = None
) -> Activity:
    if not can_record(user, activity.area_id or ""):
        raise PermissionDenied(_("You may record activities only in your own areas."))
    if activity.date > timezone.localdate():
        raise ValidationError({"date": _("This date cannot be in the future.")})
    if activity.kind == ActivityKind.WORKSTATION and activity.area.level != AreaLevel.TOWNSHIP:
        raise ValidationError({"area": _("A workstation activity is held in a township.")})
    if activity.site_id is not None and activity.site.area_id != activity.area_id:
        raise ValidationError({"site": _("The site is not in the area of this activity.")})
    if activity.kind == ActivityKind.HOME_SCHOOLING and not participants:
        raise ValidationError({"participants": _("Name the child taught at home.")})
    for child in participants:
        if not child.village_id.startswith(activity.area.prefix):
            raise ValidationError(
                {"participants": _("%(name)s does not live in the area of this activity.") % {"name": child.name}}
            )
    for photo in photos or []:
        check_upload_for("photos", photo, kinds=PHOTO_KINDS)
    activity.created_by = user
    activity.full_clean()
    activity.save()
    activity.children.set(participants)
    for photo in photos or []:
        ActivityPhoto.objects.create(activity=activity, image=photo)
    return activity


def _finished_quarters(year: int, today: datetime.date) -> list[int]:
    if year < today.year:
        return [1, 2, 3, 4]
    if year > today.year:
        return []
    return list(range(1, (today.month - 1) // 3 + 1))


def _finished_months(year: int, today: datetime.date) -> list[int]:
    if year < today.year:
        return list(range(1, 13))
    if year > today.year:
        return []
    return list(range(1, today.month))


def duty_gaps(user: User, year: int, today: datetime.date | None = None, limit: int = 500) -> dict:
    """Where the duties were missed in `year`, within the user's areas (five queries)."""
    today = today or timezone.localdate()
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    in_year = {"date__gte": first, "date__lte": last}

    safety = (
        access.visible_villages(user)
        .filter(
            ~Exists(Activity.objects.filter(kind=ActivityKind.SAFETY_EDUCATION, area_id=OuterRef("code"), **in_year))
        )
        .select_related("parent")
        .order_by("code")
    )
    villages_missed = list(safety[:limit]) if year <= today.year else []
    villages_missed_n = safety.count() if year <= today.year else 0

    townships = list(access.visible_areas(user).filter(level=AreaLevel.TOWNSHIP).order_by("code"))
    held = set(
        Activity.objects.filter(kind=ActivityKind.WORKSTATION, area__in=townships, **in_year)
        .annotate(q=ExtractQuarter("date"))
        .values_list("area_id", "q")
    )
    quarters = _finished_quarters(year, today)
    workstation_missed = [(t, q) for t in townships for q in quarters if (t.code, q) not in held]

    months = _finished_months(year, today)
    eligible = (
        access.visible_children(user)
        .filter(status=ArchiveStatus.OPEN, enrolment=Enrolment.HOME_SCHOOLING, registered_on__lte=last)
        .select_related("village")
        .order_by("village_id", "name")
    )
    eligible_list = list(eligible[:limit]) if months else []
    counts: dict[tuple[int, int], int] = defaultdict(int)
    rows = (
        Activity.children.through.objects.filter(
            child_id__in=eligible.values("pk")[:limit],
            activity__kind=ActivityKind.HOME_SCHOOLING,
            activity__date__gte=first,
            activity__date__lte=last,
        )
        .annotate(m=ExtractMonth("activity__date"))
        .values_list("child_id", "m")
        .annotate(n=Count("id"))
    )
    for child_id, month, n in rows:
        counts[(child_id, month)] = n
    home_missed = []
    for child in eligible_list:
        start = child.registered_on.month if child.registered_on.year == year else 1
        for month in months:
            if month >= start and counts[(child.pk, month)] < HOME_SCHOOLING_PER_MONTH:
                home_missed.append((child, month, counts[(child.pk, month)]))
    return {
        "villages_missed": villages_missed,
        "villages_missed_n": villages_missed_n,
        "workstation_missed": workstation_missed,
        "home_missed": home_missed,
        "quarters": quarters,
        "months": months,
    }


def photos_of(activity: Activity) -> list[ActivityPhoto]:
    return list(activity.photos.all())
