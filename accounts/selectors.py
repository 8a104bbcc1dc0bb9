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
