"""Authorization codes and tokens, as OC's Spring Security OAuth2 server issues them.

Tokens are JWTs (HS256 with a secret that never leaves this process) carrying the claims
OC's carry: ``exp``, ``user_name``, ``client_id``, ``scope`` and ``jti``; refresh tokens
also carry ``ati`` (the access token's id), as Spring's do. Validity is decided by the
sandbox's own records (so tokens can be revoked or expired on demand) and its clock.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Literal

import jwt

from .timefmt import SandboxClock

TokenKind = Literal["access", "refresh"]


@dataclass
class AuthorizationCode:
    """A code handed out by the authorize step; single use."""

    client_id: str
    redirect_uri: str
    expires_at: float
    used: bool = False


@dataclass
class TokenRecord:
    """What the sandbox knows about one issued token."""

    jti: str
    client_id: str
    kind: TokenKind
    expires_at: float
    revoked: bool = False


def new_code() -> str:
    """A code like OC's: standard base64, always containing a "+" and a "/".

    The "+" is what a careless client turns into a space when it decodes the redirect's
    query string as form data; the sandbox only accepts the code byte for byte.
    """
    while True:
        code = base64.b64encode(secrets.token_bytes(48)).decode("ascii")
        if "+" in code and "/" in code:
            return code


def user_name_for(client_id: str) -> str:
    """A stable numeric seller id for ``user_name`` (OC's look like 1576477046870021)."""
    digest = hashlib.sha256(client_id.encode("utf-8")).hexdigest()
    return str(1576477046870000 + int(digest[:8], 16) % 100000)


class TokenStore:
    """Codes and tokens of every client; not thread-safe (the sandbox lock guards it)."""

    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        # A fresh secret per store: tokens from before a reset are simply invalid.
        self._secret = secrets.token_bytes(32)
        self.codes: dict[str, AuthorizationCode] = {}
        self.tokens: dict[str, TokenRecord] = {}

    def issue_code(self, client_id: str, redirect_uri: str, ttl: float) -> str:
        """A new single-use code bound to the client and the exact redirect URI."""
        code = new_code()
        self.codes[code] = AuthorizationCode(client_id, redirect_uri, self._clock.now() + ttl)
        return code

    def redeem_code(self, code: str, client_id: str, redirect_uri: str | None) -> str | None:
        """Use up a code; returns why it cannot be used, or None when it was good."""
        grant = self.codes.get(code)
        if grant is None:
            return f"Invalid authorization code: {code}"
        if grant.used:
            return f"Authorization code has already been used: {code}"
        # Any attempt uses the code up, as Spring's code services do (consume, then check).
        grant.used = True
        if grant.expires_at <= self._clock.now():
            return "Authorization code has expired"
        if redirect_uri != grant.redirect_uri:
            return "Redirect URI mismatch."
        if grant.client_id != client_id:
            return "Authorization code was issued to another client"
        return None

    def issue(
        self, client_id: str, kind: TokenKind, ttl: float, user_name: str, ati: str = ""
    ) -> tuple[str, TokenRecord]:
        """A signed JWT and its record."""
        jti = str(uuid.uuid4())
        expires_at = self._clock.now() + ttl
        payload: dict[str, object] = {
            "exp": int(expires_at),
            "user_name": user_name,
            "client_id": client_id,
            "scope": ["all"],
            "jti": jti,
        }
        if ati:
            payload["ati"] = ati
        record = TokenRecord(jti, client_id, kind, expires_at)
        self.tokens[jti] = record
        return jwt.encode(payload, self._secret, algorithm="HS256"), record

    def lookup(self, token: str, kind: TokenKind) -> TokenRecord | None:
        """The record of a valid (well-signed, known, unrevoked, unexpired) token, else None."""
        try:
            # Expiry is checked against the sandbox clock below, not the real one.
            claims = jwt.decode(
                token, self._secret, algorithms=["HS256"], options={"verify_exp": False}
            )
        except jwt.InvalidTokenError:
            return None
        record = self.tokens.get(str(claims.get("jti")))
        if record is None or record.kind != kind or record.revoked:
            return None
        if record.expires_at <= self._clock.now():
            return None
        return record

    def revoke_client(self, client_id: str) -> int:
        """Invalidate every access and refresh token of one client; returns how many."""
        revoked = 0
        for record in self.tokens.values():
            if record.client_id == client_id and not record.revoked:
                record.revoked = True
                revoked += 1
        return revoked

    def expire_access_tokens(self) -> int:
        """Invalidate every access token (refresh tokens keep working); returns how many."""
        expired = 0
        now = self._clock.now()
        for record in self.tokens.values():
            if record.kind == "access" and not record.revoked and record.expires_at > now:
                record.expires_at = now
                expired += 1
        return expired
