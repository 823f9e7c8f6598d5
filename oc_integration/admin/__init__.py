"""Admin for Orange Connex, one package per capability: auth, stock, outbound."""

from oc_integration.admin.auth import accounts  # noqa: F401  (registers the model admins)
from oc_integration.admin.outbound import hemi_orders, orders  # noqa: F401
from oc_integration.admin.stock import products, runs  # noqa: F401

hemi_orders.attach_to_order_admin()
