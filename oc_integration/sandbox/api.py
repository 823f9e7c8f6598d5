"""OC's API under ``/openapi``: authentication checks, then the endpoints.

Checks, in OC's order: ``clientKey`` (unknown: code 401002), ``Access-Token`` (bare or
``Bearer ``; missing, unknown, expired or revoked: rejected in the client's style, HTTP 401
or HTTP 200 with code 401), ``vAuthorization`` (md5 of ``path|body|clientKey|secretKey``,
body empty in ``path_only`` mode; wrong: 401003), ``TimeStamp`` (epoch ms; missing: 400003),
``Content-Type: application/json`` on POST (400004), then the JSON body (400001); a GET
with a body (OC's returns queries) is checked the same way.
GetServiceList needs neither token nor signature (a signature sent is still checked).
Successful answers: ``{"code": 0, "message": "success", "messageId", "data", "success": true}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .catalog import render_rows
from .config import ClientConfig
from .core import OcSandbox
from .costs import HANDLERS as COST_HANDLERS
from .inbound import HANDLERS as INBOUND_HANDLERS
from .messages import OcError, Request, Response, json_response
from .movements import MOVEMENT, STOCK_AGE
from .own_label import HANDLERS as OWN_LABEL_HANDLERS
from .returns import HANDLERS as RETURN_HANDLERS
from .services import SERVICE_LIST
from .skus import CREATION as SKU_CREATION
from .skus import EF_QUERY, EF_SETUP, LABEL
from .skus import QUERY as SKU_QUERY
from .stock_v2 import PATH as SNAPSHOT_V2
from .stock_v2 import snapshot_v2

TOKEN_REJECTED = {"code": 401, "success": False, "message": "Access token is invalid or expired"}

Handler = Callable[[OcSandbox, str, dict[str, Any]], Response]


def signature(path: str, body: bytes, client_key: str, secret_key: str) -> str:
    """OC's vAuthorization: md5_hex(path|body|clientKey|secretKey), over the exact bytes."""
    raw = path.encode("utf-8") + b"|" + body + b"|" + f"{client_key}|{secret_key}".encode()
    return hashlib.md5(raw).hexdigest()  # noqa: S324 - OC's signature scheme is md5


def failure(code: int | str, message: str, message_id: Any = None, status: int = 200) -> Response:
    """OC's error envelope (HTTP 200 unless told otherwise, as OC does)."""
    payload: dict[str, Any] = {"code": code, "success": False, "message": message}
    if message_id is not None:
        payload["messageId"] = message_id
    return json_response(payload, status)


def success(data: Any, message_id: Any = None) -> Response:
    """OC's success envelope."""
    return json_response(
        {"code": 0, "message": "success", "messageId": message_id, "data": data, "success": True}
    )


def token_rejection(client: ClientConfig | None) -> Response:
    """A rejected token, in the client's style."""
    status = 401 if client is not None and client.token_rejection_style == "http401" else 200
    return json_response(TOKEN_REJECTED, status)


def _bearer_value(header: str | None) -> str:
    value = (header or "").strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value


@dataclass(frozen=True)
class Route:
    """One API endpoint."""

    handler: Handler
    needs_token: bool = True


def handle(sandbox: OcSandbox, request: Request) -> Response:
    """Serve one ``/openapi`` request; the caller holds the sandbox lock."""
    route = ROUTES.get((request.method, request.path))
    if route is None:
        known = any(path == request.path for _, path in ROUTES)
        status, what = (405, "Method not allowed") if known else (404, "No such API")
        return failure(status, f"{what}: {request.method} {request.path}", status=status)
    client_key = request.header("clientkey") or ""
    client = sandbox.client(client_key)
    if client is None:
        return failure(401002, "Invalid clientKey")
    request.notes["client_id"] = client_key
    if route.needs_token:
        record = sandbox.tokens.lookup(_bearer_value(request.header("access-token")), "access")
        if record is None or record.client_id != client_key:
            return token_rejection(client)
    sent_signature = (request.header("vauthorization") or "").strip().lower()
    if route.needs_token or sent_signature:
        body = request.body if client.signature_mode == "path_and_body" else b""
        expected = signature(request.path, body, client_key, client.secret_key)
        if not hmac.compare_digest(sent_signature.encode(), expected.encode()):
            return failure(401003, "vAuthorization signature verification failed")
    if route.needs_token and not (request.header("timestamp") or "").strip().isdigit():
        return failure(400003, "TimeStamp header is required (epoch milliseconds)")
    envelope: dict[str, Any] = {}
    # A GET normally has no body; OC's returns queries are GETs that carry one.
    if request.method == "POST" or (request.method == "GET" and request.body.strip()):
        if not (request.header("content-type") or "").lower().startswith("application/json"):
            return failure(400004, "Content-Type must be application/json")
        try:
            envelope = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return failure(400001, "Request body is not valid JSON")
        if not isinstance(envelope, dict):
            return failure(400001, "Request body is not valid JSON")
    try:
        return route.handler(sandbox, client_key, envelope)
    except OcError as exc:
        return failure(exc.code, exc.message, envelope.get("messageId"))


def _service_list(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    return success(SERVICE_LIST)


def _snapshot(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    data = envelope.get("data")
    if data is None:
        data = []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise OcError(400002, 'data must be a list like [{"MFSKUID": null}]')
    wanted = [item.get("MFSKUID") for item in data]
    # A null MFSKUID (or no filter at all) asks for every SKU.
    mfskuids = None if not wanted or None in wanted else [str(sku) for sku in wanted]
    rows = sandbox.catalog.select(mfskuids)
    now = sandbox.clock.now()
    message_id = json.dumps(envelope.get("messageId"))

    def body() -> Iterator[bytes]:
        # Streamed after the lock is released; rows are copy-on-write (see catalog.py).
        yield (
            '{"code":0,"message":"success","messageId":' + message_id + ',"success":true,"data":['
        ).encode()
        yield from render_rows(rows, now)
        yield b"]}"

    return Response(200, body())


def _outbound_create(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    accepted, errors = sandbox.orders.create(client_id, envelope.get("data"), sandbox.catalog)
    message_id = envelope.get("messageId")
    if not errors:
        return success(accepted, message_id)
    # OC's own example of a refused order: HTTP 200, code 4, no message.
    return json_response(
        {"code": 4, "data": accepted, "errors": errors, "messageId": message_id, "success": False}
    )


def _outbound_query(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    return success(sandbox.orders.query(client_id, envelope.get("data")), envelope.get("messageId"))


def _outbound_cancel(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    result = sandbox.orders.cancel(client_id, envelope.get("data"), sandbox.catalog)
    return success(result, envelope.get("messageId"))


def _sku_create(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    created, errors = sandbox.skus.create(client_id, envelope.get("data"))
    message_id = envelope.get("messageId")
    if not errors:
        return success(created, message_id)
    return json_response(
        {"code": 4, "data": created, "errors": errors, "messageId": message_id, "success": False}
    )


def _sku_query(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    return success(sandbox.skus.query(client_id, envelope.get("data")), envelope.get("messageId"))


def _sku_label(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    return Response(200, sandbox.skus.label(client_id, envelope.get("data")), "application/pdf")


def _ef_setup(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    result = sandbox.skus.set_up_ef(client_id, envelope.get("data"))
    return success(result, envelope.get("messageId"))


def _ef_query(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    return success(
        sandbox.skus.query_ef(client_id, envelope.get("data")), envelope.get("messageId")
    )


def _movement(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    return success(sandbox.movements.query(envelope.get("data")), envelope.get("messageId"))


def _stock_age(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    return success(sandbox.movements.stock_age(envelope.get("data")), envelope.get("messageId"))


def _enveloped(handler: Callable[[OcSandbox, str, dict[str, Any]], Any]) -> Handler:
    """A handler that returns the answer's data (or a whole Response), as a Handler."""

    def serve(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
        answer = handler(sandbox, client_id, envelope)
        if isinstance(answer, Response):
            return answer
        return success(answer, envelope.get("messageId"))

    return serve


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/openapi/3pp/base/v1/service"): Route(_service_list, needs_token=False),
    ("POST", "/openapi/3pp/inventory/v1/snapshot"): Route(_snapshot),
    ("POST", SNAPSHOT_V2): Route(snapshot_v2),
    ("POST", MOVEMENT): Route(_movement),
    ("POST", STOCK_AGE): Route(_stock_age),
    ("POST", "/openapi/3pp/outbound/v1/creation"): Route(_outbound_create),
    ("POST", "/openapi/3pp/outbound/v2/query"): Route(_outbound_query),
    ("POST", "/openapi/3pp/outbound/v1/cancel"): Route(_outbound_cancel),
    ("POST", SKU_CREATION): Route(_sku_create),
    ("POST", SKU_QUERY): Route(_sku_query),
    ("POST", LABEL): Route(_sku_label),
    ("POST", EF_SETUP): Route(_ef_setup),
    ("POST", EF_QUERY): Route(_ef_query),
    **{("POST", path): Route(_enveloped(h)) for path, h in INBOUND_HANDLERS.items()},
    **{("POST", path): Route(handler) for path, handler in COST_HANDLERS.items()},
    **{("POST", path): Route(handler) for path, handler in OWN_LABEL_HANDLERS.items()},
    **{key: Route(handler) for key, handler in RETURN_HANDLERS.items()},
}
