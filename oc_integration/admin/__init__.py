"""Admin for Orange Connex, one package per capability: auth, stock, outbound, catalog."""

from oc_integration.admin.auth import accounts  # noqa: F401  (registers the model admins)
from oc_integration.admin.catalog import products as catalog_products
from oc_integration.admin.catalog import skus
from oc_integration.admin.outbound import hemi_orders, orders  # noqa: F401
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
