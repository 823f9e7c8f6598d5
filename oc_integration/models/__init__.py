"""Models of the OC integration, one module per concern."""

from oc_integration.models.auth import (
    AccountOrangeConnex,
    AuthorizationStatus,
    Environment,
    OAuthAuthorizationRequest,
)
from oc_integration.models.outbound import (
    OC_STATUS,
    OPEN_AT_OC,
    STATUS_RANK,
    Incoterms,
    OrderPlatform,
    OutboundOrder,
    OutboundOrderLine,
    OutboundStatus,
    ShippingService,
    WebhookDelivery,
)
from oc_integration.models.stock import ProductAccountOrangeConnex, SyncRun

__all__ = [
    "OC_STATUS",
    "OPEN_AT_OC",
    "STATUS_RANK",
    "AccountOrangeConnex",
    "AuthorizationStatus",
    "Environment",
    "Incoterms",
    "OAuthAuthorizationRequest",
    "OrderPlatform",
    "OutboundOrder",
    "OutboundOrderLine",
    "OutboundStatus",
    "ProductAccountOrangeConnex",
    "ShippingService",
    "SyncRun",
    "WebhookDelivery",
]
