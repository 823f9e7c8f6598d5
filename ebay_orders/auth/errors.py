"""Why an eBay connection gives no token now. Plain exceptions; ``str()`` is for people."""

from __future__ import annotations

from hemi_fulfilment.integration_errors import NoUsableToken


class ConnectionNotReady(NoUsableToken):
    """The connection cannot be used now: disabled, never connected, or its token is gone."""


class ReconnectRequired(ConnectionNotReady):
    """eBay revoked the seller's grant (or it expired): someone must connect again."""


class TokenRefreshFailed(ConnectionNotReady):
    """eBay could not refresh the access token now (after retries); the next run tries again."""
