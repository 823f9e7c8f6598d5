"""eBay's OAuth for a seller's consent: the consent URL, the code exchange and the refresh.

No Django: the caller passes the application's keyset, the endpoints and a
:data:`CallRecorder`. Every token request is recorded once, without its secrets.
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import requests

from ebay_orders.client.errors import EbayError
from ebay_orders.client.session import USER_AGENT
from hemi_fulfilment.apilog.records import CallRecord, CallRecorder, Outcome, discard
from hemi_fulfilment.apilog.redaction import REDACTED
from hemi_fulfilment.words import sentence

TOKEN_PATH = "/identity/v1/oauth2/token"
AUTHORIZE_PATH = "/oauth2/authorize"

#: eBay's refresh tokens live about 18 months; used when an answer does not say.
DEFAULT_REFRESH_TOKEN_SECONDS = 47_304_000


class EbayOAuthError(EbayError):
    """eBay's token endpoint refused the request; ``error`` is its RFC 6749 code."""

    retryable = False

    def __init__(self, message: str, *, error: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = str(self)
        self.error = error
        self.status = status


class EbayGrantRevoked(EbayOAuthError):
    """The code or refresh token is revoked, expired or not this application's
    (``invalid_grant``): only the seller's consent again helps."""


class EbayOAuthUnavailable(EbayOAuthError):
    """No usable answer now (timeout, connection failure, HTTP 5xx or 429): try again later."""

    retryable = True


@dataclass(frozen=True)
class OAuthApp:
    """The application's keyset and where its environment's endpoints are."""

    client_id: str
    client_secret: str = field(repr=False)
    ru_name: str
    auth_url: str
    api_url: str
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


@dataclass(frozen=True)
class TokenGrant:
    """What the token endpoint granted. Tokens are hidden from ``repr``.

    A refresh answer carries no refresh token: the one sent stays valid.
    """

    access_token: str = field(repr=False)
    expires_in: int
    refresh_token: str = field(default="", repr=False)
    refresh_token_expires_in: int | None = None


class EbayOAuthClient:
    """Builds the consent URL and calls eBay's token endpoint for one application."""

    def __init__(
        self,
        app: OAuthApp,
        *,
        recorder: CallRecorder = discard,
        account_id: int | None = None,
        account_label: str = "",
        session: requests.Session | None = None,
    ) -> None:
        self.app = app
        self._recorder = recorder
        self._account_id = account_id
        self._account_label = account_label
        self._session = session or requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT

    def consent_url(self, *, scopes: str, state: str) -> str:
        """Where to send the seller's browser: eBay's consent page for these scopes.

        ``redirect_uri`` is the RuName, not an address: eBay looks the address up.
        """
        query = urlencode(
            {
                "client_id": self.app.client_id,
                "redirect_uri": self.app.ru_name,
                "response_type": "code",
                "scope": " ".join(scopes.split()),
                "state": state,
            },
            quote_via=quote,
        )
        return f"{self.app.auth_url.rstrip('/')}{AUTHORIZE_PATH}?{query}"

    def exchange_code(self, code: str) -> TokenGrant:
        """Trade the authorization code from the consent page for an access and a
        refresh token."""
        return self._token_request(
            "oauth.authorization_code",
            {"grant_type": "authorization_code", "code": code, "redirect_uri": self.app.ru_name},
        )

    def refresh(self, refresh_token: str, *, scopes: str) -> TokenGrant:
        """A new access token for the scopes consented to."""
        return self._token_request(
            "oauth.refresh_token",
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "scope": " ".join(scopes.split()),
            },
        )

    def _token_request(self, operation: str, form: dict[str, str]) -> TokenGrant:
        pair = f"{self.app.client_id}:{self.app.client_secret}".encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Authorization": "Basic " + base64.b64encode(pair).decode(),
        }
        url = f"{self.app.api_url.rstrip('/')}{TOKEN_PATH}"
        body = urlencode(form)
        record = CallRecord(
            provider="ebay",
            operation=operation,
            method="POST",
            url=url,
            correlation_id=uuid.uuid4().hex,
            account_id=self._account_id,
            account_label=self._account_label,
            request_headers={**headers, "Authorization": REDACTED},
            # The recorder redacts the form's secrets (code, refresh_token) too.
            request_body=body,
        )
        started = time.monotonic()
        try:
            return self._send(url, headers, body, record)
        except EbayError as exc:
            record.error_message = str(exc)
            raise
        finally:
            record.duration_ms = int((time.monotonic() - started) * 1000)
            self._recorder(record)

    def _send(self, url: str, headers: dict[str, str], body: str, record: CallRecord) -> TokenGrant:
        try:
            response = self._session.post(
                url,
                data=body,
                headers=headers,
                timeout=(self.app.connect_timeout, self.app.read_timeout),
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            record.outcome = Outcome.TRANSPORT_ERROR
            raise EbayOAuthUnavailable(
                "eBay's token endpoint did not answer in time.", error="timeout"
            ) from exc
        except requests.RequestException as exc:
            record.outcome = Outcome.TRANSPORT_ERROR
            raise EbayOAuthUnavailable(
                sentence(f"Could not reach eBay's token endpoint ({exc})"), error="transport"
            ) from exc
        record.http_status = response.status_code
        record.response_body = response.content.decode("utf-8", "replace")
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code >= 500 or response.status_code == 429:
            record.outcome = Outcome.HTTP_ERROR
            raise EbayOAuthUnavailable(
                f"eBay's token endpoint answered HTTP {response.status_code}; try again later.",
                error="server_error",
                status=response.status_code,
            )
        if response.status_code != 200:
            record.outcome = Outcome.TOKEN_REJECTED
            raise _refusal(payload, response.status_code)
        if not isinstance(payload, dict) or not payload.get("access_token"):
            record.outcome = Outcome.MALFORMED
            raise EbayOAuthError(
                "eBay's token answer has no access_token.",
                error="malformed",
                status=response.status_code,
            )
        try:
            return _grant(payload)
        except (TypeError, ValueError):
            record.outcome = Outcome.MALFORMED
            raise EbayOAuthError(
                "eBay's token answer has an unreadable expires_in.",
                error="malformed",
                status=response.status_code,
            ) from None


def _refusal(payload: object, status: int) -> EbayOAuthError:
    data = payload if isinstance(payload, dict) else {}
    error = str(data.get("error") or ("invalid_client" if status == 401 else "invalid_request"))
    description = str(data.get("error_description") or "").strip().rstrip(".")
    message = sentence(
        f"eBay refused the token request: {error}" + (f" ({description})" if description else "")
    )
    kind = EbayGrantRevoked if error == "invalid_grant" else EbayOAuthError
    return kind(message, error=error, status=status)


def _grant(payload: dict[str, object]) -> TokenGrant:
    refresh = payload.get("refresh_token") or ""
    refresh_expires = payload.get("refresh_token_expires_in")
    return TokenGrant(
        access_token=str(payload["access_token"]),
        expires_in=int(str(payload.get("expires_in") or 7200)),
        refresh_token=str(refresh),
        refresh_token_expires_in=int(str(refresh_expires)) if refresh_expires else None,
    )
