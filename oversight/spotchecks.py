"""Archive spot checks (抽查): a random, reproducible sample per township, the checklist, findings as tasks.

The sample: for each township of the county, the open archives are ordered by id and drawn with
`random.Random(f"{seed}:{township}")`, so the same seed draws the same archives again (as long as the archives
are the same), and every township gets its own draw: `per_township` archives (all when fewer), or
`share_percent` of the township's archives rounded up (at least one when it has any) — proportional per township.
"""

import datetime
import math
import random
import secrets
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Area, AreaLevel, Role, User, enclosing_code
from children import access
from children.models import ArchiveStatus, Child

from .models import CHECKLIST, Finding, SpotCheck, SpotCheckItem
from .permissions import covers, is_civil_affairs, require_civil_affairs_over

CHECK_FIELDS = [name for name, _label in CHECKLIST]


def draw_sample(
    ids_by_township: dict[str, list[int]], *, seed: int, per_township: int | None, share_percent: int | None
) -> dict[str, list[int]]:
    """Pure: the sampled child ids per township (see the module docstring)."""
    out: dict[str, list[int]] = {}
    for township in sorted(ids_by_township):
        ids = sorted(ids_by_township[township])
        if per_township is not None:
            n = min(per_township, len(ids))
        else:
            n = min(len(ids), math.ceil(len(ids) * share_percent / 100)) if ids else 0
        out[township] = sorted(random.Random(f"{seed}:{township}").sample(ids, n))
    return out


def _open_ids_by_township(county: Area) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    rows = Child.objects.filter(status=ArchiveStatus.OPEN, village__code__startswith=county.prefix).values_list(
        "id", "village_id"
    )
    for pk, village_id in rows.iterator(chunk_size=5000):
        out[enclosing_code(village_id, AreaLevel.TOWNSHIP)].append(pk)
    return out


@transaction.atomic
def spot_check_start(
    *,
    user: User,
    county: Area,
    per_township: int | None = None,
    share_percent: int | None = None,
    seed: int | None = None,
    today: datetime.date | None = None,
) -> SpotCheck:
    require_civil_affairs_over(user, county)
    if county.level != AreaLevel.COUNTY:
        raise ValidationError({"county": _("Choose a county or district.")})
    if (per_township is None) == (share_percent is None):
        raise ValidationError(_("Give either the number of archives per township or a share, not both."))
    if per_township is not None and per_township < 1:
        raise ValidationError({"per_township": _("At least one archive per township.")})
    if share_percent is not None and not 1 <= share_percent <= 100:
        raise ValidationError({"share_percent": _("The share is between 1 and 100 per cent.")})
    today = today or timezone.localdate()
    seed = seed if seed is not None else secrets.randbelow(2**62)
    sample = draw_sample(
        _open_ids_by_township(county), seed=seed, per_township=per_township, share_percent=share_percent
    )
    if not any(sample.values()):
        raise ValidationError(_("This county has no open archives to check."))
    townships = set(Area.objects.filter(code__in=list(sample)).values_list("code", flat=True))
    check = SpotCheck.objects.create(
        county=county,
        year=today.year,
        started_on=today,
        seed=seed,
        per_township=per_township,
        share_percent=share_percent,
        created_by=user,
    )
    SpotCheckItem.objects.bulk_create(
        [
            SpotCheckItem(spot_check=check, child_id=pk, township_id=township)
            for township, ids in sample.items()
            if township in townships
            for pk in ids
        ],
        batch_size=2000,
    )
    return check


def spot_checks_for(user: User) -> QuerySet[SpotCheck]:
    """Spot checks of the counties within the user's areas (civil affairs and administrators)."""
    if not is_civil_affairs(user):
        return SpotCheck.objects.none()
    return SpotCheck.objects.filter(access.in_areas_q(user, "county__code")).select_related("county", "created_by")


def get_spot_check_for_user(user: User, pk: int) -> SpotCheck:
    from django.http import Http404

    try:
        return spot_checks_for(user).get(pk=pk)
    except SpotCheck.DoesNotExist:
        raise Http404 from None


def township_results(check: SpotCheck) -> list[dict]:
    """Per township: sampled, checked, passed, failed, open findings (one query)."""
    rows = (
        SpotCheckItem.objects.filter(spot_check=check)
        .values("township_id", "township__name")
        .annotate(
            sampled=Count("id"),
            checked=Count("id", filter=Q(checked_on__isnull=False)),
            passed_n=Count("id", filter=Q(passed=True)),
            failed_n=Count("id", filter=Q(passed=False)),
        )
        .order_by("township_id")
    )
    return list(rows)


def items_for(check: SpotCheck) -> QuerySet[SpotCheckItem]:
    return (
        SpotCheckItem.objects.filter(spot_check=check)
        .select_related("child__village", "township")
        .annotate(open_findings=Count("findings", filter=Q(findings__done_on__isnull=True)))
        .order_by("township_id", "child__village_id", "child_id")
    )


def items_of(check: SpotCheck) -> QuerySet[SpotCheckItem]:
    """The items of a check the user reaches (through `get_spot_check_for_user`); views take one through the
    access gate, which also decides the child."""
    return SpotCheckItem.objects.select_related("child__village").filter(spot_check=check)


@transaction.atomic
def item_record(
    *,
    user: User,
    item: SpotCheckItem,
    results: dict[str, bool],
    notes: str = "",
    finding: str = "",
    due_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> SpotCheckItem:
    """Record the checklist of one archive; a finding (required when a check fails) becomes a task for the
    child's directors."""
    require_civil_affairs_over(user, item.spot_check.county)
    today = today or timezone.localdate()
    missing = [name for name in CHECK_FIELDS if results.get(name) is None]
    if missing:
        raise ValidationError(_("Answer every item of the checklist."))
    passed = all(results[name] for name in CHECK_FIELDS)
    if not passed and not finding.strip():
        raise ValidationError({"finding": _("Describe what the director must correct.")})
    if finding.strip() and due_on is None:
        raise ValidationError({"due_on": _("Give a date by which the finding must be corrected.")})
    if due_on is not None and due_on < today:
        raise ValidationError({"due_on": _("This date cannot be in the past.")})
    for name in CHECK_FIELDS:
        setattr(item, name, bool(results[name]))
    item.passed = passed
    item.notes = notes
    item.checked_on = today
    item.checked_by = user
    item.save()
    if finding.strip():
        created = Finding.objects.create(item=item, child_id=item.child_id, description=finding.strip(), due_on=due_on)
        _notify_directors(created, item.child.village_id)
    return item


def _notify_directors(finding: Finding, village_code: str) -> None:
    """The village's active directors get a notification pointing to their worklist (idempotent by key)."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    from accounts.models import Notification

    with translation.override(settings.LANGUAGE_CODE):
        title = _("Spot-check finding to correct: %(name)s") % {"name": finding.child.name}
    directors = User.objects.filter(role=Role.DIRECTOR, is_active=True, areas__code=village_code)
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=pk,
                key=f"spotcheck-finding:{finding.pk}",
                title=title,
                body=finding.description[:500],
                url=reverse("visits:worklist"),
            )
            for pk in directors.values_list("pk", flat=True).distinct()
        ],
        ignore_conflicts=True,
    )


def open_findings_for(user: User) -> QuerySet[Finding]:
    """Open findings on the children a director or supervisor works with (shown in their worklist)."""
    if user.role not in (Role.DIRECTOR, Role.SUPERVISOR):
        return Finding.objects.none()
    children = Child.objects.filter(access.in_areas_q(user, "village__code"))
    return (
        Finding.objects.filter(done_on__isnull=True, child__in=children.values("pk"))
        .select_related("child")
        .order_by("due_on", "id")
    )


@transaction.atomic
def finding_close(*, user: User, finding: Finding, note: str) -> Finding:
    """A director of the child's village closes a finding, saying what was done."""
    if user.role != Role.DIRECTOR or not covers(user, finding.child.village_id):
        raise PermissionDenied(_("Only the child's director closes this finding."))
    if finding.done_on:
        raise ValidationError(_("This finding is already closed."))
    if not note.strip():
        raise ValidationError({"note": _("Say what was corrected.")})
    finding.done_on = timezone.localdate()
    finding.done_note = note.strip()[:300]
    finding.done_by = user
    finding.save(update_fields=["done_on", "done_note", "done_by"])
    return finding


def yearly_record(user: User, year: int) -> list[Area]:
    """Every county within the user's areas, each with `check_count` = spot checks started in `year`
    (one query). Civil affairs and administrators only."""
    if not is_civil_affairs(user):
        return []
    sub = (
        SpotCheck.objects.filter(county=OuterRef("code"), year=year)
        .order_by()
        .values("county")
        .annotate(n=Count("id"))
        .values("n")
    )
    counties = access.visible_areas(user).filter(level=AreaLevel.COUNTY)
    return list(counties.annotate(check_count=Coalesce(Subquery(sub, output_field=IntegerField()), 0)).order_by("code"))
