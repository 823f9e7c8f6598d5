"""OC's OAuth 2.0 endpoints at the host root: ``/oauth/authorize`` and ``/oauth/token``.

The authorize page has no login (the sandbox's "seller" is always signed in): it shows
the client and the redirect URI with Approve / Deny buttons. Approval redirects with
``act=getAuthorizationCode`` and a code percent-encoded ``code_encoding_rounds`` times,
as OC's codes arrive. The token endpoint behaves like Spring Security OAuth2 (which OC
runs): parameters from the form body or the query string, errors as
``{"error", "error_description"}``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import html
import ipaddress
import math
from urllib.parse import quote, urlsplit

from .core import OcSandbox
from .messages import Request, Response, html_response, json_response, redirect_response

AUTHORIZE_TITLE = "Orange Connex (sandbox) — authorize"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; max-width: 40rem; margin: 3rem auto; color: #222; }}
h1 {{ color: #ff6a00; font-size: 1.4rem; }}
dt {{ font-weight: bold; margin-top: .6rem; }} dd {{ margin: 0; word-break: break-all; }}
button {{ font-size: 1rem; padding: .5rem 1.4rem; margin: 1.2rem .6rem 0 0; cursor: pointer; }}
#approve {{ background: #ff6a00; color: #fff; border: 0; }}
.note {{ color: #666; font-size: .85rem; margin-top: 2rem; }}
</style></head>
<body>
<h1>{title}</h1>
{content}
<p class="note">This is the local Orange Connex sandbox, not Orange Connex.</p>
</body></html>
"""


def _page(content: str) -> str:
    return _PAGE.format(title=html.escape(AUTHORIZE_TITLE), content=content)


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{name}" value="{html.escape(value)}">'


def _problem(sandbox: OcSandbox, params: dict[str, str]) -> str | None:
    """Why an authorize request cannot be served, or None."""
    if params.get("response_type") != "code":
        return "response_type must be code."
    client_id = params.get("client_id", "")
    if sandbox.client(client_id) is None:
        return f"Unknown client_id {client_id!r}: no integrator has this ClientKey."
    redirect_uri = params.get("redirect_uri", "")
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
        return "redirect_uri must be an absolute http(s) URL without a fragment."
    if sandbox.config.reject_ip_redirect_uris and _is_ip_or_intranet(parts.hostname):
        return "Orange Connex rejects intranet addresses and bare IPs as redirect_uri."
    if not params.get("state"):
        return "state is required."
    return None


def _is_ip_or_intranet(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or "." not in host or host.endswith((".local", ".lan"))
    return True


def authorize_page(sandbox: OcSandbox, request: Request) -> Response:
    """``GET /oauth/authorize``: the consent page (400 page when the request is wrong)."""
    params = {key: values[0] for key, values in request.query.items()}
    request.notes["client_id"] = params.get("client_id", "")
    problem = _problem(sandbox, params)
    if problem is not None:
        return html_response(
            _page(
                f"<p>This authorization request is invalid.</p>"
                f'<p id="error">{html.escape(problem)}</p>'
            ),
            400,
        )
    hidden = "".join(
        _hidden(name, params[name])
        for name in ("response_type", "client_id", "redirect_uri", "state")
    )
    content = (
        "<p>An application asks to access your Orange Connex account.</p>"
        f'<dl><dt>Client</dt><dd id="client-id">{html.escape(params["client_id"])}</dd>'
        "<dt>Redirect URI</dt>"
        f'<dd id="redirect-uri">{html.escape(params["redirect_uri"])}</dd></dl>'
        f'<form method="post" action="/oauth/authorize">{hidden}'
        '<button type="submit" name="decision" value="approve" id="approve">Approve</button>'
        '<button type="submit" name="decision" value="deny" id="deny">Deny</button>'
        "</form>"
    )
    return html_response(_page(content))


def authorize_decision(sandbox: OcSandbox, request: Request) -> Response:
    """``POST /oauth/authorize``: redirect back with a code (approve) or an error (deny)."""
    params = request.form()
    params.setdefault("response_type", "code")
    request.notes["client_id"] = params.get("client_id", "")
    problem = _problem(sandbox, params)
    decision = params.get("decision")
    if problem is None and decision not in ("approve", "deny"):
        problem = "decision must be approve or deny."
    if problem is not None:
        return html_response(_page(f'<p id="error">{html.escape(problem)}</p>'), 400)
    redirect_uri, state = params["redirect_uri"], params["state"]
    separator = "&" if "?" in redirect_uri else "?"
    request.notes["decision"] = decision
    if decision == "deny":
        description = quote("The seller denied access to the Orange Connex account", safe="")
        query = f"error=access_denied&error_description={description}"
    else:
        code = sandbox.tokens.issue_code(params["client_id"], redirect_uri, sandbox.config.code_ttl)
        for _ in range(sandbox.config.code_encoding_rounds):
            code = quote(code, safe="")
        query = f"act=getAuthorizationCode&code={code}"
    return redirect_response(f"{redirect_uri}{separator}{query}&state={quote(state, safe='')}")


def _oauth_error(status: int, error: str, description: str) -> Response:
    response = json_response({"error": error, "error_description": description}, status)
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{error}"'
    return response


def _authenticated_client(sandbox: OcSandbox, request: Request) -> tuple[str, str]:
    """(client_id from the Authorization header or "", problem or "")."""
    header = request.header("authorization")
    if not header:
        return "", ""
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() not in ("bearer", "basic"):
        return "", "Unsupported client authentication scheme"
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "", "Client credentials are not base64(clientKey:secretKey)"
    key, _, secret = decoded.partition(":")
    client = sandbox.client(key)
    if client is None or not hmac.compare_digest(client.secret_key.encode(), secret.encode()):
        return "", "Bad client credentials"
    return key, ""


def grant_type_of(request: Request) -> str:
    """The grant_type of a token request, for the journal."""
    return request.form().get("grant_type", "")


def token(sandbox: OcSandbox, request: Request) -> Response:
    """``POST /oauth/token``: authorization_code and refresh_token grants."""
    if request.method != "POST":
        return _oauth_error(
            405, "method_not_allowed", f"Request method {request.method!r} not supported"
        )
    params = request.form()
    header_client, problem = _authenticated_client(sandbox, request)
    if problem:
        return _oauth_error(401, "invalid_client", problem)
    client_id = params.get("client_id") or header_client
    request.notes["client_id"] = client_id
    if header_client and client_id != header_client:
        return _oauth_error(
            401, "invalid_client", "client_id differs from the authenticated client"
        )
    if not client_id or sandbox.client(client_id) is None:
        return _oauth_error(401, "invalid_client", f"Unknown client_id {client_id!r}")
    grant_type = params.get("grant_type")
    if grant_type == "authorization_code":
        return _code_grant(sandbox, client_id, params)
    if grant_type == "refresh_token":
        return _refresh_grant(sandbox, client_id, params)
    return _oauth_error(400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}")


def _token_response(payload: dict[str, object]) -> Response:
    response = json_response(payload)
    response.headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
    return response


def _code_grant(sandbox: OcSandbox, client_id: str, params: dict[str, str]) -> Response:
    code = params.get("code")
    if not code:
        return _oauth_error(400, "invalid_request", "An authorization code must be supplied.")
    problem = sandbox.tokens.redeem_code(code, client_id, params.get("redirect_uri"))
    if problem is not None:
        return _oauth_error(400, "invalid_grant", problem)
    config, user = sandbox.config, sandbox.user_name(client_id)
    access, record = sandbox.tokens.issue(client_id, "access", config.access_token_ttl, user)
    refresh, _ = sandbox.tokens.issue(
        client_id, "refresh", config.refresh_token_ttl, user, ati=record.jti
    )
    return _token_response(
        {
            "access_token": access,
            "token_type": "bearer",
            "refresh_token": refresh,
            "expires_in": math.ceil(config.access_token_ttl),
            "scope": "all",
        }
    )


def _refresh_grant(sandbox: OcSandbox, client_id: str, params: dict[str, str]) -> Response:
    value = params.get("refresh_token")
    if not value:
        return _oauth_error(400, "invalid_request", "A refresh token must be supplied.")
    record = sandbox.tokens.lookup(value, "refresh")
    if record is None:
        return _oauth_error(400, "invalid_grant", f"Invalid refresh token: {value[:12]}...")
    if record.client_id != client_id:
        return _oauth_error(400, "invalid_grant", "Wrong client for this refresh token")
    config, user = sandbox.config, sandbox.user_name(client_id)
    access, access_record = sandbox.tokens.issue(client_id, "access", config.access_token_ttl, user)
    payload: dict[str, object] = {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": math.ceil(config.access_token_ttl),
        "scope": "all",
    }
    if config.rotate_refresh_tokens:
        record.revoked = True
        payload["refresh_token"], _ = sandbox.tokens.issue(
            client_id, "refresh", config.refresh_token_ttl, user, ati=access_record.jti
        )
    return _token_response(payload)
