"""GetStockMovement and GetStockAge, as the sandbox serves them.

Movements add up to the stock figures: the sandbox keeps the counts it last saw per SKU
and region, and whenever one of its outbound orders changes stock (reserved on creation,
shipped, released on cancellation) it records one movement per status that changed, with
the order's number, the signed quantity and the count after; a catalog loaded through the
control API moves a SKU it already held to its new figures the same way (reason ``ADJ``).
Before a SKU's first figures there is a generated history per region (a receipt, then a
few shipments) that ends exactly at them, so every figure of the snapshot is explained.

Rules as OC states them: a query covers less than 7 days (``OC_RULES`` below) and only
the past 12 months (OC's words, seen in another integrator's code); SKUs by
``mfSkuList[{mfSkuId}]`` or every SKU by time slot. The answer's shape is the one seen in
that integrator's code, including OC's spelling ``moventmentID``.

GetStockAge's answer is not published: the sandbox answers the shape the client infers
(rows per SKU and region with ``inventoryAgeList[{ageRange, quantity}]``, paged by
``pageNumber`` / ``pageSize``), with buckets that add up to the stock on hand.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .catalog import Catalog
from .messages import OcError
from .timefmt import OC_TZ, SandboxClock, format_oc_time, parse_oc_time

MOVEMENT = "/openapi/3pp/inventory/v1/movement"
STOCK_AGE = "/openapi/3pp/inventory/v1/snapshotAge"

DAY = 86400.0
#: end - start must be less than this (stated).
MAX_WINDOW_SECONDS = 7 * DAY
#: Nothing older than this can be asked for (stated: the past year).
MAX_LOOKBACK_SECONDS = 365 * DAY
#: SKUs per movement query (inferred: another integrator sends 50).
MAX_SKUS_PER_QUERY = 50
#: Rows per stock age page at most (inferred, as StockSnapshot v2).
MAX_AGE_PAGE_SIZE = 200
#: How far back the generated history of each SKU reaches.
HISTORY_DAYS = 90
#: Reason codes: OEH is the one OC value seen (another integrator's example); the rest
#: are the sandbox's own.
REASON_BY_ORDER_STATUS = {"Submitted": "ALLOC", "Outbound": "OEH", "Cancelled": "CANCEL"}
RECEIPT_REASON = "INB"
SHIPMENT_REASON = "OEH"
ORDER_SUFFIX = {"UK": "GB", "DE": "DE"}
#: Age buckets (from-day, to-day or None for "and older") and their labels.
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (0, 30),
    (31, 60),
    (61, 90),
    (91, 180),
    (181, 365),
    (366, None),
)
#: Statuses that are not on the shelf yet and have no age.
NOT_ON_HAND = ("INTRAN",)


def _label(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low - 1}+"


@dataclass(frozen=True, slots=True)
class MovementRecord:
    """One movement as the sandbox stores it."""

    mfskuid: str
    seller_sku: str
    region: str
    status: str
    movement_id: str
    quantity: int
    actual_count: int
    reason: str
    order_number: str
    at: float

    def to_dict(self) -> dict[str, Any]:
        """OC's movement item (with OC's own spelling of the id key)."""
        return {
            "moventmentID": self.movement_id,
            "quantity": self.quantity,
            "actualCount": self.actual_count,
            "reason": self.reason,
            "orderNumber": self.order_number,
            "updateTime": format_oc_time(self.at),
        }


def _rng(*parts: str) -> random.Random:
    seed = int(hashlib.sha1("|".join(parts).encode(), usedforsecurity=False).hexdigest()[:12], 16)
    return random.Random(seed)  # noqa: S311 - generated demo data, not security


class MovementBook:
    """Recorded and generated movements of one catalog; the sandbox lock guards it."""

    def __init__(self, clock: SandboxClock, catalog: Catalog) -> None:
        self.clock = clock
        self._serials = itertools.count(1)
        self.recorded: list[MovementRecord] = []
        # Per SKU: when it entered the catalog and its figures then, where its generated
        # history ends. Count lists are replaced, never mutated (see catalog.py), so a
        # copy of the mapping keeps the figures of that moment.
        self.baseline: dict[str, tuple[float, dict[str, list[int]]]] = {}
        # The counts last recorded, where they differ from the baseline.
        self.seen: dict[tuple[str, str], list[int]] = {}
        self._history: dict[tuple[str, str], list[MovementRecord]] = {}
        self.catalog = Catalog.empty()
        self.catalog_replaced(catalog)

    def catalog_replaced(self, catalog: Catalog) -> None:
        """The control API loaded ``catalog``: a SKU already held moves to its new figures
        (one adjustment per status that changed); a new SKU's history ends at its figures."""
        now = self.clock.now()
        baseline, seen, held = self.baseline, self.seen, self.catalog.rows
        for sku, row in catalog.rows.items():
            if sku not in baseline:
                baseline[sku] = (now, row.regions.copy())
                continue
            previous = held.get(sku)
            same_statuses = previous is not None and previous.statuses == row.statuses
            for region, counts in list(row.regions.items()):
                known = seen.get((sku, region)) or baseline[sku][1].get(region)
                if same_statuses and known == counts:
                    continue  # the usual case, kept cheap for a 100,000-SKU catalog
                before = dict(
                    zip(row.statuses, self._counts(sku, region, row.statuses), strict=False)
                )
                self._record_changes(
                    sku, row.seller_sku, region, row.statuses, before, counts, "ADJ", "", now
                )
        self.catalog = catalog

    def _counts(self, sku: str, region: str, statuses: tuple[str, ...]) -> list[int]:
        """The figures last recorded for ``sku`` in ``region`` (zero when none)."""
        known = self.seen.get((sku, region))
        if known is None:
            known = self.baseline.get(sku, (0.0, {}))[1].get(region)
        return list(known) if known is not None else [0] * len(statuses)

    # --- recording ---------------------------------------------------------------------

    def observe_order(self, order: Any) -> None:
        """Record what an outbound order's status change did to its SKUs' stock."""
        reason = REASON_BY_ORDER_STATUS.get(str(order.status), "ADJ")
        for sku, _qty in order.products:
            self.observe(sku, order.service_region, reason=reason, order_number=order.order_number)

    def observe(self, sku: str, region: str, *, reason: str, order_number: str = "") -> None:
        """Record one movement per status of ``sku`` in ``region`` whose count changed."""
        row = self.catalog.get(sku)
        if row is None or row.regions.get(region) is None:
            return
        before = dict(zip(row.statuses, self._counts(sku, region, row.statuses), strict=False))
        self._record_changes(
            sku,
            row.seller_sku,
            region,
            row.statuses,
            before,
            row.regions[region],
            reason,
            order_number,
            self.clock.now(),
        )

    def _record_changes(
        self,
        sku: str,
        seller_sku: str,
        region: str,
        statuses: tuple[str, ...],
        before: dict[str, int],
        counts: list[int],
        reason: str,
        order_number: str,
        at: float,
    ) -> None:
        for status, new in zip(statuses, counts, strict=False):
            old = before.get(status, 0)
            if new != old:
                self.recorded.append(
                    MovementRecord(
                        sku,
                        seller_sku,
                        region,
                        status,
                        f"MV{next(self._serials):012d}",
                        new - old,
                        new,
                        reason,
                        order_number,
                        at,
                    )
                )
        self.seen[(sku, region)] = counts

    # --- generated history -------------------------------------------------------------

    def history(self, sku: str, region: str) -> list[MovementRecord]:
        """The generated AVL history of ``sku`` in ``region``, ending at its figure when
        the catalog was loaded: a receipt, then shipments."""
        key = (sku, region)
        if key in self._history:
            return self._history[key]
        row = self.catalog.get(sku)
        since, figures = self.baseline.get(sku, (0.0, {}))
        counts = figures.get(region)
        records: list[MovementRecord] = []
        if row is not None and counts is not None and "AVL" in row.statuses:
            final = counts[row.statuses.index("AVL")]
            rng = _rng(sku, region)
            shipments = [rng.randint(1, 3) for _ in range(rng.randint(0, 5))]
            receipt = final + sum(shipments)
            if receipt > 0:
                end = since - 3600
                start = since - rng.uniform(HISTORY_DAYS / 3, HISTORY_DAYS) * DAY
                times = sorted(rng.uniform(start, end) for _ in shipments)
                count = receipt
                serial = itertools.count(1)
                records.append(
                    self._generated(
                        row.seller_sku, key, next(serial), receipt, count, RECEIPT_REASON, "", start
                    )
                )
                for quantity, at in zip(shipments, times, strict=True):
                    count -= quantity
                    number = (
                        f"OCO1{rng.randrange(10**12):012d}{ORDER_SUFFIX.get(region, region[:2])}"
                    )
                    records.append(
                        self._generated(
                            row.seller_sku,
                            key,
                            next(serial),
                            -quantity,
                            count,
                            SHIPMENT_REASON,
                            number,
                            at,
                        )
                    )
        self._history[key] = records
        return records

    @staticmethod
    def _generated(
        seller_sku: str,
        key: tuple[str, str],
        serial: int,
        quantity: int,
        after: int,
        reason: str,
        order_number: str,
        at: float,
    ) -> MovementRecord:
        sku, region = key
        digest = hashlib.sha1(f"{sku}|{region}".encode(), usedforsecurity=False).hexdigest()[:8]
        return MovementRecord(
            sku,
            seller_sku,
            region,
            "AVL",
            f"MH{digest}{serial:04d}",
            quantity,
            after,
            reason,
            order_number,
            at,
        )

    # --- GetStockMovement -------------------------------------------------------------

    def query(self, data: Any) -> list[dict[str, Any]]:
        """Answer one GetStockMovement call, or raise ``OcError`` as OC refuses it."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise OcError(400002, "data must be a JSON object")
        now = self.clock.now()
        end = _time(data.get("endTime"), "endTime") if data.get("endTime") else now
        start = (
            _time(data.get("startTime"), "startTime")
            if data.get("startTime")
            else end - MAX_WINDOW_SECONDS + 1
        )
        if end < start:
            raise OcError(400202, "endTime must not be before startTime.")
        if end - start >= MAX_WINDOW_SECONDS:
            raise OcError(400202, "The query timeslot must be shorter than 7 days.")
        if start < now - MAX_LOOKBACK_SECONDS:
            raise OcError(400202, "Query timeslot is only valid for the last 12 months.")
        wanted = _skus(data.get("mfSkuList"))
        if wanted is not None and len(wanted) > MAX_SKUS_PER_QUERY:
            raise OcError(400202, f"mfSkuList takes at most {MAX_SKUS_PER_QUERY} SKUs.")
        skus = wanted if wanted is not None else list(self.baseline)
        chosen = set(skus)
        found: list[MovementRecord] = []
        for sku in skus:
            for region in self.baseline.get(sku, (0.0, {}))[1]:
                found.extend(m for m in self.history(sku, region) if start <= m.at < end)
        found.extend(m for m in self.recorded if start <= m.at < end and m.mfskuid in chosen)
        return _grouped(found)

    # --- GetStockAge --------------------------------------------------------------------

    def stock_age(self, data: Any) -> dict[str, Any]:
        """Answer one GetStockAge page (the inferred shape; see the module docstring)."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise OcError(400002, "data must be a JSON object")
        page, size = data.get("pageNumber", 1), data.get("pageSize", MAX_AGE_PAGE_SIZE)
        for name, value in (("pageNumber", page), ("pageSize", size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise OcError(400202, f"{name} must be a whole number from 1.")
        if size > MAX_AGE_PAGE_SIZE:
            raise OcError(400202, f"pageSize must be at most {MAX_AGE_PAGE_SIZE}.")
        wanted = _skus(data.get("skuList"))
        rows = self.catalog.select(wanted or None)
        keyed = [(row, region) for row in rows for region in row.regions]
        total = len(keyed)
        today = datetime.fromtimestamp(self.clock.now(), OC_TZ).strftime("%Y-%m-%d")
        chosen = keyed[(page - 1) * size : page * size]
        return {
            "pageNumber": page,
            "pageSize": size,
            "total": total,
            "SKUList": [
                {
                    "MFSKUID": row.mfskuid,
                    "sellerSkuId": row.seller_sku,
                    "serviceRegion": region,
                    "snapshotDate": today,
                    "inventoryAgeList": _age_buckets(row.mfskuid, region, _on_hand(row, region)),
                }
                for row, region in chosen
            ],
        }


def _on_hand(row: Any, region: str) -> int:
    counts = row.regions.get(region) or []
    return sum(
        count
        for status, count in zip(row.statuses, counts, strict=False)
        if status not in NOT_ON_HAND and count > 0
    )


def _age_buckets(sku: str, region: str, on_hand: int) -> list[dict[str, Any]]:
    """``on_hand`` split over the age buckets, the same way every time for a SKU."""
    rng = _rng(sku, region, "age")
    weights = [rng.random() ** 2 for _ in AGE_BUCKETS]
    total = sum(weights) or 1.0
    shares = [int(on_hand * w / total) for w in weights]
    shares[0] += on_hand - sum(shares)  # what rounding left goes to the youngest
    return [
        {"ageRange": _label(low, high), "quantity": quantity}
        for (low, high), quantity in zip(AGE_BUCKETS, shares, strict=True)
    ]


def _time(value: Any, name: str) -> float:
    try:
        return parse_oc_time(str(value)).timestamp()
    except ValueError:
        raise OcError(400202, f"{name} must be yyyy-MM-dd'T'HH:mm:ssZ, got {value!r}.") from None


def _skus(items: Any) -> list[str] | None:
    """The SKUs of ``[{"mfSkuId": …}]``; None when no list (or an empty one) was sent."""
    if items is None or items == []:
        return None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise OcError(400002, 'the SKU list must look like [{"mfSkuId": "OC…"}]')
    return [str(i.get("mfSkuId") or i.get("MFSKUID") or "") for i in items]


def _grouped(movements: Iterable[MovementRecord]) -> list[dict[str, Any]]:
    """OC's nesting: SKU -> serviceRegionList -> inventoryList -> movementList."""
    tree: dict[str, dict[str, Any]] = {}
    for m in sorted(movements, key=lambda m: (m.mfskuid, m.region, m.status, m.at)):
        sku = tree.setdefault(
            m.mfskuid, {"MFSKUID": m.mfskuid, "sellerSkuId": m.seller_sku, "regions": {}}
        )
        statuses = sku["regions"].setdefault(m.region, {})
        statuses.setdefault(m.status, []).append(m.to_dict())
    return [
        {
            "MFSKUID": sku["MFSKUID"],
            "sellerSkuId": sku["sellerSkuId"],
            "serviceRegionList": [
                {
                    "serviceRegion": region,
                    "inventoryList": [
                        {"inventoryStatus": status, "movementList": items}
                        for status, items in statuses.items()
                    ],
                }
                for region, statuses in sku["regions"].items()
            ],
        }
        for sku in tree.values()
    ]
