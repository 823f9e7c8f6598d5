"""Paginators for admin lists of large tables: no whole-table count, no deep join scans."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections


class EstimatedCountPaginator(Paginator):
    """Uses PostgreSQL's planner estimate for an unfiltered table instead of ``COUNT(*)``.

    A filtered list is still counted exactly (it is what staff asked for); the estimate
    is only used when the query has no WHERE clause and the table is large, where an
    exact count would scan every row on every page load.
    """

    EXACT_BELOW = 50_000

    @cached_property
    def count(self) -> int:
        queryset: Any = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where:
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                        [queryset.model._meta.db_table],
                    )
                    row = cursor.fetchone()
                estimate = int(row[0]) if row else -1
                if estimate >= self.EXACT_BELOW:
                    return estimate
        return super().count


class WindowedPaginator(EstimatedCountPaginator):
    """Finds a page's rows on the list's own table first, then loads only those rows.

    ``SELECT … JOIN … ORDER BY … OFFSET 49900 LIMIT 100`` makes the database join every
    skipped row. Here the page is one statement whose inner part picks the page's primary
    keys from the list's table alone (with the same filters and order, so an index on the
    ordering is walked, mostly in the index itself) and whose outer part joins and orders
    only those rows.

    ``count``, when the caller already knows it (e.g. from totals it computes anyway),
    saves the count query.
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        *,
        count: int | None = None,
    ) -> None:
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        if count is not None:
            if count < 0:
                raise ValueError(f"count must not be negative, got {count}")
            # Seeds the cached property: the paginator never counts.
            self.__dict__["count"] = count

    def page(self, number: int | str) -> Page:
        """The 1-based page ``number``, as ``Paginator.page`` but through the key window."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset: Any = self.object_list
        if not hasattr(queryset, "values"):
            return Page(queryset[bottom:top], number, self)
        window = queryset.values("pk")[bottom:top]
        return Page(queryset.filter(pk__in=window), number, self)
