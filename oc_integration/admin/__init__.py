"""Admin for Orange Connex, one package per capability: auth, stock, outbound, catalog."""

from oc_integration.admin.auth import accounts  # noqa: F401  (registers the model admins)
from oc_integration.admin.catalog import products as catalog_products
from oc_integration.admin.catalog import skus
from oc_integration.admin.costs import accounts as cost_accounts
from oc_integration.admin.costs import products as cost_products
from oc_integration.admin.costs import trials as cost_trials  # noqa: F401
from oc_integration.admin.inbound import orders as inbound_orders
from oc_integration.admin.outbound import (  # noqa: F401
    fees,
    hemi_orders,
    orders,
    routing,
    routing_rules,
    shipping_services,
)
from oc_integration.admin.outbound import own_label as outbound_own_label
from oc_integration.admin.outbound import replay as callback_replay
from oc_integration.admin.returns import attach as returns_attach
from oc_integration.admin.returns import imports as return_imports  # noqa: F401
from oc_integration.admin.returns import orders as return_orders  # noqa: F401
from oc_integration.admin.stock import (  # noqa: F401
    age,
    discrepancies,
    low_stock,
    movements,
    products,
    runs,
)
from oc_integration.admin.stock import charts as stock_charts

hemi_orders.attach_to_order_admin()
movements.attach_to_stock_admins()
catalog_products.attach_to_product_admin()
skus.attach_to_account_admin()
stock_charts.attach_to_stock_admins()
stock_charts.attach_to_product_admin()
discrepancies.attach_to_account_admin()
inbound_orders.attach_to_account_admin()
cost_products.attach_to_product_admin()
cost_accounts.attach_to_account_admin()
callback_replay.attach_to_callback_admin()
outbound_own_label.attach_to_outbound_admin()
returns_attach.attach_to_account_admin()
returns_attach.attach_to_stock_admin()
returns_attach.attach_to_outbound_admin()
