"""The sandbox's stock catalog: what OC's StockSnapshot (v1) returns.

Rows are stored compactly (one small object and one list of counts per region) and
rendered to JSON with pre-built templates, so a 100,000-SKU catalog is generated in well
under a second and streamed without building a giant list of dicts first.

Writers replace a region's count list instead of mutating it (copy-on-write), so a
snapshot being streamed outside the sandbox lock always sees each row's counts whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

from hemi_fulfilment.demo.data import DEMO_SKUS, SKUS_UNKNOWN_TO_HEMI, demo_oc_sku

from .timefmt import format_oc_time

# In the order of OC's seed example; OC may add statuses (rows can carry their own).
STATUSES: tuple[str, ...] = ("INTRAN", "AVL", "RCVD", "RSVALOC", "RSVHO", "RSVAS", "UNF")

# Every region OC's StockSnapshot v2 page lists; generated catalogs use them on request
# (the default stays UK and DE, which the v1 tests and the demo rely on).
ALL_REGIONS: tuple[str, ...] = ("UK", "DE", "AU", "AU-MEL", "US-East", "US-South", "US-West")

# The technical scope's example row, returned verbatim for seller SKU GY0005886.
SEED_ROW: dict[str, Any] = {
    "MFSKUID": "OC0000000400371",
    "serviceRegionList": [
        {
            "serviceRegion": "DE",
            "inventoryList": [
                {"actualCount": 3, "inventoryStatus": "INTRAN"},
                {"actualCount": 300, "inventoryStatus": "AVL"},
                {"actualCount": 0, "inventoryStatus": "RCVD"},
                {"actualCount": 5, "inventoryStatus": "RSVALOC"},
                {"actualCount": 0, "inventoryStatus": "RSVHO"},
                {"actualCount": 0, "inventoryStatus": "RSVAS"},
                {"actualCount": 0, "inventoryStatus": "UNF"},
            ],
        },
        {
            "serviceRegion": "UK",
            "inventoryList": [{"actualCount": 0, "inventoryStatus": s} for s in STATUSES],
        },
    ],
    "snapshotTime": "2021-10-22T09:56:41+0800",
    "sellerSkuId": "GY0005886",
}


@dataclass(slots=True)
class StockRow:
    """One SKU: counts per region, in the order of ``statuses``."""

    mfskuid: str
    seller_sku: str
    regions: dict[str, list[int]]
    statuses: tuple[str, ...] = STATUSES
    # A fixed snapshot time (the seed row); None: the time of the request, as OC does.
    snapshot_time: str | None = None
    # Spell the request time with milliseconds (OC's other format).
    millis_time: bool = False

    def count(self, region: str, status: str) -> int:
        """The count of ``status`` in ``region`` (0 when absent)."""
        counts = self.regions.get(region)
        if counts is None or status not in self.statuses:
            return 0
        return counts[self.statuses.index(status)]

    def to_dict(self, now: float) -> dict[str, Any]:
        """The row as OC's JSON shape (used for small answers and the control API)."""
        row: dict[str, Any] = json.loads(b"".join(render_rows([self], now)))
        return row


class Catalog:
    """The SKUs OC holds for the seller, keyed by MFSKUID, in insertion order."""

    def __init__(self, rows: Iterable[StockRow] = ()) -> None:
        self.rows: dict[str, StockRow] = {row.mfskuid: row for row in rows}

    @classmethod
    def empty(cls) -> Catalog:
        """No SKUs at all (a fresh OC account)."""
        return cls()

    @classmethod
    def from_snapshot_rows(cls, rows: list[dict[str, Any]]) -> Catalog:
        """Build a catalog from rows in OC's snapshot shape; ValueError when malformed."""
        parsed = []
        for position, row in enumerate(rows):
            try:
                regions: dict[str, list[int]] = {}
                statuses: tuple[str, ...] | None = None
                for region in row["serviceRegionList"]:
                    inventory = region["inventoryList"]
                    names = tuple(str(item["inventoryStatus"]) for item in inventory)
                    if statuses is not None and names != statuses:
                        raise ValueError("every region of a row must list the same statuses")
                    statuses = names
                    regions[str(region["serviceRegion"])] = [
                        int(item["actualCount"]) for item in inventory
                    ]
                parsed.append(
                    StockRow(
                        mfskuid=str(row["MFSKUID"]),
                        seller_sku=str(row["sellerSkuId"]),
                        regions=regions,
                        statuses=statuses or STATUSES,
                        snapshot_time=row.get("snapshotTime"),
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"row {position}: {exc!r}") from exc
        return cls(parsed)

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, mfskuid: str) -> StockRow | None:
        """The row for one MFSKUID."""
        return self.rows.get(mfskuid)

    def select(self, mfskuids: list[str] | None) -> list[StockRow]:
        """Every row (None) or the rows of the given MFSKUIDs that exist, in request order."""
        if mfskuids is None:
            return list(self.rows.values())
        return [self.rows[sku] for sku in dict.fromkeys(mfskuids) if sku in self.rows]

    def move(
        self, mfskuid: str, region: str, source: str | None, target: str | None, qty: int
    ) -> None:
        """Move ``qty`` units between statuses (None: from/to outside the warehouse)."""
        row = self.rows.get(mfskuid)
        if row is None:
            return
        counts = list(row.regions.get(region) or [0] * len(row.statuses))
        if source in row.statuses:
            counts[row.statuses.index(source)] -= qty
        if target in row.statuses:
            counts[row.statuses.index(target)] += qty
        row.regions[region] = counts  # replaced, never mutated: see the module docstring

    def summary(self) -> dict[str, Any]:
        """SKU count and per-region status totals."""
        regions: dict[str, dict[str, int]] = {}
        for row in self.rows.values():
            for region, counts in row.regions.items():
                totals = regions.setdefault(region, {"skus": 0})
                totals["skus"] += 1
                for status, count in zip(row.statuses, counts, strict=True):
                    totals[status] = totals.get(status, 0) + count
        return {"skus": len(self.rows), "regions": regions}


# JSON strings as json.dumps writes them (ASCII, escaped), without its per-call overhead.
_json_string = json.encoder.encode_basestring_ascii
_ROW_TEMPLATES: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}
# Layouts (statuses and regions) remembered; a catalog has a handful.
_TEMPLATE_LIMIT = 1000


def _row_template(statuses: tuple[str, ...], regions: tuple[str, ...]) -> str:
    """A %-format for a whole row of this layout: its OC SKU, every count of every region
    (in order), its snapshot time and its seller SKU. One format per row instead of a
    dozen small strings is most of the rendering speed, and the sandbox shares the
    machine's cores with whoever reads its answer."""
    key = (statuses, regions)
    template = _ROW_TEMPLATES.get(key)
    if template is None:
        inventory = ",".join(
            '{"actualCount":%d,"inventoryStatus":' + _json_string(status).replace("%", "%%") + "}"
            for status in statuses
        )
        listed = ",".join(
            '{"serviceRegion":'
            + _json_string(region).replace("%", "%%")
            + ',"inventoryList":['
            + inventory
            + "]}"
            for region in regions
        )
        if len(_ROW_TEMPLATES) >= _TEMPLATE_LIMIT:
            _ROW_TEMPLATES.clear()
        template = _ROW_TEMPLATES[key] = (
            '{"MFSKUID":%s,"serviceRegionList":[' + listed + '],"snapshotTime":%s,"sellerSkuId":%s}'
        )
    return template


def render_rows(rows: Iterable[StockRow], now: float, chunk_rows: int = 2000) -> Iterator[bytes]:
    """Rows as comma-separated JSON objects (no brackets), in chunks of ``chunk_rows`` rows."""
    plain_time = _json_string(format_oc_time(now))
    millis_time = _json_string(format_oc_time(now, millis=True))
    parts: list[str] = []
    lead = ""  # the comma between the last row of one chunk and the first of the next
    for row in rows:
        # A copy, taken at once: a writer may add a region while the answer streams.
        regions = row.regions.copy()
        if row.snapshot_time is not None:
            when = _json_string(row.snapshot_time)
        else:
            when = millis_time if row.millis_time else plain_time
        parts.append(
            _row_template(row.statuses, tuple(regions))
            % (
                _json_string(row.mfskuid),
                *chain.from_iterable(regions.values()),
                when,
                _json_string(row.seller_sku),
            )
        )
        if len(parts) >= chunk_rows:
            yield (lead + ",".join(parts)).encode("utf-8")
            parts, lead = [], ","
    if parts:
        yield (lead + ",".join(parts)).encode("utf-8")


def _counts(i: int, salt: int) -> list[int]:
    """Deterministic, varied counts for the i-th SKU (in STATUSES order), with some zeros."""
    avl = 0 if (i + salt) % 6 == 5 else (i * (37 + salt)) % 120
    return [
        (i + salt) % 7,  # INTRAN
        avl,  # AVL
        2 if (i + salt) % 5 == 0 else 0,  # RCVD
        (i + salt) % 4,  # RSVALOC
        1 if (i + salt) % 13 == 0 else 0,  # RSVHO
        0,  # RSVAS
        1 if (i + salt) % 11 == 0 else 0,  # UNF
    ]


def demo_catalog() -> Catalog:
    """The demo catalog, matching ``hemi_fulfilment.demo.data``.

    Every demo SKU whose index ends in 9 is missing ("not created in OC"); GY0005886 is the
    seed's example row verbatim; the SKUs unknown to Hemi are present. Every fifth row spells
    its snapshot time with milliseconds.
    """
    rows: list[StockRow] = []
    for i, sku in enumerate(DEMO_SKUS):
        if i % 10 == 9:
            continue
        if sku == SEED_ROW["sellerSkuId"]:
            rows.extend(Catalog.from_snapshot_rows([SEED_ROW]).rows.values())
            continue
        regions = {"UK": _counts(i, 0), "DE": _counts(i, 3)}
        rows.append(StockRow(demo_oc_sku(i), sku, regions, millis_time=len(rows) % 5 == 4))
    for k, sku in enumerate(SKUS_UNKNOWN_TO_HEMI):
        regions = {"UK": _counts(k + 1, 1), "DE": _counts(k + 1, 2)}
        rows.append(StockRow(f"OC{409900 + k:013d}", sku, regions, millis_time=len(rows) % 5 == 4))
    return Catalog(rows)


def generate_catalog(
    count: int, regions: tuple[str, ...] = ("UK", "DE"), sku_prefix: str = "BENCH"
) -> Catalog:
    """A large synthetic catalog (``count`` SKUs x ``regions``) for volume tests."""
    # Rows share count lists from a small table: safe because writers copy (see above).
    cycle = min(count, 1000)
    tables = [
        (region, [_counts(k, salt) for k in range(cycle)]) for salt, region in enumerate(regions)
    ]
    return Catalog(
        StockRow(
            f"OC9{i:012d}",
            f"{sku_prefix}{i:07d}",
            {region: table[i % cycle] for region, table in tables},
            millis_time=i % 5 == 4,
        )
        for i in range(count)
    )
