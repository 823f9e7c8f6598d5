"""The discrepancy report of an OC account: a read-only admin page and its CSV.

Viewing the OC account is enough: nothing changes. Each line links to where staff act on
it (the product, its listing or a new one, the stock row, the open orders).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from hemi_fulfilment.csv_export import csv_download
from oc_integration.models import AccountOrangeConnex
from oc_integration.stock.discrepancies import (
    KIND_LABELS,
    LISTED_WITHOUT_STOCK,
    SHORT_OF_ORDERS,
    STOCK_WITHOUT_LISTING,
    Discrepancy,
    DiscrepancyReport,
    discrepancy_report,
)

#: Lines shown per kind on the page; the CSV has them all.
PAGE_LIMIT = 500

REPORT_URL = "admin:oc_integration_accountorangeconnex_discrepancies"
EXPORT_URL = "admin:oc_integration_accountorangeconnex_discrepancies_export"


@dataclass(frozen=True)
class Link:
    text: str
    url: str


def links(line: Discrepancy) -> list[Link]:
    """Where to act on ``line``: the product, the listing (or a new one), the stock rows,
    the open orders."""
    found = [Link(line.sku, reverse("admin:catalog_product_change", args=[line.product_id]))]
    if line.item_account_id is not None:
        found.append(
            Link(
                f"listing on {line.ebay_account}",
                reverse("admin:catalog_itemaccount_change", args=[line.item_account_id]),
            )
        )
    elif line.kind == STOCK_WITHOUT_LISTING and line.ebay_account_id is not None:
        query = urlencode({"product": line.product_id, "ebay_account": line.ebay_account_id})
        found.append(
            Link(
                f"add a listing on {line.ebay_account}",
                f"{reverse('admin:catalog_itemaccount_add')}?{query}",
            )
        )
    found += [
        Link(
            f"stock row {row.region}",
            reverse("admin:oc_integration_productaccountorangeconnex_change", args=[row.pk]),
        )
        for row in line.stock_rows
    ]
    if line.order_ids:
        query = urlencode({"id__in": ",".join(str(pk) for pk in line.order_ids)})
        found.append(
            Link(
                f"{len(line.order_ids)} open order(s)",
                f"{reverse('admin:orders_order_changelist')}?{query}",
            )
        )
    return found


@dataclass(frozen=True)
class Section:
    """One kind of line on the page."""

    kind: str
    title: str
    explanation: str
    lines: list[tuple[Discrepancy, list[Link]]]
    total: int


def _sections(report: DiscrepancyReport) -> list[Section]:
    region_rule = (
        "An eBay order ships from the first region (by name) serving its eBay account here; "
        "any other order from its destination country's region (OC_COUNTRY_REGIONS: "
        + ", ".join(f"{c} → {r}" for c, r in sorted(settings.OC_COUNTRY_REGIONS.items()))
        + f"; otherwise {settings.OC_DEFAULT_REGION})."
    )
    explanations = {
        LISTED_WITHOUT_STOCK: (
            "A listing on an eBay account this account's regions serve, and none of those "
            "regions holds any of it at OC (no stock row Created in OC with stock available). "
            "Buyers can order what OC cannot ship."
        ),
        STOCK_WITHOUT_LISTING: (
            "Stock available at OC in a region that serves an eBay account, but the stock row "
            "is linked to no listing there: the stock is not on sale."
        ),
        SHORT_OF_ORDERS: (
            "OC's sellable stock (available, minus the quantities of this account's outbound "
            "orders not yet shipped) is below what open Hemi orders need: paid, not shipped, "
            "not fulfilled by eBay, without an outbound order yet. " + region_rule
        ),
    }
    by_kind = {
        LISTED_WITHOUT_STOCK: report.listed_without_stock,
        STOCK_WITHOUT_LISTING: report.stock_without_listing,
        SHORT_OF_ORDERS: report.short_of_orders,
    }
    return [
        Section(
            kind,
            KIND_LABELS[kind],
            explanations[kind],
            [(line, links(line)) for line in lines[:PAGE_LIMIT]],
            len(lines),
        )
        for kind, lines in by_kind.items()
    ]


CSV_HEADER = [
    "Discrepancy",
    "SKU",
    "Title",
    "Region",
    "eBay account",
    "Available at OC",
    "In outbound orders not yet shipped",
    "Sellable",
    "Needed by open orders",
    "Short by",
    "Open orders",
    "What is wrong",
]


def _csv_rows(report: DiscrepancyReport) -> Iterator[list[Any]]:
    for line in report.lines:
        short = line.kind == SHORT_OF_ORDERS
        yield [
            line.label,
            line.sku,
            line.title,
            line.region,
            line.ebay_account,
            line.available if line.kind != LISTED_WITHOUT_STOCK else "",
            line.in_outbound if short else "",
            line.sellable if short else "",
            line.needed if short else "",
            line.shortfall if short else "",
            " ".join(line.order_numbers),
            line.summary,
        ]


def _account_for(
    request: HttpRequest, account_id: int, site: admin.AdminSite
) -> AccountOrangeConnex:
    """The account, if the user may view it (nothing else is needed: the report changes
    nothing)."""
    account = get_object_or_404(AccountOrangeConnex, pk=account_id)
    if not site.get_model_admin(AccountOrangeConnex).has_view_permission(request, account):
        raise PermissionDenied
    return account


def report_view(site: admin.AdminSite) -> Callable[[HttpRequest, int], HttpResponse]:
    """The report page of one account."""

    def view(request: HttpRequest, account_id: int) -> HttpResponse:
        account = _account_for(request, account_id, site)
        report = discrepancy_report(account)
        context = {
            **site.each_context(request),
            "title": f"Discrepancy report: {account}",
            "account": account,
            "opts": AccountOrangeConnex._meta,
            "sections": _sections(report),
            "page_limit": PAGE_LIMIT,
            "other_accounts_orders": report.other_accounts_orders,
            "export_url": reverse(EXPORT_URL, args=[account.pk]),
            "account_url": reverse(
                "admin:oc_integration_accountorangeconnex_change", args=[account.pk]
            ),
        }
        return TemplateResponse(
            request, "admin/oc_integration/accountorangeconnex/discrepancies.html", context
        )

    return view


def export_view(site: admin.AdminSite) -> Callable[[HttpRequest, int], StreamingHttpResponse]:
    """The whole report of one account as CSV."""

    def view(request: HttpRequest, account_id: int) -> StreamingHttpResponse:
        account = _account_for(request, account_id, site)
        rows: Iterable[list[Any]] = _csv_rows(discrepancy_report(account))
        return csv_download(f"oc-discrepancies-{account.pk}", CSV_HEADER, rows)

    return view


def attach_to_account_admin(site: admin.AdminSite = admin.site) -> None:
    """Give the OC account admin the report's two pages (its change page links them)."""
    account_admin = site.get_model_admin(AccountOrangeConnex)
    own_urls = account_admin.get_urls

    def get_urls() -> list[URLPattern]:
        return [
            path(
                "<int:account_id>/discrepancies/",
                site.admin_view(report_view(site)),
                name="oc_integration_accountorangeconnex_discrepancies",
            ),
            path(
                "<int:account_id>/discrepancies.csv",
                site.admin_view(export_view(site)),
                name="oc_integration_accountorangeconnex_discrepancies_export",
            ),
            *own_urls(),
        ]

    account_admin.get_urls = get_urls  # type: ignore[method-assign]
