"""How a client gets the seller's access token: from whoever keeps it fresh. No Django."""

from __future__ import annotations

from typing import Protocol


class TokenProvider(Protocol):
    """The access token of one eBay connection, as the clients ask for it."""

    def access_token(self) -> str:
        """A token to send now."""
        ...

    def renew_after_rejection(self, rejected_token: str) -> str:
        """eBay refused ``rejected_token``: a fresh one, or an exception saying why not."""
        ...
