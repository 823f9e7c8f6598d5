"""What every eBay API client shares: one HTTP session, a User-Agent, a token provider and
the call recorder. No Django."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import requests

from ebay_orders.client.tokens import TokenProvider
from hemi_fulfilment.apilog.records import CallRecorder, discard

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
