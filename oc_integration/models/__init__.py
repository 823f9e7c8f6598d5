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
from oc_integration.models.costs import (
    CostTrial,
    ServiceCostEstimate,
    TrialMethod,
    TrialStatus,
)
from oc_integration.models.fees import OutboundParcel, ParcelItem
from oc_integration.models.inbound import (
    OPEN_INBOUND,
    InboundCarton,
    InboundDocument,
    InboundLine,
    InboundOrder,
    InboundReceipt,
    InboundStatus,
    InboundStatusChange,
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
from oc_integration.models.own_label import OwnLabel
from oc_integration.models.regions import RegionMapping
from oc_integration.models.returns import (
    CANCELLABLE_RETURNS,
    TRACKABLE_RETURNS,
    PendingRequest,
    ReturnedStock,
    ReturnOrder,
    ReturnOrderItem,
    ReturnStatus,
    ReturnSyncState,
)
from oc_integration.models.routing import (
    AutomaticRouting,
    RoutingAccount,
    RoutingCheck,
    RoutingRule,
)
from oc_integration.models.stock import ProductAccountOrangeConnex, SyncRun
from oc_integration.models.stock_history import StockHistory
from oc_integration.models.stock_movement import StockAge, StockMovement, StockMovementCursor
from oc_integration.models.stock_totals import RegionStockTotals

__all__ = [
    "CANCELLABLE_RETURNS",
    "OC_STATUS",
    "OPEN_AT_OC",
    "OPEN_INBOUND",
    "STATUS_RANK",
    "TRACKABLE_RETURNS",
    "AccountOrangeConnex",
    "Approval",
    "AuthorizationStatus",
    "AutomaticRouting",
    "CostTrial",
    "Environment",
    "InboundCarton",
    "InboundDocument",
    "InboundLine",
    "InboundOrder",
    "InboundReceipt",
    "InboundStatus",
    "InboundStatusChange",
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
    "OutboundParcel",
    "OutboundStatus",
    "OwnLabel",
    "ParcelItem",
    "PendingRequest",
    "ProductAccountOrangeConnex",
    "ProductOCDetails",
    "RegionMapping",
    "RegionStockTotals",
    "RegistrationStatus",
    "ReturnOrder",
    "ReturnOrderItem",
    "ReturnStatus",
    "ReturnSyncState",
    "ReturnedStock",
    "RoutingAccount",
    "RoutingCheck",
    "RoutingRule",
    "ServiceCostEstimate",
    "ServiceType",
    "ShippingService",
    "StockAge",
    "StockHistory",
    "StockMovement",
    "StockMovementCursor",
    "SyncRun",
    "TrialMethod",
    "TrialStatus",
    "WebhookDelivery",
]
