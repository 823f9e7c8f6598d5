"""StockSnapshot v2 (``POST /openapi/3pp/inventory/v2/snapshot``) over the stock catalog.

The v2 snapshot answers one row per SKU *and region*: a catalog row with regions UK and
DE becomes two rows ``{MFSKUID, serviceRegion, available, inTransit, received,
reservedAllocated, reservedHold, reservedVAS, suspend, unfulfillable}`` (a status the
row carries beyond these is answered under its own name). The request ``data`` is
``{pageNumber (from 1), pageSize (1..200), serviceRegionList [{serviceRegion}], skuList
[{mfSkuId}]}``, field names compared case-insensitively; rows come under
``data.SKUList`` with the page number and size, and no total (none was ever seen).

* An empty ``serviceRegionList`` means every region; regions match case-insensitively
  and through OC's other spellings (a catalog region "UE-South" answers a request for
  "US-South", as OC's own page prints it).
* An empty ``skuList`` reads every SKU, as real clients do, unless the control setting
  ``v2_requires_sku_list`` is on: then it is refused as OC's page says (code 400200).
* A ``pageSize`` above :data:`MAX_PAGE_SIZE` or more than :data:`MAX_SKUS_PER_CALL`
  SKUs is refused with code 400202.

Faults apply per call, so per page (see ``faults.py``: ``after`` lets page 3 fail).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from weakref import WeakKeyDictionary

from .catalog import Catalog, StockRow
from .core import OcSandbox
from .messages import OcError, Response, json_response

PATH = "/openapi/3pp/inventory/v2/snapshot"
MAX_PAGE_SIZE = 200
MAX_SKUS_PER_CALL = 200
#: Catalog status -> the v2 field it is answered under.
V2_FIELDS: dict[str, str] = {
    "AVL": "available",
    "INTRAN": "inTransit",
    "RCVD": "received",
    "RSVALOC": "reservedAllocated",
    "RSVHO": "reservedHold",
    "RSVAS": "reservedVAS",
    "UNF": "unfulfillable",
    "SUSPEND": "suspend",
}
#: Other spellings of a region (upper-cased) -> the one the filter compares.
REGION_ALIASES = {"UE-SOUTH": "US-SOUTH", "AU-SYDNEY": "AU", "AU-MELBOURNE": "AU-MEL"}

Pair = tuple[StockRow, str]
# The (row, region) pairs of a catalog by region filter, with the catalog's shape when
# they were listed: a page is a slice of them instead of a walk over 100,000 rows.
_PAIRS: WeakKeyDictionary[Catalog, dict[frozenset[str] | None, tuple[int, list[Pair]]]] = (
    WeakKeyDictionary()
)


def region_key(name: str) -> str:
    """The form regions are compared in: upper-cased, OC's other spellings resolved."""
    upper = name.strip().upper()
    return REGION_ALIASES.get(upper, upper)


def _get(item: dict[str, Any], name: str) -> Any:
    if name in item:
        return item[name]
    lowered = name.lower()
    return next((v for k, v in item.items() if k.lower() == lowered), None)


def _whole(value: Any, default: int, name: str) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise OcError(400202, f"{name} must be a whole number")
    try:
        return int(value)
    except ValueError:
        raise OcError(400202, f"{name} must be a whole number") from None


def _entries(data: dict[str, Any], list_name: str, key: str) -> list[str]:
    value = _get(data, list_name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise OcError(400202, f"{list_name} must be a list like [{{{key!r}: ...}}]")
    names = []
    for entry in value:
        name = _get(entry, key)
        if not isinstance(name, str) or not name.strip():
            raise OcError(400200, f"each entry of {list_name} needs a {key}")
        names.append(name.strip())
    return names


def _shape(catalog: Catalog) -> int:
    # Rows are only added by replacing the catalog; a move may add a region to a row.
    return sum(len(row.regions) for row in catalog.rows.values())


def _pairs(rows: Iterable[StockRow], regions: frozenset[str] | None) -> list[Pair]:
    return [
        (row, region)
        for row in rows
        for region in list(row.regions)
        if regions is None or region_key(region) in regions
    ]


def _all_pairs(catalog: Catalog, regions: frozenset[str] | None) -> list[Pair]:
    cached = _PAIRS.setdefault(catalog, {})
    shape = _shape(catalog)
    hit = cached.get(regions)
    if hit is None or hit[0] != shape:
        hit = cached[regions] = (shape, _pairs(catalog.rows.values(), regions))
    return hit[1]


def v2_row(row: StockRow, region: str) -> dict[str, Any]:
    """One SKU in one region as StockSnapshot v2 answers it."""
    answer: dict[str, Any] = {"MFSKUID": row.mfskuid, "serviceRegion": region}
    answer.update(dict.fromkeys(V2_FIELDS.values(), 0))
    counts = row.regions.get(region) or [0] * len(row.statuses)
    for status, count in zip(row.statuses, counts, strict=True):
        answer[V2_FIELDS.get(status, status)] = count
    return answer


def snapshot_v2(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    """Serve one page of the v2 snapshot (the caller holds the sandbox lock)."""
    data = envelope.get("data")
    if not isinstance(data, dict):
        raise OcError(400202, "data must be an object with pageNumber and pageSize")
    page = _whole(_get(data, "pageNumber"), 1, "pageNumber")
    size = _whole(_get(data, "pageSize"), MAX_PAGE_SIZE, "pageSize")
    if page < 1:
        raise OcError(400202, "pageNumber starts at 1")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise OcError(400202, f"pageSize must be 1 to {MAX_PAGE_SIZE}")
    asked_regions = _entries(data, "serviceRegionList", "serviceRegion")
    regions = frozenset(region_key(r) for r in asked_regions) if asked_regions else None
    skus = _entries(data, "skuList", "mfSkuId")
    if len(skus) > MAX_SKUS_PER_CALL:
        raise OcError(400202, f"skuList takes at most {MAX_SKUS_PER_CALL} entries")
    if skus:
        pairs = _pairs(sandbox.catalog.select(skus), regions)
    elif sandbox.config.v2_requires_sku_list:
        raise OcError(400200, "skuList requires at least one SKU")
    else:
        pairs = _all_pairs(sandbox.catalog, regions)
    chosen = pairs[(page - 1) * size : page * size]
    rows = [v2_row(row, region) for row, region in chosen]
    # OC's success envelope, as api.success builds it (api imports this module).
    return json_response(
        {
            "code": 0,
            "message": "success",
            "messageId": envelope.get("messageId"),
            "data": {"pageNumber": page, "pageSize": size, "SKUList": rows},
            "success": True,
        }
    )
