from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Stand-ins for Hemi's catalog: products, eBay accounts and item accounts."""

    name = "hemi_fulfilment.catalog"
    label = "catalog"
    verbose_name = "Hemi catalog"
