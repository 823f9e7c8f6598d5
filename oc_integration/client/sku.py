"""OC SKUs: SKU Query v3, SKU Creation v3, SKU Label, and the SKU's EF services.

Request builders are pure functions over typed objects; responses become typed rows.
Every choice OC's reference leaves open is made here, once, as a named constant, and is
marked *inferred* where it is made:

* SKU Query v3 (``/3pp/sku/v3/query``) and SKU Creation v3 (``/3pp/sku/v3/creation``):
  the paths, ``page``/``limit`` (≤ 200), the three SKU lists, the date + offset window
  (``2018-11-28+0800``) and the row fields ``MFSKUID``, ``SKUNameList``,
  ``dimensionUnit``, ``countryOfOrigin``, ``barcodeList`` are stated by OC. Inferred:
  the names of the seller/reference SKU, size, weight, value, status and modified-time
  fields of a row (several spellings are read), the creation answer (a row per SKU
  with its seller SKU and ``MFSKUID``), and which status words mean draft or approved.
* SKU Label, SKUSetupEFService and QuerySKUEFService: OC names them but publishes
  nothing readable about them. Their paths, request and answer shapes are inferred
  (``LABEL_PATH``, ``EF_SETUP_PATH``, ``EF_QUERY_PATH`` and the builders below).

Rows are read leniently: unknown fields are ignored, missing optional fields are empty,
and ``code`` may be a number or a string (the envelope parser handles that).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from oc_integration.client.api import OCApiClient
from oc_integration.client.errors import (
    OCBusinessError,
    OCError,
    OCItemError,
    OCMalformedResponse,
)
from oc_integration.client.fields import first_text, first_value
from oc_integration.client.label_files import label_pdf, label_reader
from oc_integration.client.stock import parse_oc_time

QUERY_PATH = "/3pp/sku/v3/query"
CREATION_PATH = "/3pp/sku/v3/creation"
#: Inferred: OC names "SKU Label" but publishes no path.
LABEL_PATH = "/3pp/sku/v1/label"
#: Inferred: OC names "SKUSetupEFService" / "QuerySKUEFService" but publishes no paths.
EF_SETUP_PATH = "/3pp/sku/v1/ef-service/setup"
EF_QUERY_PATH = "/3pp/sku/v1/ef-service/query"

#: OC's page size limit for SKU Query v3 (stated).
MAX_ROWS_PER_QUERY_PAGE = 200
#: SKU Query v3 takes at most this many SKUs in one of its lists (v1 stated 200).
MAX_SKUS_PER_QUERY = 200
#: OC's page says both 2000 and 200 SKUs per creation call: the smaller one is kept.
MAX_SKUS_PER_CREATION = 200
#: Inferred, like the label and EF paths: the batch limit of OC's other SKU calls.
MAX_SKUS_PER_LABEL_CALL = 200
MAX_SKUS_PER_EF_CALL = 200
#: A query that keeps answering full pages is stopped here instead of looping forever.
MAX_PAGES_PER_QUERY = 10_000

# --- OC's field rules for SKU Creation (stated values; inferred lengths) -------------
DIMENSION_UNITS = ("cm", "ft", "in", "m")  # stated; cm preferred
WEIGHT_UNITS = ("kg", "g", "lb", "oz")  # inferred: the page's weight fields are cut off
BATTERY_FORMS = {"PB": "pure battery", "BCE": "contained in equipment", "BPE": "packed with it"}
BATTERY_TYPES = {"BC": "button cell", "OLB": "other lithium", "OT": "others"}
SELLER_SKU_MAX_LENGTH = 50  # inferred
NAME_MAX_LENGTH = 200  # inferred
DESCRIPTION_MAX_LENGTH = 2000  # inferred
BARCODE_MAX_LENGTH = 50  # inferred
NAME_LANGUAGE = "en-US"  # languageCode of the name Hemi sends (OC's example: en-US)

# --- what OC's status words mean (inferred: OC publishes no list) ---------------------
DRAFT = "draft"
APPROVED = "approved"
REJECTED = "rejected"
UNKNOWN = "unknown"
#: Upper-cased status words (or numbers) -> their meaning; others are "unknown".
STATUS_MEANINGS: dict[str, str] = {
    "DRAFT": DRAFT,
    "PENDING": DRAFT,
    "PENDING_APPROVAL": DRAFT,
    "WAIT_AUDIT": DRAFT,
    "TO_BE_AUDITED": DRAFT,
    "UNAUDITED": DRAFT,
    "0": DRAFT,
    "APPROVED": APPROVED,
    "AUDITED": APPROVED,
    "PASSED": APPROVED,
    "ACTIVE": APPROVED,
    "1": APPROVED,
    "REJECTED": REJECTED,
    "AUDIT_FAILED": REJECTED,
    "2": REJECTED,
}
#: Where a row's status may be (first present wins).
STATUS_FIELDS = ("status", "skuStatus", "SKUStatus", "auditStatus", "approvalStatus")
#: Where a row's modified time may be.
MODIFIED_FIELDS = ("lastModifiedTime", "modifiedTime", "updateTime", "lastUpdateTime")
#: A row's seller SKU and reference SKU (OC spells them several ways).
SELLER_SKU_FIELDS = ("sellerSKUID", "sellerSkuId", "sellerSKU", "sellerSku")
REFERENCE_SKU_FIELDS = ("referenceSKUID", "referenceSkuId", "referenceSKU")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def meaning_of(status: str) -> str:
    """Draft, approved, rejected or unknown, for OC's status word (inferred mapping)."""
    return STATUS_MEANINGS.get(status.strip().upper(), UNKNOWN) if status.strip() else UNKNOWN


def format_oc_date(day: date, offset: str = "+0000") -> str:
    """OC's date + offset of SKU query windows: ``2018-11-28+0800``."""
    return f"{day:%Y-%m-%d}{offset}"


# --- SKU Query v3 --------------------------------------------------------------------
@dataclass(frozen=True)
class SkuQuery:
    """One SKU Query v3: by SKU lists or by a modified-date window (inclusive days)."""

    seller_skus: tuple[str, ...] = ()
    oc_skus: tuple[str, ...] = ()
    reference_skus: tuple[str, ...] = ()
    modified_from: date | None = None
    modified_to: date | None = None

    def __post_init__(self) -> None:
        lists = (self.seller_skus, self.oc_skus, self.reference_skus)
        window = (self.modified_from, self.modified_to)
        if (window[0] is None) != (window[1] is None):
            raise ValueError("A SKU query window needs both a start and an end date.")
        if not any(lists) and window[0] is None:
            raise ValueError("A SKU query needs SKUs or a modified-date window.")
        if any(len(skus) > MAX_SKUS_PER_QUERY for skus in lists):
            raise ValueError(f"OC takes at most {MAX_SKUS_PER_QUERY} SKUs per query.")


def query_request(query: SkuQuery, *, page: int, limit: int = MAX_ROWS_PER_QUERY_PAGE) -> dict:
    """The ``data`` of SKU Query v3 for one page (pages count from 1)."""
    if not 1 <= limit <= MAX_ROWS_PER_QUERY_PAGE:
        raise ValueError(f"OC's page size is 1 to {MAX_ROWS_PER_QUERY_PAGE}.")
    if page < 1:
        raise ValueError("Pages count from 1.")
    data: dict[str, Any] = {}
    if query.modified_from is not None and query.modified_to is not None:
        data["startTime"] = format_oc_date(query.modified_from)
        data["endTime"] = format_oc_date(query.modified_to)
    if query.oc_skus:
        data["mfskulist"] = [{"mfskuid": sku} for sku in query.oc_skus]
    if query.reference_skus:
        data["referenceSKUIDList"] = [{"referenceSKUID": sku} for sku in query.reference_skus]
    if query.seller_skus:
        data["sellerSKUIDList"] = [{"sellerSKUID": sku} for sku in query.seller_skus]
    data["page"] = page
    data["limit"] = limit
    return data


@dataclass(frozen=True)
class SkuName:
    name: str
    language: str


@dataclass(frozen=True)
class Barcode:
    code: str
    kind: str = ""


@dataclass(frozen=True)
class SkuRow:
    """One SKU as SKU Query v3 reports it."""

    oc_sku: str
    seller_sku: str
    reference_sku: str
    status: str
    names: tuple[SkuName, ...] = ()
    description: str = ""
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    dimension_unit: str = ""
    weight: Decimal | None = None
    weight_unit: str = ""
    declared_value: Decimal | None = None
    declared_currency: str = ""
    barcodes: tuple[Barcode, ...] = ()
    country_of_origin: str = ""
    modified_at: datetime | None = None
    ebay_custom_label: str = ""

    @property
    def approval(self) -> str:
        """What the status means: draft, approved, rejected or unknown."""
        return meaning_of(self.status)

    @property
    def name(self) -> str:
        """The English name if OC has one, else the first."""
        english = [n.name for n in self.names if n.language.lower().startswith("en")]
        return (english or [n.name for n in self.names] or [""])[0]


def _text(row: dict[str, Any], *names: str) -> str:
    return first_text(row, names)


def _number(row: dict[str, Any], what: str, *names: str) -> Decimal | None:
    value = first_value(row, names)
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise OCMalformedResponse(f"SKU query: {what} {value!r} is not a number.") from None
    if not number.is_finite():
        raise OCMalformedResponse(f"SKU query: {what} {value!r} is not a number.")
    return number


def _moment(row: dict[str, Any]) -> datetime | None:
    value = first_value(row, MODIFIED_FIELDS)
    if value is None:
        return None
    try:
        return parse_oc_time(str(value))
    except ValueError:
        # A date with an offset ("2018-11-28+0800") is OC's other spelling.
        match = re.match(r"^(\d{4}-\d{2}-\d{2}) ?([+-]\d{2}:?\d{2})$", str(value).strip())
        if match:
            return parse_oc_time(f"{match.group(1)}T00:00:00{match.group(2)}")
        raise OCMalformedResponse(f"SKU query: modified time {value!r} is not OC's.") from None


def _list(row: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = row.get(name)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def parse_sku_row(row: Any) -> SkuRow:
    """One row of SKU Query v3; ``OCMalformedResponse`` when it has no usable MFSKUID."""
    if not isinstance(row, dict):
        raise OCMalformedResponse("SKU query: a row is not an object.")
    oc_sku = _text(row, "MFSKUID", "mfskuid", "mfSkuId", "OCSKUID")
    if not oc_sku or len(oc_sku) > 15:
        raise OCMalformedResponse(f"SKU query: MFSKUID {oc_sku!r} is missing or too long.")
    names = tuple(
        SkuName(str(n.get("SKUName") or n.get("skuName") or ""), str(n.get("languageCode") or ""))
        for n in _list(row, "SKUNameList") or _list(row, "skuNameList")
        if n.get("SKUName") or n.get("skuName")
    )
    barcodes = tuple(
        Barcode(str(b.get("barcode") or b.get("barCode")), str(b.get("barcodeType") or ""))
        for b in _list(row, "barcodeList")
        if b.get("barcode") or b.get("barCode")
    )
    reference = _list(row, "referenceSKUIDList")
    return SkuRow(
        oc_sku=oc_sku,
        seller_sku=_text(row, *SELLER_SKU_FIELDS),
        reference_sku=_text(row, *REFERENCE_SKU_FIELDS)
        or (str(reference[0].get("referenceSKUID") or "") if reference else ""),
        status=_text(row, *STATUS_FIELDS),
        names=names,
        description=_text(row, "SKUDescription", "skuDescription"),
        length=_number(row, "length", "length", "skuLength"),
        width=_number(row, "width", "width", "skuWidth"),
        height=_number(row, "height", "height", "skuHeight"),
        dimension_unit=_text(row, "dimensionUnit").lower(),
        weight=_number(row, "weight", "weight", "grossWeight", "skuWeight"),
        weight_unit=_text(row, "weightUnit").lower(),
        declared_value=_number(row, "declared value", "declaredValue", "declareValue"),
        declared_currency=_text(
            row, "declaredValueCurrency", "declareValueCurrency", "currency"
        ).upper(),
        barcodes=barcodes,
        country_of_origin=_text(row, "countryOfOrigin").upper(),
        modified_at=_moment(row),
        ebay_custom_label=_text(row, "ebayCustomLabel")
        or (str(reference[0].get("ebayCustomLabel") or "") if reference else ""),
    )


@dataclass(frozen=True)
class SkuPage:
    """One page of SKU Query v3 and whether OC has more after it."""

    rows: tuple[SkuRow, ...]
    has_more: bool


#: Where a paged answer may hold its rows and its totals (inferred; a bare list is OC's example).
_ROW_KEYS = ("skuList", "list", "rows", "records", "data")
_TOTAL_KEYS = ("total", "totalCount", "totalNum")
_PAGES_KEYS = ("pages", "totalPage", "totalPages")


def _page_of(data: Any, *, page: int, limit: int) -> SkuPage:
    if data is None:
        return SkuPage((), False)
    if isinstance(data, list):
        rows = tuple(parse_sku_row(r) for r in data)
        return SkuPage(rows, len(rows) >= limit)
    if not isinstance(data, dict):
        raise OCMalformedResponse("SKU query: 'data' is neither a list nor an object.")
    found = next((data[k] for k in _ROW_KEYS if isinstance(data.get(k), list)), None)
    if found is None:
        if any(k in data for k in ("MFSKUID", "mfskuid")):
            return SkuPage((parse_sku_row(data),), False)  # a single row, unwrapped
        raise OCMalformedResponse("SKU query: the answer holds no list of SKUs.")
    rows = tuple(parse_sku_row(r) for r in found)
    total = first_value(data, _TOTAL_KEYS)
    pages = first_value(data, _PAGES_KEYS)
    try:
        if pages is not None:
            return SkuPage(rows, page < int(pages))
        if total is not None:
            return SkuPage(rows, page * limit < int(total))
    except (TypeError, ValueError):
        raise OCMalformedResponse(f"SKU query: bad paging totals {total!r} / {pages!r}.") from None
    return SkuPage(rows, len(rows) >= limit)


def query_page(
    client: OCApiClient, query: SkuQuery, *, page: int, limit: int = MAX_ROWS_PER_QUERY_PAGE
) -> SkuPage:
    """One page of SKU Query v3.

    Without totals from OC, a page with fewer rows than ``limit`` is the last one.
    """
    data = client.call("SKU query", QUERY_PATH, query_request(query, page=page, limit=limit)).data
    return _page_of(data, page=page, limit=limit)


def query_all(
    client: OCApiClient, query: SkuQuery, *, limit: int = MAX_ROWS_PER_QUERY_PAGE
) -> Iterator[SkuPage]:
    """Every page of ``query``, in order; raises if OC sends the same full page twice
    (it would be ignoring ``page``, and the loop would never end)."""
    previous: tuple[str, ...] = ()
    for page in range(1, MAX_PAGES_PER_QUERY + 1):
        result = query_page(client, query, page=page, limit=limit)
        keys = tuple(row.oc_sku for row in result.rows)
        if keys and keys == previous:
            raise OCMalformedResponse(
                f"SKU query: OC answered page {page} with the rows of page {page - 1}."
            )
        previous = keys
        yield result
        if not result.has_more or not result.rows:
            return
    raise OCMalformedResponse(f"SKU query: more than {MAX_PAGES_PER_QUERY} pages.")


def find_by_seller_skus(client: OCApiClient, seller_skus: Iterable[str]) -> list[SkuRow]:
    """Every SKU OC holds for these seller SKUs (in batches OC accepts)."""
    wanted = list(dict.fromkeys(seller_skus))
    found: list[SkuRow] = []
    for start in range(0, len(wanted), MAX_SKUS_PER_QUERY):
        query = SkuQuery(seller_skus=tuple(wanted[start : start + MAX_SKUS_PER_QUERY]))
        for page in query_all(client, query):
            found.extend(page.rows)
    return found


# --- SKU Creation v3 -----------------------------------------------------------------
@dataclass(frozen=True)
class SkuDraft:
    """What Hemi sends OC to register one product (SKU Creation v3)."""

    seller_sku: str
    name: str
    description: str = ""
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    dimension_unit: str = ""
    weight: Decimal | None = None
    weight_unit: str = ""
    declared_value: Decimal | None = None
    declared_currency: str = ""
    country_of_origin: str = ""
    barcode: str = ""
    barcode_type: str = ""
    battery_type: str = ""
    battery_form: str = ""
    battery_number: int | None = None


def draft_problems(draft: SkuDraft) -> list[str]:
    """What OC would refuse in ``draft``, in words (empty: it may be sent)."""
    problems: list[str] = []

    def required(value: object, what: str) -> bool:
        if value in (None, ""):
            problems.append(f"{what} is missing")
            return False
        return True

    if required(draft.seller_sku, "SKU") and len(draft.seller_sku) > SELLER_SKU_MAX_LENGTH:
        problems.append(f"SKU is longer than {SELLER_SKU_MAX_LENGTH} characters")
    if required(draft.name, "Name") and len(draft.name) > NAME_MAX_LENGTH:
        problems.append(f"Name is longer than {NAME_MAX_LENGTH} characters")
    if len(draft.description) > DESCRIPTION_MAX_LENGTH:
        problems.append(f"Description is longer than {DESCRIPTION_MAX_LENGTH} characters")
    for what, value in (("Length", draft.length), ("Width", draft.width), ("Height", draft.height)):
        if required(value, what) and value is not None and value <= 0:
            problems.append(f"{what} must be more than 0")
    if required(draft.dimension_unit, "Dimension unit") and (
        draft.dimension_unit not in DIMENSION_UNITS
    ):
        problems.append(f"Dimension unit must be one of {', '.join(DIMENSION_UNITS)}")
    if required(draft.weight, "Weight") and draft.weight is not None and draft.weight <= 0:
        problems.append("Weight must be more than 0")
    if required(draft.weight_unit, "Weight unit") and draft.weight_unit not in WEIGHT_UNITS:
        problems.append(f"Weight unit must be one of {', '.join(WEIGHT_UNITS)}")
    if (
        required(draft.declared_value, "Declared value")
        and draft.declared_value is not None
        and draft.declared_value <= 0
    ):
        problems.append("Declared value must be more than 0")
    if required(draft.declared_currency, "Declared value currency") and not _CURRENCY.match(
        draft.declared_currency
    ):
        problems.append("Declared value currency must be a 3-letter code such as GBP")
    if required(draft.country_of_origin, "Country of origin") and not _COUNTRY.match(
        draft.country_of_origin
    ):
        problems.append("Country of origin must be a 2-letter ISO code such as CN")
    if len(draft.barcode) > BARCODE_MAX_LENGTH:
        problems.append(f"Barcode is longer than {BARCODE_MAX_LENGTH} characters")
    if draft.battery_type and draft.battery_type not in BATTERY_TYPES:
        problems.append(f"Battery type must be one of {', '.join(BATTERY_TYPES)}")
    if draft.battery_form and draft.battery_form not in BATTERY_FORMS:
        problems.append(f"Battery form must be one of {', '.join(BATTERY_FORMS)}")
    if bool(draft.battery_type) != bool(draft.battery_form):
        problems.append("Battery type and battery form go together")
    if draft.battery_type and not draft.battery_number:
        problems.append("Number of batteries is missing")
    return problems


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def creation_item(draft: SkuDraft) -> dict[str, Any]:
    """One ``SkuCreationRequestV3`` (Hemi's SKU is both the seller and the reference SKU:
    it is the eBay listing's SKU and Hemi's own unique id)."""
    item: dict[str, Any] = {
        "sellerSKUID": draft.seller_sku,
        "referenceSKUID": draft.seller_sku,
        "SKUNameList": [{"SKUName": draft.name, "languageCode": NAME_LANGUAGE}],
        "length": _amount(draft.length),
        "width": _amount(draft.width),
        "height": _amount(draft.height),
        "dimensionUnit": draft.dimension_unit,
        "weight": _amount(draft.weight),
        "weightUnit": draft.weight_unit,
        "declaredValue": _amount(draft.declared_value),
        "declaredValueCurrency": draft.declared_currency,
        "countryOfOrigin": draft.country_of_origin,
    }
    if draft.description:
        item["SKUDescription"] = draft.description
    if draft.barcode:
        item["barcodeList"] = [{"barcode": draft.barcode, "barcodeType": draft.barcode_type}]
    if draft.battery_type:
        item["batteryType"] = draft.battery_type
        item["batteryForm"] = draft.battery_form
        item["batteryNumber"] = draft.battery_number
    return item


def creation_request(drafts: Sequence[SkuDraft]) -> list[dict[str, Any]]:
    """The ``data`` of SKU Creation v3: at most ``MAX_SKUS_PER_CREATION`` SKUs."""
    if not drafts:
        raise ValueError("Nothing to create.")
    if len(drafts) > MAX_SKUS_PER_CREATION:
        raise ValueError(f"OC takes at most {MAX_SKUS_PER_CREATION} SKUs per creation call.")
    return [creation_item(d) for d in drafts]


@dataclass(frozen=True)
class CreationResult:
    """Per-SKU outcome of one creation call, keyed by seller SKU."""

    created: dict[str, str] = field(default_factory=dict)  # seller SKU -> MFSKUID
    refused: dict[str, OCItemError] = field(default_factory=dict)


def _created_rows(data: Any) -> list[dict[str, Any]]:
    if data is None:
        return []
    if isinstance(data, dict):
        data = next((data[k] for k in _ROW_KEYS if isinstance(data.get(k), list)), [data])
    if not isinstance(data, list):
        raise OCMalformedResponse("SKU creation: 'data' is neither a list nor an object.")
    return [row for row in data if isinstance(row, dict)]


def create_skus(client: OCApiClient, drafts: Sequence[SkuDraft]) -> CreationResult:
    """Send at most 200 drafts. OC refusing some is a result; OC refusing the whole
    request, and every transport failure, is raised (the caller decides what an unknown
    outcome means)."""
    body = creation_request(drafts)
    sent = {d.seller_sku for d in drafts}
    try:
        data: Any = client.call("SKU creation", CREATION_PATH, body).data
        errors: list[OCItemError] = []
    except OCBusinessError as exc:
        if not exc.errors:
            raise
        data, errors = exc.data, exc.errors
    created: dict[str, str] = {}
    for row in _created_rows(data):
        seller = _text(row, *SELLER_SKU_FIELDS, *REFERENCE_SKU_FIELDS)
        oc_sku = _text(row, "MFSKUID", "mfskuid", "mfSkuId")
        if not seller or not oc_sku:
            raise OCMalformedResponse("SKU creation: a created SKU has no seller SKU or MFSKUID.")
        created[seller] = oc_sku
    refused: dict[str, OCItemError] = {}
    for error in errors:
        key = error.reference_number or error.id
        if key not in sent and len(drafts) == 1:
            key = drafts[0].seller_sku  # one SKU sent: the error can only be about it
        refused[key] = error
    return CreationResult(created, refused)


# --- SKU Label (inferred) ------------------------------------------------------------
#: Inferred: where a JSON answer may carry the label, base64-encoded.
LABEL_FILE_FIELDS = ("labelFile", "fileContent", "label", "pdf", "content")
DEFAULT_LABEL_QUANTITY = 1


class OCNoLabel(OCError):
    """OC answered, but with no label PDF."""


_read_label = label_reader(OCNoLabel)


def label_request(oc_skus: Sequence[str], quantity: int = DEFAULT_LABEL_QUANTITY) -> dict:
    """The ``data`` of SKU Label: the SKUs and how many labels of each (inferred shape)."""
    if not oc_skus:
        raise ValueError("Choose at least one OC SKU.")
    if len(oc_skus) > MAX_SKUS_PER_LABEL_CALL:
        raise ValueError(f"OC prints at most {MAX_SKUS_PER_LABEL_CALL} SKU labels per call.")
    if quantity < 1:
        raise ValueError("At least one label per SKU.")
    return {"skuList": [{"MFSKUID": sku, "quantity": quantity} for sku in oc_skus]}


def fetch_labels(
    client: OCApiClient, oc_skus: Sequence[str], quantity: int = DEFAULT_LABEL_QUANTITY
) -> bytes:
    """The PDF with the labels of ``oc_skus``; ``OCNoLabel`` when OC sends none.

    OC may answer with the PDF itself (``application/pdf``) or with its JSON envelope
    holding the PDF in base64 (inferred); both are accepted.
    """
    response = client.call(
        "SKU label", LABEL_PATH, label_request(oc_skus, quantity), body_reader=_read_label
    )
    return label_pdf(
        response.data,
        fields=LABEL_FILE_FIELDS,
        error=OCNoLabel,
        what="these SKUs",
        correlation_id=response.message_id,
    )


# --- EF services: SKUSetupEFService / QuerySKUEFService (inferred) --------------------
DOMESTIC = "domestic"
INTERNATIONAL = "international"


@dataclass(frozen=True)
class EFService:
    """One EF service a SKU is set up for: a fulfilment centre (region) and a service."""

    region: str
    service_type: str  # DOMESTIC or INTERNATIONAL
    service_code: str
    fulfilment_centre: str = ""


@dataclass(frozen=True)
class SkuEFServices:
    """The EF services of one SKU (``ExternalSkuJoinEfDTO``)."""

    oc_sku: str
    services: tuple[EFService, ...]


_SERVICE_LISTS = {
    DOMESTIC: ("domesticServiceList", "skuEFDomesticServiceList", "domesticService"),
    INTERNATIONAL: (
        "internationalServiceList",
        "skuEFInternationalServiceList",
        "internationalService",
    ),
}


def ef_setup_request(setups: Sequence[SkuEFServices]) -> list[dict[str, Any]]:
    """The ``data`` of SKUSetupEFService: per SKU, its fulfilment centres and services."""
    if not setups:
        raise ValueError("Nothing to set up.")
    if len(setups) > MAX_SKUS_PER_EF_CALL:
        raise ValueError(f"OC sets up at most {MAX_SKUS_PER_EF_CALL} SKUs per call.")
    items = []
    for setup in setups:
        centres: dict[tuple[str, str], dict[str, Any]] = {}
        for service in setup.services:
            centre = centres.setdefault(
                (service.region, service.fulfilment_centre),
                {
                    "serviceRegion": service.region,
                    "fulfillmentCenter": service.fulfilment_centre or service.region,
                    "domesticServiceList": [],
                    "internationalServiceList": [],
                },
            )
            key = _SERVICE_LISTS[service.service_type][0]
            centre[key].append({"shippingServiceCode": service.service_code})
        items.append({"MFSKUID": setup.oc_sku, "fulfillmentCenterList": list(centres.values())})
    return items


def ef_query_request(oc_skus: Sequence[str]) -> dict[str, Any]:
    """The ``data`` of QuerySKUEFService."""
    if not oc_skus:
        raise ValueError("Choose at least one OC SKU.")
    if len(oc_skus) > MAX_SKUS_PER_EF_CALL:
        raise ValueError(f"OC answers at most {MAX_SKUS_PER_EF_CALL} SKUs per call.")
    return {"mfskulist": [{"mfskuid": sku} for sku in oc_skus]}


def _service_code(entry: Any) -> str:
    if isinstance(entry, str):
        return entry.strip()
    if isinstance(entry, dict):
        return _text(entry, "shippingServiceCode", "serviceCode", "code")
    return ""


def parse_ef_row(row: Any) -> SkuEFServices:
    """One SKU's EF services from QuerySKUEFService."""
    if not isinstance(row, dict):
        raise OCMalformedResponse("EF service query: a row is not an object.")
    oc_sku = _text(row, "MFSKUID", "mfskuid", "mfSkuId")
    if not oc_sku:
        raise OCMalformedResponse("EF service query: a row has no MFSKUID.")
    services: list[EFService] = []
    for centre in _list(row, "fulfillmentCenterList") or _list(row, "skuEFFulfillmentCenterList"):
        region = _text(centre, "serviceRegion", "region", "fulfillmentCenter")
        code = _text(centre, "fulfillmentCenter", "fulfillmentCenterCode") or region
        for kind, names in _SERVICE_LISTS.items():
            entries: list[Any] = next(
                (centre[n] for n in names if isinstance(centre.get(n), list)), []
            )
            for entry in entries:
                service = _service_code(entry)
                if service:
                    services.append(EFService(region, kind, service, code))
    return SkuEFServices(oc_sku, tuple(services))


def query_ef_services(client: OCApiClient, oc_skus: Sequence[str]) -> list[SkuEFServices]:
    """QuerySKUEFService for at most ``MAX_SKUS_PER_EF_CALL`` SKUs."""
    data = client.call("SKU EF service query", EF_QUERY_PATH, ef_query_request(oc_skus)).data
    if data is None:
        return []
    if isinstance(data, dict):
        data = next((data[k] for k in _ROW_KEYS if isinstance(data.get(k), list)), [data])
    if not isinstance(data, list):
        raise OCMalformedResponse("EF service query: 'data' is neither a list nor an object.")
    return [parse_ef_row(row) for row in data]


def set_up_ef_services(client: OCApiClient, setups: Sequence[SkuEFServices]) -> None:
    """SKUSetupEFService; OC's refusal raises ``OCBusinessError`` with its reasons."""
    client.call("SKU EF service setup", EF_SETUP_PATH, ef_setup_request(setups))
