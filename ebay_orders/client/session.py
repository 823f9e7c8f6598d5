"""What every eBay API client shares: one HTTP session, a User-Agent, a token provider and
the call recorder. No Django."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import requests

from ebay_orders.client.errors import EbayTimeoutError, EbayTransportError
from ebay_orders.client.tokens import TokenProvider
from hemi_fulfilment.apilog.records import CallRecord, CallRecorder, Outcome, discard

USER_AGENT = "hemi-fulfilment/0.1 (+ebay_orders)"


class EbaySessionClient:
    """The session, token and recording part of a client for one eBay account."""

    def __init__(
        self,
        *,
        tokens: TokenProvider,
        recorder: CallRecorder = discard,
        account_id: int | None = None,
        account_label: str = "",
        session: requests.Session | None = None,
    ) -> None:
        self._tokens = tokens
        self._recorder = recorder
        self._account_id = account_id
        self._account_label = account_label
        self._session = session or requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the session's connections."""
        self._session.close()

    def _exchange(
        self,
        operation: str,
        method: str,
        url: str,
        record: CallRecord,
        *,
        timeout: tuple[float, float],
        data: str | bytes | None,
        headers: dict[str, str],
    ) -> requests.Response:
        """Send one request; record the answer's status and body in ``record``.

        A timeout or an unreachable eBay becomes :class:`EbayTimeoutError` or
        :class:`EbayTransportError`, recorded as a transport error.
        """
        try:
            response = self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            )
        except requests.Timeout as exc:
            record.outcome = Outcome.TRANSPORT_ERROR
            raise EbayTimeoutError(f"{operation}: eBay did not answer in time ({exc})") from exc
        except requests.RequestException as exc:
            record.outcome = Outcome.TRANSPORT_ERROR
            raise EbayTransportError(f"{operation}: could not reach eBay ({exc})") from exc
        record.http_status = response.status_code
        record.response_body = response.content.decode("utf-8", "replace")
        return response
