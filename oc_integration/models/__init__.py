"""Models of the OC integration, one module per concern."""

from oc_integration.models.auth import (
    AccountOrangeConnex,
    AuthorizationStatus,
    Environment,
    OAuthAuthorizationRequest,
)
from oc_integration.models.catalog import (
    Approval,
    OCSku,
    OCSkuEFService,
    OCSkuRegistration,
    ProductOCDetails,
    RegistrationStatus,
    ServiceType,
)
from oc_integration.models.low_stock import LowStockReport, LowStockThreshold
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
from oc_integration.models.regions import RegionMapping
from oc_integration.models.stock import ProductAccountOrangeConnex, SyncRun
from oc_integration.models.stock_history import StockHistory
from oc_integration.models.stock_movement import StockAge, StockMovement, StockMovementCursor

__all__ = [
    "OC_STATUS",
    "OPEN_AT_OC",
    "STATUS_RANK",
    "AccountOrangeConnex",
    "Approval",
    "AuthorizationStatus",
    "Environment",
    "Incoterms",
    "LowStockReport",
    "LowStockThreshold",
    "OAuthAuthorizationRequest",
    "OCSku",
    "OCSkuEFService",
    "OCSkuRegistration",
    "OrderPlatform",
    "OutboundOrder",
    "OutboundOrderLine",
    "OutboundStatus",
    "ProductAccountOrangeConnex",
    "ProductOCDetails",
    "RegionMapping",
    "RegistrationStatus",
    "ServiceType",
    "ShippingService",
    "StockAge",
    "StockHistory",
    "StockMovement",
    "StockMovementCursor",
    "SyncRun",
    "WebhookDelivery",
]
