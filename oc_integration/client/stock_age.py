"""GetStockAge: how long each SKU's stock has been in OC's warehouse, in age buckets.

Stated by OC: ``POST /3pp/inventory/v1/snapshotAge``, the envelope, and that the request
is paged (``data`` begins with ``pageNumber``, ``pageSize``, then a field starting with
``s``). **Everything else here is inferred**, because OC's page is not readable past that
point, and is kept in this one module as named constants:

* the request's SKU filter is ``skuList[{mfSkuId}]`` (as StockSnapshot v2), empty = all;
* the answer's rows are a list under ``data`` (or under one of ``ROW_LIST_KEYS`` of an
  object ``data``), one per SKU and region (``serviceRegion``), or one per SKU with a
  ``serviceRegionList``;
* a row's buckets are a list (``BUCKET_LIST_KEYS``) of ``{ageRange "0-30", quantity}``
  items, or flat keys such as ``age0To30`` / ``days31_60`` / ``over365``;
* the last page is shorter than ``pageSize`` (or ``total`` / ``totalPage`` says so).

Buckets are kept as OC gives them (label, from-day, to-day, quantity), so a different
split of days needs no change here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from oc_integration.client.api import OCApiClient
from oc_integration.client.errors import OCMalformedResponse
from oc_integration.client.fields import first_value
from oc_integration.client.stock import parse_oc_time

STOCK_AGE_PATH = "/3pp/inventory/v1/snapshotAge"
#: Inferred: the page size limit of OC's other paged stock call (StockSnapshot v2).
PAGE_SIZE = 200
#: A query that keeps answering full pages is stopped here instead of looping forever.
MAX_PAGES = 10_000
#: Inferred request keys.
PAGE_NUMBER_KEY = "pageNumber"
PAGE_SIZE_KEY = "pageSize"
SKU_LIST_KEY = "skuList"
SKU_ID_KEY = "mfSkuId"
#: Inferred answer keys, first found wins.
ROW_LIST_KEYS = ("SKUList", "skuList", "list", "records", "rows", "inventoryAgeList")
BUCKET_LIST_KEYS = ("inventoryAgeList", "ageList", "stockAgeList", "ageDetailList", "ageRangeList")
BUCKET_LABEL_KEYS = ("ageRange", "range", "ageSection", "ageName", "stockAge")
BUCKET_QUANTITY_KEYS = ("quantity", "qty", "count", "actualCount", "inventoryQuantity")
BUCKET_FROM_KEYS = ("minDays", "ageFrom", "fromDays", "startDay")
BUCKET_TO_KEYS = ("maxDays", "ageTo", "toDays", "endDay")
SELLER_SKU_KEYS = ("sellerSkuId", "sellerSKUID", "sellerSku")
DATE_KEYS = ("snapshotTime", "snapshotDate", "statisticsDate", "ageDate", "date")
TOTAL_KEYS = ("total", "totalCount", "totalRecords")
PAGES_KEYS = ("totalPage", "totalPages", "pages")
# "0-30", "31~60 days", "0_30", "91 to 180", "age0To30", "days31_60"
_RANGE = re.compile(r"(\d+)\s*(?:-|~|_|to|To|TO)\s*(\d+)")
# "365+", ">365", "over365", "above 365", "365plus", "365Plus"
_OPEN = re.compile(r"(?:(?:>|over|above|gt)\s*(\d+))|(?:(\d+)\s*(?:\+|plus|Plus|above|more))")


@dataclass(frozen=True, slots=True)
class AgeBucket:
    """Quantity whose age is ``from_days`` to ``to_days`` days (None: and older)."""

    label: str
    from_days: int
    to_days: int | None
    quantity: int


@dataclass(frozen=True, slots=True)
class StockAgeRow:
    """One SKU in one region, with its buckets as OC gives them."""

    oc_sku: str
    seller_sku: str
    region: str
    buckets: tuple[AgeBucket, ...]
    snapshot_date: date | None


@dataclass(frozen=True)
class StockAgePage:
    rows: list[StockAgeRow]
    last: bool


def age_request(page: int, *, page_size: int = PAGE_SIZE, skus: Sequence[str] = ()) -> dict:
    """The ``data`` of one GetStockAge call."""
    if page < 1 or not 1 <= page_size <= PAGE_SIZE:
        raise ValueError(f"Pages start at 1 and hold 1 to {PAGE_SIZE} rows.")
    return {
        PAGE_NUMBER_KEY: page,
        PAGE_SIZE_KEY: page_size,
        SKU_LIST_KEY: [{SKU_ID_KEY: sku} for sku in skus],
    }


def _whole(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise OCMalformedResponse(f"Stock age: {what} {value!r} is not a number.")
    try:
        return int(str(value).strip())
    except ValueError:
        raise OCMalformedResponse(f"Stock age: {what} {value!r} is not a whole number.") from None


def bucket_days(label: str) -> tuple[int, int | None] | None:
    """The days a bucket label names ("0-30" -> (0, 30), "365+" -> (365, None))."""
    match = _RANGE.search(label)
    if match:
        low, high = int(match[1]), int(match[2])
        return (min(low, high), max(low, high))
    match = _OPEN.search(label)
    if match:
        return (int(match[1] or match[2]), None)
    return None


def _bucket_from_item(item: dict[str, Any], sku: str) -> AgeBucket:
    label = str(first_value(item, BUCKET_LABEL_KEYS) or "").strip()
    low, high = first_value(item, BUCKET_FROM_KEYS), first_value(item, BUCKET_TO_KEYS)
    days: tuple[int, int | None] | None
    if low is not None:
        days = (_whole(low, "age from"), None if high is None else _whole(high, "age to"))
    else:
        days = bucket_days(label)
    if days is None:
        raise OCMalformedResponse(f"Stock age of {sku}: age bucket {label!r} names no days.")
    quantity = first_value(item, BUCKET_QUANTITY_KEYS)
    return AgeBucket(
        label=label or f"{days[0]}-{days[1] if days[1] is not None else ''}",
        from_days=days[0],
        to_days=days[1],
        quantity=_whole(quantity if quantity is not None else 0, f"quantity of {label}"),
    )


def _buckets(row: dict[str, Any], sku: str) -> tuple[AgeBucket, ...]:
    items = first_value(row, BUCKET_LIST_KEYS)
    if isinstance(items, list):
        if not all(isinstance(item, dict) for item in items):
            raise OCMalformedResponse(f"Stock age of {sku}: the age buckets are not objects.")
        buckets = [_bucket_from_item(item, sku) for item in items]
    else:
        # Flat keys: every numeric field whose name names days is a bucket.
        buckets = []
        for key, value in row.items():
            days = bucket_days(key) if any(ch.isdigit() for ch in key) else None
            if days is None or isinstance(value, dict | list):
                continue
            buckets.append(AgeBucket(key, days[0], days[1], _whole(value, key)))
    return tuple(sorted(buckets, key=lambda b: (b.from_days, b.to_days or 10**9)))


def _snapshot_date(row: dict[str, Any]) -> date | None:
    value = first_value(row, DATE_KEYS)
    if value is None:
        return None
    text = str(value).strip()
    try:
        return parse_oc_time(text).date()
    except ValueError:
        pass
    try:
        return datetime.strptime(text[:10], "%Y-%m-%d").date()
    except ValueError:
        raise OCMalformedResponse(f"Stock age: date {value!r} is not a date.") from None


def parse_age_rows(rows: Any) -> list[StockAgeRow]:
    """Rows of one answer page, whichever inferred shape they come in."""
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise OCMalformedResponse("Stock age: the rows are not a list of objects.")
    parsed: list[StockAgeRow] = []
    for row in rows:
        oc_sku = str(row.get("MFSKUID") or row.get("mfSkuId") or "").strip()
        if not oc_sku:
            raise OCMalformedResponse("Stock age: a row has no MFSKUID.")
        seller_sku = str(first_value(row, SELLER_SKU_KEYS) or "").strip()
        moment = _snapshot_date(row)
        regions = row.get("serviceRegionList")
        per_region = regions if isinstance(regions, list) else [row]
        for region_row in per_region:
            if not isinstance(region_row, dict):
                raise OCMalformedResponse(f"Stock age of {oc_sku}: a region is not an object.")
            region = str(region_row.get("serviceRegion") or "").strip()
            if not region:
                raise OCMalformedResponse(f"Stock age of {oc_sku}: a row has no serviceRegion.")
            parsed.append(
                StockAgeRow(
                    oc_sku,
                    seller_sku,
                    region,
                    _buckets(region_row, oc_sku),
                    _snapshot_date(region_row) or moment,
                )
            )
    return parsed


def parse_age_page(data: Any, *, page: int, page_size: int) -> StockAgePage:
    """One page of the answer and whether it is the last one."""
    if data is None:
        return StockAgePage([], True)
    raw_rows: Any
    if isinstance(data, list):
        raw_rows, info = data, {}
    elif isinstance(data, dict):
        raw_rows = next((data[k] for k in ROW_LIST_KEYS if isinstance(data.get(k), list)), [])
        info = data
    else:
        raise OCMalformedResponse("Stock age: 'data' is neither a list nor an object.")
    rows = parse_age_rows(raw_rows)
    last = len(raw_rows) < page_size
    pages, total = first_value(info, PAGES_KEYS), first_value(info, TOTAL_KEYS)
    if pages is not None:
        last = last or page >= _whole(pages, "totalPage")
    elif total is not None:
        last = last or page * page_size >= _whole(total, "total")
    return StockAgePage(rows, last)


def fetch_age_pages(
    client: OCApiClient, *, skus: Sequence[str] = (), page_size: int = PAGE_SIZE
) -> Iterator[StockAgePage]:
    """Every page of the account's stock age, in order; raises on the first failed page."""
    previous: list[StockAgeRow] | None = None
    for page in range(1, MAX_PAGES + 1):
        data = age_request(page, page_size=page_size, skus=skus)
        result = parse_age_page(
            client.call("stock age", STOCK_AGE_PATH, data).data, page=page, page_size=page_size
        )
        if previous is not None and result.rows and result.rows == previous:
            # OC ignoring pageNumber would otherwise loop until MAX_PAGES.
            raise OCMalformedResponse(f"Stock age: page {page} repeats page {page - 1}.")
        yield result
        if result.last:
            return
        previous = result.rows
    raise OCMalformedResponse(f"Stock age: more than {MAX_PAGES} pages.")
