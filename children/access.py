"""Who may see and change which children. Every query for children goes through this module.

A user sees the children of the subtree of each area they serve (a prefix match on the village code), plus the
children explicitly shared with them or their groups through django-guardian object permissions (for example a
department liaison receiving a referral). No permission row is written per child per user for area access.
"""

import functools

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.areas import ancestor_prefixes
from accounts.models import Area, AreaLevel, Role, User
from config import prepared

from .models import Child, ChildGroupObjectPermission, ChildUserObjectPermission

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
            prepared.execute(cursor, _facts_sql(), [user.pk, user.role in AREA_ROLES, user.pk, user.pk])
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


def scope_q(user: User, *, village_field: str = "village__code", child_field: str = "pk") -> Q | None:
    """The access rule as a Q over any model that knows a child's village code and id (None: everything).

    `visible_children` applies it to children; other reads (e.g. visit schedules, which carry the village code)
    apply it to their own columns through `scope()`, so the rule is written once."""
    if user.is_administrator:
        return None
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    q = _prefix_q(area_prefixes(user), field=village_field) if user.role in AREA_ROLES else Q(pk__in=[])
    shared = _facts(user)[1]
    if shared:
        q |= Q(**{f"{child_field}__in": shared})
    return q


def scope(user: User, queryset: QuerySet, *, village_field: str, child_field: str) -> QuerySet:
    q = scope_q(user, village_field=village_field, child_field=child_field)
    return queryset if q is None else queryset.filter(q)


def visible_children(user: User) -> QuerySet[Child]:
    """All children the user may see, closed archives included."""
    return scope(user, Child.objects.all(), village_field="village__code", child_field="pk")


AREAS = ("village__parent__parent",)


def get_child_for_user(user: User, pk: int | str, *, related: tuple[str, ...] = AREAS) -> Child:
    """The child if the user may see it, else 404: missing and forbidden look the same. `related` comes in the same
    query: by default the village, township and county, which pages name."""
    try:
        return visible_children(user).select_related(*related).get(pk=int(pk))
    except (Child.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such child.")) from None


def in_user_areas(user: User, village_code: str) -> bool:
    return user.is_administrator or any(village_code.startswith(p) for p in area_prefixes(user))


def can_edit_child(user: User, child: Child) -> bool:
    """Area staff of the child's area change its archive; shared access is read-only."""
    return user.is_administrator or (user.role in AREA_ROLES and in_user_areas(user, child.village_id))


def sees_whole_archive(user: User, child: Child) -> bool:
    """A liaison with whom a child is only shared (for a referral) sees what the service needs, not the archive."""
    return can_edit_child(user, child) or user.role != Role.LIAISON


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
