from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: a province-wide list shows "more than 10,000" instead of scanning a
    million rows to count them on every page view."""

    @cached_property
    def count(self) -> int:
        # Unordered: the scan stops at the cap (an ordered list would be sorted whole before the cap applied).
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP
