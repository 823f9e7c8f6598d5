"""The eBay Trading API client: one session, explicit timeouts, typed errors, every call logged.

It knows nothing of Django: the caller passes a :class:`TokenProvider`, the settings
values and a :data:`CallRecorder` (the Django side passes ``apilog.recorder.record_call``).
When eBay refuses the token (a token error code, or HTTP 401), the client asks the
provider for a fresh one once and sends the call once more.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import requests
from lxml import etree

from ebay_orders.client.errors import (
    TOKEN_ERROR_CODES,
    EbayApiError,
    EbayError,
    EbayHttpError,
    EbayMalformedResponse,
    EbayMessage,
    EbayPartialFailure,
    EbayTokenNotRenewed,
    EbayTokenRejected,
    is_token_rejection,
)
from ebay_orders.client.orders import (
    GetOrdersPage,
    complete_sale_request,
    get_orders_by_id_request,
    get_orders_request,
    parse_get_orders,
)
from ebay_orders.client.session import EbaySessionClient
from ebay_orders.client.tokens import TokenProvider
from ebay_orders.client.xmlutil import messages, parse_document, text
from hemi_fulfilment.apilog.records import CallRecord, CallRecorder, Outcome, discard
from hemi_fulfilment.apilog.redaction import REDACTED
from hemi_fulfilment.integration_errors import NoUsableToken

TOKEN_HEADER = "X-EBAY-API-IAF-TOKEN"
# eBay's ceiling for GetOrders pages [I]; the importer asks for exactly this.
MAX_ENTRIES_PER_PAGE = 100


class FixedToken:
    """A token provider for one token that nothing can renew (tests, a quick check)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def access_token(self) -> str:
        """The token."""
        return self._token

    def renew_after_rejection(self, rejected_token: str) -> str:
        """Never possible."""
        raise NoUsableToken("eBay refused the token and there is no way to renew it.")


@dataclass(frozen=True)
class TradingConfig:
    """Where and how to call: values the service reads from settings and the connection."""

    api_url: str
    site_id: int
    compatibility_level: int
    connect_timeout: float
    read_timeout: float


@dataclass(frozen=True)
class TradingResponse:
    """A successful (``Ack`` Success or Warning) response."""

    call_name: str
    ack: str
    root: etree._Element
    warnings: list[EbayMessage]


@dataclass(frozen=True)
class CompleteSaleResult:
    """eBay accepted the shipment; ``warnings`` is what it said besides."""

    order_id: str
    warnings: list[EbayMessage]


class TradingClient(EbaySessionClient):
    """Calls the Trading API for one eBay account (one token provider, one site).

    ``token`` (a fixed token) is kept for callers that have nothing to renew it with.
    """

    def __init__(
        self,
        *,
        config: TradingConfig,
        tokens: TokenProvider | None = None,
        token: str = "",
        recorder: CallRecorder = discard,
        account_id: int | None = None,
        account_label: str = "",
        session: requests.Session | None = None,
    ) -> None:
        super().__init__(
            tokens=tokens if tokens is not None else FixedToken(token),
            recorder=recorder,
            account_id=account_id,
            account_label=account_label,
            session=session,
        )
        self.config = config

    def _headers(self, call_name: str, token: str) -> dict[str, str]:
        return {
            "Content-Type": "text/xml; charset=utf-8",
            "X-EBAY-API-CALL-NAME": call_name,
            "X-EBAY-API-SITEID": str(self.config.site_id),
            "X-EBAY-API-COMPATIBILITY-LEVEL": str(self.config.compatibility_level),
            TOKEN_HEADER: token,
        }

    def call(self, call_name: str, body: bytes) -> TradingResponse:
        """POST one Trading API call; return its response or raise an :class:`EbayError`.

        When eBay refuses the token, the provider is asked once for a fresh one and the
        call is sent once more (eBay processed nothing it refused for its token). If no
        fresh token can be had, :class:`EbayTokenNotRenewed` says why.
        """
        token = self._tokens.access_token()
        try:
            return self._call_once(call_name, body, token)
        except EbayError as exc:
            if not is_token_rejection(exc):
                raise
            rejected = exc
        try:
            fresh = self._tokens.renew_after_rejection(token)
        except NoUsableToken as exc:
            errors = rejected.errors if isinstance(rejected, EbayApiError) else []
            ack = rejected.ack if isinstance(rejected, EbayApiError) else "Failure"
            raise EbayTokenNotRenewed(call_name, ack, errors, str(exc)) from rejected
        return self._call_once(call_name, body, fresh)

    def _call_once(self, call_name: str, body: bytes, token: str) -> TradingResponse:
        """One HTTP call, recorded exactly once whatever happens; the token never reaches
        the record (the recorder would redact it too, but it is not ours to hand out)."""
        headers = self._headers(call_name, token)
        record = CallRecord(
            provider="ebay",
            operation=call_name,
            method="POST",
            url=self.config.api_url,
            correlation_id=uuid.uuid4().hex,
            account_id=self._account_id,
            account_label=self._account_label,
            request_headers={**headers, TOKEN_HEADER: REDACTED},
            request_body=body.decode("utf-8", "replace"),
        )
        started = time.monotonic()
        try:
            return self._send(call_name, body, headers, record)
        except EbayError as exc:
            record.error_message = str(exc)
            raise
        finally:
            record.duration_ms = int((time.monotonic() - started) * 1000)
            self._recorder(record)

    def _send(
        self, call_name: str, body: bytes, headers: dict[str, str], record: CallRecord
    ) -> TradingResponse:
        response = self._exchange(
            call_name,
            "POST",
            self.config.api_url,
            record,
            timeout=(self.config.connect_timeout, self.config.read_timeout),
            data=body,
            headers=headers,
        )
        if response.status_code == 401:
            record.outcome = Outcome.TOKEN_REJECTED
            raise EbayHttpError(401, f"{call_name}: eBay refused the token (HTTP 401)")
        if response.status_code != 200:
            record.outcome = Outcome.HTTP_ERROR
            raise EbayHttpError(
                response.status_code, f"{call_name}: eBay answered HTTP {response.status_code}"
            )
        try:
            root = parse_document(response.content)
        except EbayMalformedResponse as exc:
            record.outcome = Outcome.MALFORMED
            raise EbayMalformedResponse(f"{call_name}: {exc}") from None
        return self._check_ack(call_name, root, record)

    def _check_ack(
        self, call_name: str, root: etree._Element, record: CallRecord
    ) -> TradingResponse:
        ack = text(root, "Ack")
        found = messages(root)
        errors = [m for m in found if m.severity.lower() != "warning"]
        warnings = [m for m in found if m.severity.lower() == "warning"]
        if ack in {"Success", "Warning"}:
            record.outcome = Outcome.SUCCESS
            return TradingResponse(call_name=call_name, ack=ack, root=root, warnings=warnings)
        if ack not in {"Failure", "PartialFailure"}:
            record.outcome = Outcome.MALFORMED
            raise EbayMalformedResponse(f"{call_name}: response has no usable Ack ({ack!r})")
        if any(error.code in TOKEN_ERROR_CODES for error in errors):
            record.outcome = Outcome.TOKEN_REJECTED
            raise EbayTokenRejected(call_name, ack, errors)
        record.outcome = Outcome.BUSINESS_ERROR
        if ack == "PartialFailure":
            raise EbayPartialFailure(call_name, ack, errors)
        raise EbayApiError(call_name, ack, errors)

    def get_orders(
        self,
        *,
        mod_time_from: datetime,
        mod_time_to: datetime,
        page_number: int,
        entries_per_page: int = MAX_ENTRIES_PER_PAGE,
    ) -> GetOrdersPage:
        """One page of the orders modified in [``mod_time_from``, ``mod_time_to``]."""
        body = get_orders_request(
            mod_time_from=mod_time_from,
            mod_time_to=mod_time_to,
            page_number=page_number,
            entries_per_page=entries_per_page,
        )
        response = self.call("GetOrders", body)
        return parse_get_orders(response.root, response.warnings)

    def get_orders_by_id(self, *, order_ids: Sequence[str]) -> GetOrdersPage:
        """The seller's orders with these ids (at most ``MAX_ORDER_IDS``); unknown ids are
        simply absent from the answer."""
        response = self.call("GetOrders", get_orders_by_id_request(order_ids=order_ids))
        return parse_get_orders(response.root, response.warnings)

    def complete_sale(
        self,
        *,
        order_id: str,
        carrier: str,
        tracking_number: str,
        shipped_time: datetime | None = None,
    ) -> CompleteSaleResult:
        """Tell eBay the seller shipped ``order_id`` with this carrier and tracking number."""
        body = complete_sale_request(
            order_id=order_id,
            carrier=carrier,
            tracking_number=tracking_number,
            shipped_time=shipped_time,
        )
        response = self.call("CompleteSale", body)
        return CompleteSaleResult(order_id=order_id, warnings=response.warnings)
