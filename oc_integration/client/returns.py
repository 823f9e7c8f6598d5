"""OC Returns 2.0: return orders, return labels, cancelling an RMA or updating its return
tracking, and the returned-stock snapshot.

OC's reference gives little more than the four paths and methods (stated):
``GET /3pp/returns/v1/query/orders``, ``GET /3pp/returns/v1/query/label`` (both take a
body), ``POST /3pp/returns/v1/cancel/rma`` (``data`` starts with ``orderNumber``) and
``POST /3pp/returns/v1/query/stock`` (``data.serviceType``, example ``SKU``, and
``data.uniqueIdList``). Everything else here is **inferred** and made once, as a named
constant of this module: the body of the two GETs (OC's JSON envelope, not form data),
the query window, paging and filters, every field name of a return order and its items,
the status words and what they mean, the action field of the cancel/tracking call, the
label's answer, and the returned-stock rows. Several spellings of a field are read where
a guess could be wrong; unknown fields are ignored.

Not covered because OC publishes nothing about them: linking returned items to SKUs,
ERP-submitted return orders, the fee detail query.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from oc_integration.client.api import OCApiClient
from oc_integration.client.errors import OCError, OCMalformedResponse
from oc_integration.client.fields import first_text, first_value
from oc_integration.client.label_files import label_pdf, label_reader
from oc_integration.client.stock import format_oc_time, parse_oc_time

# --- paths and methods (stated) -------------------------------------------------------------
QUERY_ORDERS_PATH = "/3pp/returns/v1/query/orders"
LABEL_PATH = "/3pp/returns/v1/query/label"
CANCEL_PATH = "/3pp/returns/v1/cancel/rma"
STOCK_PATH = "/3pp/returns/v1/query/stock"
#: Stated: both queries are GETs. Inferred: they carry OC's usual JSON envelope as the body.
QUERY_METHOD = "GET"

# --- the return order query (inferred) ---------------------------------------------------
#: The window of one query, as OC's other queries (inbound, movements): under 7 days.
MAX_WINDOW = timedelta(days=7)
PAGE_SIZE = 100
MAX_PAGES = 1000
#: At most this many return order numbers in one query's ``orderNumberList``.
MAX_NUMBERS_PER_QUERY = 100
START_FIELD, END_FIELD = "startTime", "endTime"
PAGE_FIELD, PAGE_SIZE_FIELD = "pageNumber", "pageSize"
NUMBER_LIST_FIELD = "orderNumberList"

#: Where a paged answer holds its rows and totals.
ROW_LIST_FIELDS = ("returnOrderList", "orderList", "list", "rows", "records")
TOTAL_FIELDS = ("total", "totalCount", "totalNum")
PAGES_FIELDS = ("pages", "totalPage", "totalPages")

#: The fields of a return order row, each with the spellings read (first found wins).
RETURN_NUMBER_FIELDS = ("orderNumber", "returnOrderNumber", "rmaNumber", "RMANumber")
OUTBOUND_NUMBER_FIELDS = ("outboundOrderNumber", "originalOrderNumber", "outboundNumber")
REFERENCE_FIELDS = ("referenceNumber", "sellerReferenceNumber", "originalReferenceNumber")
EBAY_ORDER_FIELDS = ("ebayOrderId", "platformOrderId")
STATUS_FIELDS = ("status", "returnStatus", "orderStatus")
REASON_FIELDS = ("returnReason", "reason", "reasonDescription")
REASON_CODE_FIELDS = ("returnReasonCode", "reasonCode")
REGION_FIELDS = ("serviceRegion", "region", "warehouseRegion")
TRACKING_FIELDS = ("trackingNumber", "returnTrackingNumber")
CARRIER_CODE_FIELDS = ("carrierCode", "returnCarrierCode", "LMCarrierCode")
CARRIER_NAME_FIELDS = ("carrierName", "returnCarrierName", "LMCarrierName")
CREATED_FIELDS = ("createTime", "creationTime", "orderCreationTime")
UPDATED_FIELDS = ("updateTime", "lastModifiedTime", "modifiedTime")
ITEM_LIST_FIELDS = ("itemList", "SKUList", "skuList", "productList")
ITEM_SKU_FIELDS = ("MFSKUID", "mfSkuId", "mfskuid", "OCSKUID")
ITEM_SELLER_SKU_FIELDS = ("sellerSKUID", "sellerSkuId", "sellerSKU")
ITEM_QUANTITY_FIELDS = ("quantity", "returnQuantity", "SKUQuantity")
ITEM_RECEIVED_FIELDS = ("receivedQuantity", "actualQuantity")
ITEM_CONDITION_FIELDS = ("condition", "inspectionResult", "itemCondition")

#: What a status word means (compared in lower case, ``_``/``-`` read as spaces).
CREATED = "created"
IN_TRANSIT = "in_transit"
RECEIVED = "received"
COMPLETED = "completed"
CANCELLED = "cancelled"
UNKNOWN = "unknown"
STATUS_MEANINGS = {
    "created": CREATED,
    "pending": CREATED,
    "label created": CREATED,
    "awaiting return": CREATED,
    "in transit": IN_TRANSIT,
    "shipped": IN_TRANSIT,
    "returning": IN_TRANSIT,
    "received": RECEIVED,
    "arrived": RECEIVED,
    "inspected": RECEIVED,
    "processed": COMPLETED,
    "completed": COMPLETED,
    "closed": COMPLETED,
    "restocked": COMPLETED,
    "cancelled": CANCELLED,
    "canceled": CANCELLED,
}

# --- cancel RMA / update return tracking (inferred beyond ``orderNumber``) ------------------
ACTION_FIELD = "operationType"
CANCEL_ACTION = "CANCEL"
UPDATE_TRACKING_ACTION = "UPDATE_TRACKING"
CANCEL_REASON_FIELD = "cancelReason"
CANCEL_TIME_FIELD = "cancelTime"
TRACKING_NUMBER_FIELD = "trackingNumber"
CARRIER_CODE_FIELD = "carrierCode"
CARRIER_NAME_FIELD = "carrierName"
CANCEL_REASON_MAX_LENGTH = 200
TRACKING_NUMBER_MAX_LENGTH = 50
CARRIER_MAX_LENGTH = 50

# --- the return label (inferred) -----------------------------------------------------------
LABEL_FILE_FIELDS = ("labelFile", "fileContent", "label", "pdf", "file")

# --- the returned-stock snapshot (``serviceType`` and ``uniqueIdList`` stated) ---------------
STOCK_SERVICE_TYPE = "SKU"
MAX_SKUS_PER_STOCK_QUERY = 200
STOCK_ROW_SKU_FIELDS = ("uniqueId", "MFSKUID", "mfSkuId")
#: The counts of a row: OC's field -> the word Hemi stores it under.
STOCK_COUNT_FIELDS = {
    "returnedQuantity": "returned",
    "sellableQuantity": "sellable",
    "unsellableQuantity": "unsellable",
    "pendingQuantity": "pending",
}


class OCNoReturnLabel(OCError):
    """OC answered, but with no return label PDF."""


_read_label = label_reader(OCNoReturnLabel)


# --- reading rows ------------------------------------------------------------------------
def _text(row: dict[str, Any], names: Sequence[str]) -> str:
    return first_text(row, names)


def _count(row: dict[str, Any], names: Sequence[str], what: str) -> int:
    value = first_value(row, names)
    if value is None:
        return 0
    if isinstance(value, bool):
        raise OCMalformedResponse(f"{what} {value!r} is not a whole number.")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise OCMalformedResponse(f"{what} {value!r} is not a whole number.") from None
    if number < 0:
        raise OCMalformedResponse(f"{what} {number} is negative.")
    return number


def _moment(row: dict[str, Any], names: Sequence[str], what: str) -> datetime | None:
    value = _text(row, names)
    if not value:
        return None
    try:
        return parse_oc_time(value)
    except ValueError:
        raise OCMalformedResponse(f"{what} {value!r} is not one of OC's times.") from None


def meaning_of(status: str) -> str:
    """What OC's status word means: one of the module's meanings, ``UNKNOWN`` if new."""
    word = status.strip().lower().replace("_", " ").replace("-", " ")
    return STATUS_MEANINGS.get(" ".join(word.split()), UNKNOWN)


@dataclass(frozen=True)
class ReturnItem:
    """One SKU of a return order: how many units the buyer sends back, how many arrived."""

    oc_sku: str
    seller_sku: str
    quantity: int
    received_quantity: int
    condition: str


@dataclass(frozen=True)
class ReturnState:
    """One return order as OC reports it."""

    return_number: str
    outbound_number: str
    reference_number: str
    ebay_order_id: str
    region: str
    status: str
    reason_code: str
    reason: str
    tracking_number: str
    carrier_code: str
    carrier_name: str
    created_at: datetime | None
    updated_at: datetime | None
    items: tuple[ReturnItem, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def meaning(self) -> str:
        """What the status means (``CREATED``, ``IN_TRANSIT``, …)."""
        return meaning_of(self.status)


def parse_item(item: Any) -> ReturnItem:
    """One item of a return order row."""
    if not isinstance(item, dict):
        raise OCMalformedResponse("Return order query: an item is not an object.")
    return ReturnItem(
        oc_sku=_text(item, ITEM_SKU_FIELDS)[:15],
        seller_sku=_text(item, ITEM_SELLER_SKU_FIELDS)[:64],
        quantity=_count(item, ITEM_QUANTITY_FIELDS, "Return item quantity"),
        received_quantity=_count(item, ITEM_RECEIVED_FIELDS, "Return item received quantity"),
        condition=_text(item, ITEM_CONDITION_FIELDS)[:32],
    )


def parse_return(row: Any) -> ReturnState:
    """One row of the return order query; ``OCMalformedResponse`` without its number."""
    if not isinstance(row, dict):
        raise OCMalformedResponse("Return order query: a row is not an object.")
    number = _text(row, RETURN_NUMBER_FIELDS)
    if not number or len(number) > 40:
        raise OCMalformedResponse(
            f"Return order query: the return order number {number!r} is missing or too long."
        )
    items = first_value(row, ITEM_LIST_FIELDS)
    return ReturnState(
        return_number=number,
        outbound_number=_text(row, OUTBOUND_NUMBER_FIELDS)[:32],
        reference_number=_text(row, REFERENCE_FIELDS)[:64],
        ebay_order_id=_text(row, EBAY_ORDER_FIELDS)[:32],
        region=_text(row, REGION_FIELDS)[:16],
        status=_text(row, STATUS_FIELDS)[:32],
        reason_code=_text(row, REASON_CODE_FIELDS)[:32],
        reason=_text(row, REASON_FIELDS)[:255],
        tracking_number=_text(row, TRACKING_FIELDS)[:64],
        carrier_code=_text(row, CARRIER_CODE_FIELDS)[:32],
        carrier_name=_text(row, CARRIER_NAME_FIELDS)[:64],
        created_at=_moment(row, CREATED_FIELDS, "Return order creation time"),
        updated_at=_moment(row, UPDATED_FIELDS, "Return order update time"),
        items=tuple(parse_item(i) for i in items) if isinstance(items, list) else (),
        raw=row,
    )


@dataclass(frozen=True)
class Page:
    """One page of a paged answer and whether OC has more after it."""

    rows: tuple[Any, ...]
    has_more: bool


def _page_of(data: Any, *, page: int, size: int, what: str) -> Page:
    """The rows of a paged answer (a bare list, or an object with a list and totals)."""
    if data is None:
        return Page((), False)
    if isinstance(data, list):
        return Page(tuple(data), len(data) >= size)
    if not isinstance(data, dict):
        raise OCMalformedResponse(f"{what}: 'data' is neither a list nor an object.")
    rows = next((data[k] for k in ROW_LIST_FIELDS if isinstance(data.get(k), list)), None)
    if rows is None:
        raise OCMalformedResponse(f"{what}: the answer holds no list of rows.")
    pages, total = first_value(data, PAGES_FIELDS), first_value(data, TOTAL_FIELDS)
    try:
        if pages is not None:
            return Page(tuple(rows), page < int(pages))
        if total is not None:
            return Page(tuple(rows), page * size < int(total))
    except (TypeError, ValueError):
        raise OCMalformedResponse(f"{what}: bad paging totals {total!r} / {pages!r}.") from None
    return Page(tuple(rows), len(rows) >= size)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def query_windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """``start`` to ``end`` cut into windows OC answers, oldest first."""
    windows = []
    cursor = start
    while cursor < end:
        stop = min(cursor + MAX_WINDOW, end)
        windows.append((cursor, stop))
        cursor = stop
    return windows


def query_request(
    *,
    page: int,
    start: datetime | None = None,
    end: datetime | None = None,
    return_numbers: Sequence[str] = (),
    size: int = PAGE_SIZE,
) -> dict[str, Any]:
    """The ``data`` of the return order query: a window (returns created or changed in
    it) or return order numbers, and the page."""
    data: dict[str, Any] = {PAGE_FIELD: page, PAGE_SIZE_FIELD: size}
    if return_numbers:
        if len(return_numbers) > MAX_NUMBERS_PER_QUERY:
            raise ValueError(f"At most {MAX_NUMBERS_PER_QUERY} return order numbers per query.")
        data[NUMBER_LIST_FIELD] = list(return_numbers)
        return data
    if start is None or end is None:
        raise ValueError("A return order query needs a window or return order numbers.")
    if end <= start:
        raise ValueError("A return order query window must end after it starts.")
    if end - start > MAX_WINDOW:
        raise ValueError("OC answers return order queries for windows of under 7 days.")
    data[START_FIELD] = format_oc_time(_utc(start))
    data[END_FIELD] = format_oc_time(_utc(end))
    return data


def _query_pages(client: OCApiClient, **filters: Any) -> Iterator[ReturnState]:
    previous: tuple[str, ...] = ()
    for page in range(1, MAX_PAGES + 1):
        answer = client.call(
            "return order query",
            QUERY_ORDERS_PATH,
            query_request(page=page, **filters),
            method=QUERY_METHOD,
            body_on_get=True,
        ).data
        result = _page_of(answer, page=page, size=PAGE_SIZE, what="Return order query")
        states = [parse_return(row) for row in result.rows]
        keys = tuple(state.return_number for state in states)
        if keys and keys == previous:
            raise OCMalformedResponse(
                f"Return order query: OC answered page {page} with the rows of page {page - 1}."
            )
        previous = keys
        yield from states
        if not result.has_more or not states:
            return
    raise OCMalformedResponse(f"Return order query: more than {MAX_PAGES} pages.")


def query_returns(client: OCApiClient, *, start: datetime, end: datetime) -> list[ReturnState]:
    """Every return order created or changed from ``start`` to ``end`` (one window)."""
    return list(_query_pages(client, start=start, end=end))


def find_returns(client: OCApiClient, return_numbers: Sequence[str]) -> list[ReturnState]:
    """The return orders with these numbers (those OC knows)."""
    found: list[ReturnState] = []
    wanted = list(dict.fromkeys(n for n in return_numbers if n))
    for at in range(0, len(wanted), MAX_NUMBERS_PER_QUERY):
        chunk = wanted[at : at + MAX_NUMBERS_PER_QUERY]
        found.extend(_query_pages(client, return_numbers=chunk))
    return found


# --- the return label ------------------------------------------------------------------
def fetch_label(client: OCApiClient, return_number: str) -> bytes:
    """The return label of one return order, as a PDF.

    OC may answer with the PDF itself or with its envelope holding the PDF in base64
    (inferred); both are read. ``OCNoReturnLabel`` when there is none.
    """
    if not return_number.strip():
        raise ValueError("The return order has no OC return order number.")
    response = client.call(
        "return label",
        LABEL_PATH,
        {"orderNumber": return_number},
        method=QUERY_METHOD,
        body_on_get=True,
        body_reader=_read_label,
    )
    return label_pdf(
        response.data,
        fields=LABEL_FILE_FIELDS,
        error=OCNoReturnLabel,
        what=f"return {return_number}",
        correlation_id=response.message_id,
    )


# --- cancel the RMA / update its return tracking ------------------------------------------
@dataclass(frozen=True)
class RmaChange:
    """What OC answered to a cancellation or a tracking update."""

    return_number: str
    status: str
    tracking_number: str = ""


def cancel_problems(reason: str) -> list[tuple[str, str]]:
    """(field, problem) for a cancellation reason (empty: it may be sent)."""
    reason = reason.strip()
    if not reason:
        return [("reason", "Give a reason: OC keeps it with the cancellation.")]
    if len(reason) > CANCEL_REASON_MAX_LENGTH:
        return [("reason", f"At most {CANCEL_REASON_MAX_LENGTH} characters.")]
    return []


def tracking_problems(
    tracking_number: str, carrier_code: str, carrier_name: str = ""
) -> list[tuple[str, str]]:
    """(field, problem) for a return tracking update (empty: it may be sent)."""
    problems = []
    number = tracking_number.strip()
    if not number:
        problems.append(("tracking_number", "Enter the carrier's tracking number."))
    elif len(number) > TRACKING_NUMBER_MAX_LENGTH:
        problems.append(("tracking_number", f"At most {TRACKING_NUMBER_MAX_LENGTH} characters."))
    elif not number.replace("-", "").isalnum():
        problems.append(("tracking_number", "Only letters, digits and hyphens."))
    if not carrier_code.strip():
        problems.append(("carrier_code", "Enter the carrier (its code, e.g. RoyalMail)."))
    elif len(carrier_code.strip()) > CARRIER_MAX_LENGTH:
        problems.append(("carrier_code", f"At most {CARRIER_MAX_LENGTH} characters."))
    if len(carrier_name.strip()) > CARRIER_MAX_LENGTH:
        problems.append(("carrier_name", f"At most {CARRIER_MAX_LENGTH} characters."))
    return problems


def cancel_request(return_number: str, reason: str, *, at: datetime) -> dict[str, Any]:
    """The ``data`` that cancels one RMA."""
    problems = cancel_problems(reason)
    if problems:
        raise ValueError(problems[0][1])
    return {
        "orderNumber": return_number,
        ACTION_FIELD: CANCEL_ACTION,
        CANCEL_REASON_FIELD: reason.strip(),
        CANCEL_TIME_FIELD: format_oc_time(_utc(at)),
    }


def tracking_request(
    return_number: str, tracking_number: str, carrier_code: str, carrier_name: str = ""
) -> dict[str, Any]:
    """The ``data`` that updates one RMA's return tracking."""
    problems = tracking_problems(tracking_number, carrier_code, carrier_name)
    if problems:
        raise ValueError(problems[0][1])
    data = {
        "orderNumber": return_number,
        ACTION_FIELD: UPDATE_TRACKING_ACTION,
        TRACKING_NUMBER_FIELD: tracking_number.strip(),
        CARRIER_CODE_FIELD: carrier_code.strip(),
    }
    if carrier_name.strip():
        data[CARRIER_NAME_FIELD] = carrier_name.strip()
    return data


def _change_of(data: Any, return_number: str) -> RmaChange:
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        # A bare success: OC did it, without saying how the return stands now.
        return RmaChange(return_number, "")
    return RmaChange(
        _text(data, RETURN_NUMBER_FIELDS) or return_number,
        _text(data, STATUS_FIELDS),
        _text(data, TRACKING_FIELDS),
    )


def cancel_rma(client: OCApiClient, return_number: str, reason: str, *, at: datetime) -> RmaChange:
    """Cancel one RMA at OC (OC refuses once the parcel is on its way back)."""
    data = cancel_request(return_number, reason, at=at)
    return _change_of(client.call("return cancel", CANCEL_PATH, data).data, return_number)


def update_tracking(
    client: OCApiClient,
    return_number: str,
    tracking_number: str,
    carrier_code: str,
    carrier_name: str = "",
) -> RmaChange:
    """Give OC the tracking number the buyer's return parcel travels under."""
    data = tracking_request(return_number, tracking_number, carrier_code, carrier_name)
    answer = client.call("return tracking update", CANCEL_PATH, data).data
    return _change_of(answer, return_number)


# --- the returned-stock snapshot ----------------------------------------------------------
@dataclass(frozen=True)
class ReturnedStockRow:
    """Returned units of one OC SKU in one region, by what OC counts."""

    oc_sku: str
    region: str
    returned: int
    counts: dict[str, int]


def stock_request(oc_skus: Sequence[str], *, page: int, size: int = PAGE_SIZE) -> dict[str, Any]:
    """The ``data`` of the returned-stock snapshot for these OC SKUs."""
    if not oc_skus:
        raise ValueError("Name at least one OC SKU.")
    if len(oc_skus) > MAX_SKUS_PER_STOCK_QUERY:
        raise ValueError(f"At most {MAX_SKUS_PER_STOCK_QUERY} OC SKUs per returned-stock query.")
    return {
        "serviceType": STOCK_SERVICE_TYPE,
        "uniqueIdList": list(oc_skus),
        PAGE_FIELD: page,
        PAGE_SIZE_FIELD: size,
    }


def parse_stock_row(row: Any) -> ReturnedStockRow:
    """One row of the returned-stock snapshot."""
    if not isinstance(row, dict):
        raise OCMalformedResponse("Returned-stock snapshot: a row is not an object.")
    oc_sku = _text(row, STOCK_ROW_SKU_FIELDS)
    region = _text(row, REGION_FIELDS)
    if not oc_sku or len(oc_sku) > 15 or not region:
        raise OCMalformedResponse(
            f"Returned-stock snapshot: a row lacks its SKU or region ({oc_sku!r}, {region!r})."
        )
    counts = {
        word: _count(row, (name,), f"Returned-stock {name}")
        for name, word in STOCK_COUNT_FIELDS.items()
        if row.get(name) not in (None, "")
    }
    returned = counts.get("returned")
    if returned is None:
        returned = counts.get("sellable", 0) + counts.get("unsellable", 0)
    return ReturnedStockRow(oc_sku, region[:50], returned, counts)


def returned_stock(client: OCApiClient, oc_skus: Sequence[str]) -> list[ReturnedStockRow]:
    """The returned-stock snapshot of these OC SKUs, in batches and pages OC accepts."""
    found: list[ReturnedStockRow] = []
    wanted = list(dict.fromkeys(s for s in oc_skus if s))
    for at in range(0, len(wanted), MAX_SKUS_PER_STOCK_QUERY):
        chunk = wanted[at : at + MAX_SKUS_PER_STOCK_QUERY]
        for page in range(1, MAX_PAGES + 1):
            answer = client.call(
                "returned-stock snapshot", STOCK_PATH, stock_request(chunk, page=page)
            ).data
            result = _page_of(answer, page=page, size=PAGE_SIZE, what="Returned-stock snapshot")
            found.extend(parse_stock_row(row) for row in result.rows)
            if not result.has_more or not result.rows:
                break
        else:
            raise OCMalformedResponse(f"Returned-stock snapshot: more than {MAX_PAGES} pages.")
    return found
