"""A plain reference implementation of the stock sync, the yardstick of issue 10.

It does the least a correct sync must do, the obvious way, so the benchmark can say how far
the project's sync is from what the machine does with the same snapshot:

1. download the snapshot over HTTP (the project's API client signs the request, renews the
   token and logs the call, exactly as for the real sync; the body is read whole);
2. parse it with msgspec typed structs (a typed C decoder, no object hook);
3. ``COPY`` one line per SKU and region into a temporary table (and ``ANALYZE`` it);
4. the Created-in-OC flip as one ``UPDATE``: rows of the account that no snapshot line names
   (by product and region) are set Created in OC = No and stale (their last figures stay);
5. one ``INSERT … ON CONFLICT DO UPDATE`` joined to products (by SKU) and item accounts: a
   row per product and region, linked to the product's listing on the eBay account the OC
   account maps the region to (``RegionMapping``; none when the region is unmapped or the
   product unlisted there); a row whose figures are already those of the snapshot is left
   alone;

steps 3 to 5 in one transaction. It writes the figures the project's sync writes (item
account, SKU, OC SKU, available, in transit, the other counts, Created in OC, stale), so
the benchmark can compare the two tables row by row. It has none of the project's safety net
and extras (no confirmation of mass flips, no dry run, no messages for staff, no stock
history lines, products by SKU only, not through the account's OC SKU catalogue) and reads
the whole body into memory: it is a speed reference, not a memory one.

It uses only the models (for table and column names) and the API client: nothing
of ``oc_integration.stock``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import requests

SNAPSHOT_PATH = "/3pp/inventory/v1/snapshot"  # OC's StockSnapshot (v1)
AVAILABLE, IN_TRANSIT = "AVL", "INTRAN"
STAGE = "bench_reference_stage"
LINES_PER_CHUNK = 5000


class Count(msgspec.Struct):
    """One count of a region: ``{"inventoryStatus": "AVL", "actualCount": 3}``."""

    inventoryStatus: str
    actualCount: int


class Region(msgspec.Struct):
    """One service region of a SKU."""

    serviceRegion: str
    inventoryList: list[Count] | None = None


class Row(msgspec.Struct):
    """One SKU of the snapshot."""

    MFSKUID: str
    sellerSkuId: str
    snapshotTime: str
    serviceRegionList: list[Region]


class Envelope(msgspec.Struct):
    """OC's answer: ``{"code": 0, "success": true, "message", "messageId", "data": [...]}``."""

    code: int | str
    success: bool | None = None
    message: str | None = None
    messageId: str | None = None
    data: list[Row] | None = None


_DECODER = msgspec.json.Decoder(Envelope)
# OC writes "2021-10-22T09:56:41+0800" and "2018-11-28T20:09:57:001+0800".
_OC_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[:.](\d{1,6}))?(Z|[+-]\d{2}):?(\d{2})?$"
)
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class ReferenceError(Exception):
    """The snapshot cannot be used (OC refused the call, or a row is malformed)."""


def postgres_time(text: str) -> str:
    """An OC snapshot time as PostgreSQL reads it (ISO 8601 with a colon in the offset)."""
    match = _OC_TIME.match(text.strip())
    if match is None:
        raise ReferenceError(f"snapshotTime {text!r} is not in OC's format")
    day, clock, fraction, hours, minutes = match.groups()
    offset = "+00:00" if hours == "Z" else f"{hours}:{minutes or '00'}"
    return f"{day}T{clock}{'.' + fraction if fraction else ''}{offset}"


def _copy_text(value: str) -> str:
    """``value`` escaped for COPY's text format (only when it needs it)."""
    return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value


def _read_whole(response: requests.Response, correlation_id: str) -> Any:
    """The API client's body reader: the whole body, decoded in C into typed structs."""
    from oc_integration.client.envelope import OCResponse

    try:
        envelope = _DECODER.decode(response.content)
    except msgspec.MsgspecError as exc:
        raise ReferenceError(f"OC's answer is not a stock snapshot: {exc}") from exc
    if str(envelope.code).strip() != "0" or envelope.success is False:
        raise ReferenceError(f"OC answered code {envelope.code}: {envelope.message}")
    return OCResponse(
        data=envelope.data or [],
        message=envelope.message or "",
        message_id=envelope.messageId or correlation_id,
        raw={},
    )


def copy_lines(rows: Sequence[Row]) -> Iterator[bytes]:
    """The snapshot as COPY text lines, one per SKU and region, in chunks.

    Columns: position in the snapshot, SKU, OC SKU, region, available, in transit, the
    other counts as JSON, snapshot time.
    """
    times: dict[str, str] = {}
    encode = msgspec.json.encode
    lines: list[str] = []
    position = 0
    for number, row in enumerate(rows, start=1):
        oc_sku, sku = row.MFSKUID.strip(), row.sellerSkuId.strip()
        if not oc_sku or len(oc_sku) > 15 or not sku:
            raise ReferenceError(f"row {number}: MFSKUID {oc_sku!r} / sellerSkuId {sku!r}")
        when = times.get(row.snapshotTime)
        if when is None:
            when = times[row.snapshotTime] = postgres_time(row.snapshotTime)
        sku, oc_sku = _copy_text(sku), _copy_text(oc_sku)
        for region in row.serviceRegionList:
            name = region.serviceRegion.strip()
            if not name:
                raise ReferenceError(f"row {number}: a serviceRegion has no name")
            counts = {c.inventoryStatus: c.actualCount for c in region.inventoryList or ()}
            available = counts.pop(AVAILABLE, 0)
            intransit = counts.pop(IN_TRANSIT, 0)
            other = _copy_text(encode(counts).decode())
            position += 1
            lines.append(
                f"{position}\t{sku}\t{oc_sku}\t{_copy_text(name)}\t{available}\t{intransit}"
                f"\t{other}\t{when}\n"
            )
        if len(lines) >= LINES_PER_CHUNK:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


class _ChunkFile:
    """A file-like ``read()`` over chunks, for ``copy_expert`` (the COPY text is never
    held whole)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks

    def read(self, size: int = -1) -> bytes:
        return next(self.chunks, b"")


@dataclass(frozen=True)
class ReferenceResult:
    """What the reference wrote, and the wall time of each step (seconds)."""

    skus: int
    staged: int
    created: int
    updated: int
    flipped: int
    steps: dict[str, float] = field(default_factory=dict)

    @property
    def rows_written(self) -> int:
        return self.created + self.updated + self.flipped


def _names() -> dict[str, str]:
    """Quoted table and column names, from the models."""
    from django.db import connection

    from hemi_fulfilment.catalog.models import ItemAccount, Product
    from oc_integration.models import ProductAccountOrangeConnex, RegionMapping

    q = connection.ops.quote_name
    stock = ProductAccountOrangeConnex._meta
    names = {
        "stock_table": q(stock.db_table),
        "product_table": q(Product._meta.db_table),
        "item_table": q(ItemAccount._meta.db_table),
        "regions_table": q(RegionMapping._meta.db_table),
    }
    for field_name in (
        "account",
        "product",
        "region",
        "item_account",
        "sku",
        "oc_sku",
        "available_stock",
        "intransit_stock",
        "other_stock",
        "stock_updated",
        "created_in_oc",
        "stale",
        "created",
        "updated",
    ):
        names[field_name] = q(str(stock.get_field(field_name).column))  # type: ignore[union-attr]
    return names


def _upsert_sql(n: dict[str, str]) -> str:
    """The one ``INSERT … ON CONFLICT DO UPDATE``: a row per product (by SKU) and region,
    linked to the product's listing on the eBay account the account maps the region to
    (none when unmapped or unlisted); the first line wins when two name one product and
    region, as in the project. A row whose figures are already these is left alone.
    Parameters: account id (mapping), account id, now, now. Answers (created, updated)."""
    figures = ("item_account", "sku", "oc_sku", "available_stock", "intransit_stock", "other_stock")
    assignments = ", ".join(
        f"{n[c]} = EXCLUDED.{n[c]}"
        for c in (*figures, "stock_updated", "created_in_oc", "stale", "updated")
    )
    before = ", ".join(f"t.{n[c]}" for c in (*figures, "created_in_oc", "stale"))
    after = ", ".join(f"EXCLUDED.{n[c]}" for c in figures)
    columns = ", ".join(
        n[c]
        for c in (
            "account",
            "product",
            "region",
            *figures,
            "stock_updated",
            "created_in_oc",
            "stale",
            "created",
            "updated",
        )
    )
    return (
        "WITH mapped AS (SELECT upper(region) AS region, ebay_account_id"  # noqa: S608 - names
        f"  FROM {n['regions_table']} WHERE account_id = %s),"
        " matched AS (SELECT DISTINCT ON (p.id, s.region) p.id AS product_id, s.region,"
        "  ia.id AS item_account_id, p.sku, s.oc_sku, s.available, s.intransit, s.other,"
        "  s.stock_updated"
        f"  FROM {STAGE} s JOIN {n['product_table']} p ON p.sku = s.sku"
        "  LEFT JOIN mapped m ON m.region = upper(s.region)"
        f"  LEFT JOIN {n['item_table']} ia ON ia.product_id = p.id"
        "   AND ia.ebay_account_id = m.ebay_account_id"
        "  ORDER BY p.id, s.region, s.position),"
        f" written AS (INSERT INTO {n['stock_table']} AS t ({columns})"
        "  SELECT %s, product_id, region, item_account_id, sku, oc_sku, available, intransit,"
        "  other, stock_updated, true, false, %s, %s FROM matched"
        f"  ON CONFLICT ({n['account']}, {n['product']}, {n['region']}) DO UPDATE"
        f"  SET {assignments} WHERE ({before}) IS DISTINCT FROM ({after}, true, false)"
        "  RETURNING xmax = 0 AS inserted)"
        " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
        " FROM written"
    )


def _flip_sql(n: dict[str, str]) -> str:
    """The Created-in-OC flip: the account's rows that no staged line names (by product and
    region) are set Created in OC = No and stale. Parameters: now, account id."""
    return (
        f"UPDATE {n['stock_table']} t"  # noqa: S608 - names from the models, values bound
        f" SET {n['created_in_oc']} = false, {n['stale']} = true, {n['updated']} = %s"
        f" WHERE t.{n['account']} = %s AND t.{n['created_in_oc']} AND NOT EXISTS"
        f" (SELECT 1 FROM {STAGE} s JOIN {n['product_table']} p ON p.sku = s.sku"
        f"  WHERE p.id = t.{n['product']} AND s.region = t.{n['region']})"
    )


def write_snapshot(
    account_id: int, rows: Sequence[Row], steps: dict[str, float] | None = None
) -> ReferenceResult:
    """Stage ``rows`` and apply them to the account's stock rows in one transaction;
    ``steps`` receives the wall time of each step."""
    from django.db import connection, transaction
    from django.utils import timezone

    steps = {} if steps is None else steps
    started = time.perf_counter()
    n = _names()
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {STAGE} (position integer, sku varchar(64),"
            " oc_sku varchar(15), region varchar(50), available integer, intransit integer,"
            " other jsonb, stock_updated timestamptz) ON COMMIT DROP"
        )
        cursor.copy_expert(f"COPY {STAGE} FROM STDIN", _ChunkFile(copy_lines(rows)), 1 << 18)
        staged = cursor.rowcount
        # Autovacuum never analyses a temporary table: without statistics the planner
        # may pick a nested loop over every staged line for the flip's anti-join.
        cursor.execute(f"ANALYZE {STAGE}")
        steps["COPY into the temporary table, ANALYZE"] = time.perf_counter() - started
        started = time.perf_counter()
        # The flip first: it touches no row the upsert writes, and it runs while the
        # table's statistics still describe it (after a bulk insert they would not, and
        # the anti-join could become a nested loop over every row).
        cursor.execute(_flip_sql(n), [now, account_id])
        flipped = cursor.rowcount
        steps["Created-in-OC flip (UPDATE)"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(_upsert_sql(n), [account_id, account_id, now, now])
        created, updated = cursor.fetchone()
        steps["INSERT … ON CONFLICT DO UPDATE"] = time.perf_counter() - started
        started = time.perf_counter()
    steps["COMMIT (deferred foreign-key checks)"] = time.perf_counter() - started
    return ReferenceResult(len(rows), staged, created, updated, flipped, steps)


def reference_sync(account: Any) -> ReferenceResult:
    """Download ``account``'s snapshot from OC and apply it the plain way (see the module)."""
    from oc_integration.auth.api_client import api_client

    started = time.perf_counter()
    response = api_client(account).call(
        "stock snapshot (benchmark reference)",
        SNAPSHOT_PATH,
        [{"MFSKUID": None}],
        body_reader=_read_whole,
    )
    rows: list[Row] = response.data
    steps = {"HTTP download + msgspec decode (+ API call log)": time.perf_counter() - started}
    return write_snapshot(account.pk, rows, steps)
