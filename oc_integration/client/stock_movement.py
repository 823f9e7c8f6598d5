"""GetStockMovement: OC's record of every change to a SKU's stock, per region and status.

Stated by OC: ``POST /3pp/inventory/v1/movement``, ``data`` ``{startTime, endTime,
mfSkuList[{mfSkuId}]}``; a query covers less than 7 days and only the past year; query by
SKU list or by time slot. The answer's shape is seen only in another integrator's code
(and its tests, which look copied from an OC example), so it is read leniently here:
``data`` is a list of ``{MFSKUID, sellerSkuId, serviceRegionList[{serviceRegion,
inventoryList[{inventoryStatus, movementList[{movementID (OC's example spells it
moventmentID), quantity (signed), actualCount (count after), reason, orderNumber,
updateTime}]}]}]}``. The batch size of SKU lists (50) is that integrator's choice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from oc_integration.client.api import OCApiClient
from oc_integration.client.errors import OCMalformedResponse
from oc_integration.client.fields import first_value
from oc_integration.client.stock import format_oc_time, parse_oc_time

MOVEMENT_PATH = "/3pp/inventory/v1/movement"
#: Stated: end - start must stay under 7 days; one second under keeps every window legal.
MAX_WINDOW = timedelta(days=7) - timedelta(seconds=1)
#: Stated: only the past year can be queried (OC: "only valid for the last 12 months").
MAX_LOOKBACK = timedelta(days=365)
#: Inferred (another integrator's choice): SKUs per call when querying by SKU list.
MAX_SKUS_PER_CALL = 50

# Spellings read from the answer, first found wins (inferred from the [3P] example).
MOVEMENT_ID_KEYS = ("movementID", "moventmentID", "movementId", "id")
QUANTITY_KEYS = ("quantity", "qty")
COUNT_AFTER_KEYS = ("actualCount", "afterCount", "count")
REASON_KEYS = ("reason", "movementType", "type")
ORDER_NUMBER_KEYS = ("orderNumber", "referenceNumber", "orderNo")
TIME_KEYS = ("updateTime", "movementTime", "createTime")
SELLER_SKU_KEYS = ("sellerSkuId", "sellerSKUID", "sellerSku")
#: When ``data`` is an object rather than the list, the rows are under one of these.
ROW_LIST_KEYS = ("SKUList", "skuList", "list", "movementList")


@dataclass(frozen=True)
class Window:
    """One query window, ``start`` included, ``end`` excluded."""

    start: datetime
    end: datetime

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} UTC"


def movement_windows(
    since: datetime,
    until: datetime,
    *,
    now: datetime,
    max_window: timedelta = MAX_WINDOW,
    lookback: timedelta = MAX_LOOKBACK,
) -> list[Window]:
    """Windows of at most ``max_window`` that cover ``[since, until)`` exactly: each starts
    where the previous one ended, the last ends at ``until``.

    Refused (``ValueError``, said for people) when ``since`` is more than ``lookback``
    before ``now`` (OC answers nothing older), when ``until`` is before ``since``, or
    when ``until`` is in the future.
    """
    if since.tzinfo is None or until.tzinfo is None or now.tzinfo is None:
        raise ValueError("Movement windows need times with a time zone.")
    if max_window <= timedelta(0):
        raise ValueError("A movement window must be longer than zero.")
    if since < now - lookback:
        raise ValueError(
            f"OC keeps stock movements for {lookback.days} days only: {since:%Y-%m-%d %H:%M} "
            f"is earlier than {now - lookback:%Y-%m-%d %H:%M} UTC."
        )
    if until < since:
        raise ValueError(
            f"The period ends ({until:%Y-%m-%d %H:%M}) before it starts ({since:%Y-%m-%d %H:%M})."
        )
    if until > now:
        raise ValueError(f"The period cannot end in the future ({until:%Y-%m-%d %H:%M}).")
    windows, start = [], since
    while start < until:
        end = min(start + max_window, until)
        windows.append(Window(start, end))
        start = end
    return windows


@dataclass(frozen=True, slots=True)
class Movement:
    """One stock movement: ``quantity`` is signed (negative = stock left the status)."""

    oc_sku: str
    seller_sku: str
    region: str
    inventory_status: str
    movement_id: str
    quantity: int
    count_after: int | None
    reason: str
    order_number: str
    moved_at: datetime


def movement_request(window: Window, skus: Sequence[str] = ()) -> dict[str, Any]:
    """The ``data`` of one GetStockMovement call (a time slot, optionally a SKU list)."""
    if len(skus) > MAX_SKUS_PER_CALL:
        raise ValueError(f"At most {MAX_SKUS_PER_CALL} SKUs per movement query.")
    data: dict[str, Any] = {
        "startTime": format_oc_time(window.start),
        "endTime": format_oc_time(window.end),
    }
    if skus:
        data["mfSkuList"] = [{"mfSkuId": sku} for sku in skus]
    return data


def _whole(value: Any, what: str, sku: str) -> int:
    if isinstance(value, bool):
        raise OCMalformedResponse(f"Stock movement of {sku}: {what} {value!r} is not a number.")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise OCMalformedResponse(
            f"Stock movement of {sku}: {what} {value!r} is not a whole number."
        ) from None
    return number


def _objects(value: Any, what: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise OCMalformedResponse(f"Stock movements: {what} is not a list of objects.")
    return value


def _fallback_id(oc_sku: str, region: str, status: str, entry: dict[str, Any]) -> str:
    # No id in the answer: a digest of what identifies the movement, so that asking
    # for the same window again finds the same id and stores nothing twice.
    parts = [oc_sku, region, status] + [
        str(first_value(entry, keys) or "")
        for keys in (TIME_KEYS, QUANTITY_KEYS, COUNT_AFTER_KEYS, REASON_KEYS, ORDER_NUMBER_KEYS)
    ]
    return "h:" + hashlib.sha1("|".join(parts).encode(), usedforsecurity=False).hexdigest()[:40]


def _movement(
    oc_sku: str, seller_sku: str, region: str, status: str, entry: dict[str, Any]
) -> Movement:
    raw_time = first_value(entry, TIME_KEYS)
    try:
        moved_at = parse_oc_time(str(raw_time or ""))
    except ValueError:
        raise OCMalformedResponse(
            f"Stock movement of {oc_sku}: time {raw_time!r} is not in OC's format."
        ) from None
    quantity = first_value(entry, QUANTITY_KEYS)
    if quantity is None:
        raise OCMalformedResponse(f"Stock movement of {oc_sku}: no quantity.")
    after = first_value(entry, COUNT_AFTER_KEYS)
    movement_id = str(first_value(entry, MOVEMENT_ID_KEYS) or "").strip()
    return Movement(
        oc_sku=oc_sku,
        seller_sku=seller_sku,
        region=region,
        inventory_status=status,
        movement_id=movement_id[:64] or _fallback_id(oc_sku, region, status, entry),
        quantity=_whole(quantity, "quantity", oc_sku),
        count_after=None if after is None else _whole(after, "actualCount", oc_sku),
        reason=str(first_value(entry, REASON_KEYS) or "").strip()[:32],
        order_number=str(first_value(entry, ORDER_NUMBER_KEYS) or "").strip()[:64],
        moved_at=moved_at,
    )


def parse_movements(data: Any) -> list[Movement]:
    """The movements of one answer's ``data``; ``OCMalformedResponse`` when it is not
    movement rows at all (an empty or missing ``data`` is no movements)."""
    if isinstance(data, dict):
        data = next((data[k] for k in ROW_LIST_KEYS if isinstance(data.get(k), list)), [])
    movements: list[Movement] = []
    for row in _objects(data, "data"):
        oc_sku = str(row.get("MFSKUID") or row.get("mfSkuId") or "").strip()
        if not oc_sku:
            raise OCMalformedResponse("Stock movements: a row has no MFSKUID.")
        seller_sku = str(first_value(row, SELLER_SKU_KEYS) or "").strip()
        for region_row in _objects(row.get("serviceRegionList"), "serviceRegionList"):
            region = str(region_row.get("serviceRegion") or "").strip()
            if not region:
                raise OCMalformedResponse(f"Stock movements of {oc_sku}: a region has no name.")
            for status_row in _objects(region_row.get("inventoryList"), "inventoryList"):
                status = str(status_row.get("inventoryStatus") or "").strip()
                for entry in _objects(status_row.get("movementList"), "movementList"):
                    movements.append(_movement(oc_sku, seller_sku, region, status, entry))
    return movements


def fetch_movements(
    client: OCApiClient, window: Window, skus: Sequence[str] = ()
) -> list[Movement]:
    """Every movement of ``window`` (of every SKU, or of ``skus`` in batches of
    ``MAX_SKUS_PER_CALL``). Raises on the first failed call: nothing partial comes back."""
    movements: list[Movement] = []
    for batch in sku_batches(skus):
        response = client.call("stock movement", MOVEMENT_PATH, movement_request(window, batch))
        movements.extend(parse_movements(response.data))
    return movements


def sku_batches(skus: Sequence[str]) -> Iterator[Sequence[str]]:
    """``skus`` in batches OC accepts; no SKUs is one call by time slot alone."""
    if not skus:
        yield ()
        return
    unique = list(dict.fromkeys(skus))
    for start in range(0, len(unique), MAX_SKUS_PER_CALL):
        yield unique[start : start + MAX_SKUS_PER_CALL]
