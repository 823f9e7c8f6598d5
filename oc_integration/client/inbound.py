"""Inbound orders at OC: creation, list and detail queries, labels, tracking, clearance.

Request builders are pure functions over typed objects; answers become typed rows. Every
choice OC's reference leaves open is made here, once, as a named constant, marked
*inferred* where it is made:

* Stated by OC: the six paths but the list query's, the creation fields and their allowed
  values (``shippingMethod`` TK/EX, ``transportMethod`` OF/AF/RF/TK), the ETA as a date
  with offset (``2018-11-28+0800``), the detail query's filters (``startTime``,
  ``endTime`` less than 7 days apart and at most a year back, ``inboundNumberList``,
  ``sellerinboundNumberList`` with its lower-case ``i``), the detail row's ``asnList``,
  ``batchList``, ``bookingNumber``, ``fileList``, the label request
  (``inboundOrderList[{inboundOrder}]``), the tracking upload and the clearance file types
  PL, IN, BL, MAWB.
* Inferred: the list query's path (``/3pp/inbound/v1/query``, from another integrator's
  code) and rows; the creation answer (OC's inbound number, read from several spellings);
  the detail row's status, region, time and per-SKU quantities (``STATUS_FIELDS``,
  ``SKU_LIST_FIELDS``, ``SENT_FIELDS``, ``RECEIVED_FIELDS``); every status word and what it
  means (``STATUS_MEANINGS``); the label answer (a PDF, or base64 in the envelope); the
  clearance file as base64, its allowed file name endings and its size limit.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from oc_integration.client.api import OCApiClient
from oc_integration.client.errors import OCError, OCMalformedResponse
from oc_integration.client.fields import first_text, first_value
from oc_integration.client.label_files import label_pdf, label_reader
from oc_integration.client.stock import format_oc_time, parse_oc_time

CREATION_PATH = "/3pp/inbound/v1/creation"
#: Inferred: OC's page for the list query was never found; another integrator posts here.
LIST_PATH = "/3pp/inbound/v1/query"
DETAIL_PATH = "/3pp/inbound/v1/detail"
LABEL_PATH = "/3pp/inbound/v1/query/labels"
TRACKING_PATH = "/3pp/inbound/v1/upload/shipment-file"
CLEARANCE_PATH = "/3pp/inbound/v1/upload/customs-clearance-file"

# --- OC's field rules (stated values; inferred lengths) ------------------------------
SHIPPING_METHODS = {"TK": "Truck", "EX": "Express"}
TRANSPORT_METHODS = {"OF": "Ocean freight", "AF": "Air freight", "RF": "Rail", "TK": "Truck"}
#: Stated codes; the words are inferred (OC's page cuts the list off after MAWB).
CLEARANCE_FILE_TYPES = {
    "PL": "Packing list",
    "IN": "Commercial invoice",
    "BL": "Bill of lading",
    "MAWB": "Master air waybill",
}
#: Inferred: OC's examples are PDFs; scans and spreadsheets are what customs papers are.
CLEARANCE_FILE_ENDINGS = (".pdf", ".jpg", ".jpeg", ".png", ".xls", ".xlsx")
#: Inferred: OC states no size limit; 10 MB keeps a base64 body reasonable.
CLEARANCE_MAX_BYTES = 10 * 1024 * 1024
SELLER_INBOUND_NUMBER_MAX_LENGTH = 50  # inferred, like other OC reference numbers
SELLER_CARTON_NUMBER_MAX_LENGTH = 50  # inferred
INBOUND_NUMBER_MAX_LENGTH = 100  # stated (tracking upload)
REFERENCE_NUMBER_MAX_LENGTH = 50  # stated (tracking upload)
TRACKING_NUMBER_MAX_LENGTH = 50  # inferred
CARRIER_MAX_LENGTH = 50  # inferred
VAT_MAX_LENGTH = 50  # inferred
#: Stated: end - start must stay under 7 days, start at most a year back.
MAX_WINDOW = timedelta(days=7) - timedelta(seconds=1)
MAX_LOOKBACK = timedelta(days=365)
#: Inferred: OC states no limit on the number lists; OC's other lists take 100 to 200.
MAX_NUMBERS_PER_QUERY = 100
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_OFFSET = re.compile(r"^[+-]\d{4}$")

# --- what OC's status words mean (inferred: OC publishes no list) --------------------
CREATED = "created"
IN_TRANSIT = "in_transit"
ARRIVED = "arrived"
RECEIVING = "receiving"
RECEIVED = "received"
CANCELLED = "cancelled"
UNKNOWN = "unknown"
#: Upper-cased status words (or numbers) -> their meaning; others are "unknown".
STATUS_MEANINGS: dict[str, str] = {
    "CREATED": CREATED,
    "PENDING": CREATED,
    "WAIT_SHIP": CREATED,
    "TO_BE_SHIPPED": CREATED,
    "0": CREATED,
    "SHIPPED": IN_TRANSIT,
    "IN_TRANSIT": IN_TRANSIT,
    "INTRANSIT": IN_TRANSIT,
    "1": IN_TRANSIT,
    "ARRIVED": ARRIVED,
    "DELIVERED": ARRIVED,
    "2": ARRIVED,
    "RECEIVING": RECEIVING,
    "PUTAWAY": RECEIVING,
    "PARTIALLY_RECEIVED": RECEIVING,
    "3": RECEIVING,
    "RECEIVED": RECEIVED,
    "COMPLETED": RECEIVED,
    "FINISHED": RECEIVED,
    "4": RECEIVED,
    "CANCELLED": CANCELLED,
    "CANCELED": CANCELLED,
    "9": CANCELLED,
}
#: Meanings after which OC changes nothing any more: the status sync stops asking.
FINAL_MEANINGS = frozenset({RECEIVED, CANCELLED})
STATUS_FIELDS = ("status", "inboundStatus", "orderStatus", "inboundOrderStatus")
CHANGED_FIELDS = ("statusTime", "updateTime", "lastModifiedTime", "modifiedTime")
CREATED_FIELDS = ("createTime", "creationTime", "createdTime")
REGION_FIELDS = ("serviceRegion", "region", "warehouseCode")
SKU_LIST_FIELDS = ("skuList", "productList", "inboundSkuList", "skuDetailList")
SKU_FIELDS = ("mfskuid", "MFSKUID", "mfSkuId", "OCSKUID")
SENT_FIELDS = ("quantity", "planQuantity", "expectedQuantity", "sentQuantity")
RECEIVED_FIELDS = ("receivedQuantity", "receiveQuantity", "actualQuantity", "putawayQuantity")
ROW_LIST_FIELDS = ("inboundOrderList", "list", "rows", "records")


def meaning_of(status: str) -> str:
    """Created, in transit, arrived, receiving, received, cancelled or unknown (inferred)."""
    word = status.strip().upper()
    return STATUS_MEANINGS.get(word, UNKNOWN) if word else UNKNOWN


def format_eta(day: date, offset: str = "+0000") -> str:
    """OC's ETA: the date with a colon-less offset (``2018-11-28+0800``)."""
    if not _OFFSET.match(offset):
        raise ValueError(f"An offset looks like +0800, not {offset!r}.")
    return f"{day:%Y-%m-%d}{offset}"


# --- PlaceInboundOrder ------------------------------------------------------------------
@dataclass(frozen=True)
class InboundLine:
    """One OC SKU and how many units of it a carton holds."""

    oc_sku: str
    quantity: int


@dataclass(frozen=True)
class InboundCarton:
    seller_carton_number: str
    lines: tuple[InboundLine, ...]
    origin_country: str = ""
    label_size: str = ""


@dataclass(frozen=True)
class InboundDraft:
    """Everything PlaceInboundOrder sends for one inbound order."""

    seller_inbound_number: str
    region: str
    shipping_from: str
    shipping_method: str
    eta: date
    cartons: tuple[InboundCarton, ...]
    transport_method: str = ""
    vat: str = ""
    eta_offset: str = "+0000"


def draft_problems(draft: InboundDraft, *, today: date | None = None) -> list[tuple[str, str]]:
    """OC's rules broken by ``draft``, as (field, problem) pairs; empty: OC may be sent it."""
    problems: list[tuple[str, str]] = []

    def problem(name: str, text: str) -> None:
        problems.append((name, text))

    number = draft.seller_inbound_number.strip()
    if not number:
        problem("seller_inbound_number", "The seller inbound number is required.")
    elif len(number) > SELLER_INBOUND_NUMBER_MAX_LENGTH:
        problem(
            "seller_inbound_number",
            f"The seller inbound number is longer than {SELLER_INBOUND_NUMBER_MAX_LENGTH}.",
        )
    if not draft.region.strip():
        problem("region", "The fulfilment centre (service region) is required.")
    if not _COUNTRY.match(draft.shipping_from):
        problem("shipping_from", "Shipping from must be a 2-letter country code, e.g. CN.")
    if draft.shipping_method not in SHIPPING_METHODS:
        problem("shipping_method", "The shipping method must be TK (truck) or EX (express).")
    if draft.transport_method and draft.transport_method not in TRANSPORT_METHODS:
        problem("transport_method", "The transport method must be one of OF, AF, RF or TK.")
    if today is not None and draft.eta < today:
        problem("eta", f"The ETA {draft.eta:%Y-%m-%d} is in the past.")
    if not _OFFSET.match(draft.eta_offset):
        problem("eta", "The ETA's offset must look like +0800.")
    if len(draft.vat) > VAT_MAX_LENGTH:
        problem("vat", f"The VAT number is longer than {VAT_MAX_LENGTH}.")
    if not draft.cartons:
        problem("cartons", "An inbound order needs at least one carton.")
    seen: set[str] = set()
    for carton in draft.cartons:
        name = carton.seller_carton_number.strip()
        label = name or "(no number)"
        if not name:
            problem("cartons", "Every carton needs its seller carton number.")
        elif len(name) > SELLER_CARTON_NUMBER_MAX_LENGTH:
            problem("cartons", f"Carton {label}: its number is too long.")
        elif name in seen:
            problem("cartons", f"Carton {label} is listed twice.")
        seen.add(name)
        if carton.origin_country and not _COUNTRY.match(carton.origin_country):
            problem("cartons", f"Carton {label}: its origin must be a 2-letter country code.")
        if not carton.lines:
            problem("cartons", f"Carton {label} is empty: add at least one SKU.")
        for line in carton.lines:
            if not line.oc_sku.strip():
                problem("cartons", f"Carton {label}: a line has no OC SKU.")
            if line.quantity <= 0:
                problem(
                    "cartons",
                    f"Carton {label}: the quantity of {line.oc_sku} must be more than 0.",
                )
    return problems


def creation_request(draft: InboundDraft) -> dict[str, Any]:
    """The ``data`` of PlaceInboundOrder (one object, OC's schema spelling)."""
    data: dict[str, Any] = {
        "sellerInboundNumber": draft.seller_inbound_number,
        "serviceRegion": draft.region,
        "shippingFrom": draft.shipping_from,
        "shippingMethod": draft.shipping_method,
        "eta": format_eta(draft.eta, draft.eta_offset),
    }
    if draft.transport_method:
        data["transportMethod"] = draft.transport_method
    if draft.vat:
        data["vat"] = draft.vat
    data["cartonList"] = [
        {
            "sellerCartonNumber": carton.seller_carton_number,
            # Inferred: OC's schema has both numbers and explains neither; the seller's
            # number is the one printed on the carton until OC's label replaces it.
            "cartonNumber": carton.seller_carton_number,
            "cartonOriginCountry": carton.origin_country or draft.shipping_from,
            **({"labelSize": carton.label_size} if carton.label_size else {}),
            "productList": [
                {"mfskuid": line.oc_sku, "quantity": line.quantity} for line in carton.lines
            ],
        }
        for carton in draft.cartons
    ]
    return data


#: Inferred: where the creation answer holds OC's inbound number.
INBOUND_NUMBER_FIELDS = ("inboundNumber", "inboundOrderNumber", "inboundOrder", "orderNumber")


def _text(row: dict[str, Any], *names: str) -> str:
    return first_text(row, names)


def place_inbound(client: OCApiClient, draft: InboundDraft) -> str:
    """PlaceInboundOrder: OC's inbound number for ``draft``.

    OC's refusal raises ``OCBusinessError``; an answer without an inbound number raises
    ``OCMalformedResponse`` (OC may still have created it: the caller checks).
    """
    data = client.call("inbound creation", CREATION_PATH, creation_request(draft)).data
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    number = data.strip() if isinstance(data, str) else ""
    if isinstance(data, dict):
        number = _text(data, *INBOUND_NUMBER_FIELDS)
    if not number or len(number) > INBOUND_NUMBER_MAX_LENGTH:
        raise OCMalformedResponse("Inbound creation: OC's answer holds no inbound number.")
    return number


# --- Inbound Order Detail Query / List Query -----------------------------------------------
@dataclass(frozen=True)
class SkuQuantities:
    """What OC says about one SKU of an inbound order: units expected and received."""

    oc_sku: str
    sent: int | None
    received: int | None


@dataclass(frozen=True)
class ClearanceFileState:
    """One uploaded clearance file and OC's check of it (``fileList``)."""

    file_name: str
    file_type: str
    verify_status: str
    fail_reason: str


@dataclass(frozen=True)
class InboundState:
    """One inbound order as OC's detail (or list) query reports it."""

    inbound_number: str
    seller_inbound_number: str
    status: str
    region: str = ""
    changed_at: datetime | None = None
    created_at: datetime | None = None
    booking_number: str = ""
    asn_numbers: tuple[str, ...] = ()
    skus: tuple[SkuQuantities, ...] = ()
    files: tuple[ClearanceFileState, ...] = ()

    @property
    def meaning(self) -> str:
        return meaning_of(self.status)


def _count(value: Any, what: str) -> int | None:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise OCMalformedResponse(f"Inbound query: {what} {value!r} is not a number.") from None
    if number < 0:
        raise OCMalformedResponse(f"Inbound query: {what} {value!r} is negative.")
    return number


def _moment(row: dict[str, Any], names: Sequence[str]) -> datetime | None:
    value = first_value(row, names)
    if value is None:
        return None
    try:
        return parse_oc_time(str(value))
    except ValueError:
        raise OCMalformedResponse(f"Inbound query: {value!r} is not one of OC's times.") from None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def parse_state(row: Any) -> InboundState:
    """One inbound order row; ``OCMalformedResponse`` when it has no inbound number."""
    if not isinstance(row, dict):
        raise OCMalformedResponse("Inbound query: a row is not an object.")
    number = _text(row, "inboundNumber", "inboundOrderNumber")
    if not number:
        raise OCMalformedResponse("Inbound query: a row has no inboundNumber.")
    skus: dict[str, SkuQuantities] = {}
    for entry in _dicts(first_value(row, SKU_LIST_FIELDS)):
        oc_sku = _text(entry, *SKU_FIELDS)
        if not oc_sku:
            raise OCMalformedResponse(f"Inbound query: a SKU of {number} has no MFSKUID.")
        sent = _count(first_value(entry, SENT_FIELDS), "quantity")
        received = _count(first_value(entry, RECEIVED_FIELDS), "received quantity")
        known = skus.get(oc_sku)
        if known is not None:  # one SKU in several cartons: OC may list it per carton
            sent = None if sent is None and known.sent is None else (sent or 0) + (known.sent or 0)
            received = (
                None
                if received is None and known.received is None
                else (received or 0) + (known.received or 0)
            )
        skus[oc_sku] = SkuQuantities(oc_sku, sent, received)
    return InboundState(
        inbound_number=number,
        # OC's detail spells it with a lower-case i; creation does not.
        seller_inbound_number=_text(row, "sellerinboundNumber", "sellerInboundNumber"),
        status=_text(row, *STATUS_FIELDS),
        region=_text(row, *REGION_FIELDS),
        changed_at=_moment(row, CHANGED_FIELDS),
        created_at=_moment(row, CREATED_FIELDS),
        booking_number=_text(row, "bookingNumber"),
        asn_numbers=tuple(
            _text(asn, "asnNumber", "asnnumber") for asn in _dicts(row.get("asnList"))
        ),
        skus=tuple(skus.values()),
        files=tuple(
            ClearanceFileState(
                file_name=_text(entry, "fileName"),
                file_type=_text(entry, "fileType"),
                verify_status=_text(entry, "verifyStatus"),
                fail_reason=_text(entry, "failReason"),
            )
            for entry in _dicts(row.get("fileList"))
        ),
    )


def _rows(data: Any, what: str) -> list[InboundState]:
    if data is None:
        return []
    if isinstance(data, dict):
        found = next((data[k] for k in ROW_LIST_FIELDS if isinstance(data.get(k), list)), None)
        if found is None:
            if "inboundNumber" in data:
                return [parse_state(data)]
            raise OCMalformedResponse(f"{what}: the answer holds no list of inbound orders.")
        data = found
    if not isinstance(data, list):
        raise OCMalformedResponse(f"{what}: 'data' is neither a list nor an object.")
    return [parse_state(row) for row in data]


def check_window(start: datetime, end: datetime, *, now: datetime | None = None) -> None:
    """``ValueError`` unless ``start`` to ``end`` is a window OC answers (under 7 days, at
    most a year back)."""
    if end <= start:
        raise ValueError("An inbound query window must end after it starts.")
    if end - start > MAX_WINDOW:
        raise ValueError("OC answers inbound queries for windows of under 7 days only.")
    if now is not None and now - start > MAX_LOOKBACK:
        raise ValueError("OC answers inbound queries for the last 12 months only.")


def query_windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """``start`` to ``end`` cut into windows OC answers, oldest first (the last may be short)."""
    windows = []
    cursor = start
    while cursor < end:
        stop = min(cursor + MAX_WINDOW, end)
        windows.append((cursor, stop))
        cursor = stop
    return windows


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def query_details(
    client: OCApiClient,
    *,
    start: datetime,
    end: datetime,
    inbound_numbers: Sequence[str] = (),
    seller_numbers: Sequence[str] = (),
) -> list[InboundState]:
    """Inbound Order Detail Query for one window (orders created or changed in it),
    narrowed to the given OC or seller inbound numbers."""
    check_window(start, end)
    if len(inbound_numbers) > MAX_NUMBERS_PER_QUERY or len(seller_numbers) > MAX_NUMBERS_PER_QUERY:
        raise ValueError(f"At most {MAX_NUMBERS_PER_QUERY} inbound numbers per query.")
    data: dict[str, Any] = {
        "startTime": format_oc_time(_utc(start)),
        "endTime": format_oc_time(_utc(end)),
    }
    if inbound_numbers:
        data["inboundNumberList"] = list(inbound_numbers)
    if seller_numbers:
        data["sellerinboundNumberList"] = list(seller_numbers)
    answer = client.call("inbound detail query", DETAIL_PATH, data).data
    return _rows(answer, "Inbound detail query")


def list_orders(client: OCApiClient, *, start: datetime, end: datetime) -> list[InboundState]:
    """Inbound Order List Query (inferred path and rows): every order of one window."""
    check_window(start, end)
    data = {"startTime": format_oc_time(_utc(start)), "endTime": format_oc_time(_utc(end))}
    return _rows(client.call("inbound list query", LIST_PATH, data).data, "Inbound list query")


# --- Inbound Label Query ----------------------------------------------------------------------
#: Inferred: where a JSON answer may carry the label, base64-encoded.
LABEL_FILE_FIELDS = ("labelFile", "file", "fileContent", "label", "pdf")


class OCNoInboundLabel(OCError):
    """OC answered, but with no label PDF."""


_read_label = label_reader(OCNoInboundLabel)


def label_request(inbound_number: str) -> dict[str, Any]:
    """The ``data`` of Inbound Label Query for one inbound order."""
    if not inbound_number.strip():
        raise ValueError("The inbound order has no OC inbound number yet.")
    return {"inboundOrderList": [{"inboundOrder": inbound_number}]}


def fetch_label(client: OCApiClient, inbound_number: str) -> bytes:
    """The carton and SKU labels of one inbound order, as one PDF."""
    response = client.call(
        "inbound labels", LABEL_PATH, label_request(inbound_number), body_reader=_read_label
    )
    return label_pdf(
        response.data,
        fields=LABEL_FILE_FIELDS,
        error=OCNoInboundLabel,
        what=f"inbound order {inbound_number}",
        correlation_id=response.message_id,
    )


# --- Upload TrackingNo ------------------------------------------------------------------------
@dataclass(frozen=True)
class TrackingNumber:
    """A carrier's tracking number, for one carton or (no carton) the whole order."""

    carrier: str
    tracking_number: str
    carton_number: str = ""


def tracking_problems(entries: Sequence[TrackingNumber]) -> list[str]:
    """What is wrong with ``entries`` (empty: they may be sent)."""
    problems = []
    if not entries:
        problems.append("Enter at least one tracking number.")
    for entry in entries:
        where = f"carton {entry.carton_number}" if entry.carton_number else "the order"
        if not entry.tracking_number.strip():
            problems.append(f"The tracking number of {where} is empty.")
        elif len(entry.tracking_number) > TRACKING_NUMBER_MAX_LENGTH:
            problems.append(f"The tracking number of {where} is too long.")
        if not entry.carrier.strip():
            problems.append(f"The carrier of {where} is empty.")
        elif len(entry.carrier) > CARRIER_MAX_LENGTH:
            problems.append(f"The carrier of {where} is too long.")
    return problems


def tracking_request(
    inbound_number: str, reference: str, entries: Sequence[TrackingNumber]
) -> dict[str, Any]:
    """The ``data`` of Upload TrackingNo."""
    if not 1 <= len(inbound_number) <= INBOUND_NUMBER_MAX_LENGTH:
        raise ValueError("The OC inbound number must be 1 to 100 characters.")
    if not 1 <= len(reference) <= REFERENCE_NUMBER_MAX_LENGTH:
        raise ValueError("The reference number must be 1 to 50 characters.")
    problems = tracking_problems(entries)
    if problems:
        raise ValueError(" ".join(problems))
    return {
        "inboundNumber": inbound_number,
        "referenceNumber": reference,
        "trackingList": [
            {
                "cartonNumber": entry.carton_number,
                "carrier": entry.carrier,
                "trackingNumber": entry.tracking_number,
            }
            for entry in entries
        ],
    }


def upload_tracking(
    client: OCApiClient, inbound_number: str, reference: str, entries: Sequence[TrackingNumber]
) -> None:
    """Upload TrackingNo; OC's refusal raises ``OCBusinessError``."""
    client.call(
        "inbound tracking upload",
        TRACKING_PATH,
        tracking_request(inbound_number, reference, entries),
    )


# --- Upload Clearance Doc -----------------------------------------------------------------------
@dataclass(frozen=True)
class ClearanceFile:
    """One customs-clearance document to upload."""

    file_name: str
    file_type: str
    content: bytes


def clearance_problems(document: ClearanceFile) -> list[tuple[str, str]]:
    """What is wrong with ``document``, as (field, problem) pairs (empty: it may be sent)."""
    problems = []
    if document.file_type not in CLEARANCE_FILE_TYPES:
        problems.append(
            ("file_type", f"OC takes these file types: {', '.join(CLEARANCE_FILE_TYPES)}.")
        )
    name = document.file_name.strip()
    if not name.lower().endswith(CLEARANCE_FILE_ENDINGS):
        problems.append(
            ("file", f"{name or 'The file'} is not one of {', '.join(CLEARANCE_FILE_ENDINGS)}.")
        )
    if not document.content:
        problems.append(("file", "The file is empty."))
    elif len(document.content) > CLEARANCE_MAX_BYTES:
        megabytes = CLEARANCE_MAX_BYTES // (1024 * 1024)
        problems.append(("file", f"The file is larger than {megabytes} MB."))
    elif name.lower().endswith(".pdf") and not document.content.startswith(b"%PDF-"):
        problems.append(("file", f"{name} is named .pdf but is not a PDF."))
    return problems


def clearance_request(inbound_number: str, documents: Sequence[ClearanceFile]) -> dict[str, Any]:
    """The ``data`` of Upload Clearance Doc (the inbound number's field name is inferred)."""
    if not inbound_number.strip():
        raise ValueError("The inbound order has no OC inbound number yet.")
    if not documents:
        raise ValueError("Choose at least one file.")
    for document in documents:
        problems = clearance_problems(document)
        if problems:
            raise ValueError(" ".join(text for _, text in problems))
    return {
        "inboundNumber": inbound_number,
        "fileList": [
            {
                "file": base64.b64encode(document.content).decode("ascii"),
                "fileName": document.file_name,
                "fileType": document.file_type,
            }
            for document in documents
        ],
    }


def upload_clearance(
    client: OCApiClient, inbound_number: str, documents: Sequence[ClearanceFile]
) -> None:
    """Upload Clearance Doc; OC's refusal raises ``OCBusinessError``."""
    client.call(
        "inbound clearance upload", CLEARANCE_PATH, clearance_request(inbound_number, documents)
    )
