"""The models' constraints hold in the database, not only in forms."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product
from hemi_fulfilment.orders.models import Order, OrderItemEbay
from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex

pytestmark = pytest.mark.django_db


def _uk() -> EbayAccount:
    return EbayAccount.objects.create(name="eBay UK", site_code="UK", site_id=3)


def _oc_account(name: str = "OC UK") -> AccountOrangeConnex:
    account = AccountOrangeConnex(
        name=name,
        api_base_url="http://127.0.0.1:1/openapi",
        oauth_base_url="http://127.0.0.1:1",
        client_key="ck",
        redirect_uri="http://127.0.0.1:8000/oc/oauth/callback/",
    )
    account.secret_key = "s3cr3t-value"
    account.save()
    return account


def test_product_sku_is_unique() -> None:
    Product.objects.create(sku="A1", title="One")
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.create(sku="A1", title="Again")


def test_one_item_account_per_product_and_ebay_site() -> None:
    uk = _uk()
    product = Product.objects.create(sku="A1", title="One")
    ItemAccount.objects.create(product=product, ebay_account=uk)
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemAccount.objects.create(product=product, ebay_account=uk)


def test_one_oc_stock_row_per_oc_account_product_and_region() -> None:
    product = Product.objects.create(sku="A1", title="One")
    listing = ItemAccount.objects.create(product=product, ebay_account=_uk())
    account = _oc_account()

    def row(**values: object) -> ProductAccountOrangeConnex:
        return ProductAccountOrangeConnex.objects.create(
            **{"account": account, "product": product, "sku": product.sku, **values}
        )

    row(region="UK", item_account=listing)
    with pytest.raises(IntegrityError), transaction.atomic():
        row(region="UK")
    # Other regions of the same product, listed or not (US-East and US-West may serve
    # one eBay site), and another OC account's row for the same product and region.
    row(region="US-East", item_account=listing)
    row(region="US-West")
    row(region="UK", account=_oc_account("OC DE"))


def test_ebay_order_ids_and_line_ids_are_unique_but_web_orders_have_none() -> None:
    Order.objects.create(number="W1")
    Order.objects.create(number="W2")  # two orders without an eBay order id are fine
    order = Order.objects.create(number="E1", ebay_order_id="02-05696-00555")
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(number="E2", ebay_order_id="02-05696-00555")
    OrderItemEbay.objects.create(order=order, ebay_item_id="1", order_line_item_id="1-2")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderItemEbay.objects.create(order=order, ebay_item_id="1", order_line_item_id="1-2")


def test_secret_key_is_stored_as_fernet_ciphertext() -> None:
    account = _oc_account()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret_key FROM oc_integration_accountorangeconnex WHERE id = %s", [account.pk]
        )
        (stored,) = cursor.fetchone()
    assert "s3cr3t-value" not in stored
    assert stored.startswith("gAAAA")  # Fernet tokens start with version byte 0x80
    assert AccountOrangeConnex.objects.get(pk=account.pk).secret_key == "s3cr3t-value"
