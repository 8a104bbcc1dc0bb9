"""Coverage checks of the child-director network (DOMAIN.md §1, 000 #45, 003 §16, 004 §16), set-based.

- villages with no active director;
- villages with more than CROWDED_CHILDREN open archives (left-behind and in-difficulty children: every open
  archive holding at least one category) and only one director;
- directors not trained this year (no training record dated in the year).
"""

import datetime

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import PREFIX_LENGTH, Area, AreaLevel, Role, User
from children import access
from children.models import ArchiveStatus, Child
from config.cache import computed_once

from .models import Training

CROWDED_CHILDREN = 30
COVERAGE_CACHE_SECONDS = 600
AreaUser = User.areas.through


def _active_directors() -> QuerySet:
    return AreaUser.objects.filter(user__role=Role.DIRECTOR, user__is_active=True)


def _director_count():
    sub = (
        _active_directors()
        .filter(area_id=OuterRef("code"))
        .order_by()
        .values("area_id")
        .annotate(n=Count("user_id"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


def _children_count():
    sub = (
        Child.objects.filter(village_id=OuterRef("code"), status=ArchiveStatus.OPEN)
        .exclude(category_flags=0)
        .order_by()
        .values("village_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


def villages_without_director(user: User) -> QuerySet[Area]:
    return (
        access.visible_villages(user)
        .filter(~Exists(_active_directors().filter(area_id=OuterRef("code"))))
        .select_related("parent")
        .order_by("code")
    )


def crowded_villages_with_one_director(user: User) -> QuerySet[Area]:
    return (
        access.visible_villages(user)
        .annotate(directors=_director_count(), children_n=_children_count())
        .filter(directors=1, children_n__gt=CROWDED_CHILDREN)
        .select_related("parent")
        .order_by("code")
    )


def directors_in_scope(user: User) -> QuerySet[User]:
    """Active directors serving at least one village within the user's areas."""
    if user.is_administrator:
        return User.objects.filter(role=Role.DIRECTOR, is_active=True)
    if user.role not in access.AREA_ROLES:
        return User.objects.none()
    served = AreaUser.objects.filter(user_id=OuterRef("pk")).filter(access.in_areas_q(user, "area__code"))
    return User.objects.filter(role=Role.DIRECTOR, is_active=True).filter(Exists(served))


def trained_in(year: int):
    return Exists(
        Training.objects.filter(
            director_id=OuterRef("pk"), date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
        )
    )


def directors_not_trained(user: User, year: int | None = None) -> QuerySet[User]:
    year = year or timezone.localdate().year
    return directors_in_scope(user).filter(~trained_in(year)).order_by("last_name", "first_name", "pk")


def _data_version() -> str:
    """The newest child, director-village link and training (one query): a new row changes the cache key."""
    tables = [m._meta.db_table for m in (Child, AreaUser, Training)]
    sql = "SELECT " + ", ".join(f"(SELECT MAX(id) FROM {t})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return "-".join(str(v or 0) for v in cursor.fetchone())


def _needs_cache(user: User) -> bool:
    """Only scopes above a county are slow enough to cache (measured on the 1,000,000-child demo)."""
    return user.is_administrator or any(len(p) < PREFIX_LENGTH[AreaLevel.COUNTY] for p in access.area_prefixes(user))


def coverage_counts(user: User) -> dict[str, int]:
    """The three counts for the dashboard: three count queries whatever the data size. For a city or province
    they are cached for COVERAGE_CACHE_SECONDS per scope and data version, computed once however many pages ask at
    the same moment (measured at 1,000,000 children: about 5 s for a province's crowded-village count, 0.6 s for a
    city, 0.03 s for a county)."""

    def counts() -> dict[str, int]:
        return {
            "villages_without_director": villages_without_director(user).count(),
            "crowded_villages_one_director": crowded_villages_with_one_director(user).count(),
            "directors_not_trained": directors_not_trained(user).count(),
        }

    if not _needs_cache(user):
        return counts()
    scope = "all" if user.is_administrator else ",".join(access.area_prefixes(user))
    key = f"oversight:coverage:{timezone.localdate().isoformat()}:{scope}:{_data_version()}"
    return computed_once(key, counts, timeout=COVERAGE_CACHE_SECONDS)
