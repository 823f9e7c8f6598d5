from django.apps import AppConfig


class EbayOrdersConfig(AppConfig):
    """eBay orders: the Trading API import and the shipping job."""

    name = "ebay_orders"
    verbose_name = "eBay orders"
