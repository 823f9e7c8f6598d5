"""The control API under ``/_sandbox/`` (sandbox-only, JSON in and out, no auth).

Errors are HTTP 400 ``{"error": "..."}`` (404 for an unknown order or delivery).

==========================================  ==============================================
``POST /_sandbox/reset``                     fresh state -> ``{"ok": true}``
``GET|POST /_sandbox/config``                read / change settings -> the settings
``POST /_sandbox/clients``                   ``{"client_id", "secret_key", ...}`` adds one
``POST /_sandbox/clock``                     ``{"advance_seconds": N}`` -> ``{"now"}``
``GET|POST|DELETE /_sandbox/faults``         list / add (-> the rule) / clear (-> cleared);
                                             a rule may skip its first ``after`` calls
``GET|DELETE /_sandbox/calls``               the journal ``{"calls", "counts"}`` / clear it
``POST /_sandbox/tokens/revoke``             ``{"client_id"}`` -> ``{"revoked": n}``
``POST /_sandbox/tokens/expire-access``      -> ``{"expired": n}``
``PUT /_sandbox/catalog``                    ``{"rows": [snapshot rows]}`` -> ``{"skus"}``
``POST /_sandbox/catalog/generate``          ``{"count", "regions"?, "sku_prefix"?,
                                             "all_regions"?}`` (true: every OC region)
``GET /_sandbox/catalog/summary``            ``{"skus", "regions": {R: {"skus", STATUS: n}}}``
``GET /_sandbox/outbound``                   ``{"orders": [order...]}``
``POST /_sandbox/outbound/advance``          ``{"orderNumber"|"referenceNumber", "to"}`` or
                                             ``{"all": true}`` -> ``{"orders": [...]}``
``POST /_sandbox/outbound/auto``             ``{"referenceNumber"?, "ebayOrderId"?, ...}``
                                             -> ``{"order"}``
``POST /_sandbox/outbound/charge``           ``{"orderNumber"|"referenceNumber", "feeAmount",
                                             "chargeableWeight"?, "parcel"?}`` -> ``{"order"}``
``GET /_sandbox/callbacks``                  ``{"config", "deliveries"}``
``POST|DELETE /_sandbox/callbacks/config``   ``{"url", "username", "password"}`` / stop
``POST /_sandbox/callbacks/resend``          ``{"deliveryId"}`` -> ``{"delivery"}``
``GET /_sandbox/skus``                       ``{"skus": [SKU rows with their EF centres]}``
``POST /_sandbox/skus/approve``              ``{"MFSKUID"|"sellerSKUID"|"MFSKUIDs"|
                                             "sellerSKUIDs"|"all": true}`` -> ``{"skus"}``
``POST /_sandbox/skus/reject``               the same, as OC's portal rejecting them
``POST /_sandbox/skus/generate``             ``{"count", "prefix"?, "status"?}`` -> ``{"skus"}``
``GET /_sandbox/inbound``                    ``{"orders": [inbound order...]}``
``POST /_sandbox/inbound/advance``           ``{"inboundNumber"|"sellerInboundNumber"|
                                             "all": true, "to"?, "received"?, "short"?}``
``POST /_sandbox/inbound/config``            ``{"step_seconds"}`` (the clock's pace)
``GET /_sandbox/returns``                    ``{"returns": [return order...]}``
``POST /_sandbox/returns``                   ``{"outboundOrderNumber"|"referenceNumber",
                                             "items"?, "reasonCode"?}`` (a shipped order)
``POST /_sandbox/returns/advance``           ``{"orderNumber"|"all": true, "to"?,
                                             "damaged"?}`` -> ``{"returns": [...]}``
==========================================  ==============================================

Client-specific calls take an optional ``client_id`` (default: the first client).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .catalog import ALL_REGIONS, Catalog, generate_catalog
from .config import CallbackTarget, ClientConfig
from .core import OcSandbox
from .inbound import control_advance, control_config, control_orders
from .messages import Request, Response, json_response
from .returns import control_advance as advance_returns
from .returns import control_create as create_return
from .returns import control_returns
from .timefmt import iso_utc

Body = dict[str, Any]
Action = Callable[[OcSandbox, Body], Any]


def handle(sandbox: OcSandbox, request: Request) -> Response:
    """Serve one control-API call."""
    action = ACTIONS.get((request.method, request.path.rstrip("/")))
    if action is None:
        return json_response({"error": f"no control action {request.method} {request.path}"}, 404)
    try:
        body = json.loads(request.body.decode("utf-8")) if request.body.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return json_response({"error": "body is not valid JSON"}, 400)
    if not isinstance(body, dict):
        return json_response({"error": "body must be a JSON object"}, 400)
    try:
        with sandbox.lock:
            return json_response(action(sandbox, body))
    except KeyError as exc:
        return json_response({"error": f"not found: {exc.args[0] if exc.args else ''}"}, 404)
    except (ValueError, TypeError) as exc:
        return json_response({"error": str(exc)}, 400)


def _client_id(sandbox: OcSandbox, body: Body) -> str:
    client_id = str(body.get("client_id") or sandbox.config.default_client_key)
    if sandbox.client(client_id) is None:
        raise ValueError(f"unknown client_id {client_id}")
    return client_id


def _reset(sandbox: OcSandbox, body: Body) -> Any:
    sandbox.reset()
    return {"ok": True}


def _add_client(sandbox: OcSandbox, body: Body) -> Any:
    client_id, secret = body.get("client_id"), body.get("secret_key")
    if not isinstance(client_id, str) or not client_id or not isinstance(secret, str):
        raise ValueError("client_id and secret_key are required strings")
    sandbox.add_client(client_id, ClientConfig(secret_key=secret))
    settings = {k: body[k] for k in ("signature_mode", "token_rejection_style") if k in body}
    return sandbox.configure({"client_id": client_id, **settings})


def _clock(sandbox: OcSandbox, body: Body) -> Any:
    seconds = body.get("advance_seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ValueError("advance_seconds must be a number")
    return {"now": iso_utc(sandbox.clock.advance(seconds))}


def _clear_calls(sandbox: OcSandbox, body: Body) -> Any:
    sandbox.journal.clear()
    return {"ok": True}


def _revoke(sandbox: OcSandbox, body: Body) -> Any:
    return {"revoked": sandbox.revoke_tokens(_client_id(sandbox, body))}


def _put_catalog(sandbox: OcSandbox, body: Body) -> Any:
    rows = body.get("rows")
    if not isinstance(rows, list):
        raise ValueError("rows must be a list of snapshot rows")
    sandbox.replace_catalog(Catalog.from_snapshot_rows(rows))
    return {"skus": len(sandbox.catalog)}


def _generate_catalog(sandbox: OcSandbox, body: Body) -> Any:
    count = body.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1_000_000:
        raise ValueError("count must be a whole number from 0 to 1000000")
    regions = body.get("regions", list(ALL_REGIONS if body.get("all_regions") else ("UK", "DE")))
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise ValueError("regions must be a list of region codes")
    prefix = str(body.get("sku_prefix", "BENCH"))
    sandbox.replace_catalog(generate_catalog(count, tuple(regions), prefix))
    return {"skus": len(sandbox.catalog)}


def _advance(sandbox: OcSandbox, body: Body) -> Any:
    if body.get("all"):
        moved = sandbox.orders.advance_all(sandbox.catalog)
    else:
        order = sandbox.orders.find(
            str(body.get("orderNumber") or ""), str(body.get("referenceNumber") or "")
        )
        sandbox.orders.advance(order, str(body.get("to") or ""), sandbox.catalog)
        moved = [order]
    return {"orders": [order.control_row() for order in moved]}


def _charge(sandbox: OcSandbox, body: Body) -> Any:
    order = sandbox.orders.find(
        str(body.get("orderNumber") or ""), str(body.get("referenceNumber") or "")
    )
    sandbox.orders.set_charge(order, body)
    return {"order": order.control_row()}


def _auto_order(sandbox: OcSandbox, body: Body) -> Any:
    order = sandbox.orders.create_auto(_client_id(sandbox, body), body, sandbox.catalog)
    return {"order": order.control_row()}


def _callbacks(sandbox: OcSandbox, body: Body) -> Any:
    config = {
        client_id: {"url": target.url, "username": target.username}
        for client_id, target in sandbox.config.callback_url_by_client.items()
    }
    return {"config": config, "deliveries": sandbox.callbacks.deliveries()}


def _configure_callbacks(sandbox: OcSandbox, body: Body) -> Any:
    url = body.get("url")
    if not isinstance(url, str) or not url:
        raise ValueError("url is required")
    target = CallbackTarget(url, str(body.get("username", "")), str(body.get("password", "")))
    sandbox.configure_callbacks(target, _client_id(sandbox, body))
    return _callbacks(sandbox, body)


def _stop_callbacks(sandbox: OcSandbox, body: Body) -> Any:
    sandbox.configure_callbacks(None, _client_id(sandbox, body))
    return _callbacks(sandbox, body)


def _resend(sandbox: OcSandbox, body: Body) -> Any:
    return {"delivery": sandbox.callbacks.resend(str(body.get("deliveryId") or "")).to_dict()}


def _skus(sandbox: OcSandbox, body: Body) -> Any:
    return {"skus": sandbox.skus.control_rows(_client_id(sandbox, body))}


def _decide_skus(status: str) -> Action:
    def decide(sandbox: OcSandbox, body: Body) -> Any:
        chosen = sandbox.skus.decide(_client_id(sandbox, body), body, status)
        return {"skus": [sku.row() for sku in chosen]}

    return decide


def _generate_skus(sandbox: OcSandbox, body: Body) -> Any:
    count = body.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 100_000:
        raise ValueError("count must be a whole number from 0 to 100000")
    status = str(body.get("status", "APPROVED"))
    if status not in ("APPROVED", "DRAFT", "REJECTED"):
        raise ValueError("status must be APPROVED, DRAFT or REJECTED")
    prefix = str(body.get("prefix", "GEN"))
    return {"skus": sandbox.skus.generate(_client_id(sandbox, body), count, prefix, status)}


ACTIONS: dict[tuple[str, str], Action] = {
    ("POST", "/_sandbox/reset"): _reset,
    ("GET", "/_sandbox/config"): lambda sb, body: sb.config_view(),
    ("POST", "/_sandbox/config"): lambda sb, body: sb.configure(body),
    ("POST", "/_sandbox/clients"): _add_client,
    ("POST", "/_sandbox/clock"): _clock,
    ("GET", "/_sandbox/faults"): lambda sb, body: {"faults": sb.faults.rules()},
    ("POST", "/_sandbox/faults"): lambda sb, body: sb.faults.add(body).to_dict(),
    ("DELETE", "/_sandbox/faults"): lambda sb, body: {"cleared": sb.faults.clear()},
    ("GET", "/_sandbox/calls"): lambda sb, body: sb.journal.snapshot(),
    ("DELETE", "/_sandbox/calls"): _clear_calls,
    ("POST", "/_sandbox/tokens/revoke"): _revoke,
    ("POST", "/_sandbox/tokens/expire-access"): lambda sb, body: {
        "expired": sb.expire_access_tokens()
    },
    ("PUT", "/_sandbox/catalog"): _put_catalog,
    ("POST", "/_sandbox/catalog/generate"): _generate_catalog,
    ("GET", "/_sandbox/catalog/summary"): lambda sb, body: sb.catalog.summary(),
    ("GET", "/_sandbox/outbound"): lambda sb, body: {
        "orders": [order.control_row() for order in sb.orders.orders.values()]
    },
    ("POST", "/_sandbox/outbound/advance"): _advance,
    ("POST", "/_sandbox/outbound/auto"): _auto_order,
    ("POST", "/_sandbox/outbound/charge"): _charge,
    ("GET", "/_sandbox/callbacks"): _callbacks,
    ("POST", "/_sandbox/callbacks/config"): _configure_callbacks,
    ("DELETE", "/_sandbox/callbacks/config"): _stop_callbacks,
    ("POST", "/_sandbox/callbacks/resend"): _resend,
    ("GET", "/_sandbox/skus"): _skus,
    ("POST", "/_sandbox/skus/approve"): _decide_skus("APPROVED"),
    ("POST", "/_sandbox/skus/reject"): _decide_skus("REJECTED"),
    ("POST", "/_sandbox/skus/generate"): _generate_skus,
    ("GET", "/_sandbox/inbound"): control_orders,
    ("POST", "/_sandbox/inbound/advance"): control_advance,
    ("POST", "/_sandbox/inbound/config"): control_config,
    ("GET", "/_sandbox/returns"): control_returns,
    ("POST", "/_sandbox/returns"): create_return,
    ("POST", "/_sandbox/returns/advance"): advance_returns,
}
