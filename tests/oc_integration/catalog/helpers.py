"""Test data for the SKU catalogue: Hemi products with what OC needs to register them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hemi_fulfilment.catalog.models import Product
from oc_integration.models import ProductOCDetails

COMPLETE_DETAILS: dict[str, Any] = {
    "length": Decimal("40"),
    "width": Decimal("30"),
    "height": Decimal("20"),
    "dimension_unit": "cm",
    "weight": Decimal("1.250"),
    "weight_unit": "kg",
    "declared_value": Decimal("19.99"),
    "declared_currency": "GBP",
    "country_of_origin": "CN",
}


def products_ready_for_oc(*skus: str, **changes: Any) -> list[Product]:
    """Products with complete OC registration details (``changes`` override them)."""
    products = []
    for sku in skus:
        product = Product.objects.create(sku=sku, title=f"Product {sku}")
        ProductOCDetails.objects.create(product=product, **{**COMPLETE_DETAILS, **changes})
        products.append(product)
    return products
