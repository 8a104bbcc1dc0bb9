from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from .areas import ancestor_prefixes
from .models import PREFIX_LENGTH, Role, User


def civil_affairs_over(area_code: str) -> QuerySet[User]:
    """Active civil-affairs staff whose area contains this one (its county, city or province)."""
    return User.objects.filter(
        role=Role.CIVIL_AFFAIRS, is_active=True, areas__prefix__in=ancestor_prefixes(area_code)
    ).distinct()


def civil_affairs_of(area_code: str) -> QuerySet[User]:
    """The civil-affairs staff answering for an area: those of its county; where the county has no active account,
    those of the city above it; failing that, of the province. Empty only when nobody above the area has one."""
    prefixes = [p for p in ancestor_prefixes(area_code) if len(p) <= PREFIX_LENGTH["county"]]
    served = set(
        User.areas.through.objects.filter(
            user__role=Role.CIVIL_AFFAIRS, user__is_active=True, area__prefix__in=prefixes
        ).values_list("area__prefix", flat=True)
    )
    nearest = max(served, key=len, default=None)
    if nearest is None:
        return User.objects.none()
    return User.objects.filter(role=Role.CIVIL_AFFAIRS, is_active=True, areas__prefix=nearest).distinct()


def staff_by_area(codes: Iterable[str], role: str) -> dict[str, list[int]]:
    """Area code -> the ids of the active users of `role` serving exactly that area (one query): who of a village
    (its directors) or of a county (its civil affairs) is told, for many areas at once."""
    rows = User.areas.through.objects.filter(area_id__in=set(codes), user__is_active=True, user__role=role).values_list(
        "area_id", "user_id"
    )
    out: dict[str, list[int]] = defaultdict(list)
    for area_id, user_id in rows.order_by("area_id", "user_id"):
        out[area_id].append(user_id)
    return out
