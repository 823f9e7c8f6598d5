"""Admin of cost estimates: the push preview page, the product page's estimates."""

from oc_integration.costs import checks  # noqa: F401  (registers the settings' system checks)
