"""eBay's OAuth as the sandbox plays it: the consent page, the token endpoint, the clock.

An application (client id, client secret, RuNames) is registered here; the demo's is
registered from the demo data set. Codes are single use and live five minutes; access
tokens expire after two hours and refresh tokens after 18 months, on the sandbox's own
clock, which the control API can move (``POST /_sandbox/clock``). Refresh tokens can be
revoked (``POST /_sandbox/oauth/revoke``). Plain Python: no Django, no client code.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from hemi_fulfilment.demo.data import DEMO_EBAY_APP

AUTHORIZE_PATH = "/oauth2/authorize"
TOKEN_PATH = "/identity/v1/oauth2/token"
ACCESS_TOKEN_SECONDS = 7200
REFRESH_TOKEN_SECONDS = 47_304_000  # 18 months, as eBay grants them
CODE_SECONDS = 299


class SandboxClock:
    """Wall-clock time plus an offset, so that tests can expire tokens without sleeping."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Epoch seconds as the sandbox sees them."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move the sandbox's time forward (or back); returns the new ``now()``."""
        with self._lock:
            self._offset += seconds
        return self.now()


@dataclass
class App:
    """One application's keyset and the redirect URL registered under each RuName."""

    client_id: str
    client_secret: str
    name: str
    ru_names: dict[str, str] = field(default_factory=dict)


@dataclass
class Code:
    client_id: str
    ru_name: str
    scopes: str
    expires_at: float


@dataclass
class RefreshGrant:
    client_id: str
    scopes: str
    expires_at: float
    revoked: bool = False


@dataclass
class AccessGrant:
    client_id: str
    expires_at: float


@dataclass(frozen=True)
class Answer:
    """What the HTTP handler sends: status, content type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, payload: dict[str, Any]) -> Answer:
    return Answer(status, "application/json", json.dumps(payload).encode())


def _oauth_error(status: int, error: str, description: str) -> Answer:
    # eBay's identity service answers errors in RFC 6749's shape.
    return _json(status, {"error": error, "error_description": description})


def _redirect(url: str, params: dict[str, str]) -> Answer:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    return Answer(302, "text/plain", b"", {"Location": location})


class OAuthStore:
    """Applications, codes and tokens; thread-safe."""

    def __init__(self, clock: SandboxClock | None = None) -> None:
        self.clock = clock or SandboxClock()
        self.lock = threading.RLock()
        self.apps: dict[str, App] = {}
        self.codes: dict[str, Code] = {}
        self.refresh_tokens: dict[str, RefreshGrant] = {}
        self.access_tokens: dict[str, AccessGrant] = {}
        self.token_requests: list[dict[str, Any]] = []
        demo = DEMO_EBAY_APP
        self.register(demo.client_id, demo.client_secret, demo.name)
        self.set_redirect(demo.client_id, demo.ru_name, demo.redirect_url)

    # --- control ---------------------------------------------------------------------
    def register(self, client_id: str, client_secret: str, name: str = "") -> App:
        """Add (or replace the secret of) an application."""
        with self.lock:
            app = self.apps.get(client_id)
            if app is None:
                app = App(client_id, client_secret, name or client_id)
                self.apps[client_id] = app
            app.client_secret = client_secret
            app.name = name or app.name
            return app

    def set_redirect(self, client_id: str, ru_name: str, redirect_url: str) -> None:
        """Where eBay sends the browser after consent for ``ru_name``."""
        with self.lock:
            if client_id not in self.apps:
                raise ValueError(f"no application {client_id!r} is registered")
            if urlsplit(redirect_url).scheme not in {"http", "https"}:
                raise ValueError("redirect_url must be an http or https address")
            self.apps[client_id].ru_names[ru_name] = redirect_url

    def revoke(self, client_id: str = "") -> int:
        """Revoke every refresh token (of ``client_id`` only, when given) and the access
        tokens issued with them; returns how many refresh tokens were revoked."""
        with self.lock:
            count = 0
            for grant in self.refresh_tokens.values():
                if not grant.revoked and client_id in ("", grant.client_id):
                    grant.revoked = True
                    count += 1
            for token, access in list(self.access_tokens.items()):
                if client_id in ("", access.client_id):
                    del self.access_tokens[token]
            return count

    def summary(self) -> dict[str, Any]:
        """What the control API shows (no secret values)."""
        now = self.clock.now()
        with self.lock:
            return {
                "now": now,
                "apps": {
                    cid: {"name": app.name, "ru_names": dict(app.ru_names)}
                    for cid, app in self.apps.items()
                },
                "refresh_tokens": [
                    {"client_id": g.client_id, "revoked": g.revoked, "expired": g.expires_at <= now}
                    for g in self.refresh_tokens.values()
                ],
                "access_tokens": sum(1 for a in self.access_tokens.values() if a.expires_at > now),
                "token_requests": list(self.token_requests),
            }

    # --- shared with the API endpoints ------------------------------------------------
    def access_token_valid(self, token: str) -> bool:
        """Whether ``token`` is an access token this sandbox issued and that has not expired."""
        with self.lock:
            grant = self.access_tokens.get(token)
            return grant is not None and grant.expires_at > self.clock.now()

    def access_token_known(self, token: str) -> bool:
        """Whether ``token`` was issued here (even if it has expired since)."""
        with self.lock:
            return token in self.access_tokens

    # --- consent ----------------------------------------------------------------------
    def consent_page(self, query: str) -> Answer:
        """``GET /oauth2/authorize``: the app, the scopes, Approve and Decline."""
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        app, problem = self._consent_target(params)
        if problem:
            return Answer(400, "text/html; charset=utf-8", _page("Cannot ask for consent", problem))
        assert app is not None
        scopes = params.get("scope", "").split()
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
        )
        items = "".join(f"<li>{html.escape(s)}</li>" for s in scopes) or "<li>(none)</li>"
        body = (
            f"<p><strong>{html.escape(app.name)}</strong> asks to access your eBay account.</p>"
            f'<p>It will be able to:</p><ul id="scopes">{items}</ul>'
            f'<form method="post" action="{AUTHORIZE_PATH}">{hidden}'
            '<button type="submit" name="decision" value="approve" id="approve">Agree</button> '
            '<button type="submit" name="decision" value="decline" id="decline">'
            "No thanks</button></form>"
        )
        return Answer(200, "text/html; charset=utf-8", _page("Grant application access", body))

    def consent_decision(self, form_body: bytes) -> Answer:
        """``POST /oauth2/authorize``: Approve redirects with a code, Decline with
        ``error=access_denied``; both carry the state back."""
        params = {k: v[-1] for k, v in parse_qs(form_body.decode("utf-8", "replace")).items()}
        app, problem = self._consent_target(params)
        if problem:
            return Answer(400, "text/html; charset=utf-8", _page("Cannot ask for consent", problem))
        assert app is not None
        ru_name = params["redirect_uri"]
        target = app.ru_names[ru_name]
        state = {"state": params["state"]} if params.get("state") else {}
        if params.get("decision") != "approve":
            return _redirect(target, {**state, "error": "access_denied"})
        code = "v^1.1#i^1#f^0#r^1#p^3#I^3#t^" + secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = Code(
                app.client_id, ru_name, params.get("scope", ""), self.clock.now() + CODE_SECONDS
            )
        return _redirect(target, {**state, "code": code, "expires_in": str(CODE_SECONDS)})

    def _consent_target(self, params: dict[str, str]) -> tuple[App | None, str]:
        app = self.apps.get(params.get("client_id", ""))
        if app is None:
            return None, "The client_id is not an application this sandbox knows."
        if params.get("response_type") != "code":
            return None, "response_type must be code."
        if params.get("redirect_uri", "") not in app.ru_names:
            return None, "The redirect_uri is not a RuName of this application."
        return app, ""

    # --- token endpoint ---------------------------------------------------------------
    def token(self, authorization: str, form_body: bytes) -> Answer:
        """``POST /identity/v1/oauth2/token``: the code exchange and the refresh."""
        form = {k: v[-1] for k, v in parse_qs(form_body.decode("utf-8", "replace")).items()}
        grant_type = form.get("grant_type", "")
        with self.lock:
            self.token_requests.append({"grant_type": grant_type, "at": self.clock.now()})
            app = self._authenticate(authorization)
            if app is None:
                return _oauth_error(401, "invalid_client", "client authentication failed")
            if grant_type == "authorization_code":
                return self._exchange(app, form)
            if grant_type == "refresh_token":
                return self._refresh(app, form)
            return _oauth_error(
                400, "unsupported_grant_type", "grant type in request is not supported"
            )

    def _authenticate(self, authorization: str) -> App | None:
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        app = self.apps.get(client_id)
        if app is None or not secrets.compare_digest(app.client_secret, secret):
            return None
        return app

    def _exchange(self, app: App, form: dict[str, str]) -> Answer:
        code = self.codes.pop(form.get("code", ""), None)  # single use, even when refused
        if code is None or code.client_id != app.client_id or code.expires_at <= self.clock.now():
            return _oauth_error(
                400,
                "invalid_grant",
                "the provided authorization grant code is invalid or was issued to another client",
            )
        if form.get("redirect_uri") != code.ru_name:
            return _oauth_error(
                400, "invalid_grant", "the redirect_uri does not match the authorization request"
            )
        refresh = "v^1.1#i^1#r^1#p^3#I^3#f^0#t^" + secrets.token_urlsafe(32)
        now = self.clock.now()
        self.refresh_tokens[refresh] = RefreshGrant(
            app.client_id, code.scopes, now + REFRESH_TOKEN_SECONDS
        )
        return _json(
            200,
            {
                "access_token": self._new_access_token(app),
                "expires_in": ACCESS_TOKEN_SECONDS,
                "refresh_token": refresh,
                "refresh_token_expires_in": REFRESH_TOKEN_SECONDS,
                "token_type": "User Access Token",
            },
        )

    def _refresh(self, app: App, form: dict[str, str]) -> Answer:
        grant = self.refresh_tokens.get(form.get("refresh_token", ""))
        if (
            grant is None
            or grant.revoked
            or grant.client_id != app.client_id
            or grant.expires_at <= self.clock.now()
        ):
            return _oauth_error(
                400,
                "invalid_grant",
                "the provided authorization refresh token is invalid or was issued to "
                "another client",
            )
        asked = set(form.get("scope", grant.scopes).split())
        if not asked <= set(grant.scopes.split()):
            return _oauth_error(
                400, "invalid_scope", "the requested scope is invalid, unknown, or malformed"
            )
        return _json(
            200,
            {
                "access_token": self._new_access_token(app),
                "expires_in": ACCESS_TOKEN_SECONDS,
                "token_type": "User Access Token",
            },
        )

    def _new_access_token(self, app: App) -> str:
        token = "v^1.1#i^1#p^3#I^3#r^0#f^0#t^" + secrets.token_urlsafe(48)
        self.access_tokens[token] = AccessGrant(
            app.client_id, self.clock.now() + ACCESS_TOKEN_SECONDS
        )
        return token


def _page(title: str, body: str) -> bytes:
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} | eBay (sandbox)</title>"
        "<style>body{font-family:sans-serif;max-width:36em;margin:3em auto;color:#111}"
        "h1{font-size:1.4em}button{font-size:1em;padding:.5em 1.2em;margin-right:.5em}"
        "#approve{background:#3665f3;color:#fff;border:0;border-radius:1em}"
        "#decline{background:#fff;border:1px solid #3665f3;color:#3665f3;border-radius:1em}"
        "</style></head><body>"
        f"<p><strong>eBay</strong> (sandbox)</p><h1>{html.escape(title)}</h1>{body}"
        "</body></html>"
    ).encode()
