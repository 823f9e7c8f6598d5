"""The eBay clients (no Django): the Trading API (XML) and the Sell Fulfillment API (REST),
the order dataclasses both produce, typed errors."""

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
from ebay_orders.client.fulfillment import (
    MARKETPLACE_IDS,
    FulfillmentClient,
    FulfillmentConfig,
    ShippingFulfillment,
    marketplace_id,
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
    "MARKETPLACE_IDS",
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
    "FulfillmentClient",
    "FulfillmentConfig",
    "GetOrdersPage",
    "OrderLine",
    "OrderProblem",
    "ShippingFulfillment",
    "TradingClient",
    "TradingConfig",
    "marketplace_id",
    "parse_get_orders",
]
