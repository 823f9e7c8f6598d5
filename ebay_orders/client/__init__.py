"""The eBay Trading API client (no Django): XML payloads, the HTTP client, typed errors."""

from ebay_orders.client.errors import (
    EbayApiError,
    EbayError,
    EbayHttpError,
    EbayMalformedResponse,
    EbayMessage,
    EbayPartialFailure,
    EbayTimeoutError,
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
    "EbayTokenRejected",
    "EbayTransportError",
    "GetOrdersPage",
    "OrderLine",
    "OrderProblem",
    "TradingClient",
    "TradingConfig",
    "parse_get_orders",
]
