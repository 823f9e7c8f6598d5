"""Staging a snapshot in PostgreSQL as it streams in, so it is never held in Python.

Each piece of the answer the client hands over is written to a temporary table with
``COPY``; once the whole answer has parsed, :mod:`oc_integration.stock.sql_plan` plans
and applies it from there in SQL. A snapshot that fails half-way leaves nothing behind:
the staged rows are dropped with the stage, and no stock row was touched.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection

from oc_integration.client.stock import SnapshotRow

#: One row per SKU and region, in snapshot order: ``ord`` numbers the SKU rows (from 1),
#: ``pos`` the regions within one (a SKU listed without regions gets one row, region NULL).
STAGED = "oc_stock_staged"
# Lines per COPY: large enough that statements stay few, small enough to stay in memory.
COPY_LINES = 20_000


class SnapshotStage:
    """The staged rows of one snapshot (a temporary table of this connection)."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.skus = 0
        self.latest: datetime | None = None
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)
        self._lines = 0
        self._times: dict[datetime, str] = {}

    def restart(self) -> None:
        """Forget every staged row (a read that starts over)."""
        self._buffer.seek(0)
        self._buffer.truncate()
        self._lines = 0
        self.skus = 0
        self.latest = None
        self.cursor.execute(f"TRUNCATE {STAGED}")

    def add(self, rows: list[SnapshotRow]) -> None:
        """Stage one piece of the snapshot (the client's row sink)."""
        write = self._writer.writerow
        for row in rows:
            self.skus += 1
            when = self._times.get(row.snapshot_time)
            if when is None:
                when = self._times[row.snapshot_time] = row.snapshot_time.isoformat()
                if self.latest is None or row.snapshot_time > self.latest:
                    self.latest = row.snapshot_time
            if not row.regions:
                write((self.skus, 0, row.seller_sku, row.oc_sku, "", 0, 0, "{}", when))
                self._lines += 1
                continue
            for pos, stock in enumerate(row.regions):
                counts = stock.counts
                other = {k: v for k, v in counts.items() if k not in ("AVL", "INTRAN")}
                write(
                    (
                        self.skus,
                        pos,
                        row.seller_sku,
                        row.oc_sku,
                        stock.region,
                        counts.get("AVL", 0),
                        counts.get("INTRAN", 0),
                        json.dumps(other, separators=(",", ":")),
                        when,
                    )
                )
            self._lines += len(row.regions)
        if self._lines >= COPY_LINES:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered (call once the answer is complete)."""
        if not self._lines:
            return
        self._buffer.seek(0)
        # An empty region is written as "" and read back as NULL (FORCE_NULL); an empty
        # seller SKU (v2 rows carry none) stays "" (FORCE_NOT_NULL).
        self.cursor.copy_expert(
            f"COPY {STAGED} FROM STDIN WITH (FORMAT csv, FORCE_NULL (region),"
            " FORCE_NOT_NULL (seller_sku))",
            self._buffer,
        )
        self._buffer.seek(0)
        self._buffer.truncate()
        self._lines = 0


@contextmanager
def snapshot_stage() -> Iterator[SnapshotStage]:
    """A fresh, empty stage for one run; dropped on the way out, whatever happened."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGED}")
        cursor.execute(
            f"CREATE TEMP TABLE {STAGED} ("
            " ord integer NOT NULL, pos integer NOT NULL, seller_sku text NOT NULL,"
            " oc_sku text NOT NULL, region text, available integer NOT NULL,"
            " intransit integer NOT NULL, other jsonb NOT NULL, snapshot_time timestamptz NOT NULL"
            ")"
        )
        try:
            yield SnapshotStage(cursor)
        finally:
            if connection.connection is not None and not connection.needs_rollback:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGED}")
