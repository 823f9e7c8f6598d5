"""Admin for Orange Connex: accounts (authorization) and products (stock)."""

from oc_integration.admin import accounts, outbound, products, sync_runs  # noqa: F401  (registers the model admins)
