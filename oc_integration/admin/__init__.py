"""Admin for Orange Connex, one package per capability: auth, stock, outbound, catalog."""

from oc_integration.admin.auth import accounts  # noqa: F401  (registers the model admins)
from oc_integration.admin.catalog import products as catalog_products
from oc_integration.admin.catalog import skus
from oc_integration.admin.outbound import hemi_orders, orders  # noqa: F401
from oc_integration.admin.stock import age, movements, products, runs  # noqa: F401

hemi_orders.attach_to_order_admin()
movements.attach_to_stock_admins()
catalog_products.attach_to_product_admin()
skus.attach_to_account_admin()
