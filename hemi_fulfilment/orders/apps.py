from django.apps import AppConfig


class OrdersConfig(AppConfig):
    """Stand-ins for Hemi's orders and their eBay order items."""

    name = "hemi_fulfilment.orders"
    label = "orders"
    verbose_name = "Hemi orders"
