"""A paginator that never counts a whole large table on page load."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
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
