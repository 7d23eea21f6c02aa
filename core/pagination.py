"""Pagination that never counts a million rows to say how many pages there are."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Window
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


class SinglePassPaginator(CappedPaginator):
    """For searches whose matching is the expensive part (a trigram lookup): the page's rows and
    the number of matches come from one query (``count(*) OVER ()``), so the match runs once per
    page instead of once to count and once for the rows. Ordering by relevance reads every
    match anyway, so counting them in the same pass costs nothing more."""

    def get_page(self, number):
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        rows = list(
            self.object_list.annotate(_matches=Window(Count("pk")))[bottom : bottom + self.per_page]
        )
        if not rows and number > 1:
            return super().get_page(number)  # past the end: count, then the last page
        matches = rows[0]._matches if rows else 0
        self.capped = matches > self.cap
        self.__dict__["count"] = min(matches, self.cap)
        return self._get_page(rows, number, self)
