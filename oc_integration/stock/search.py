"""Finding stock rows by SKU or OC SKU, the way the stock review's search box does."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.text import smart_split, unescape_string_literal

from hemi_fulfilment.catalog.models import Product
from oc_integration.models import ProductAccountOrangeConnex


def search_terms(search_term: str) -> list[str]:
    """The words of a search, as Django's admin splits them (quoted phrases kept whole)."""
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            terms.append(bit)
    return terms


def matching_stock_rows(
    queryset: QuerySet[ProductAccountOrangeConnex], search_term: str
) -> QuerySet[ProductAccountOrangeConnex]:
    """The rows of ``queryset`` whose Hemi SKU contains, or whose OC SKU starts with, each
    word of ``search_term`` (case-insensitive; every word must match, as in Django's own
    search).

    The SKU is looked up among the products (their trigram index on PostgreSQL holds
    each SKU once, and a sync never writes it), then their rows through the index that
    leads with the product; the OC SKU through the rows' pattern index. The two sets of
    ids are one union, so each side keeps its index rather than an OR that scans both.
    """
    rows = ProductAccountOrangeConnex.objects.order_by()
    for term in search_terms(search_term):
        by_sku = rows.filter(
            product__in=Product.objects.order_by().filter(sku__icontains=term).values("pk")
        ).values("pk")
        # OC's codes are upper case: the typed term is, rather than every stored code.
        by_oc_sku = rows.filter(oc_sku__startswith=term.upper()).values("pk")
        queryset = queryset.filter(pk__in=by_sku.union(by_oc_sku))
    return queryset
