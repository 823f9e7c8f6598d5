"""Routing of one request: journal it, apply any fault, hand it to OAuth, the API or control."""

from __future__ import annotations

import logging

from . import api, control, oauth, outbound
from .core import OcSandbox
from .messages import Request, Response, dropped_response, json_response

logger = logging.getLogger(__name__)

MALFORMED_BODY = b'{"code": 0, "data": ['
HTTP500_BODY = b"<html><body><h1>500 Internal Server Error</h1></body></html>"


def dispatch(sandbox: OcSandbox, request: Request) -> Response:
    """Answer one request (``Response.drop`` means: close the connection unanswered)."""
    if request.path.startswith("/_sandbox/"):
        return control.handle(sandbox, request)
    extra: dict[str, object] = {}
    if request.path == "/oauth/token":
        extra["grant_type"] = oauth.grant_type_of(request)
    elif request.path == outbound.CREATION:
        extra["orders"] = outbound.orders_in(request.body)
    entry = sandbox.journal.start(request.method, request.path, **extra)
    with sandbox.lock:
        fault = sandbox.faults.match(request.path)
    kind = fault.kind if fault is not None else ""
    if fault is not None:
        entry["fault"] = kind
        if fault.latency_ms:
            sandbox.sleep(fault.latency_ms / 1000)
    if kind == "timeout":
        sandbox.sleep(sandbox.config.timeout_fault_seconds)
        sandbox.journal.finish(entry, None)
        return dropped_response()
    if kind == "http500":
        response = Response(500, HTTP500_BODY, content_type="text/html;charset=UTF-8")
    elif kind == "malformed":
        response = Response(200, MALFORMED_BODY)
    elif kind == "token_rejected":
        response = _rejected_token(sandbox, request)
    else:
        with sandbox.lock:
            response = _route(sandbox, request)
    if kind == "accept_then_timeout":
        # The call was fully processed (orders created...); only the answer is lost.
        sandbox.sleep(sandbox.config.timeout_fault_seconds)
        sandbox.journal.finish(entry, None, **request.notes)
        return dropped_response()
    sandbox.journal.finish(entry, response.status, **request.notes)
    return response


def _route(sandbox: OcSandbox, request: Request) -> Response:
    path, method = request.path, request.method
    if path.startswith("/openapi/"):
        return api.handle(sandbox, request)
    if path == "/oauth/authorize" and method == "GET":
        return oauth.authorize_page(sandbox, request)
    if path == "/oauth/authorize" and method == "POST":
        return oauth.authorize_decision(sandbox, request)
    if path == "/oauth/token":
        return oauth.token(sandbox, request)
    return json_response({"code": 404, "success": False, "message": f"Not found: {path}"}, 404)


def _rejected_token(sandbox: OcSandbox, request: Request) -> Response:
    """The ``token_rejected`` fault: as if the token the caller sent were no good."""
    if request.path == "/oauth/token":
        return json_response(
            {
                "error": "invalid_grant",
                "error_description": "Invalid refresh token (sandbox fault)",
            },
            400,
        )
    client = sandbox.client(request.header("clientkey")) or sandbox.client(
        sandbox.config.default_client_key
    )
    return api.token_rejection(client)
