"""StockSnapshot (v1): the request and a strict parse of OC's rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from oc_integration.client.api import OCApiClient
from oc_integration.client.errors import OCMalformedResponse

SNAPSHOT_PATH = "/3pp/inventory/v1/snapshot"

# OC writes "2021-10-22T09:56:41+0800" and also "2018-11-28T20:09:57:001+0800"
# (milliseconds after a colon); a dot, "Z" and "+08:00" are accepted too.
_OC_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[:.](\d{1,6}))?"
    r"(Z|[+-]\d{2}:?\d{2})$"
)


def parse_oc_time(text: str) -> datetime:
    """An aware datetime from OC's time formats; ``ValueError`` for anything else."""
    match = _OC_TIME.match(text.strip())
    if not match:
        raise ValueError(f"not an OC time: {text!r}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micros = int((fraction or "0").ljust(6, "0")[:6])
    if offset == "Z":
        tz = UTC
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micros, tzinfo=tz
    )


def format_oc_time(moment: datetime) -> str:
    """OC's ``yyyy-MM-dd'T'HH:mm:ssZ`` (offset without colon)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


@dataclass(frozen=True, slots=True)
class RegionStock:
    """The counts of one service region, by OC inventory status (AVL, INTRAN, …)."""

    region: str
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    """One SKU of a stock snapshot."""

    oc_sku: str
    seller_sku: str
    snapshot_time: datetime
    regions: tuple[RegionStock, ...]


def _row(index: int, raw: Any) -> SnapshotRow:
    def bad(why: str) -> OCMalformedResponse:
        return OCMalformedResponse(f"Stock snapshot row {index + 1}: {why}.")

    if not isinstance(raw, dict):
        raise bad("not an object")
    oc_sku, seller_sku = raw.get("MFSKUID"), raw.get("sellerSkuId")
    if not isinstance(oc_sku, str) or not oc_sku.strip() or len(oc_sku.strip()) > 15:
        raise bad(f"MFSKUID {oc_sku!r} is missing or longer than 15 characters")
    if not isinstance(seller_sku, str) or not seller_sku.strip():
        raise bad(f"sellerSkuId is missing for MFSKUID {oc_sku}")
    try:
        moment = parse_oc_time(str(raw.get("snapshotTime") or ""))
    except ValueError:
        raise bad(f"snapshotTime {raw.get('snapshotTime')!r} is not in OC's format") from None
    regions = []
    region_list = raw.get("serviceRegionList")
    if not isinstance(region_list, list):
        raise bad(f"serviceRegionList is missing for MFSKUID {oc_sku}")
    for entry in region_list:
        if not isinstance(entry, dict) or not isinstance(entry.get("serviceRegion"), str):
            raise bad(f"a serviceRegion of MFSKUID {oc_sku} has no name")
        counts: dict[str, int] = {}
        for item in entry.get("inventoryList") or []:
            status = item.get("inventoryStatus") if isinstance(item, dict) else None
            count = item.get("actualCount") if isinstance(item, dict) else None
            if not isinstance(status, str) or isinstance(count, bool) or not isinstance(count, int):
                raise bad(f"an inventory count of MFSKUID {oc_sku} is not a whole number")
            counts[status] = count
        regions.append(RegionStock(entry["serviceRegion"].strip(), counts))
    return SnapshotRow(oc_sku.strip(), seller_sku.strip(), moment, tuple(regions))


def parse_snapshot(data: Any) -> list[SnapshotRow]:
    """Every row of ``data``, or :class:`OCMalformedResponse` if any row is not well-formed."""
    if not isinstance(data, list):
        raise OCMalformedResponse("Stock snapshot: 'data' is not a list of SKUs.")
    return [_row(index, raw) for index, raw in enumerate(data)]


def fetch_stock_snapshot(client: OCApiClient, oc_sku: str | None = None) -> list[SnapshotRow]:
    """Every SKU's stock (``oc_sku`` None) or one SKU's, as OC reports it right now."""
    response = client.call("stock snapshot", SNAPSHOT_PATH, [{"MFSKUID": oc_sku}])
    return parse_snapshot(response.data)
