"""The sandbox's inbound orders: creation, list and detail queries, labels, uploads.

Inbound orders are kept per client. A created order is ``CREATED``; it moves through
``SHIPPED``, ``ARRIVED``, ``RECEIVING`` and ``RECEIVED`` when the control API advances it,
and on the sandbox clock: every ``step_seconds`` (a day by default) spent in a status
moves it one step on (0: only the control API moves it). What OC receives may be fewer
units than were sent (the control API's ``received`` or ``short``). Shipping adds the
units to the catalog's INTRAN count of the region; receiving moves the received ones to
AVL. Labels are real PDFs, one page per carton and one per SKU of a carton. These status
words are the sandbox's own choice: OC publishes none.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from .catalog import ALL_REGIONS, Catalog
from .messages import OcError, json_response
from .skus import APPROVED, SkuBook, label_pdf
from .timefmt import OC_TZ, SandboxClock, format_oc_time, parse_oc_time

CREATION = "/openapi/3pp/inbound/v1/creation"
LIST = "/openapi/3pp/inbound/v1/query"
DETAIL = "/openapi/3pp/inbound/v1/detail"
LABELS = "/openapi/3pp/inbound/v1/query/labels"
TRACKING = "/openapi/3pp/inbound/v1/upload/shipment-file"
CLEARANCE = "/openapi/3pp/inbound/v1/upload/customs-clearance-file"

CREATED, SHIPPED, ARRIVED, RECEIVING, RECEIVED = (
    "CREATED",
    "SHIPPED",
    "ARRIVED",
    "RECEIVING",
    "RECEIVED",
)
CANCELLED = "CANCELLED"
STEPS = (CREATED, SHIPPED, ARRIVED, RECEIVING, RECEIVED)
FINAL = (RECEIVED, CANCELLED)
SHIPPING_METHODS = {"TK", "EX"}
TRANSPORT_METHODS = {"OF", "AF", "RF", "TK"}
FILE_TYPES = {"PL", "IN", "BL", "MAWB", "HAWB", "CO"}
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_WINDOW = timedelta(days=7)
MAX_LOOKBACK = timedelta(days=366)
DEFAULT_STEP_SECONDS = 24 * 3600.0
UNKNOWN_INBOUND = "3A0529"
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_ETA = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*([+-])\s*(\d{2}):?(\d{2})$")
ErrorList = list[dict[str, str]]


def _get(item: Any, name: str) -> Any:
    """A request field, its name compared case-insensitively (OC's examples vary)."""
    if not isinstance(item, dict):
        return None
    if name in item:
        return item[name]
    lowered = name.lower()
    return next((v for k, v in item.items() if k.lower() == lowered), None)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _quantity(value: Any) -> int | None:
    # OC's own example sends "10" where its schema says an integer.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


@dataclass
class Carton:
    seller_number: str
    origin: str
    lines: list[tuple[str, int]]  # (MFSKUID, units)


@dataclass
class InboundOrder:
    """One inbound order of one client at OC."""

    client_id: str
    inbound_number: str
    seller_number: str
    region: str
    shipping_from: str
    shipping_method: str
    transport_method: str
    eta: str
    vat: str
    cartons: list[Carton]
    created: float
    status: str = CREATED
    status_since: float = 0.0
    history: list[tuple[str, float]] = field(default_factory=list)
    received: dict[str, int] = field(default_factory=dict)
    short: dict[str, int] = field(default_factory=dict)
    tracking: list[dict[str, str]] = field(default_factory=list)
    files: list[dict[str, str]] = field(default_factory=list)

    def sent(self) -> dict[str, int]:
        """Units per MFSKUID over every carton."""
        totals: dict[str, int] = {}
        for carton in self.cartons:
            for mfskuid, units in carton.lines:
                totals[mfskuid] = totals.get(mfskuid, 0) + units
        return totals

    def changed_between(self, start: float, end: float) -> bool:
        return any(start <= when <= end for _, when in self.history)

    def detail_row(self) -> dict[str, Any]:
        """The order as the detail query answers it (OC's spelling of its 12 fields)."""
        return {
            "inboundNumber": self.inbound_number,
            "sellerinboundNumber": self.seller_number,
            "status": self.status,
            "serviceRegion": self.region,
            "createTime": format_oc_time(self.created),
            "statusTime": format_oc_time(self.status_since),
            "bookingNumber": f"BK{self.inbound_number[-8:]}" if self.status != CREATED else "",
            "asnList": [{"asnNumber": f"ASN{self.inbound_number[-8:]}"}],
            "batchList": [
                {
                    "arrivalTime": int(self.status_since * 1000) if self._arrived() else 0,
                    "asnnumber": f"ASN{self.inbound_number[-8:]}",
                    "inboundBatchNumber": f"B{self.inbound_number[-8:]}",
                }
            ],
            "fileList": [dict(f) for f in self.files],
            "skuList": [
                {
                    "mfskuid": mfskuid,
                    "quantity": units,
                    "receivedQuantity": self.received.get(mfskuid, 0),
                }
                for mfskuid, units in self.sent().items()
            ],
        }

    def list_row(self) -> dict[str, Any]:
        return {
            "inboundNumber": self.inbound_number,
            "sellerInboundNumber": self.seller_number,
            "status": self.status,
            "serviceRegion": self.region,
            "createTime": format_oc_time(self.created),
            "statusTime": format_oc_time(self.status_since),
        }

    def control_row(self) -> dict[str, Any]:
        return {
            **self.detail_row(),
            "clientId": self.client_id,
            "shippingMethod": self.shipping_method,
            "eta": self.eta,
            "cartons": [
                {
                    "sellerCartonNumber": c.seller_number,
                    "productList": [{"mfskuid": s, "quantity": q} for s, q in c.lines],
                }
                for c in self.cartons
            ],
            "tracking": list(self.tracking),
            "history": [{"status": s, "time": format_oc_time(t)} for s, t in self.history],
        }

    def _arrived(self) -> bool:
        return self.status in (ARRIVED, RECEIVING, RECEIVED)


class InboundBook:
    """Every client's inbound orders; not thread-safe (the sandbox lock guards it)."""

    def __init__(self, clock: SandboxClock, numbers: Iterable[int] | None = None) -> None:
        self.clock = clock
        self._numbers: Iterator[int] = (
            iter(numbers) if numbers is not None else itertools.count(10000001)
        )
        self.orders: dict[str, InboundOrder] = {}
        self.step_seconds = DEFAULT_STEP_SECONDS

    # --- the clock ----------------------------------------------------------------------
    def tick(self, catalog: Catalog) -> None:
        """Move every order on by the steps its time in the current status allows."""
        if self.step_seconds <= 0:
            return
        now = self.clock.now()
        for order in self.orders.values():
            while order.status in STEPS[:-1] and now - order.status_since >= self.step_seconds:
                self._set_status(
                    order, self._next(order), catalog, order.status_since + self.step_seconds
                )

    # --- PlaceInboundOrder --------------------------------------------------------------
    def create(
        self, client_id: str, data: Any, skus: SkuBook, catalog: Catalog
    ) -> tuple[dict[str, Any] | None, ErrorList]:
        """Create the order, or return OC-style errors (nothing created)."""
        if not isinstance(data, dict):
            raise OcError(400200, "data must be one inbound order object")
        self.tick(catalog)
        seller = _text(_get(data, "sellerInboundNumber"))
        errors: ErrorList = []

        def error(code: str, message: str) -> None:
            errors.append({"code": code, "message": message, "id": seller})

        if not seller:
            error("400200", "sellerInboundNumber is required")
        elif len(seller) > 50:
            error("400201", "sellerInboundNumber is longer than 50 characters")
        elif any(
            o.client_id == client_id and o.seller_number == seller for o in self.orders.values()
        ):
            error("400409", f"sellerInboundNumber {seller} already exists")
        region = _text(_get(data, "serviceRegion"))
        if region not in ALL_REGIONS:
            error("400202", f"serviceRegion {region or '(none)'} is not a fulfilment centre")
        shipping_from = _text(_get(data, "shippingFrom"))
        if not _COUNTRY.match(shipping_from):
            error("400202", "shippingFrom must be an ISO 3166 two-letter code")
        method = _text(_get(data, "shippingMethod"))
        if method not in SHIPPING_METHODS:
            error("400202", "shippingMethod must be TK or EX")
        transport = _text(_get(data, "transportMethod"))
        if transport and transport not in TRANSPORT_METHODS:
            error("400202", "transportMethod must be OF, AF, RF or TK")
        eta = _text(_get(data, "eta"))
        match = _ETA.match(eta)
        if match is None:
            error("400202", "eta must be a date with an offset, like 2018-11-28+0800")
        else:
            day = datetime.fromisoformat(match.group(1)).date()
            if day < datetime.fromtimestamp(self.clock.now(), OC_TZ).date() - timedelta(days=1):
                error("400202", f"eta {eta} is in the past")
        cartons = self._cartons(_get(data, "cartonList"), shipping_from, error)
        for carton in cartons:
            for mfskuid, _ in carton.lines:
                problem = self._sku_problem(client_id, mfskuid, region, skus, catalog)
                if problem:
                    error(*problem)
        if errors:
            return None, errors
        now = self.clock.now()
        order = InboundOrder(
            client_id=client_id,
            inbound_number=f"OCI4{(region[:2] or 'XX').upper()}{next(self._numbers):08d}",
            seller_number=seller,
            region=region,
            shipping_from=shipping_from,
            shipping_method=method,
            transport_method=transport,
            eta=eta,
            vat=_text(_get(data, "vat")),
            cartons=cartons,
            created=now,
            status_since=now,
            history=[(CREATED, now)],
        )
        self.orders[order.inbound_number] = order
        return {"inboundNumber": order.inbound_number, "sellerInboundNumber": seller}, []

    def _cartons(self, value: Any, origin: str, error: Any) -> list[Carton]:
        if not isinstance(value, list) or not value:
            error("400200", "cartonList requires at least one carton")
            return []
        cartons: list[Carton] = []
        for item in value:
            number = _text(_get(item, "sellerCartonNumber")) or _text(_get(item, "cartonNumber"))
            if not number:
                error("400200", "sellerCartonNumber is required for every carton")
                continue
            if any(c.seller_number == number for c in cartons):
                error("400202", f"carton {number} is listed twice")
            products = _get(item, "productList")
            if not isinstance(products, list) or not products:
                error("400200", f"carton {number}: productList requires at least one SKU")
                continue
            lines = []
            for product in products:
                mfskuid = _text(_get(product, "mfskuid"))
                units = _quantity(_get(product, "quantity"))
                if not mfskuid:
                    error("400200", f"carton {number}: mfskuid is required")
                elif units is None or units <= 0:
                    error("400202", f"carton {number}: quantity of {mfskuid} must be more than 0")
                else:
                    lines.append((mfskuid, units))
            cartons.append(
                Carton(number, _text(_get(item, "cartonOriginCountry")) or origin, lines)
            )
        return cartons

    @staticmethod
    def _sku_problem(
        client_id: str, mfskuid: str, region: str, skus: SkuBook, catalog: Catalog
    ) -> tuple[str, str] | None:
        sku = skus.of(client_id).get(mfskuid)
        if sku is None:
            return ("400404", f"MFSKUID {mfskuid} does not exist")
        if sku.status != APPROVED:
            return ("400202", f"{mfskuid} is not approved")
        regions = {str(c.get("serviceRegion")) for c in sku.centres}
        row = catalog.get(mfskuid)
        if row is not None:
            regions |= set(row.regions)
        if region and region not in regions:
            return ("400202", f"{mfskuid} is not approved for serviceRegion {region}")
        return None

    # --- queries ------------------------------------------------------------------------
    def _window(self, data: dict[str, Any]) -> tuple[float, float]:
        now = self.clock.now()
        start_text, end_text = _text(_get(data, "startTime")), _text(_get(data, "endTime"))
        if not start_text:
            raise OcError(400200, "startTime is required")
        try:
            start = parse_oc_time(start_text).timestamp()
            end = parse_oc_time(end_text).timestamp() if end_text else now
        except ValueError:
            raise OcError(
                400202, "startTime and endTime look like 2023-04-21T20:09:57+0800"
            ) from None
        if end <= start:
            raise OcError(400202, "endTime must be after startTime")
        if end - start >= MAX_WINDOW.total_seconds():
            raise OcError(400202, "endTime - startTime must be less than 7 days")
        if now - start > MAX_LOOKBACK.total_seconds():
            raise OcError(400202, "startTime must be within the last 12 months")
        return start, end

    def _numbers_in(self, data: dict[str, Any], name: str) -> list[str] | None:
        value = _get(data, name)
        if value in (None, []):
            return None
        if not isinstance(value, list):
            raise OcError(400202, f"{name} must be a list")
        return [str(v).strip() for v in value if str(v).strip()]

    def detail(self, client_id: str, data: Any, catalog: Catalog) -> dict[str, Any]:
        """Orders created or changed within the window, narrowed by the number lists."""
        if not isinstance(data, dict):
            raise OcError(400202, "data must be an object")
        self.tick(catalog)
        start, end = self._window(data)
        numbers = self._numbers_in(data, "inboundNumberList")
        sellers = self._numbers_in(data, "sellerinboundNumberList")
        mine = {n: o for n, o in self.orders.items() if o.client_id == client_id}
        unknown = [n for n in numbers or [] if n not in mine]
        if unknown:
            raise OcError(
                3,
                f"Query fail. Because inboundNumber {unknown} doesnt exists.",
            )
        found = [
            order
            for order in mine.values()
            if order.changed_between(start, end)
            and (numbers is None or order.inbound_number in numbers)
            and (sellers is None or order.seller_number in sellers)
        ]
        return {"inboundOrderList": [order.detail_row() for order in found]}

    def list_query(self, client_id: str, data: Any, catalog: Catalog) -> list[dict[str, Any]]:
        """Every order of the client created or changed within the window."""
        if not isinstance(data, dict):
            raise OcError(400202, "data must be an object")
        self.tick(catalog)
        start, end = self._window(data)
        return [
            order.list_row()
            for order in self.orders.values()
            if order.client_id == client_id and order.changed_between(start, end)
        ]

    def _order(self, client_id: str, number: str) -> InboundOrder:
        order = self.orders.get(number)
        if order is None or order.client_id != client_id:
            raise OcError(3, f"Query fail. Because inboundNumber [{number}] doesnt exists.")
        return order

    # --- labels -------------------------------------------------------------------------
    def labels(self, client_id: str, data: Any) -> list[dict[str, str]]:
        """One PDF per requested order: a page per carton, then a page per SKU of it."""
        entries = _get(data, "inboundOrderList")
        if not isinstance(entries, list) or not entries:
            raise OcError(400200, "inboundOrderList requires at least one inboundOrder")
        answers = []
        for entry in entries:
            order = self._order(client_id, _text(_get(entry, "inboundOrder")))
            pages: list[list[str]] = []
            for n, carton in enumerate(order.cartons, start=1):
                pages.append(
                    [
                        f"{order.inbound_number}  carton {n}/{len(order.cartons)}",
                        f"Carton: {carton.seller_number}",
                        f"To: OC {order.region}  From: {carton.origin}",
                    ]
                )
                pages.extend(
                    [mfskuid, f"Carton {carton.seller_number}: {units} units"]
                    for mfskuid, units in carton.lines
                )
            answers.append(
                {
                    "inboundOrder": order.inbound_number,
                    "fileName": f"{order.inbound_number}.pdf",
                    "fileType": "PDF",
                    "labelFile": base64.b64encode(label_pdf(pages)).decode("ascii"),
                }
            )
        return answers

    # --- uploads ------------------------------------------------------------------------
    def upload_tracking(self, client_id: str, data: Any) -> dict[str, Any]:
        """Keep the carriers' tracking numbers of an express order's cartons."""
        number = _text(_get(data, "inboundNumber"))
        reference = _text(_get(data, "referenceNumber"))
        if not 1 <= len(number) <= 100:
            raise OcError(400200, "inboundNumber is required (1 to 100 characters)")
        if not 1 <= len(reference) <= 50:
            raise OcError(400200, "referenceNumber is required (1 to 50 characters)")
        order = self._order(client_id, number)
        if order.shipping_method != "EX":
            raise OcError(400202, "tracking numbers are uploaded for express (EX) orders only")
        if order.status in FINAL:
            raise OcError(400202, f"inbound order {number} is {order.status.lower()}")
        entries = _get(data, "trackingList")
        if not isinstance(entries, list) or not entries:
            raise OcError(400200, "trackingList requires at least one entry")
        cartons = {c.seller_number for c in order.cartons}
        kept = []
        for entry in entries:
            carton = _text(_get(entry, "cartonNumber"))
            tracking = _text(_get(entry, "trackingNumber"))
            carrier = _text(_get(entry, "carrier"))
            if not tracking or not carrier:
                raise OcError(400200, "every entry needs its carrier and trackingNumber")
            if carton and carton not in cartons:
                raise OcError(400202, f"cartonNumber {carton} is not a carton of {number}")
            kept.append({"cartonNumber": carton, "carrier": carrier, "trackingNumber": tracking})
        order.tracking = kept
        return {"inboundNumber": number, "referenceNumber": reference}

    def upload_clearance(self, client_id: str, data: Any) -> dict[str, Any]:
        """Keep customs-clearance files (base64), checked as OC's ``verifyStatus``."""
        order = self._order(client_id, _text(_get(data, "inboundNumber")))
        files = _get(data, "fileList")
        if not isinstance(files, list) or not files:
            raise OcError(400200, "fileList requires at least one file")
        checked = []
        for item in files:
            name, kind = _text(_get(item, "fileName")), _text(_get(item, "fileType"))
            if not name:
                raise OcError(400200, "fileName is required")
            if kind not in FILE_TYPES:
                raise OcError(400202, f"fileType must be one of {', '.join(sorted(FILE_TYPES))}")
            try:
                content = base64.b64decode(_text(_get(item, "file")), validate=True)
            except (binascii.Error, ValueError):
                raise OcError(400202, f"file of {name} is not base64") from None
            if not content:
                raise OcError(400200, f"file of {name} is empty")
            if len(content) > MAX_FILE_BYTES:
                raise OcError(400202, f"{name} is larger than 10 MB")
            not_pdf = name.lower().endswith(".pdf") and not content.startswith(b"%PDF-")
            checked.append(
                {
                    "fileName": name,
                    "fileType": kind,
                    "file": f"{order.inbound_number}/{name}",
                    "verifyStatus": "FAILED" if not_pdf else "PASSED",
                    "failReason": "the file is not a readable PDF" if not_pdf else "",
                }
            )
        order.files = [
            f for f in order.files if f["fileType"] not in {c["fileType"] for c in checked}
        ]
        order.files.extend(checked)
        return {"inboundNumber": order.inbound_number, "files": len(checked)}

    # --- control ------------------------------------------------------------------------
    def find(self, body: dict[str, Any]) -> list[InboundOrder]:
        """The orders a control call names (``all``, ``inboundNumber`` or
        ``sellerInboundNumber``); KeyError when none."""
        if body.get("all"):
            return [o for o in self.orders.values() if o.status not in FINAL]
        number = str(body.get("inboundNumber") or "")
        seller = str(body.get("sellerInboundNumber") or "")
        chosen = [
            o
            for o in self.orders.values()
            if (number and o.inbound_number == number) or (seller and o.seller_number == seller)
        ]
        if not chosen:
            raise KeyError(number or seller or "no inbound order named")
        return chosen

    def advance(self, body: dict[str, Any], catalog: Catalog) -> list[InboundOrder]:
        """Move the named orders to ``to`` (default: the next status), receiving
        ``received`` units per MFSKUID (or all but ``short`` units) when they arrive."""
        to = str(body.get("to") or "")
        if to and to not in (*STEPS, CANCELLED):
            raise ValueError(f"to must be one of {', '.join((*STEPS, CANCELLED))}")
        received, short = body.get("received") or {}, body.get("short") or {}
        for name, value in (("received", received), ("short", short)):
            if not isinstance(value, dict) or any(
                _quantity(v) is None or _quantity(v) < 0  # type: ignore[operator]
                for v in value.values()
            ):
                raise ValueError(f"{name} must map MFSKUIDs to whole numbers >= 0")
        self.tick(catalog)
        orders = self.find(body)
        now = self.clock.now()
        for order in orders:
            sent = order.sent()
            for mfskuid, units in received.items():
                if mfskuid not in sent:
                    raise ValueError(f"{mfskuid} is not in {order.inbound_number}")
                order.short[mfskuid] = max(0, sent[mfskuid] - int(units))
            for mfskuid, units in short.items():
                if mfskuid not in sent:
                    raise ValueError(f"{mfskuid} is not in {order.inbound_number}")
                order.short[mfskuid] = min(sent[mfskuid], int(units))
            target = to or (self._next(order) if order.status not in FINAL else order.status)
            if order.status in FINAL:
                continue
            if target == CANCELLED:
                self._set_status(order, CANCELLED, catalog, now)
                continue
            while STEPS.index(order.status) < STEPS.index(target):
                self._set_status(order, self._next(order), catalog, now)
        return orders

    @staticmethod
    def _next(order: InboundOrder) -> str:
        return STEPS[min(STEPS.index(order.status) + 1, len(STEPS) - 1)]

    def _set_status(self, order: InboundOrder, status: str, catalog: Catalog, when: float) -> None:
        sent = order.sent()
        if status == SHIPPED:
            for mfskuid, units in sent.items():
                catalog.move(mfskuid, order.region, None, "INTRAN", units)
        elif status == RECEIVING:
            order.received = {s: (units - order.short.get(s, 0)) // 2 for s, units in sent.items()}
        elif status == RECEIVED:
            order.received = {s: units - order.short.get(s, 0) for s, units in sent.items()}
            for mfskuid, units in sent.items():
                catalog.move(mfskuid, order.region, "INTRAN", "AVL", order.received[mfskuid])
                catalog.move(mfskuid, order.region, "INTRAN", None, units - order.received[mfskuid])
        elif status == CANCELLED and order.status != CREATED:
            for mfskuid, units in sent.items():
                catalog.move(mfskuid, order.region, "INTRAN", None, units)
        order.status = status
        order.status_since = when
        order.history.append((status, when))


# --- the six endpoints (registered in api.ROUTES) ---------------------------------------------
class InboundHost(Protocol):
    """What the endpoints need of the sandbox (its core, which imports this module)."""

    inbound: InboundBook
    skus: SkuBook
    catalog: Catalog


def _create(sandbox: InboundHost, client_id: str, envelope: dict[str, Any]) -> Any:
    created, errors = sandbox.inbound.create(
        client_id, envelope.get("data"), sandbox.skus, sandbox.catalog
    )
    if not errors:
        return created
    return json_response(
        {
            "code": 4,
            "data": [],
            "errors": errors,
            "message": "; ".join(e["message"] for e in errors),
            "messageId": envelope.get("messageId"),
            "success": False,
        }
    )


def _detail(sandbox: InboundHost, client_id: str, envelope: dict[str, Any]) -> Any:
    return sandbox.inbound.detail(client_id, envelope.get("data"), sandbox.catalog)


def _list(sandbox: InboundHost, client_id: str, envelope: dict[str, Any]) -> Any:
    return sandbox.inbound.list_query(client_id, envelope.get("data"), sandbox.catalog)


def _labels(sandbox: InboundHost, client_id: str, envelope: dict[str, Any]) -> Any:
    sandbox.inbound.tick(sandbox.catalog)
    return sandbox.inbound.labels(client_id, envelope.get("data"))


def _tracking(sandbox: InboundHost, client_id: str, envelope: dict[str, Any]) -> Any:
    sandbox.inbound.tick(sandbox.catalog)
    return sandbox.inbound.upload_tracking(client_id, envelope.get("data"))


def _clearance(sandbox: InboundHost, client_id: str, envelope: dict[str, Any]) -> Any:
    sandbox.inbound.tick(sandbox.catalog)
    return sandbox.inbound.upload_clearance(client_id, envelope.get("data"))


#: Path -> handler, every one a POST that needs the access token. A handler returns the
#: answer's ``data`` (api wraps it in OC's success envelope) or a whole ``Response``.
HANDLERS: dict[str, Callable[[InboundHost, str, dict[str, Any]], Any]] = {
    CREATION: _create,
    LIST: _list,
    DETAIL: _detail,
    LABELS: _labels,
    TRACKING: _tracking,
    CLEARANCE: _clearance,
}


# --- the control API (registered in control.ACTIONS) ------------------------------------------
def control_orders(sandbox: InboundHost, body: dict[str, Any]) -> Any:
    """``GET /_sandbox/inbound``: every inbound order, moved on by the clock first."""
    sandbox.inbound.tick(sandbox.catalog)
    return {"orders": [o.control_row() for o in sandbox.inbound.orders.values()]}


def control_advance(sandbox: InboundHost, body: dict[str, Any]) -> Any:
    """``POST /_sandbox/inbound/advance``: see :meth:`InboundBook.advance`."""
    moved = sandbox.inbound.advance(body, sandbox.catalog)
    return {"orders": [o.control_row() for o in moved]}


def control_config(sandbox: InboundHost, body: dict[str, Any]) -> Any:
    """``POST /_sandbox/inbound/config``: ``{"step_seconds": N}`` (0: the clock moves none)."""
    seconds = body.get("step_seconds", sandbox.inbound.step_seconds)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ValueError("step_seconds must be a number >= 0")
    sandbox.inbound.step_seconds = float(seconds)
    return {"step_seconds": sandbox.inbound.step_seconds}
