from django.apps import AppConfig


class EbayOrdersConfig(AppConfig):
    """eBay orders: the Trading API import and the shipping job."""

    name = "ebay_orders"
    verbose_name = "eBay orders"

    def ready(self) -> None:
        from ebay_orders import schedules  # noqa: F401  (declares the import and shipping jobs)
        from ebay_orders.operations import register as register_operations

        register_operations()  # the health page's eBay lines, the eBay alerts and metrics
