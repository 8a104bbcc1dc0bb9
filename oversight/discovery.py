"""Proactive discovery (主动发现, 000 #53, 001 §23, 003 §18, 004 §18): outside lists matched against the archive.

An uploaded list (read by `children.sheets`) is matched against **all** archives: by ID number (normalised:
full-width digits, a lowercase x) and, where a row has no number, by name plus date of birth. Each row is then
- registered: an archive in the list's area (its data shown to viewers who may see that child);
- elsewhere: an archive outside the list's area (shown only as "registered elsewhere", never its data);
- candidate: no archive; staff assign it to a director of a village in the area, who screens it in (registers
  the child: the registration form opens pre-filled) or out (with a reason).
Matching is set-based: one query per 2,000 ID numbers and one for the name-and-birth rows.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Area, AreaLevel, Role, User
from children import access, idnumber, sheets
from children.models import ArchiveStatus, Child

from .coverage import AreaUser
from .models import ListRow, MatchKind, Outcome, OutsideList
from .permissions import covers

COLUMNS = {
    "姓名": ["儿童姓名", "学生姓名", "name"],
    "身份证号": ["身份证号码", "公民身份号码", "证件号码", "身份证", "id_number"],
    "出生日期": ["出生年月日", "生日", "birth_date"],
}
UPLOAD_ROLES = {Role.CIVIL_AFFAIRS, Role.SUPERVISOR}
CHUNK = 2000
NAME_CHUNK = 300


def can_upload(user: User) -> bool:
    return user.is_administrator or user.role in UPLOAD_ROLES


def lists_for(user: User) -> QuerySet[OutsideList]:
    """Lists of areas within the user's areas (staff); directors reach only the rows assigned to them."""
    if not can_upload(user):
        return OutsideList.objects.none()
    return (
        OutsideList.objects.filter(access.in_areas_q(user, "area__code"))
        .select_related("area", "uploaded_by")
        .annotate(
            rows_n=Count("rows"),
            registered_n=Count("rows", filter=Q(rows__match=MatchKind.REGISTERED)),
            elsewhere_n=Count("rows", filter=Q(rows__match=MatchKind.ELSEWHERE)),
            candidates_n=Count("rows", filter=Q(rows__match=MatchKind.CANDIDATE)),
            open_n=Count("rows", filter=Q(rows__match=MatchKind.CANDIDATE, rows__outcome=Outcome.OPEN)),
        )
        .order_by("-uploaded_at", "-id")
    )


def get_list_for_user(user: User, pk: int) -> OutsideList:
    try:
        return lists_for(user).get(pk=int(pk))
    except (OutsideList.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such list.")) from None


def _parse(sheet: sheets.Sheet) -> list[dict]:
    out, errors = [], []
    for number, record in sheet.records():
        try:
            name = sheets.cell_plain_text(record.get("姓名"), max_length=50)
        except sheets.CellError as exc:
            errors.append(_("Row %(row)d: the name %(error)s.") % {"row": number, "error": exc})
            continue
        try:
            id_number = sheets.cell_id_number(record.get("身份证号"))
        except sheets.CellError as exc:
            errors.append(_("Row %(row)d: the ID number %(error)s.") % {"row": number, "error": exc})
            continue
        try:
            birth = sheets.cell_date(record.get("出生日期"))
        except sheets.CellError as exc:
            errors.append(_("Row %(row)d: the date of birth %(error)s.") % {"row": number, "error": exc})
            continue
        if not name:
            errors.append(_("Row %(row)d: the name is missing.") % {"row": number})
            continue
        if id_number:
            try:
                info = idnumber.parse(id_number)
            except ValidationError as exc:
                errors.append(_("Row %(row)d: %(error)s") % {"row": number, "error": " ".join(exc.messages)})
                continue
            id_number, birth = info.number, birth or info.birth_date
        elif birth is None:
            errors.append(_("Row %(row)d: give the ID number or at least the date of birth.") % {"row": number})
            continue
        extra = {col: sheets.cell_text(record.get(col)) for col in sheet.extra_columns}
        out.append({"row_number": number, "name": name, "id_number": id_number, "birth_date": birth, "extra": extra})
    if errors:
        shown = errors[:20]
        if len(errors) > 20:
            shown.append(_("… and %(n)d more rows with errors.") % {"n": len(errors) - 20})
        raise ValidationError(shown)
    return out


def _best(children: list[tuple]) -> tuple | None:
    """Prefer an open archive; among several, the newest."""
    if not children:
        return None
    return sorted(children, key=lambda c: (c[2] == ArchiveStatus.OPEN, c[0]))[-1]


def match_rows(rows: list[dict]) -> None:
    """Set `child_id` and `matched_by` on each parsed row, against all archives (global)."""
    by_id: dict[str, list[tuple]] = {}
    numbers = sorted({r["id_number"] for r in rows if r["id_number"]})
    for i in range(0, len(numbers), CHUNK):
        for pk, number, status, village in Child.objects.filter(id_number__in=numbers[i : i + CHUNK]).values_list(
            "pk", "id_number", "status", "village_id"
        ):
            by_id.setdefault(number, []).append((pk, village, status))
    pairs = sorted({(r["name"], r["birth_date"]) for r in rows if not r["id_number"]})
    by_name: dict[tuple, list[tuple]] = {}
    for i in range(0, len(pairs), NAME_CHUNK):  # one query per NAME_CHUNK pairs, on the (name, birth_date) index
        q = Q(pk__in=[])
        for name, birth in pairs[i : i + NAME_CHUNK]:
            q |= Q(name=name, birth_date=birth)
        for pk, name, birth, status, village in Child.objects.filter(q).values_list(
            "pk", "name", "birth_date", "status", "village_id"
        ):
            by_name.setdefault((name, birth), []).append((pk, village, status))
    for r in rows:
        if r["id_number"]:
            best, how = _best(by_id.get(r["id_number"], [])), "id_number"
        else:
            best, how = _best(by_name.get((r["name"], r["birth_date"]), [])), "name_birth"
        r["child"] = best
        r["matched_by"] = how if best else ""


@transaction.atomic
def list_upload(*, user: User, upload, title: str, source: str, area: Area) -> OutsideList:
    """Read, match and store an outside list; any bad row refuses the whole file (nothing is stored)."""
    if not can_upload(user) or not covers(user, area.code):
        raise PermissionDenied(_("You may upload lists only for your own areas."))
    if area.level == AreaLevel.VILLAGE:
        raise ValidationError({"area": _("Choose a township or a larger area.")})
    sheet = sheets.read_table(upload, columns=COLUMNS, required=["姓名", "身份证号"])
    rows = _parse(sheet)
    match_rows(rows)
    outside = OutsideList.objects.create(
        title=title, source=source, area=area, extra_columns=sheet.extra_columns, uploaded_by=user
    )
    objs = []
    for r in rows:
        child = r.pop("child")
        if child is None:
            match, child_id = MatchKind.CANDIDATE, None
        else:
            child_id, village, _status = child
            match = MatchKind.REGISTERED if village.startswith(area.prefix) else MatchKind.ELSEWHERE
        objs.append(
            ListRow(
                outside_list=outside,
                child_id=child_id,
                match=match,
                outcome=Outcome.OPEN if match == MatchKind.CANDIDATE else "",
                **r,
            )
        )
    ListRow.objects.bulk_create(objs, batch_size=2000)
    return outside


def rows_for(user: User, outside: OutsideList, match: str = "") -> QuerySet[ListRow]:
    qs = outside.rows.select_related("assigned_to", "village").order_by("row_number")
    return qs.filter(match=match) if match else qs


def annotate_visibility(user: User, rows: list[ListRow]) -> list[ListRow]:
    """`row.visible_child`: the matched archive if this viewer may see it, else None (one query)."""
    ids = [r.child_id for r in rows if r.child_id]
    visible = {c.pk: c for c in access.visible_children(user).filter(pk__in=ids).select_related("village")}
    for r in rows:
        r.visible_child = visible.get(r.child_id)
    return rows


def assignable_directors(outside: OutsideList) -> list[tuple[str, str]]:
    """(value, label) pairs "user:village" for the active directors of the villages of the list's area."""
    rows = (
        AreaUser.objects.filter(
            area__code__startswith=outside.area.prefix,
            area__level=AreaLevel.VILLAGE,
            user__role=Role.DIRECTOR,
            user__is_active=True,
        )
        .select_related("user", "area")
        .order_by("area_id", "user_id")[:500]
    )
    return [(f"{r.user_id}:{r.area_id}", f"{r.area.name} · {r.user}") for r in rows]


def _require_staff(user: User, outside: OutsideList) -> None:
    if not can_upload(user) or not covers(user, outside.area.code):
        raise PermissionDenied(_("Only staff of this list's area may do this."))


@transaction.atomic
def candidate_assign(*, user: User, row: ListRow, director: User, village: Area) -> ListRow:
    _require_staff(user, row.outside_list)
    if row.match != MatchKind.CANDIDATE or row.outcome != Outcome.OPEN:
        raise ValidationError(_("Only an open candidate can be assigned."))
    if not village.code.startswith(row.outside_list.area.prefix) or village.level != AreaLevel.VILLAGE:
        raise ValidationError(_("Choose a village in this list's area."))
    if director.role != Role.DIRECTOR or not director.is_active or not director.areas.filter(pk=village.pk).exists():
        raise ValidationError(_("%(name)s is not a director of %(village)s.") % {"name": director, "village": village})
    row.assigned_to = director
    row.village = village
    row.save(update_fields=["assigned_to", "village"])
    return row


def _require_screener(user: User, row: ListRow) -> None:
    staff = can_upload(user) and covers(user, row.outside_list.area.code)
    if not (staff or row.assigned_to_id == user.pk):
        raise PermissionDenied(_("Only the assigned director or the list's staff may screen this candidate."))
    if row.match != MatchKind.CANDIDATE or row.outcome != Outcome.OPEN:
        raise ValidationError(_("This candidate has already been screened."))


@transaction.atomic
def candidate_screen_out(*, user: User, row: ListRow, reason: str) -> ListRow:
    _require_screener(user, row)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for screening this child out.")})
    row.outcome = Outcome.SCREENED_OUT
    row.outcome_reason = reason.strip()[:300]
    row.outcome_on = timezone.localdate()
    row.save(update_fields=["outcome", "outcome_reason", "outcome_on"])
    return row


@transaction.atomic
def candidate_screen_in(*, user: User, row: ListRow) -> ListRow:
    """Mark screened in once the child is registered: the archive is looked up by the row's ID number (or name
    and date of birth) among the children the user may see."""
    _require_screener(user, row)
    children = access.visible_children(user).filter(status=ArchiveStatus.OPEN)
    if row.id_number:
        child = children.filter(id_number=row.id_number).first()
    else:
        child = children.filter(name=row.name, birth_date=row.birth_date).first()
    if child is None:
        raise ValidationError(_("No archive for this child yet: register the child first."))
    row.child = child
    row.outcome = Outcome.SCREENED_IN
    row.outcome_on = timezone.localdate()
    row.save(update_fields=["child", "outcome", "outcome_on"])
    return row


def candidates_assigned_to(user: User) -> QuerySet[ListRow]:
    return (
        ListRow.objects.filter(assigned_to=user, outcome=Outcome.OPEN)
        .select_related("outside_list", "village")
        .order_by("outside_list_id", "row_number")
    )


def get_row_for_user(user: User, pk: int) -> ListRow:
    """A list row for the list's staff or its assigned director; 404 otherwise."""
    q = Q(assigned_to=user)
    if user.is_administrator:
        q = Q()
    elif can_upload(user):
        q |= access.in_areas_q(user, "outside_list__area__code")
    try:
        return ListRow.objects.select_related("outside_list__area", "village").filter(q).get(pk=int(pk))
    except (ListRow.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def registration_query(row: ListRow) -> str:
    """The query string of the registration link of a candidate: the row's id only. The server reads the name, ID
    number and village from the row (`registration_initial`), so none of them travels in a URL."""
    from urllib.parse import urlencode

    return urlencode({"candidate": row.pk})


def registration_initial(user: User, pk: int | str) -> dict:
    """The registration form's initial values for an open candidate the user may screen (as `get_row_for_user`
    scopes rows: the list's staff or the assigned director); 404 otherwise."""
    row = get_row_for_user(user, pk)
    if row.match != MatchKind.CANDIDATE or row.outcome != Outcome.OPEN:
        raise Http404
    data = {"name": row.name, "id_number": row.id_number, "village": row.village_id}
    return {k: v for k, v in data.items() if v}
