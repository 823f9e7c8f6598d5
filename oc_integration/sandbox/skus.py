"""The sandbox's SKU master data: SKU Creation v3, SKU Query v3, SKU Label, EF services.

SKUs are kept per client (seller). A created SKU is a draft (``DRAFT``) until the control
API approves it (``APPROVED``) or rejects it, as a person in OC's portal would; every
change moves its modified time, so a windowed query finds it again. The label is a
small, valid PDF built here by hand (one page per SKU). The demo's SKUs (those of the
stock catalog) start approved for the default client.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .messages import OcError
from .services import SERVICE_CODES
from .timefmt import SandboxClock, format_oc_time, parse_oc_time

CREATION = "/openapi/3pp/sku/v3/creation"
QUERY = "/openapi/3pp/sku/v3/query"
LABEL = "/openapi/3pp/sku/v1/label"
EF_SETUP = "/openapi/3pp/sku/v1/ef-service/setup"
EF_QUERY = "/openapi/3pp/sku/v1/ef-service/query"

MAX_PER_CREATION = 200
MAX_PAGE_SIZE = 200
MAX_PER_CALL = 200
DRAFT, APPROVED, REJECTED = "DRAFT", "APPROVED", "REJECTED"
DIMENSION_UNITS = {"cm", "ft", "in", "m"}
WEIGHT_UNITS = {"kg", "g", "lb", "oz"}
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
ErrorList = list[dict[str, str]]


@dataclass
class Sku:
    """One SKU of one seller at OC."""

    mfskuid: str
    seller_sku: str
    reference_sku: str
    status: str
    modified: float
    fields: dict[str, Any] = field(default_factory=dict)
    # fulfilment centres as SKUSetupEFService received them (normalised)
    centres: list[dict[str, Any]] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        """The SKU as SKU Query v3 answers it (with a field clients should ignore)."""
        return {
            "MFSKUID": self.mfskuid,
            "sellerSKUID": self.seller_sku,
            "referenceSKUID": self.reference_sku,
            "status": self.status,
            "SIOC": False,
            "lastModifiedTime": format_oc_time(self.modified),
            **self.fields,
        }


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _positive(value: Any) -> bool:
    try:
        return float(str(value)) > 0
    except ValueError:
        return False


def _get(item: dict[str, Any], name: str) -> Any:
    """A request field, its name compared case-insensitively (OC's examples vary)."""
    if name in item:
        return item[name]
    lowered = name.lower()
    return next((v for k, v in item.items() if k.lower() == lowered), None)


def creation_errors(item: Any) -> ErrorList:
    """OC-style validation errors of one SkuCreationRequestV3 (empty: valid)."""
    if not isinstance(item, dict):
        return [{"code": "400200", "message": "Each SKU must be an object"}]
    seller = _text(_get(item, "sellerSKUID"))
    errors: ErrorList = []

    def error(code: str, message: str) -> None:
        errors.append({"code": code, "message": message, "id": seller, "referenceNumber": seller})

    if not seller:
        error("400200", "sellerSKUID is required")
    elif len(seller) > 50:
        error("400201", "sellerSKUID is longer than 50 characters")
    names = _get(item, "SKUNameList")
    if not isinstance(names, list) or not any(
        isinstance(n, dict) and _text(_get(n, "SKUName")) for n in names
    ):
        error("400200", "SKUNameList requires at least one SKUName")
    for name in ("length", "width", "height", "weight", "declaredValue"):
        if not _positive(_get(item, name)):
            error("400200", f"{name} is required and must be more than 0")
    if _text(_get(item, "dimensionUnit")) not in DIMENSION_UNITS:
        error("400202", "dimensionUnit must be one of cm, ft, in, m")
    if _text(_get(item, "weightUnit")) not in WEIGHT_UNITS:
        error("400202", "weightUnit must be one of kg, g, lb, oz")
    if not _CURRENCY.match(_text(_get(item, "declaredValueCurrency"))):
        error("400202", "declaredValueCurrency must be an ISO 4217 code")
    if not _COUNTRY.match(_text(_get(item, "countryOfOrigin"))):
        error("400202", "countryOfOrigin must be an ISO 3166 two-letter code")
    return errors


_KEPT_FIELDS = (
    "SKUNameList",
    "SKUDescription",
    "length",
    "width",
    "height",
    "dimensionUnit",
    "weight",
    "weightUnit",
    "declaredValue",
    "declaredValueCurrency",
    "countryOfOrigin",
    "barcodeList",
    "batteryType",
    "batteryForm",
    "batteryNumber",
)


def _window(data: dict[str, Any]) -> tuple[float, float] | None:
    start, end = _get(data, "startTime"), _get(data, "endTime")
    if start is None and end is None:
        return None
    try:
        first = parse_oc_time(str(start).replace(" ", ""))
        last = parse_oc_time(str(end).replace(" ", "")) + timedelta(days=1)
    except ValueError:
        raise OcError(400202, "startTime and endTime must be dates like 2018-11-28+0800") from None
    if first >= last:
        raise OcError(400202, "startTime must not be after endTime")
    return first.timestamp(), last.timestamp()


def _ids(data: dict[str, Any], list_name: str, key: str) -> set[str] | None:
    value = _get(data, list_name)
    if value is None or value == []:
        return None
    if not isinstance(value, list):
        raise OcError(400202, f"{list_name} must be a list")
    if len(value) > MAX_PER_CALL:
        raise OcError(400202, f"{list_name} takes at most {MAX_PER_CALL} entries")
    return {_text(_get(entry, key)) for entry in value if isinstance(entry, dict)}


def _whole(value: Any, default: int, name: str) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise OcError(400202, f"{name} must be a whole number")
    try:
        return int(value)
    except ValueError:
        raise OcError(400202, f"{name} must be a whole number") from None


class SkuBook:
    """Every seller's SKUs; not thread-safe (the sandbox lock guards it)."""

    def __init__(self, clock: SandboxClock, numbers: Iterable[int] | None = None) -> None:
        self.clock = clock
        self._numbers = iter(numbers) if numbers is not None else itertools.count(600000)
        self.skus: dict[str, dict[str, Sku]] = {}

    def of(self, client_id: str) -> dict[str, Sku]:
        """The client's SKUs by MFSKUID."""
        return self.skus.setdefault(client_id, {})

    def seed(self, client_id: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Approved SKUs (MFSKUID, seller SKU) as OC holds them before the demo starts."""
        now = self.clock.now()
        for mfskuid, seller in pairs:
            self.of(client_id)[mfskuid] = Sku(
                mfskuid,
                seller,
                seller,
                APPROVED,
                now,
                {"SKUNameList": [{"SKUName": seller, "languageCode": "en-US"}]},
            )

    def generate(self, client_id: str, count: int, prefix: str, status: str) -> int:
        """``count`` SKUs with every required field (for paging tests)."""
        now = self.clock.now()
        for n in range(count):
            sku = self._new(client_id, f"{prefix}{n:06d}", status, now)
            sku.fields = {
                "SKUNameList": [{"SKUName": f"Generated {n}", "languageCode": "en-US"}],
                "length": "10",
                "width": "10",
                "height": "10",
                "dimensionUnit": "cm",
                "weight": "0.5",
                "weightUnit": "kg",
                "declaredValue": "9.99",
                "declaredValueCurrency": "GBP",
                "countryOfOrigin": "CN",
            }
        return len(self.of(client_id))

    def _new(self, client_id: str, seller: str, status: str, now: float) -> Sku:
        mfskuid = f"OC{next(self._numbers):013d}"
        sku = Sku(mfskuid, seller, seller, status, now)
        self.of(client_id)[mfskuid] = sku
        return sku

    def by_seller(self, client_id: str, seller: str) -> Sku | None:
        return next((s for s in self.of(client_id).values() if s.seller_sku == seller), None)

    # --- SKU Creation v3 ----------------------------------------------------------------
    def create(self, client_id: str, data: Any) -> tuple[list[dict[str, Any]], ErrorList]:
        """Create the valid SKUs as drafts; the rest come back as errors."""
        if not isinstance(data, list) or not data:
            raise OcError(400200, "data must be a non-empty list of SKUs")
        if len(data) > MAX_PER_CREATION:
            raise OcError(400100, f"At most {MAX_PER_CREATION} SKUs per request")
        created: list[dict[str, Any]] = []
        errors: ErrorList = []
        now = self.clock.now()
        for item in data:
            problems = creation_errors(item)
            seller = _text(_get(item, "sellerSKUID")) if isinstance(item, dict) else ""
            if not problems and self.by_seller(client_id, seller) is not None:
                problems = [
                    {
                        "code": "400409",
                        "message": f"sellerSKUID {seller} already exists",
                        "id": seller,
                        "referenceNumber": seller,
                    }
                ]
            if problems:
                errors.extend(problems)
                continue
            sku = self._new(client_id, seller, DRAFT, now)
            sku.reference_sku = _text(_get(item, "referenceSKUID")) or seller
            sku.fields = {k: _get(item, k) for k in _KEPT_FIELDS if _get(item, k) is not None}
            created.append(
                {
                    "sellerSKUID": sku.seller_sku,
                    "referenceSKUID": sku.reference_sku,
                    "MFSKUID": sku.mfskuid,
                }
            )
        return created, errors

    # --- SKU Query v3 -------------------------------------------------------------------
    def query(self, client_id: str, data: Any) -> list[dict[str, Any]]:
        """One page of rows (OC's example answers a bare list, no totals)."""
        if not isinstance(data, dict):
            raise OcError(400202, "data must be an object")
        window = _window(data)
        mfskuids = _ids(data, "mfskulist", "mfskuid")
        sellers = _ids(data, "sellerSKUIDList", "sellerSKUID")
        references = _ids(data, "referenceSKUIDList", "referenceSKUID")
        if window is None and mfskuids is None and sellers is None and references is None:
            raise OcError(
                400200, "One of mfskulist, referenceSKUIDList, sellerSKUIDList is required"
            )
        page = _whole(_get(data, "page"), 1, "page")
        limit = _whole(_get(data, "limit"), MAX_PAGE_SIZE, "limit")
        if page < 1 or not 1 <= limit <= MAX_PAGE_SIZE:
            raise OcError(400202, f"page starts at 1; limit is 1 to {MAX_PAGE_SIZE}")
        found = [
            sku
            for sku in self.of(client_id).values()
            if (window is None or window[0] <= sku.modified < window[1])
            and (mfskuids is None or sku.mfskuid in mfskuids)
            and (sellers is None or sku.seller_sku in sellers)
            and (references is None or sku.reference_sku in references)
        ]
        found.sort(key=lambda s: (s.modified, s.mfskuid))
        return [sku.row() for sku in found[(page - 1) * limit : page * limit]]

    # --- control ------------------------------------------------------------------------
    def decide(self, client_id: str, body: dict[str, Any], status: str) -> list[Sku]:
        """Approve or reject drafts, as a person in OC's portal (control API)."""
        if status not in (APPROVED, REJECTED, DRAFT):
            raise ValueError("status must be APPROVED, REJECTED or DRAFT")
        skus = self.of(client_id)
        if body.get("all"):
            chosen = [s for s in skus.values() if s.status == DRAFT]
        else:
            wanted = {str(v) for v in body.get("MFSKUIDs") or [] if v}
            wanted |= {str(body["MFSKUID"])} if body.get("MFSKUID") else set()
            sellers = {str(v) for v in body.get("sellerSKUIDs") or [] if v}
            sellers |= {str(body["sellerSKUID"])} if body.get("sellerSKUID") else set()
            chosen = [s for s in skus.values() if s.mfskuid in wanted or s.seller_sku in sellers]
            if not chosen:
                raise KeyError("no such SKU")
        now = self.clock.now()
        for sku in chosen:
            sku.status = status
            sku.modified = now
        return chosen

    # --- SKU Label ----------------------------------------------------------------------
    def label(self, client_id: str, data: Any) -> bytes:
        """A PDF with one page per requested label."""
        entries = _get(data, "skuList") if isinstance(data, dict) else None
        if not isinstance(entries, list) or not entries:
            raise OcError(400200, "skuList requires at least one SKU")
        if len(entries) > MAX_PER_CALL:
            raise OcError(400202, f"At most {MAX_PER_CALL} SKUs per label request")
        skus = self.of(client_id)
        pages: list[list[str]] = []
        for entry in entries:
            mfskuid = _text(_get(entry, "MFSKUID")) if isinstance(entry, dict) else ""
            sku = skus.get(mfskuid)
            if sku is None:
                raise OcError(400404, f"MFSKUID {mfskuid or '(none)'} does not exist")
            quantity = _whole(_get(entry, "quantity"), 1, "quantity")
            if not 1 <= quantity <= 100:
                raise OcError(400202, "quantity must be 1 to 100")
            pages.extend([[sku.mfskuid, f"Seller SKU: {sku.seller_sku}"]] * quantity)
        return label_pdf(pages)

    # --- EF services --------------------------------------------------------------------
    def set_up_ef(self, client_id: str, data: Any) -> list[dict[str, Any]]:
        """Set up the fulfilment centres and services of approved SKUs (all or nothing)."""
        if not isinstance(data, list) or not data:
            raise OcError(400200, "data must be a non-empty list")
        if len(data) > MAX_PER_CALL:
            raise OcError(400202, f"At most {MAX_PER_CALL} SKUs per request")
        skus = self.of(client_id)
        plans: list[tuple[Sku, list[dict[str, Any]]]] = []
        for item in data:
            mfskuid = _text(_get(item, "MFSKUID")) if isinstance(item, dict) else ""
            sku = skus.get(mfskuid)
            if sku is None:
                raise OcError(400404, f"MFSKUID {mfskuid or '(none)'} does not exist")
            if sku.status != APPROVED:
                raise OcError(400202, f"{mfskuid} is not approved yet")
            centres = _get(item, "fulfillmentCenterList")
            if not isinstance(centres, list):
                raise OcError(400200, "fulfillmentCenterList is required")
            plans.append((sku, [_centre(mfskuid, c) for c in centres]))
        for sku, centres in plans:
            sku.centres = centres
        return [{"MFSKUID": sku.mfskuid, "result": "SUCCESS"} for sku, _ in plans]

    def query_ef(self, client_id: str, data: Any) -> list[dict[str, Any]]:
        """The EF services of the requested SKUs."""
        if not isinstance(data, dict):
            raise OcError(400202, "data must be an object")
        wanted = _ids(data, "mfskulist", "mfskuid")
        if not wanted:
            raise OcError(400200, "mfskulist requires at least one SKU")
        skus = self.of(client_id)
        return [
            {"MFSKUID": mfskuid, "fulfillmentCenterList": skus[mfskuid].centres, "remark": ""}
            for mfskuid in sorted(wanted)
            if mfskuid in skus
        ]

    def control_rows(self, client_id: str) -> list[dict[str, Any]]:
        return [
            {**sku.row(), "centres": sku.centres}
            for sku in sorted(self.of(client_id).values(), key=lambda s: s.mfskuid)
        ]


def _centre(mfskuid: str, centre: Any) -> dict[str, Any]:
    if not isinstance(centre, dict):
        raise OcError(400200, "each fulfilment centre must be an object")
    region = _text(_get(centre, "serviceRegion"))
    offered = SERVICE_CODES.get(region)
    if offered is None:
        raise OcError(400202, f"{mfskuid}: unknown serviceRegion {region or '(none)'}")
    lists: dict[str, list[dict[str, str]]] = {}
    for name in ("domesticServiceList", "internationalServiceList"):
        codes = []
        for entry in _get(centre, name) or []:
            code = _text(_get(entry, "shippingServiceCode")) if isinstance(entry, dict) else ""
            if code not in offered:
                raise OcError(400202, f"{mfskuid}: {code or '(none)'} is not offered in {region}")
            codes.append({"shippingServiceCode": code})
        lists[name] = codes
    return {
        "serviceRegion": region,
        "fulfillmentCenter": _text(_get(centre, "fulfillmentCenter")) or region,
        **lists,
    }


# --- a small, valid PDF ----------------------------------------------------------------
def _pdf_text(text: str) -> str:
    safe = text.encode("ascii", "replace").decode("ascii")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def label_pdf(pages: list[list[str]]) -> bytes:
    """A PDF 1.4 file with one 100 x 50 mm page per entry of ``pages`` (lines of text),
    its cross-reference table at the exact byte offsets a reader checks. ASCII only."""
    if not pages:
        raise ValueError("a PDF needs at least one page")
    objects: list[str] = []
    page_ids = [4 + 2 * n for n in range(len(pages))]
    objects.append("<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for n, lines in enumerate(pages):
        commands = ["BT", "/F1 14 Tf", "16 110 Td"]
        for k, line in enumerate(lines):
            if k:
                commands.append("0 -22 Td")
            commands.append(f"({_pdf_text(line)}) Tj")
        commands.append("ET")
        stream = "\n".join(commands)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 283 142] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_ids[n] + 1} 0 R >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out = "%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("ascii")
