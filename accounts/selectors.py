from django.db.models import QuerySet

from .areas import ancestor_prefixes
from .models import Role, User


def civil_affairs_over(area_code: str) -> QuerySet[User]:
    """Active civil-affairs staff whose area contains this one (its county, city or province)."""
    return User.objects.filter(
        role=Role.CIVIL_AFFAIRS, is_active=True, areas__prefix__in=ancestor_prefixes(area_code)
    ).distinct()
