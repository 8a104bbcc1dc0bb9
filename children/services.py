"""Writes to children's archives. Views and commands call these; nothing else writes archives."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Area, AreaLevel, User

from . import access, rules
from .categories import CATEGORY_BITS, PARENT_RELATIONS, flags_for, parent_flags_for
from .models import (
    AccessAction,
    AccessLog,
    ArchiveStatus,
    Child,
    ChildCategory,
    ColourChange,
    FamilyMember,
    Transfer,
)


class StaleEdit(ValidationError):
    """The archive was changed by someone else since the form was opened."""


def area_path(area: Area) -> str:
    names = []
    node: Area | None = area
    while node is not None:
        names.append(node.name)
        node = node.parent
    return "".join(reversed(names))


def county_of(area: Area) -> Area:
    """The county (区/县) an area lies in, walking up the parents (select_related them to avoid queries)."""
    node: Area | None = area
    while node is not None and node.level != AreaLevel.COUNTY:
        node = node.parent
    return node or area


def office_of(area: Area) -> str:
    """The civil-affairs office holding archives of an area: its county's, named by the county's name."""
    return _("the civil-affairs office of %(county)s") % {"county": county_of(area).name}


LOOKUP_SALT = "children.duplicate-lookup"
LOOKUP_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class Holder:
    """An open archive found when registering (or editing an ID number), as the user may learn of it.

    In the user's own area: the archive itself (`child_id`, `place`: the page links to it). Elsewhere: only the
    county office holding it (`office`) and a signed reference (`token`) that a transfer request names instead of
    the child; no village, township or other data of the archive."""

    child_id: int
    own_area: bool
    office: str
    place: str = ""
    token: str = ""


def lookup_token(*, user: User, child_id: int, name: str) -> str:
    """A reference to an archive found elsewhere, for this user only, valid for a day: the transfer request posts
    it instead of naming the child (no ID number or name of the archive travels)."""
    return signing.dumps({"c": child_id, "u": user.pk, "n": name}, salt=LOOKUP_SALT, compress=True)


def lookup_from_token(*, user: User, token: str) -> tuple[Child, str]:
    """(open archive, name the requester typed) of a `lookup_token` given to this user, else ValidationError."""
    expired = ValidationError(_("This look-up has expired. Register the child again to find the archive."))
    try:
        data = signing.loads(token, salt=LOOKUP_SALT, max_age=LOOKUP_MAX_AGE)
    except signing.BadSignature:
        raise expired from None
    if not isinstance(data, dict) or data.get("u") != user.pk:
        raise expired
    open_archives = Child.objects.filter(status=ArchiveStatus.OPEN).select_related("village__parent__parent")
    child = open_archives.filter(pk=data.get("c")).first()
    if child is None:
        raise expired
    return child, str(data.get("n", ""))[:50]


def _holder(user: User, child: Child, name: str) -> Holder:
    own = access.in_user_areas(user, child.village_id)
    return Holder(
        child_id=child.pk,
        own_area=own,
        office=office_of(child.village),
        place=area_path(child.village) if own else "",
        token="" if own else lookup_token(user=user, child_id=child.pk, name=name),
    )


class DuplicateArchive(ValidationError):
    """A registration found open archives of the same child; `holders` says what the user may learn of them."""

    def __init__(self, message, *, holders: list[Holder], code: str):
        super().__init__(message, code=code)
        self.holders = holders


def _log_lookups(user: User, holders: list[Holder]) -> None:
    """Finding an archive as a duplicate is a look-up at it: written to its access log (outside the registration's
    transaction, so that refusing the registration keeps the row)."""
    access_log(user=user, child_ids=[h.child_id for h in holders], action=AccessAction.LOOKUP)


def find_open_archive(id_number: str, *, exclude_pk: int | None = None) -> Child | None:
    qs = Child.objects.filter(id_number=id_number, status=ArchiveStatus.OPEN).select_related("village__parent__parent")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def ensure_id_number_free(id_number: str, *, user: User, name: str = "", exclude_pk: int | None = None) -> None:
    """Refuse an ID number already on an open archive. In the user's own area the archive is named (the page links
    to it); elsewhere only the county office holding it, and the look-up is logged."""
    holder = find_open_archive(id_number, exclude_pk=exclude_pk)
    if holder is None:
        return
    found = _holder(user, holder, name)
    _log_lookups(user, [found])
    if found.own_area:
        message = _("This ID number already has an open archive in your area (%(area)s): use that archive.") % {
            "area": found.place
        }
    else:
        message = _(
            "This child already has an open archive held by %(office)s. Ask that office to transfer the child "
            "to your area."
        ) % {"office": found.office}
    raise DuplicateArchive({"id_number": message}, holders=[found], code="duplicate_id_number")


def check_possible_duplicates(
    *, user: User, name: str, birth_date: datetime.date, sex: str, exclude_pk: int | None = None
) -> None:
    """Refuse (until confirmed) a child with the same name, birth date and sex as open archives: those in the
    user's own area are named, the others only by the county office holding them. The look-ups are logged."""
    qs = Child.objects.filter(name=name, birth_date=birth_date, sex=sex, status=ArchiveStatus.OPEN)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    holders = [_holder(user, c, name) for c in qs.select_related("village__parent__parent").order_by("pk")[:5]]
    if not holders:
        return
    _log_lookups(user, holders)
    parts = []
    own = [h.place for h in holders if h.own_area]
    offices = list(dict.fromkeys(h.office for h in holders if not h.own_area))
    if own:
        parts.append(
            _(
                "A child with the same name, date of birth and sex already has an open archive in your area "
                "(%(areas)s): open it to check."
            )
            % {"areas": "、".join(own)}
        )
    if offices:
        parts.append(
            _(
                "A child with the same name, date of birth and sex already has an open archive held by "
                "%(offices)s: if it is the same child, ask for a transfer."
            )
            % {"offices": "、".join(offices)}
        )
    parts.append(_("If it is a different child, confirm and register."))
    raise DuplicateArchive({"confirm_not_duplicate": " ".join(parts)}, holders=holders, code="possible_duplicate")


def _require_edit(user: User, child: Child) -> None:
    if not access.can_edit_child(user, child):
        raise PermissionDenied(_("You may read this archive but not change it."))
    if not child.is_open:
        raise ValidationError(_("This archive is closed and can no longer be changed."))


def _require_village(user: User, village: Area) -> None:
    if village.level != AreaLevel.VILLAGE or not access.in_user_areas(user, village.code):
        raise ValidationError({"village": _("Choose a village within your own area.")})


def bump_version(obj: Model, expected_version: int | None, stale_message: str) -> None:
    """Optimistic locking of an object with a `version` column: one UPDATE that only succeeds if nobody saved in
    between (its row lock holds a concurrent save back until this transaction ends); otherwise StaleEdit."""
    qs = type(obj)._default_manager.filter(pk=obj.pk)
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    if qs.update(version=F("version") + 1) != 1:
        raise StaleEdit(stale_message)
    obj.version = (expected_version or obj.version) + 1


def _bump_version(child: Child, expected_version: int | None) -> None:
    bump_version(
        child,
        expected_version,
        _(
            "Someone else changed this archive after you opened it. Reload the page, check their "
            "changes and enter yours again."
        ),
    )


def _save_unique(child: Child) -> None:
    """Save; a concurrent registration of the same ID number loses with a clear message, not an error page."""
    try:
        with transaction.atomic():
            child.save()
    except IntegrityError:
        raise ValidationError(
            {"id_number": _("This ID number was just registered by someone else. Search for it first.")}
        ) from None


def _check_dates_of(child: Child) -> None:
    today = timezone.localdate()
    if child.registered_on > today:
        raise ValidationError({"registered_on": _("The registration date cannot be in the future.")})
    if child.registered_on < child.birth_date:
        raise ValidationError({"registered_on": _("The registration date cannot be before the child was born.")})
    if rules.is_adult(child.birth_date, today):
        raise ValidationError({"id_number": rules.adult_refusal()})


def _not_future(value: datetime.date, field: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: _("This date cannot be in the future.")})


def _schedule_changed(child: Child, changed_on: datetime.date | None = None) -> None:
    """Visit due dates depend on categories, parents, risk, colour, disability, village and status. `changed_on`: the
    day the change took effect (today by default); a stricter interval counts from it (rules.obligation_after)."""
    from visits import schedule

    schedule.refresh(child_ids=[child.pk], changed_on=changed_on)


def _facts_changed(child: Child) -> None:
    """The facts (health, disability, parents) or the categories changed: propose or lapse category changes
    (children.identification, 精准识别 and 动态管理)."""
    from . import identification

    identification.evaluate([child.pk])


def _refresh_parent_flags(child: Child) -> None:
    situations = FamilyMember.objects.filter(child=child, relation__in=PARENT_RELATIONS).values_list(
        "situation", flat=True
    )
    child.parent_flags = parent_flags_for(situations)
    Child.objects.filter(pk=child.pk).update(parent_flags=child.parent_flags)


def _refresh_category_flags(child: Child) -> None:
    current = ChildCategory.objects.filter(child=child, ended_on__isnull=True).values_list("category", flat=True)
    child.category_flags = flags_for(current)
    Child.objects.filter(pk=child.pk).update(category_flags=child.category_flags)


def child_register(
    *,
    user: User,
    child: Child,
    categories: Iterable[str] = (),
    categories_since: datetime.date | None = None,
    confirmed_not_duplicate: bool = False,
) -> Child:
    """Register a new child; `child` is an unsaved instance with its fields set (e.g. from a form).

    The duplicate checks run before the transaction: a refusal keeps its access-log row (DuplicateArchive)."""
    _require_village(user, child.village)
    ensure_id_number_free(child.id_number, user=user, name=child.name)
    if not confirmed_not_duplicate:
        check_possible_duplicates(user=user, name=child.name, birth_date=child.birth_date, sex=child.sex)
    return _register(user=user, child=child, categories=categories, categories_since=categories_since)


@transaction.atomic
def _register(*, user: User, child: Child, categories: Iterable[str], categories_since: datetime.date | None) -> Child:
    child.status = ArchiveStatus.OPEN
    child.registered_on = child.registered_on or timezone.localdate()
    child.created_by = user
    _check_dates_of(child)
    child.full_clean()
    _save_unique(child)
    since = categories_since or child.registered_on
    for code in categories:
        ChildCategory.objects.create(child=child, category=code, started_on=since)
    _refresh_category_flags(child)
    ColourChange.objects.create(
        child=child, colour=child.colour, changed_on=child.registered_on, reason=_("Registered"), changed_by=user
    )
    _schedule_changed(child)
    _facts_changed(child)
    return child


def child_update(*, user: User, child: Child, expected_version: int | None) -> Child:
    """Save edited basic information. `child` carries the form's changes. The ID number is checked before the
    transaction, as when registering."""
    _require_edit(user, child)
    ensure_id_number_free(child.id_number, user=user, name=child.name, exclude_pk=child.pk)
    return _update(user=user, child=child, expected_version=expected_version)


@transaction.atomic
def _update(*, user: User, child: Child, expected_version: int | None) -> Child:
    child.full_clean()
    _bump_version(child, expected_version)
    _save_unique(child)
    _schedule_changed(child)
    _facts_changed(child)
    return child


@transaction.atomic
def child_close(*, user: User, child: Child, reason: str, closed_on: datetime.date, note: str = "") -> Child:
    _require_edit(user, child)
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": _("The closing date cannot be in the future.")})
    if closed_on < child.registered_on:
        raise ValidationError({"closed_on": _("The closing date cannot be before the registration date.")})
    child.status = ArchiveStatus.CLOSED
    child.close_reason = reason
    child.closed_on = closed_on
    child._change_reason = note
    _bump_version(child, None)
    child.save()
    _schedule_changed(child)
    return child


@transaction.atomic
def child_transfer(*, user: User, child: Child, to_village: Area, on: datetime.date, reason: str) -> Transfer:
    """Move a child to another village; the transfer and the old village stay in the history.

    The receiving village may lie outside the sender's area (a family moving counties); after the transfer the
    sender no longer sees the child unless it is still within their area.
    """
    _require_edit(user, child)
    if to_village.level != AreaLevel.VILLAGE:
        raise ValidationError({"to_village": _("Choose a village.")})
    _not_future(on, "transferred_on")
    if to_village.pk == child.village_id:
        raise ValidationError({"to_village": _("The child already lives in this village.")})
    transfer = Transfer.objects.create(
        child=child,
        from_village_id=child.village_id,
        to_village=to_village,
        transferred_on=on,
        reason=reason,
        transferred_by=user,
    )
    child.village = to_village
    child._change_reason = reason
    _bump_version(child, None)
    child.save()
    _schedule_changed(child, on)
    return transfer


@transaction.atomic
def category_add(
    *, user: User, child: Child, category: str, started_on: datetime.date, note: str = ""
) -> ChildCategory:
    _require_edit(user, child)
    if category not in CATEGORY_BITS:
        raise ValidationError({"category": _("Unknown category.")})
    _not_future(started_on, "started_on")
    if ChildCategory.objects.filter(child=child, category=category, ended_on__isnull=True).exists():
        raise ValidationError({"category": _("The child already holds this category.")})
    item = ChildCategory(child=child, category=category, started_on=started_on, note=note)
    item.full_clean()
    item.save()
    _refresh_category_flags(child)
    _schedule_changed(child, started_on)
    _facts_changed(child)
    return item


@transaction.atomic
def category_end(*, user: User, item: ChildCategory, ended_on: datetime.date) -> ChildCategory:
    _require_edit(user, item.child)
    if item.ended_on is not None:
        raise ValidationError(_("This category has already ended."))
    _not_future(ended_on, "ended_on")
    if ended_on < item.started_on:
        raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})
    item.ended_on = ended_on
    item.save()
    _refresh_category_flags(item.child)
    _schedule_changed(item.child)
    _facts_changed(item.child)
    return item


@transaction.atomic
def colour_set(*, user: User, child: Child, colour: str, on: datetime.date, reason: str) -> ColourChange:
    _require_edit(user, child)
    _not_future(on, "on")
    change = ColourChange(child=child, colour=colour, changed_on=on, reason=reason, changed_by=user)
    change.full_clean(exclude=["child", "changed_by"])
    change.save()
    child.colour = colour
    child._change_reason = reason
    _bump_version(child, None)
    child.save()
    _schedule_changed(child, on)
    return change


@transaction.atomic
def record_save(*, user: User, child: Child, record: Model, expected_version: int | None = None) -> Model:
    """Create or edit one record of an archive (family member, welfare, problem, care record, work log …).

    Edits are kept by django-simple-history; records are never deleted. With `expected_version` (the archive's
    version when the form was opened) the save is refused if someone else changed the archive in between.
    """
    _require_edit(user, child)
    record.child = child
    if hasattr(record, "created_by_id") and record.pk is None:
        record.created_by = user
    record.full_clean()
    record.save()
    if isinstance(record, FamilyMember):
        _refresh_parent_flags(child)
        _schedule_changed(child)
        _facts_changed(child)
    _bump_version(child, expected_version)
    return record


def access_log(*, user: User, child_ids: Iterable[int], action: str = AccessAction.VIEW) -> None:
    rows = [AccessLog(user=user, child_id=pk, action=action) for pk in child_ids]
    if len(rows) == 1:
        rows[0].save()  # one INSERT in autocommit; bulk_create would wrap it in BEGIN … COMMIT
    else:
        AccessLog.objects.bulk_create(rows)
