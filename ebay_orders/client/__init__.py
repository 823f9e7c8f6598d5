"""The eBay Trading API client (no Django): XML payloads, the HTTP client, typed errors."""

from ebay_orders.client.errors import (
    EbayApiError,
    EbayError,
    EbayHttpError,
    EbayMalformedResponse,
    EbayMessage,
    EbayPartialFailure,
    EbayTimeoutError,
    EbayTokenNotRenewed,
    EbayTokenRejected,
    EbayTransportError,
)
from ebay_orders.client.orders import (
    MAX_ORDER_IDS,
    EbayOrder,
    GetOrdersPage,
    OrderLine,
    OrderProblem,
    parse_get_orders,
)
from ebay_orders.client.trading import (
    MAX_ENTRIES_PER_PAGE,
    CompleteSaleResult,
    FixedToken,
    TradingClient,
    TradingConfig,
)

__all__ = [
    "MAX_ENTRIES_PER_PAGE",
    "MAX_ORDER_IDS",
    "CompleteSaleResult",
    "EbayApiError",
    "EbayError",
    "EbayHttpError",
    "EbayMalformedResponse",
    "EbayMessage",
    "EbayOrder",
    "EbayPartialFailure",
    "EbayTimeoutError",
    "EbayTokenNotRenewed",
    "EbayTokenRejected",
    "EbayTransportError",
    "FixedToken",
    "GetOrdersPage",
    "OrderLine",
    "OrderProblem",
    "TradingClient",
    "TradingConfig",
    "parse_get_orders",
]
