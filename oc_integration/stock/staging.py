"""Staging a snapshot in PostgreSQL as it streams in, so it is never held in Python.

A one-answer snapshot (v1) goes into a staging table through one ``COPY`` that asks for
the next piece of the answer when it is ready for more: PostgreSQL stores one piece while
the next is parsed, and the statements of a sync do not grow with the catalog. The pages
of a paged snapshot (v2), between which the client needs the connection, are buffered
and copied every :data:`COPY_LINES` lines. Once the whole answer has parsed,
:mod:`oc_integration.stock.sql_plan` plans and applies it from there in SQL. A snapshot
that fails half-way leaves nothing behind: the staged rows are dropped with the stage,
and no stock row was touched.

The staging table is an unlogged table of the connection's own (named after its backend),
not a temporary one: PostgreSQL never reads a temporary table in parallel, and planning a
million-SKU snapshot with two workers takes a third less time. Unlogged, it costs no WAL
(it is thrown away after the run, and a crash empties it anyway); a stage left behind by a
worker that died is dropped by the next one. A database role that may not create tables
in the schema (PostgreSQL 15's default for the ``public`` schema, unless it owns the
database) stages in a temporary table instead, planned without workers.

Beside it, a second table holds each distinct set of a region's other counts (every
status but available and in transit) once, numbered; a staged row names its set by that
number (see :data:`OTHER_KINDS`).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import msgspec
from django.db import ProgrammingError, connection, transaction

from oc_integration.client.stock import Piece, SnapshotRow, WirePiece, wire_counts
from oc_integration.stock.plan import split_counts

#: The staging tables' names: this and the backend's process id. One row per SKU and
#: region, in snapshot order: ``ord`` numbers the SKU rows (from 1), ``pos`` the regions
#: within one (a SKU listed without regions gets one row, region NULL).
STAGED_PREFIX = "oc_stock_staged_"
#: The tables of the stage's other counts (see :data:`OTHER_KINDS`), named likewise.
OTHERS_PREFIX = "oc_stock_others_"
#: Distinct "other counts" (every count but available and in transit, as JSON) a stage
#: numbers. Most SKUs share a few (received, reserved, unfulfillable are mostly 0), so a
#: staged row names its counts by number and each distinct one is parsed into jsonb
#: once, not once per row: PostgreSQL's jsonb input was half of the COPY's work. Past
#: this many (memory must not grow with the catalog) rows carry their counts inline.
OTHER_KINDS = 50_000
# Lines per COPY of buffered pages: large enough that statements stay few, small enough
# to stay in memory.
COPY_LINES = 20_000
# COPY's text format: a SKU listed without regions has region \N (NULL); an empty seller
# SKU (v2 rows carry none) is an empty string.
_COPY = (
    "COPY {table} (ord, pos, seller_sku, oc_sku, region, available, intransit, other_kind,"
    " other, snapshot_time) FROM STDIN"
)
_COPY_OTHERS = "COPY {table} (kind, other) FROM STDIN"
# What the database is handed per read of the answer's pipe (psycopg2 asks for this much).
_PIPE_READ = 1024 * 1024
_encode_counts = msgspec.json.Encoder().encode
logger = logging.getLogger(__name__)


class SnapshotStage:
    """The staged rows of one snapshot (a staging table of this connection, ``table``).

    It is the snapshot reader's sink: called with each piece of a paged answer, or
    pulling the pieces of a one-answer snapshot itself (:meth:`take_pieces`).
    """

    def __init__(self, cursor: Any, table: str, others: str) -> None:
        self.cursor = cursor
        self.table = table
        #: The distinct other counts the rows of ``table`` name (``other_kind``).
        self.others = others
        self._copy = _COPY.format(table=table)
        self._kinds: dict[bytes, str] = {}  # JSON -> the line's other_kind and other
        self._new_kinds: list[str] = []  # COPY lines of kinds not in the table yet
        self._no_other = self._other_fields(b"{}")
        self.skus = 0
        #: Staged rows (one per SKU and region).
        self.rows = 0
        self.latest: datetime | None = None
        self._buffer = io.StringIO()
        self._lines = 0
        self._times: dict[datetime, str] = {}
        self._wire_times: dict[str, str] = {}  # OC's text -> ISO 8601

    def restart(self) -> None:
        """Forget every staged row (a read that starts over)."""
        self._buffer.seek(0)
        self._buffer.truncate()
        self._lines = 0
        self.skus = 0
        self.rows = 0
        self.latest = None
        # The kinds numbered so far stay: a row staged later may name them again.
        self.cursor.execute(f"TRUNCATE {self.table}")

    def add(self, rows: list[SnapshotRow]) -> None:
        """Stage one piece of the snapshot (buffered; see :meth:`flush`)."""
        self._lines += self._write(self._buffer, rows)
        if self._lines >= COPY_LINES:
            self.flush()

    __call__ = add

    def take_pieces(self, pieces: Iterator[Piece]) -> None:
        """Stage every piece through one ``COPY`` that reads them as they are parsed.

        An error raised while reading (a cut-off or malformed answer) aborts the COPY and
        is raised as it is; the COPY runs in a savepoint, so an enclosing transaction
        stays usable.
        """
        self.flush()
        pipe = _Pipe(self, pieces)
        copy = self._copy
        try:
            with transaction.atomic():
                if not self.rows:
                    # Emptied in this (sub)transaction, the table may take its rows frozen:
                    # written once, never again. Otherwise the planning queries' first
                    # read of each row would set its hint bits and write every page anew.
                    self.cursor.execute(f"TRUNCATE {self.table}")
                    copy += " WITH (FREEZE)"
                self.cursor.copy_expert(copy, pipe, _PIPE_READ)
        except Exception:
            # The driver's own error (a cancelled COPY) says nothing staff can act on.
            if pipe.failure is not None:
                raise pipe.failure from None
            raise
        self._flush_kinds()

    def flush(self) -> None:
        """Write what is buffered (call once the answer is complete)."""
        if self._lines:
            self._buffer.seek(0)
            self.cursor.copy_expert(self._copy, self._buffer)
            self._buffer.seek(0)
            self._buffer.truncate()
            self._lines = 0
        self._flush_kinds()

    def _flush_kinds(self) -> None:
        if self._new_kinds:
            self.cursor.copy_expert(
                _COPY_OTHERS.format(table=self.others), io.StringIO("".join(self._new_kinds))
            )
            self._new_kinds = []

    def _other_fields(self, other: bytes) -> str:
        """The ``other_kind`` and ``other`` fields of a staged line for the other counts
        ``other`` (JSON): the kind's number, or past :data:`OTHER_KINDS` the counts."""
        fields = self._kinds.get(other)
        if fields is not None:
            return fields
        text = other.decode()
        if "\\" in text:  # JSON escapes every other special character
            text = _escaped(text)
        if len(self._kinds) >= OTHER_KINDS:
            return f"\\N\t{text}"
        kind = len(self._kinds) + 1
        self._new_kinds.append(f"{kind}\t{text}\n")
        fields = self._kinds[other] = f"{kind}\t\\N"
        return fields

    def _time_text(self, moment: datetime) -> str:
        """A snapshot time as the COPY writes it; the latest one is remembered."""
        if self.latest is None or moment > self.latest:
            self.latest = moment
        return moment.isoformat()

    def _write(self, out: io.StringIO, rows: list[SnapshotRow]) -> int:
        """Write ``rows`` as COPY lines (text format) to ``out``; how many lines."""
        lines: list[str] = []
        line = lines.append
        times = self._times
        ord_ = self.skus
        for row in rows:
            ord_ += 1
            when = times.get(row.snapshot_time)
            if when is None:
                when = times[row.snapshot_time] = self._time_text(row.snapshot_time)
            head, skus = f"{ord_}\t", _skus(row.seller_sku, row.oc_sku)
            if not row.regions:
                line(f"{head}0{skus}\\N\t0\t0\t{self._no_other}\t{when}\n")
            for pos, stock in enumerate(row.regions):
                available, intransit, other = split_counts(stock.counts)
                fields = self._other_fields(_encode_counts(other))
                name = _escaped(stock.region)
                line(f"{head}{pos}{skus}{name}\t{available}\t{intransit}\t{fields}\t{when}\n")
        return self._written(out, lines, ord_)

    def _write_wire(self, out: io.StringIO, piece: WirePiece) -> int:
        """Write the checked wire rows of ``piece`` as COPY lines, the lines :meth:`_write`
        writes for the same rows as snapshot rows (without making those)."""
        lines: list[str] = []
        line = lines.append
        times = self._wire_times
        ord_ = self.skus
        plain = piece.plain  # nothing to escape: the SKUs and regions go in as they are
        other_fields, encode = self._other_fields, _encode_counts
        for row in piece.rows:
            ord_ += 1
            when = times.get(row.snapshotTime)
            if when is None:
                when = times[row.snapshotTime] = self._time_text(piece.times[row.snapshotTime])
            head = f"{ord_}\t"
            if plain:
                skus = f"\t{row.sellerSkuId}\t{row.MFSKUID}\t"
            else:
                skus = _skus(row.sellerSkuId, row.MFSKUID)
            if not row.serviceRegionList:
                line(f"{head}0{skus}\\N\t0\t0\t{self._no_other}\t{when}\n")
            for pos, region in enumerate(row.serviceRegionList):
                available, intransit, other = split_counts(wire_counts(region), fresh=True)
                fields = other_fields(encode(other))
                name = region.serviceRegion if plain else _escaped(region.serviceRegion)
                line(f"{head}{pos}{skus}{name}\t{available}\t{intransit}\t{fields}\t{when}\n")
        return self._written(out, lines, ord_)

    def _written(self, out: io.StringIO, lines: list[str], skus: int) -> int:
        self.skus = skus
        self.rows += len(lines)
        out.write("".join(lines))
        return len(lines)


def _skus(seller_sku: str, oc_sku: str) -> str:
    """The SKUs of a staged line, between its ``pos`` and its region."""
    return f"\t{_escaped(seller_sku)}\t{_escaped(oc_sku)}\t"


_SPECIAL = re.compile(r"[\\\t\n\r]")


def _escaped(text: str) -> str:
    """``text`` as a value of COPY's text format (backslash, tab and line ends escaped)."""
    if _SPECIAL.search(text) is None:
        return text
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _Pipe:
    """The file a ``COPY … FROM STDIN`` reads: the next piece of the answer as COPY text,
    parsed only when PostgreSQL asks for more. Remembers what the reading raised, since
    the driver reports it only as a cancelled COPY."""

    def __init__(self, stage: SnapshotStage, pieces: Iterable[Piece]) -> None:
        self.stage = stage
        self.pieces = iter(pieces)
        self.failure: BaseException | None = None
        self._buffer = io.StringIO()

    def read(self, size: int = -1) -> str:
        """The next piece's lines, or "" at the end of the answer."""
        while True:
            try:
                piece = next(self.pieces)
            except StopIteration:
                return ""
            except BaseException as exc:
                self.failure = exc
                raise
            self._buffer.seek(0)
            self._buffer.truncate()
            if isinstance(piece, WirePiece):
                written = self.stage._write_wire(self._buffer, piece)
            else:
                written = self.stage._write(self._buffer, piece)
            if written:
                return self._buffer.getvalue()


_COLUMNS = (
    "(ord integer NOT NULL, pos integer NOT NULL, seller_sku text NOT NULL,"
    " oc_sku text NOT NULL, region text, available integer NOT NULL,"
    " intransit integer NOT NULL, other_kind integer, other jsonb,"
    " snapshot_time timestamptz NOT NULL)"
)
# Each row names its other counts by kind, or carries them (other_kind NULL).
_OTHER_COLUMNS = "(kind integer NOT NULL, other jsonb NOT NULL)"


@contextmanager
def snapshot_stage() -> Iterator[SnapshotStage]:
    """A fresh, empty stage for one run; dropped on the way out, whatever happened."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
        table, others = f"{STAGED_PREFIX}{pid}", f"{OTHERS_PREFIX}{pid}"
        for prefix in (STAGED_PREFIX, OTHERS_PREFIX):
            _drop_abandoned_stages(cursor, prefix)
        cursor.execute(f"DROP TABLE IF EXISTS {table}, {others}")
        _create_stage(cursor, table, others)
        try:
            yield SnapshotStage(cursor, table, others)
        finally:
            if connection.connection is not None and not connection.needs_rollback:
                cursor.execute(f"DROP TABLE IF EXISTS {table}, {others}")


def _create_stage(cursor: Any, table: str, others: str) -> None:
    """Unlogged tables where the database role may create tables, else temporary ones
    (the same rows, planned without parallel workers)."""
    try:
        with transaction.atomic():
            for name, columns in ((table, _COLUMNS), (others, _OTHER_COLUMNS)):
                cursor.execute(
                    f"CREATE UNLOGGED TABLE {name} {columns}"
                    # Never vacuumed nor analysed while it lives: a run reads it whole.
                    " WITH (autovacuum_enabled = false)"
                )
    except ProgrammingError as exc:  # no CREATE on the schema (PostgreSQL 15's default)
        logger.info("Staging the stock snapshot in a temporary table: %s", exc)
        cursor.execute(f"CREATE TEMP TABLE {table} {_COLUMNS}")
        cursor.execute(f"CREATE TEMP TABLE {others} {_OTHER_COLUMNS}")


def _drop_abandoned_stages(cursor: Any, prefix: str) -> None:
    """Drop the staging tables (named ``prefix`` and a process id) of backends that are
    gone (a worker killed mid-run)."""
    cursor.execute(
        "SELECT c.relname FROM pg_class c"
        " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
        " AND c.relname LIKE %s AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a"
        "  WHERE c.relname = %s || a.pid)",
        [prefix.replace("_", "\\_") + "%", prefix],
    )
    for (name,) in cursor.fetchall():
        try:
            with transaction.atomic():
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(name)}")
        except ProgrammingError as exc:  # another role's: left to it
            logger.info("Left the abandoned stage %s: %s", name, exc)
