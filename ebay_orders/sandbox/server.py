"""The eBay sandbox over real HTTP: the Trading API at ``/ws/api.dll``, the Sell Fulfillment
API at ``/sell/fulfillment/v1/order`` (see ``rest.py``), control at ``/_sandbox/``.

Control API (JSON, for the demo and the tests):
  GET  /_sandbox/                    what is here
  POST /_sandbox/reset               regenerate orders: {"seller_fulfilled", "ebay_fulfilled",
                                     "mixed", "unknown_sku", "malformed", "vault", "seed",
                                     "demo_orders" (true: eBay UK also holds the demo's
                                     own orders DEMO-0001...; default: as before),
                                     "max_entries_per_page", "timeout_seconds", "token"}
  GET  /_sandbox/faults              pending faults
  POST /_sandbox/faults              {"kind": http_500|timeout|accept_then_timeout|
                                     malformed_xml|ack_failure|ack_warning, "count": N,
                                     "call": "GetOrders" (optional; REST: getOrders,
                                     createShippingFulfillment, getShippingFulfillments),
                                     "after": calls to let through first (optional)}
  GET  /_sandbox/calls               the journal (?call=CompleteSale&order_id=...)
  GET  /_sandbox/orders              every order
  POST /_sandbox/orders              add one: {"site_id", "lines": [{"sku", "quantity", "price",
                                     "fulfilled_by_ebay"}], "order_id", "malformed"}
  POST /_sandbox/orders/<id>/touch   mark it modified now

eBay's OAuth (see ``oauth.py``): GET/POST /oauth2/authorize (the consent page), POST
/identity/v1/oauth2/token (code exchange and refresh), and for control:
  GET  /_sandbox/oauth               applications, RuNames, tokens (no values), requests
  POST /_sandbox/oauth/apps          {"client_id", "client_secret", "name"}
  POST /_sandbox/oauth/redirect      {"client_id", "ru_name", "redirect_url"}
  POST /_sandbox/oauth/revoke        {"client_id" (optional)}: refresh tokens revoked
  POST /_sandbox/clock               {"advance_seconds": N} -> {"now"}
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ebay_orders.sandbox import oauth, rest, xml
from ebay_orders.sandbox.state import SITES, SandboxState, now_utc

logger = logging.getLogger(__name__)

API_PATH = "/ws/api.dll"
RESET_KEYS = {
    "seller_fulfilled",
    "ebay_fulfilled",
    "mixed",
    "unknown_sku",
    "malformed",
    "vault",
    "seed",
}
RESET_FLAGS = {"demo_orders"}
SETTING_KEYS = {"max_entries_per_page", "timeout_seconds", "token"}
_MALFORMED = (
    b'<?xml version="1.0"?><GetOrdersResponse xmlns="urn:ebay:apis:eBLBaseComponents"><Ack>Su'
)


class SandboxServer(ThreadingHTTPServer):
    """A threading HTTP server that carries the sandbox's state."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SandboxState) -> None:
        super().__init__(address, SandboxHandler)
        self.state = state


class SandboxHandler(BaseHTTPRequestHandler):
    """One request: a Trading API call or a control call."""

    server: SandboxServer
    protocol_version = "HTTP/1.1"
    server_version = "eBaySandbox/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("ebay sandbox: " + format, *args)

    @property
    def state(self) -> SandboxState:
        return self.server.state

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _xml(self, body: bytes) -> None:
        self._send(200, body, "text/xml; charset=utf-8")

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, default=str, indent=1).encode()
        self._send(status, body, "application/json")

    # --- Trading API ---------------------------------------------------------------------
    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if rest.handles(path):
            self._rest("POST")
        elif path == API_PATH:
            self._trading()
        elif path in {oauth.AUTHORIZE_PATH, oauth.TOKEN_PATH}:
            self._oauth_post(path)
        elif path.startswith("/_sandbox/"):
            self._control_post(path)
        else:
            self._json(404, {"error": f"nothing at {path}"})

    def _trading(self) -> None:
        body = self._body()
        call = self.headers.get("X-EBAY-API-CALL-NAME", "")
        site = self.headers.get("X-EBAY-API-SITEID", "")
        token = self.headers.get("X-EBAY-API-IAF-TOKEN", "")
        token_ok = self.state.token_is_valid(token)
        entry: dict[str, Any] = {"call": call, "site_id": site, "token_ok": token_ok}
        if not token_ok and self.state.oauth.access_token_known(token):
            entry["token_expired"] = True
        fault = self.state.take_fault(call)
        if fault:
            entry["fault"] = fault
        if fault in {"http_500", "timeout", "malformed_xml", "ack_failure"}:
            entry["order_id"] = _peek_order_id(call, body)
            self.state.record(entry)
            self._fault(fault, call)
            return
        ack = "Warning" if fault == "ack_warning" else "Success"
        try:
            answer = self._answer(call, site, token_ok, body, ack, entry)
        except xml.BadRequest as exc:
            entry["error"] = str(exc)
            answer = xml.failure(call or "Unknown", "37", f"Input data is invalid: {exc}")
        self.state.record(entry)
        if fault == "accept_then_timeout":
            self._hang_up()
            return
        self._xml(answer)

    def _fault(self, fault: str, call: str) -> None:
        if fault == "http_500":
            self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
        elif fault == "timeout":
            self._hang_up()
        elif fault == "malformed_xml":
            self._xml(_MALFORMED)
        else:
            self._xml(xml.failure(call or "Unknown", "10007", "Internal error to the application."))

    def _hang_up(self) -> None:
        # Say nothing until the client has given up, then hang up.
        time.sleep(self.state.timeout_seconds)
        self.close_connection = True

    def _answer(
        self, call: str, site: str, token_ok: bool, body: bytes, ack: str, entry: dict[str, Any]
    ) -> bytes:
        if not self.headers.get("X-EBAY-API-COMPATIBILITY-LEVEL"):
            raise xml.BadRequest("the X-EBAY-API-COMPATIBILITY-LEVEL header is missing")
        if not token_ok and entry.get("token_expired"):
            entry["error"] = "token expired"
            return xml.failure(call or "Unknown", "21916984", "IAF token supplied is expired.")
        if not token_ok:
            entry["error"] = "token rejected"
            return xml.failure(call or "Unknown", "931", "Auth token is invalid.")
        if not site.isdigit() or int(site) not in SITES:
            raise xml.BadRequest(f"X-EBAY-API-SITEID {site!r} is not a site this sandbox serves")
        if call == "GetOrders":
            return self._get_orders(int(site), body, ack, entry)
        if call == "CompleteSale":
            return self._complete_sale(int(site), body, ack, entry)
        return xml.failure(call or "Unknown", "2", f'Unsupported API call "{call}".')

    def _get_orders(self, site_id: int, body: bytes, ack: str, entry: dict[str, Any]) -> bytes:
        root = xml.parse_request(body, "GetOrders")
        order_ids = xml.values(root, "OrderIDArray/OrderID")
        if order_ids:
            return self._get_orders_by_id(site_id, order_ids, ack, entry)
        start = xml.read_time(xml.value(root, "ModTimeFrom"), "ModTimeFrom")
        end = xml.read_time(xml.value(root, "ModTimeTo"), "ModTimeTo")
        if end <= start or end - start > timedelta(days=30):
            raise xml.BadRequest("ModTimeTo must follow ModTimeFrom by at most 30 days")
        if start < now_utc() - timedelta(days=90):
            raise xml.BadRequest("ModTimeFrom is more than 90 days in the past")
        requested = xml.value(root, "Pagination/EntriesPerPage") or "25"
        page_raw = xml.value(root, "Pagination/PageNumber") or "1"
        if not requested.isdigit() or not page_raw.isdigit() or int(page_raw) < 1:
            raise xml.BadRequest("Pagination/EntriesPerPage and PageNumber must be positive")
        per_page = max(1, min(int(requested), 100, self.state.max_entries_per_page))
        page = int(page_raw)
        matches = self.state.orders_modified(site_id, start, end)
        chunk = matches[(page - 1) * per_page : page * per_page]
        entry.update(
            mod_time_from=xml.ebay_time(start),
            mod_time_to=xml.ebay_time(end),
            page_number=page,
            entries_per_page=per_page,
            order_ids=[o.order_id for o in chunk],
        )
        with self.state.lock:
            return xml.get_orders_response(
                chunk, page_number=page, per_page=per_page, total=len(matches), ack=ack
            )

    def _get_orders_by_id(
        self, site_id: int, order_ids: list[str], ack: str, entry: dict[str, Any]
    ) -> bytes:
        # With OrderIDs eBay ignores the date, role and status filters; unknown ids are left out.
        if len(order_ids) > 100:
            raise xml.BadRequest("OrderIDArray takes at most 100 OrderID values")
        found = self.state.orders_by_id(site_id, order_ids)
        entry.update(requested_order_ids=order_ids, order_ids=[o.order_id for o in found])
        with self.state.lock:
            return xml.get_orders_response(
                found, page_number=1, per_page=100, total=len(found), ack=ack
            )

    def _complete_sale(self, site_id: int, body: bytes, ack: str, entry: dict[str, Any]) -> bytes:
        root = xml.parse_request(body, "CompleteSale")
        order_id = xml.value(root, "OrderID")
        tracking = "Shipment/ShipmentTrackingDetails/"
        entry.update(
            order_id=order_id,
            shipped=xml.value(root, "Shipped"),
            carrier=xml.value(root, tracking + "ShippingCarrierUsed"),
            tracking_number=xml.value(root, tracking + "ShipmentTrackingNumber"),
        )
        if not order_id:
            raise xml.BadRequest("OrderID is required (ItemID + TransactionID is not emulated)")
        with self.state.lock:
            order = self.state.orders.get(order_id)
            if order is None or order.site_id != site_id:
                return xml.failure("CompleteSale", "37", f"OrderID {order_id} was not found.")
            if order.fulfilled_by_ebay:
                # [I] eBay refuses this for its own fulfilment; Hemi must never even ask.
                entry["error"] = "order is fulfilled by eBay"
                return xml.failure(
                    "CompleteSale",
                    "37",
                    f"Order {order_id} is fulfilled by eBay: not the seller's.",
                )
            entry["already_shipped"] = order.shipped_time is not None
            order.shipped_time = now_utc()
            order.modified = order.shipped_time
            order.tracking.append({"carrier": entry["carrier"], "number": entry["tracking_number"]})
        return xml.complete_sale_response(ack)

    # --- Sell Fulfillment API (REST, see ``rest.py``) ------------------------------------
    def _rest(self, method: str) -> None:
        host, port = self.server.server_address[:2]
        answer = rest.handle(
            self.state,
            method,
            self.path,
            {name.lower(): value for name, value in self.headers.items()},
            self._body(),
            f"http://{host!s}:{port}",
        )
        if answer.hang_up:
            self._hang_up()
            return
        body = answer.raw if answer.raw is not None else json.dumps(answer.payload).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    # --- Control API -------------------------------------------------------------------
    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if rest.handles(parts.path):
            self._rest("GET")
        elif parts.path in {"/_sandbox", "/_sandbox/"}:
            self._json(200, {"api": API_PATH, "control": __doc__})
        elif parts.path == oauth.AUTHORIZE_PATH:
            self._oauth_answer(self.state.oauth.consent_page(parts.query))
        elif parts.path == "/_sandbox/oauth":
            self._json(200, self.state.oauth.summary())
        elif parts.path == "/_sandbox/calls":
            self._json(200, self.state.calls(query.get("call", ""), query.get("order_id", "")))
        elif parts.path == "/_sandbox/faults":
            with self.state.lock:
                self._json(200, [asdict(f) for f in self.state.faults])
        elif parts.path == "/_sandbox/orders":
            with self.state.lock:
                self._json(200, [o.summary() for o in self.state.orders.values()])
        else:
            self._json(404, {"error": f"nothing at {parts.path}"})

    # --- eBay's OAuth ------------------------------------------------------------------
    def _oauth_post(self, path: str) -> None:
        store = self.state.oauth
        if path == oauth.AUTHORIZE_PATH:
            self._oauth_answer(store.consent_decision(self._body()))
        else:
            self._oauth_answer(store.token(self.headers.get("Authorization", ""), self._body()))

    def _oauth_answer(self, answer: oauth.Answer) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)

    def _oauth_control(self, path: str, payload: dict[str, Any]) -> Any:
        store = self.state.oauth
        if path == "/_sandbox/clock":
            return {"now": store.clock.advance(float(payload.get("advance_seconds", 0)))}
        if path == "/_sandbox/oauth/apps":
            app = store.register(
                str(payload["client_id"]),
                str(payload["client_secret"]),
                str(payload.get("name", "")),
            )
            return {"client_id": app.client_id, "name": app.name}
        if path == "/_sandbox/oauth/redirect":
            store.set_redirect(
                str(payload["client_id"]), str(payload["ru_name"]), str(payload["redirect_url"])
            )
            return store.summary()["apps"]
        if path == "/_sandbox/oauth/revoke":
            return {"revoked": store.revoke(str(payload.get("client_id", "")))}
        raise KeyError(path)

    def _control_post(self, path: str) -> None:
        try:
            payload = json.loads(self._body() or b"{}")
            if not isinstance(payload, dict):
                raise ValueError("expected a JSON object")
            self._json(200, self._control(path, payload))
        except KeyError as exc:
            self._json(404, {"error": f"no such order: {exc}"})
        except (ValueError, TypeError) as exc:
            self._json(400, {"error": str(exc)})

    def _control(self, path: str, payload: dict[str, Any]) -> Any:
        state = self.state
        if path == "/_sandbox/clock" or path.startswith("/_sandbox/oauth/"):
            return self._oauth_control(path, payload)
        if path == "/_sandbox/reset":
            unknown = set(payload) - RESET_KEYS - RESET_FLAGS - SETTING_KEYS
            if unknown:
                raise ValueError(f"unknown keys: {', '.join(sorted(unknown))}")
            flag = payload.get("demo_orders")
            demo_orders = None if flag is None else _flag(flag)  # checked before any change
            with state.lock:
                state.token = str(payload.get("token", state.token))
                state.max_entries_per_page = int(
                    payload.get("max_entries_per_page", state.max_entries_per_page)
                )
                state.timeout_seconds = float(payload.get("timeout_seconds", state.timeout_seconds))
                counts = {k: int(v) for k, v in payload.items() if k in RESET_KEYS}
                state.reset(**counts, demo_orders=demo_orders)
                return {"orders": len(state.orders)}
        if path == "/_sandbox/faults":
            fault = state.inject(
                str(payload.get("kind", "")),
                int(payload.get("count", 1)),
                str(payload.get("call", "")),
                int(payload.get("after", 0)),
            )
            return asdict(fault)
        if path == "/_sandbox/orders":
            order = state.add_order(
                site_id=int(payload.get("site_id", 3)),
                lines=list(payload.get("lines") or []),
                order_id=str(payload.get("order_id", "")),
                malformed=bool(payload.get("malformed", False)),
            )
            return order.summary()
        if path.startswith("/_sandbox/orders/") and path.endswith("/touch"):
            return state.touch(
                path.removeprefix("/_sandbox/orders/").removesuffix("/touch")
            ).summary()
        raise KeyError(path)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("demo_orders must be true or false")
    return value


def _peek_order_id(call: str, body: bytes) -> str:
    # A faulted CompleteSale is journalled with its order too: tests count calls per order.
    if call != "CompleteSale":
        return ""
    try:
        return xml.value(xml.parse_request(body, call), "OrderID")
    except xml.BadRequest:
        return ""


@dataclass
class RunningSandbox:
    """A started sandbox: its base URL, its Trading API URL and its state."""

    url: str
    state: SandboxState
    server: SandboxServer

    @property
    def api_url(self) -> str:
        return self.url + API_PATH


def make_server(host: str, port: int, state: SandboxState) -> SandboxServer:
    """A server bound to ``host:port`` (port 0: a free one), not yet serving."""
    return SandboxServer((host, port), state)


@contextmanager
def running_sandbox(state: SandboxState | None = None, **config: Any) -> Iterator[RunningSandbox]:
    """Run the sandbox on a free 127.0.0.1 port in a daemon thread for the ``with`` block.

    ``config`` goes to :class:`SandboxState` (the order mix, the token, page size...).
    """
    state = state or SandboxState(**config)
    server = make_server("127.0.0.1", 0, state)
    thread = threading.Thread(target=server.serve_forever, name="ebay-sandbox", daemon=True)
    thread.start()
    try:
        yield RunningSandbox(
            url=f"http://127.0.0.1:{server.server_port}", state=state, server=server
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
