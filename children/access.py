"""Who may see and change which children. Every query for children goes through this module.

A user sees the children of the subtree of each area they serve (a prefix match on the village code), plus the
children explicitly shared with them or their groups through django-guardian object permissions (for example a
department liaison receiving a referral). No permission row is written per child per user for area access.

**The gate.** Every view that shows or changes one child, or a record hanging off a child (visit, photo,
assessment, agreement scan, report, referral, family member, caregiver, finding, candidate…), reaches it through
`child_for` or `record_for` below (modelled on healthchecks' `_get_check_for_user` / `_get_rw_check_for_user`).
The gate decides the user's `Level` for the child, answers 404 when it is below what the view needs (403 only
when the user may read the archive but the view changes it), and writes the access-log row itself, once per
child per request. A view cannot forget the check or the log: the check is how it gets the object.
"""

import enum
import functools

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from accounts.areas import ancestor_prefixes
from accounts.models import Area, AreaLevel, Role, User

from .models import AccessAction, AccessLog, Child, ChildGroupObjectPermission, ChildUserObjectPermission

VIEW_PERMISSION = "view_child"

# Roles that read and write children of their own areas.
AREA_ROLES = {Role.DIRECTOR, Role.SUPERVISOR, Role.CIVIL_AFFAIRS}
# Roles that see full ID numbers; the others see them masked (370202********123X).
FULL_ID_ROLES = {Role.DIRECTOR, Role.CIVIL_AFFAIRS, Role.ADMIN}


@functools.cache
def _facts_sql() -> str:
    """One query for what the access rule needs to know about a user: the prefixes of the areas they serve (kind
    1) and the children shared with them or their groups through django-guardian (kind 2). Built once."""
    from django.contrib.auth.models import Permission

    q = connection.ops.quote_name
    area, user_areas = Area._meta.db_table, User.areas.through._meta.db_table
    user_groups = User.groups.through._meta.db_table
    direct, via_group = ChildUserObjectPermission._meta.db_table, ChildGroupObjectPermission._meta.db_table
    permission = Permission._meta.db_table  # rows of these two tables are Child permissions: the codename suffices
    return (
        f"SELECT 1, a.prefix, NULL FROM {q(area)} a JOIN {q(user_areas)} ua ON ua.area_id = a.code"
        f" WHERE ua.user_id = %s AND %s"
        f" UNION ALL SELECT 2, NULL, d.content_object_id FROM {q(direct)} d"
        f" JOIN {q(permission)} p ON p.id = d.permission_id WHERE d.user_id = %s AND p.codename = '{VIEW_PERMISSION}'"
        f" UNION ALL SELECT 2, NULL, g.content_object_id FROM {q(via_group)} g"
        f" JOIN {q(user_groups)} ug ON ug.group_id = g.group_id"
        f" JOIN {q(permission)} p ON p.id = g.permission_id WHERE ug.user_id = %s AND p.codename = '{VIEW_PERMISSION}'"
    )


def _facts(user: User) -> tuple[list[str], list[int]]:
    """(area prefixes, shared child ids) of the user, in one query, cached on the user object for the request.

    The shared ids are fetched as a list so that the scope below stays an index-friendly `prefix OR id IN (…)`;
    an OR with a subquery would make PostgreSQL scan every child."""
    if not hasattr(user, "_access_facts"):
        with connection.cursor() as cursor:
            cursor.execute(_facts_sql(), [user.pk, user.role in AREA_ROLES, user.pk, user.pk])
            rows = cursor.fetchall()
        prefixes = sorted(prefix for kind, prefix, _child in rows if kind == 1)
        user._access_facts = (prefixes, sorted({child for kind, _prefix, child in rows if kind == 2}))
    return user._access_facts


def area_prefixes(user: User) -> list[str]:
    """The code prefixes of the areas a user serves (none for roles that are not area roles)."""
    return _facts(user)[0]


def _prefix_q(prefixes: list[str], field: str = "village__code") -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(**{f"{field}__startswith": prefix})
    return q


class Level(enum.IntEnum):
    """What a user may do with one child's data, in increasing order."""

    NONE = 0  # nothing: the child does not exist for this user (404)
    SHARED = 1  # a liaison holding the child through an open referral: the reduced referral view only
    ARCHIVE = 2  # read the whole archive
    EDIT = 3  # change the archive


def _shared_level(user: User) -> Level:
    """What an explicit share (django-guardian) gives: a liaison sees what the service needs, others may read."""
    return Level.SHARED if user.role == Role.LIAISON else Level.ARCHIVE


def level_for(user: User, child: Child) -> Level:
    """The user's level for one child: the single statement of the access rule for one record."""
    if not user.is_authenticated or not user.is_active:
        return Level.NONE
    if user.is_administrator:
        return Level.EDIT
    if user.role in AREA_ROLES and any(child.village_id.startswith(p) for p in area_prefixes(user)):
        return Level.EDIT
    if child.pk in _facts(user)[1]:
        return _shared_level(user)
    return Level.NONE


def scope_q(
    user: User, *, village_field: str = "village__code", child_field: str = "pk", level: Level = Level.ARCHIVE
) -> Q | None:
    """The access rule as a Q over any model that knows a child's village code and id (None: everything): the
    children for which `level_for` gives at least `level` (EDIT is ARCHIVE narrowed to the user's areas).

    `visible_children` applies it to children; other reads (e.g. visit schedules, which carry the village code)
    apply it to their own columns through `scope()`, so the rule is written once. Lists, exports and worklists
    ask for ARCHIVE (the default): a child shared with a liaison for a referral is in none of them."""
    if user.is_administrator:
        return None
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    q = _prefix_q(area_prefixes(user), field=village_field) if user.role in AREA_ROLES else Q(pk__in=[])
    shared = _facts(user)[1]
    if shared and _shared_level(user) >= level:  # a share never gives EDIT
        q |= Q(**{f"{child_field}__in": shared})
    return q


def scope(
    user: User, queryset: QuerySet, *, village_field: str, child_field: str, level: Level = Level.ARCHIVE
) -> QuerySet:
    q = scope_q(user, village_field=village_field, child_field=child_field, level=level)
    return queryset if q is None else queryset.filter(q)


def visible_children(user: User, *, level: Level = Level.ARCHIVE) -> QuerySet[Child]:
    """The children whose archive the user may read (closed archives included); with `level=SHARED` also those
    shared with a liaison, whom only the gate's reduced view shows them."""
    return scope(user, Child.objects.all(), village_field="village__code", child_field="pk", level=level)


AREAS = ("village__parent__parent",)


def get_child_for_user(
    user: User, pk: int | str, *, related: tuple[str, ...] = AREAS, level: Level = Level.ARCHIVE
) -> Child:
    """The child if the user's level is at least `level`, else 404, without an access-log row: for services
    that re-check a child the gate has already let through. Views use `child_for`."""
    try:
        return visible_children(user, level=level).select_related(*related).get(pk=int(pk))
    except (Child.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such child.")) from None


# --- The gate ---------------------------------------------------------------------------------------------------


def _not_found() -> Http404:
    return Http404(_("No such child."))


def _read_only() -> str:
    return _("You may read this archive but not change it.")


def _client_id(request: HttpRequest) -> int | None:
    """The API client making the request (set by api.authentication on the request), for the access log."""
    return getattr(request, "api_client_id", None)


def log_access(request: HttpRequest, child_id: int, action: str) -> None:
    """One access-log row per child per request: a view passing the gate twice for the same child (say, a form
    and the record it edits) writes one row."""
    logged = request.__dict__.setdefault("_access_logged", set())
    if child_id in logged:
        return
    logged.add(child_id)
    AccessLog(user=request.user, child_id=child_id, action=action, client_id=_client_id(request)).save()  # one INSERT


def log_shown(request: HttpRequest, child_ids, action: str = AccessAction.VIEW) -> None:
    """Access-log rows for a page that shows records of several children the user may read (the participants of
    an activity, the archives a submitted list matched): one row per child, in one INSERT."""
    logged = request.__dict__.setdefault("_access_logged", set())
    new = sorted(set(child_ids) - logged)
    logged.update(new)
    if new:
        client_id = _client_id(request)
        AccessLog.objects.bulk_create(
            [AccessLog(user=request.user, child_id=pk, action=action, client_id=client_id) for pk in new]
        )


def _default_action(request: HttpRequest, need: Level) -> str:
    return AccessAction.EDIT if need >= Level.EDIT or request.method not in ("GET", "HEAD") else AccessAction.VIEW


def _check(request: HttpRequest, child: Child, need: Level, action: str | None) -> Level:
    level = level_for(request.user, child)
    child.access_level = level
    if level < need:
        if level >= Level.ARCHIVE:  # the user reads this archive, so its existence is no secret: say why
            raise PermissionDenied(_read_only())
        raise _not_found()
    log_access(request, child.pk, action or _default_action(request, need))
    return level


def child_for(
    request: HttpRequest,
    pk: int | str,
    *,
    need: Level = Level.ARCHIVE,
    action: str | None = None,
    related: tuple[str, ...] = AREAS,
) -> Child:
    """The child `pk` if the user's level is at least `need`, else 404; writes the access-log row. The level is
    left on the child as `access_level` (the detail page picks the reduced view for SHARED)."""
    try:
        child = (
            visible_children(request.user, level=Level.SHARED).select_related(*related).get(pk=int(pk))
        )
    except (Child.DoesNotExist, ValueError, TypeError, OverflowError):
        raise _not_found() from None
    _check(request, child, need, action)
    return child


def child_or_none(request: HttpRequest, pk: int | str, *, need: Level = Level.ARCHIVE, action: str | None = None):
    """For a page about something else that shows a child's data only to readers of the archive (a transfer
    request seen by its requester and by the holding county): the child through the gate, or None (no log)."""
    try:
        return child_for(request, pk, need=need, action=action)
    except (Http404, PermissionDenied):
        return None


def children_for(
    request: HttpRequest,
    pks,
    *,
    need: Level = Level.ARCHIVE,
    action: str | None = None,
    related: tuple[str, ...] = AREAS,
) -> tuple[list[Child], list[tuple[int, str]]]:
    """The gate for a selection (a bulk action on a list): `child_for` for many children in one query. Returns
    (the children whose level is at least `need`, in the order given; (id, reason) for the others): "No such child."
    for a child that does not exist for this user (the 404 of one child: nothing tells which exist), the 403's
    reason for one the user reads but may not change. Writes the access-log rows of the children let through in one
    INSERT; each child's level is left on it as `access_level`."""
    wanted = list(dict.fromkeys(int(pk) for pk in pks))
    found = {
        c.pk: c
        for c in visible_children(request.user, level=Level.SHARED).select_related(*related).filter(pk__in=wanted)
    }
    passed, refused = [], []
    for pk in wanted:
        child = found.get(pk)
        level = level_for(request.user, child) if child is not None else Level.NONE
        if level < need:
            refused.append((pk, str(_not_found()) if level < Level.ARCHIVE else _read_only()))
            continue
        child.access_level = level
        passed.append(child)
    if passed:
        log_shown(request, [c.pk for c in passed], action or _default_action(request, need))
    return passed, refused


def record_for(
    request: HttpRequest,
    queryset: QuerySet,
    pk: int | str,
    *,
    child_pk: int | str | None = None,
    need: Level = Level.ARCHIVE,
    action: str | None = None,
    child_field: str = "child",
) -> Model:
    """A record hanging off a child (`queryset`'s model has a `child_field` foreign key), if the user's level for
    its child is at least `need`, else 404; writes the access-log row for the child. With `child_pk` (the URL names
    the child) the record must belong to that child. `need=NONE` is for records whose own selector already decides
    who reads them (a report sent to a department, a referral in its inbox): the gate then only logs."""
    if child_pk is not None:
        child = child_for(request, child_pk, need=need, action=action)
        try:
            record = queryset.get(**{child_field: child}, pk=int(pk))
        except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
            raise Http404(_("Not found.")) from None
        setattr(record, child_field, child)
        return record
    try:
        record = queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("Not found.")) from None
    *path, last = child_field.split("__")
    holder = functools.reduce(getattr, path, record)
    child_id = getattr(holder, f"{last}_id")
    if child_id is None:
        return record  # a record about no registered child (a report naming only an area)
    if need > Level.NONE:
        setattr(holder, last, child_for(request, child_id, need=need, action=action))
    else:
        log_access(request, child_id, action or _default_action(request, need))
    return record


def in_user_areas(user: User, village_code: str) -> bool:
    return user.is_administrator or any(village_code.startswith(p) for p in area_prefixes(user))


def can_edit_child(user: User, child: Child) -> bool:
    """Area staff of the child's area change its archive; shared access is read-only."""
    return level_for(user, child) >= Level.EDIT


def sees_full_id_number(user: User) -> bool:
    return user.is_superuser or user.role in FULL_ID_ROLES


def visible_villages(user: User) -> QuerySet[Area]:
    """Villages the user may register children in or transfer them to."""
    villages = Area.objects.filter(level=AreaLevel.VILLAGE)
    if user.is_administrator:
        return villages
    if user.role not in AREA_ROLES:
        return villages.none()
    return villages.filter(_prefix_q(area_prefixes(user), field="code"))


def visible_areas(user: User) -> QuerySet[Area]:
    """Areas within the user's subtrees (for filters and drill-down)."""
    if user.is_administrator:
        return Area.objects.all()
    if user.role not in AREA_ROLES:
        return Area.objects.none()
    return Area.objects.filter(_prefix_q(area_prefixes(user), field="code"))


def related_areas(user: User) -> QuerySet[Area]:
    """Areas within the user's subtrees and the areas above them (e.g. a county screening seen by a director)."""
    if user.is_administrator:
        return Area.objects.all()
    prefixes = area_prefixes(user)
    above = {a for p in prefixes for a in ancestor_prefixes(p) if a != p}
    return Area.objects.filter(_prefix_q(prefixes, field="code") | Q(prefix__in=above))


def in_areas_q(user: User, field: str) -> Q:
    """Rows whose area code (`field`) lies within the user's areas (e.g. reports filed in the area)."""
    if user.is_administrator:
        return Q()
    return _prefix_q(area_prefixes(user), field=field) if user.role in AREA_ROLES else Q(pk__in=[])
