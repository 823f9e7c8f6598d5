"""OC's OAuth 2.0 endpoints: the authorize URL and the token requests."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

import jwt
import requests

from hemi_fulfilment.apilog.records import CallRecorder, discard
from hemi_fulfilment.words import sentence
from oc_integration.client.connection import ConnectionSettings
from oc_integration.client.envelope import new_message_id
from oc_integration.client.errors import (
    OAuthError,
    OAuthGrantRevoked,
    OCHttpError,
    OCMalformedResponse,
)
from oc_integration.client.transport import (
    Exchange,
    new_session,
    perform,
    raise_for_server_error,
)

# Errors after which only a person re-authorizing helps (RFC 6749 §5.2).
PERMANENT_ERRORS = {"invalid_grant", "invalid_client", "unauthorized_client"}


@dataclass(frozen=True)
class TokenGrant:
    """What OC's token endpoint granted. Tokens are hidden from ``repr``."""

    access_token: str = field(repr=False)
    expires_in: int
    refresh_token: str | None = field(default=None, repr=False)
    refresh_token_expires_at: datetime | None = None


def jwt_expiry(token: str) -> datetime | None:
    """The ``exp`` of a JWT, read without verifying it (we are not its audience)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    if not isinstance(exp, int | float):
        return None
    return datetime.fromtimestamp(exp, tz=UTC)


class OCOAuthClient:
    """Builds the authorize URL and calls ``/oauth/token`` for one account."""

    def __init__(
        self,
        connection: ConnectionSettings,
        *,
        recorder: CallRecorder = discard,
        session: requests.Session | None = None,
    ) -> None:
        self.connection = connection
        self.recorder = recorder
        self.session = session or new_session()

    def authorization_url(self, state: str) -> str:
        """Where to send the browser: OC's consent page for this account."""
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.connection.client_key,
                "redirect_uri": self.connection.redirect_uri,
                "state": state,
            },
            quote_via=quote,
        )
        return f"{self.connection.oauth_base_url.rstrip('/')}/oauth/authorize?{query}"

    def exchange_code(self, code: str) -> TokenGrant:
        """Trade an authorization code (decoded) for an access and a refresh token."""
        return self._token_request(
            "oauth.authorization_code",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.connection.redirect_uri,
                "client_id": self.connection.client_key,
            },
        )

    def refresh(self, refresh_token: str) -> TokenGrant:
        """A new access token (and, if OC sends one, a new refresh token)."""
        return self._token_request(
            "oauth.refresh_token",
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": self.connection.client_key,
            },
        )

    def _client_auth_headers(self) -> dict[str, str]:
        conn = self.connection
        pair = base64.b64encode(f"{conn.client_key}:{conn.secret_key}".encode()).decode()
        if conn.token_client_auth == "bearer_keys":
            return {"Authorization": f"Bearer {pair}"}
        if conn.token_client_auth == "basic":
            return {"Authorization": f"Basic {pair}"}
        return {}

    def _token_request(self, operation: str, form: dict[str, str]) -> TokenGrant:
        correlation_id = new_message_id()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
            "Accept": "application/json",
            **self._client_auth_headers(),
        }
        # Secrets travel in the body, never in the URL (RFC 6749 §4.1.3).
        exchange = Exchange(
            operation,
            "POST",
            f"{self.connection.oauth_base_url.rstrip('/')}/oauth/token",
            headers,
            urlencode(form),
            correlation_id,
        )

        def interpret(response: requests.Response) -> TokenGrant:
            raise_for_server_error(response, correlation_id=correlation_id)
            try:
                payload = response.json()
            except ValueError:
                payload = None
            if response.status_code in (400, 401, 403):
                _raise_oauth_error(payload, response.status_code, correlation_id)
            if response.status_code != 200:
                raise OCHttpError(
                    f"OC's token endpoint answered HTTP {response.status_code}; "
                    "check the account's OAuth base URL.",
                    status=response.status_code,
                    correlation_id=correlation_id,
                )
            return _grant_from(payload, correlation_id)

        return perform(self.session, self.connection, exchange, self.recorder, interpret)


def _raise_oauth_error(payload: object, status: int, correlation_id: str) -> None:
    error = str(payload.get("error") or "") if isinstance(payload, dict) else ""
    description = str(payload.get("error_description") or "") if isinstance(payload, dict) else ""
    error = error or ("invalid_client" if status == 401 else "invalid_request")
    # The description is OC's text (it may quote the refused token: OCError scrubs it).
    message = sentence(
        f"OC refused the token request: {error}"
        + (f" ({description.strip().rstrip('.')})" if description else "")
    )
    kind = OAuthGrantRevoked if error in PERMANENT_ERRORS else OAuthError
    raise kind(message, error=error, correlation_id=correlation_id)


def _grant_from(payload: object, correlation_id: str) -> TokenGrant:
    if not isinstance(payload, dict) or not payload.get("access_token"):
        raise OCMalformedResponse(
            "OC's token answer has no access_token.", correlation_id=correlation_id
        )
    try:
        expires_in = int(payload.get("expires_in") or 3600)
    except (TypeError, ValueError):
        raise OCMalformedResponse(
            f"OC's token answer has an invalid expires_in: {json.dumps(payload.get('expires_in'))}",
            correlation_id=correlation_id,
        ) from None
    refresh = payload.get("refresh_token") or None
    return TokenGrant(
        access_token=str(payload["access_token"]),
        expires_in=expires_in,
        refresh_token=str(refresh) if refresh else None,
        refresh_token_expires_at=jwt_expiry(str(refresh)) if refresh else None,
    )
