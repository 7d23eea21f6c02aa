"""Pagination that never counts a million rows to say how many pages there are."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most ``cap`` + 1 rows (``SELECT COUNT(*) FROM (... LIMIT cap + 1)``); past the
    cap the page says "more than 2,000" and asks to narrow the filters: nobody pages through
    more than 80 pages, and counting a million rows costs more than the page itself."""

    cap = 2_000

    @cached_property
    def count(self) -> int:
        # Without ORDER BY: counting needs no sort, and the planner may then use any index.
        found = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = found > self.cap
        return min(found, self.cap)

    capped = False
