"""StockSnapshot (v1): the request and a strict parse of OC's rows."""

from __future__ import annotations

import re
import sys
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


class _RowBuilder:
    """A ``json.loads`` object hook that turns snapshot rows into compact objects as they
    are parsed, so a 100,000-SKU answer never exists as millions of dicts at once."""

    def __init__(self) -> None:
        self.rows = 0

    def bad(self, why: str) -> OCMalformedResponse:
        return OCMalformedResponse(f"Stock snapshot row {self.rows + 1}: {why}.")

    def __call__(self, obj: dict[str, Any]) -> Any:
        if "inventoryStatus" in obj:
            status, count = obj.get("inventoryStatus"), obj.get("actualCount")
            if not isinstance(status, str) or isinstance(count, bool) or not isinstance(count, int):
                raise self.bad("an inventory count is not a whole number")
            return (sys.intern(status), count)
        if "serviceRegion" in obj:
            return self._region(obj)
        if "sellerSkuId" in obj or "MFSKUID" in obj:
            row = self._row(obj)
            self.rows += 1
            return row
        return obj

    def _region(self, obj: dict[str, Any]) -> RegionStock:
        region, counts = obj.get("serviceRegion"), obj.get("inventoryList") or []
        if not isinstance(region, str) or not region.strip():
            raise self.bad("a serviceRegion has no name")
        if not isinstance(counts, list) or not all(isinstance(c, tuple) for c in counts):
            raise self.bad(f"the inventoryList of region {region} is not a list of counts")
        return RegionStock(sys.intern(region.strip()), dict(counts))

    def _row(self, raw: dict[str, Any]) -> SnapshotRow:
        oc_sku, seller_sku = raw.get("MFSKUID"), raw.get("sellerSkuId")
        if not isinstance(oc_sku, str) or not oc_sku.strip() or len(oc_sku.strip()) > 15:
            raise self.bad(f"MFSKUID {oc_sku!r} is missing or longer than 15 characters")
        if not isinstance(seller_sku, str) or not seller_sku.strip():
            raise self.bad(f"sellerSkuId is missing for MFSKUID {oc_sku}")
        try:
            moment = parse_oc_time(str(raw.get("snapshotTime") or ""))
        except ValueError:
            raise self.bad(
                f"snapshotTime {raw.get('snapshotTime')!r} is not in OC's format"
            ) from None
        regions = raw.get("serviceRegionList")
        if not isinstance(regions, list) or not all(isinstance(r, RegionStock) for r in regions):
            raise self.bad(f"serviceRegionList is missing or malformed for MFSKUID {oc_sku}")
        return SnapshotRow(oc_sku.strip(), seller_sku.strip(), moment, tuple(regions))


def _checked(data: Any) -> list[SnapshotRow]:
    if not isinstance(data, list) or not all(isinstance(r, SnapshotRow) for r in data):
        raise OCMalformedResponse("Stock snapshot: 'data' is not a list of SKU rows.")
    return data


def fetch_stock_snapshot(client: OCApiClient, oc_sku: str | None = None) -> list[SnapshotRow]:
    """Every SKU's stock (``oc_sku`` None) or one SKU's, as OC reports it right now."""
    response = client.call(
        "stock snapshot", SNAPSHOT_PATH, [{"MFSKUID": oc_sku}], object_hook=_RowBuilder()
    )
    return _checked(response.data)
