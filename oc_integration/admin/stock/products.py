"""Stock review: what OC holds per product and region, for staff."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    result_headers,
    result_hidden_fields,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value
from django.core.exceptions import FieldDoesNotExist, FullResultSet
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    Expression,
    F,
    Q,
    QuerySet,
    Sum,
    TimeField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from hemi_fulfilment.csv_export import csv_download
from hemi_fulfilment.evidence_admin import EvidenceAdminMixin
from oc_integration.admin.pagination import WindowedPaginator
from oc_integration.admin.stock.charts import chart_context
from oc_integration.admin.warnings import AccountWarningsMixin
from oc_integration.client.stock_v2 import KNOWN_REGIONS
from oc_integration.inbound.on_the_way import on_the_way
from oc_integration.models import ProductAccountOrangeConnex, RegionMapping, RegionStockTotals
from oc_integration.stock.chart_data import row_chart
from oc_integration.stock.low_stock import low_stock_rows
from oc_integration.stock.plan import FIGURES
from oc_integration.stock.runs import confirmed_snapshot_times
from oc_integration.stock.search import matching_stock_rows

STALE_AFTER = timedelta(hours=24)
OTHER_COUNT_LABELS = {
    "RCVD": "Received",
    "RSVALOC": "Reserved (allocated)",
    "RSVHO": "Reserved (hold)",
    "RSVAS": "Reserved (VAS)",
    "UNF": "Unfulfillable",
}


class RegionFilter(admin.SimpleListFilter):
    title = "region"
    parameter_name = "region"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # The regions OC serves and any an account maps (one small query), so a region
        # with stock but no mapping can be filtered too; and the one asked for.
        regions = {*KNOWN_REGIONS, *RegionMapping.objects.values_list("region", flat=True)}
        if self.value():
            regions.add(str(self.value()))
        unique = {region.upper(): region for region in sorted(regions)}
        return [(region, region) for _, region in sorted(unique.items())]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(region=self.value()) if self.value() else queryset


class OutOfStockFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("out", "Out of stock"), ("in", "In stock")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "out":
            return queryset.filter(available_stock__lte=0)
        if self.value() == "in":
            return queryset.filter(available_stock__gt=0)
        return queryset


class LowStockFilter(admin.SimpleListFilter):
    """The rows under their low-stock threshold: available under the minimum, or fewer
    days of cover than the minimum at the last 30 days' sales (one query, in SQL)."""

    title = "low stock"
    parameter_name = "low_stock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("low", "Low stock")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return low_stock_rows(queryset) if self.value() == "low" else queryset


class StaleFilter(admin.SimpleListFilter):
    title = "freshness"
    parameter_name = "freshness"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("stale", "Stale (not updated for 24 h, or left OC)"), ("fresh", "Fresh")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        stale = (
            Q(stale=True)
            | Q(shown_stock_updated__lt=timezone.now() - STALE_AFTER)
            | Q(shown_stock_updated__isnull=True)
        )
        if self.value() == "stale":
            return queryset.filter(stale)
        if self.value() == "fresh":
            return queryset.exclude(stale)
        return queryset


def shown_stock_updated(confirmed: dict[int, datetime]) -> Expression | F:
    """ "Stock Updated" as staff read it: for a row the account's last applied snapshot
    confirmed (Created in OC, not stale), that snapshot's time; otherwise the row's own.

    A sync does not rewrite rows whose figures did not change, so the stored time is
    the one of the snapshot that last changed them.
    """
    field: DateTimeField[datetime, datetime] = DateTimeField()
    live = [
        When(
            Q(account_id=account_id, created_in_oc=True, stale=False),
            then=Greatest(Coalesce("stock_updated", Value(moment, field)), Value(moment, field)),
        )
        for account_id, moment in confirmed.items()
    ]
    if not live:
        return F("stock_updated")
    return Case(*live, default=F("stock_updated"), output_field=field)


class Totals(NamedTuple):
    """The filtered list's totals: per region, and per eBay account the regions serve."""

    regions: list[dict[str, Any]]
    sites: list[dict[str, Any]]

    @property
    def products(self) -> int:
        return sum(row["products"] for row in self.regions)


def region_totals(queryset: QuerySet[ProductAccountOrangeConnex]) -> Totals:
    """Products, available and in-transit stock per region of ``queryset``, and per eBay
    account through each OC account's region mapping (several US regions may serve eBay
    US): one GROUP BY and one small query for the mapping."""
    return _totals(
        queryset.order_by()
        .values("account_id", "region")
        .annotate(
            products=Count("pk"),
            available=Sum("available_stock"),
            intransit=Sum("intransit_stock"),
        )
    )


def kept_region_totals(account_id: int | None, region: str | None) -> Totals:
    """What :func:`region_totals` gives for every stock row, or those of one account or
    region, read from the totals the database keeps (PostgreSQL; see
    :class:`~oc_integration.models.RegionStockTotals`): a few lines, not every row."""
    lines = RegionStockTotals.objects.all()
    if account_id is not None:
        lines = lines.filter(account_id=account_id)
    if region is not None:
        lines = lines.filter(region=region)
    return _totals(lines.values("account_id", "region", "products", "available", "intransit"))


def _totals(by_account_region: Iterable[Mapping[str, Any]]) -> Totals:
    """The totals per region and per eBay account of rows counted per account and region."""
    serves = {
        (account_id, region.upper()): name
        for account_id, region, name in RegionMapping.objects.filter(
            ebay_account__isnull=False
        ).values_list("account_id", "region", "ebay_account__name")
    }
    regions: dict[str, dict[str, Any]] = {}
    sites: dict[str, dict[str, Any]] = {}
    for row in by_account_region:
        keys = [(regions, row["region"])]
        site = serves.get((row["account_id"], row["region"].upper()))
        if site:
            keys.append((sites, site))
        for table, key in keys:
            total = table.setdefault(
                key, {"name": key, "products": 0, "available": 0, "intransit": 0, "regions": set()}
            )
            total["products"] += row["products"]
            total["available"] += row["available"] or 0
            total["intransit"] += row["intransit"] or 0
            total["regions"].add(row["region"])
    return Totals(
        regions=[{**t, "region": t["name"]} for _, t in sorted(regions.items())],
        sites=[{**t, "regions": ", ".join(sorted(t["regions"]))} for _, t in sorted(sites.items())],
    )


def _conditions(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    """The SQL of ``queryset``'s WHERE clause with its values ("" for every row)."""
    query = queryset.query
    try:
        sql, params = query.get_compiler(connection=connection).compile(query.where)
    except FullResultSet:
        return "", ()
    return sql, tuple(params)


_MEMO_TYPES = frozenset({bool, int, str, type(None), date, datetime})


#: How a stale row shows in the list (not updated for 24 h, or gone from OC's snapshot).
STALE_BADGE = mark_safe('<strong style="color:#b26a00">⚠ stale</strong>')


class _Column(NamedTuple):
    """What ``items_for_result`` works out per cell, worked out once per column."""

    position: int
    name: str
    field: Any  # the model field, or None for a ModelAdmin method
    method: Any  # the ModelAdmin method, or None for a model field
    classes: tuple[str, ...]
    empty_value_display: str
    boolean: bool
    link_tag: str | None  # "th"/"td" for the column linking to the change page


def _columns(cl: Any) -> list[_Column] | None:
    """The page's columns, or None if one is of a kind :func:`review_results` leaves to
    Django (related or auto-created fields, model attributes, editable lists, popups)."""
    # The formset (list_editable) is set by changelist_view, after the ChangeList.
    if getattr(cl, "formset", None) is not None or cl.is_popup or cl.to_field:
        return None
    model_admin = cl.model_admin
    default_empty = model_admin.get_empty_value_display()
    columns = []
    first = True
    for position, name in enumerate(cl.list_display):
        if not isinstance(name, str):
            return None
        if cl.list_display_links is None:
            link = False
        else:
            link = (first and not cl.list_display_links) or name in cl.list_display_links
        link_tag = None
        if link:
            link_tag = "th" if first else "td"
            first = False
        classes: tuple[str, ...] = (f"field-{name}",)
        try:
            field = cl.lookup_opts.get_field(name)
        except FieldDoesNotExist:
            method = getattr(model_admin, name, None)
            if name == "__str__" or not callable(method):
                return None
            if name == "action_checkbox":
                classes = ("action-checkbox",)
            columns.append(
                _Column(
                    position,
                    name,
                    None,
                    method,
                    classes,
                    getattr(method, "empty_value_display", default_empty),
                    getattr(method, "boolean", False),
                    link_tag,
                )
            )
            continue
        if field.auto_created or field.is_relation or field.name != name:
            return None
        if isinstance(field, DateField | TimeField):
            classes += ("nowrap",)
        columns.append(
            _Column(position, name, field, None, classes, default_empty, False, link_tag)
        )
    return columns


# Stands for a row's primary key in its change page's URL, reversed once per page.
_PK = "0pk0"


def change_links(cl: Any) -> Callable[[Any], str | None]:
    """Each row's link to its change page, keeping the list's filters, as Django's
    ``url_for_result`` and ``add_preserved_filters`` make it (None: the change page has no
    URL), worked out once per page: the kept filters are the same for every row, and
    resolving them per row took a fifth of a filtered page's time. Rows whose primary key
    is not an integer take Django's way."""
    preserved = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
    opts = cl.opts
    try:
        url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=(_PK,),
            current_app=cl.model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return lambda result: None
    kept = add_preserved_filters(preserved, url)
    head, _, tail = kept.partition(_PK)

    def link(result: Any) -> str | None:
        pk = getattr(result, cl.pk_attname)
        if type(pk) is int:
            return f"{head}{pk}{tail}"
        try:
            return str(add_preserved_filters(preserved, cl.url_for_result(result)))
        except NoReverseMatch:
            return None

    return link


def review_results(cl: Any) -> dict[str, Any] | None:
    """The context of ``admin/change_list_results.html`` for the page, as Django's
    ``result_list`` tag builds it, with each row's cells rendered in one string.

    The same markup as Django's ``items_for_result`` (a test compares them), made
    cheaper: the per-column work (field lookup, classes, link) is done once per page and
    each distinct value of a column (the same booleans, figures and snapshot time over
    and over) is formatted once, which is most of the time of a 100-row page. None when
    the page has a column of a kind this leaves to Django.
    """
    columns = _columns(cl)
    if columns is None:
        return None
    # format_html(f, *args) is f.format(*map(conditional_escape, args)), marked safe:
    # the cells are built the same way, with the escaping done once per distinct value.
    formatted: dict[tuple[int, type, Any], str] = {}
    class_attrs = {column.position: f' class="{" ".join(column.classes)}"' for column in columns}
    link = change_links(cl)
    rows = []
    for result in cl.result_list:
        cells = []
        for column in columns:
            value = (
                column.method(result) if column.method is not None else getattr(result, column.name)
            )
            if isinstance(value, str) and value.strip() == "":
                value = ""
            # Values of these types that are equal are shown alike (not so 1.0 and 1.00).
            key = (column.position, type(value), value) if type(value) in _MEMO_TYPES else None
            shown = formatted.get(key) if key is not None else None
            if shown is None:
                if column.field is not None:
                    result_repr = display_for_field(
                        value,
                        column.field,
                        column.empty_value_display,
                        avoid_link=column.link_tag is not None,
                    )
                else:
                    result_repr = display_for_value(
                        value, column.empty_value_display, column.boolean
                    )
                shown = str(conditional_escape(result_repr))
                if key is not None:
                    formatted[key] = shown
            class_attr = class_attrs[column.position]
            if column.method is not None and isinstance(value, date | time):
                class_attr = f' class="{" ".join((*column.classes, "nowrap"))}"'
            if column.link_tag is None:
                cells.append(f"<td{class_attr}>{shown}</td>")
                continue
            url = link(result)
            if url is None:
                link_or_text = shown
            else:
                link_or_text = f'<a href="{conditional_escape(url)}">{shown}</a>'
            cells.append(f"<{column.link_tag}{class_attr}>{link_or_text}</{column.link_tag}>")
        rows.append(ResultList(None, [mark_safe("".join(cells))]))  # noqa: S308
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": rows,
    }


@admin.register(ProductAccountOrangeConnex)
class ProductAccountOrangeConnexAdmin(EvidenceAdminMixin, AccountWarningsMixin, admin.ModelAdmin):
    """Stock figures and OC SKUs come from OC: read-only here.

    Built for hundreds of thousands of rows (PostgreSQL): the list is ordered on the row's
    own columns (its copy of the SKU, migration 0007's index) and searched through the
    products' SKU trigram index (catalog migration 0003) and the OC SKU's pattern index
    (migration 0029); a page is picked on this table alone and only its rows are joined to the
    product (WindowedPaginator); the totals per region are computed once per request and
    give the list's count as well.
    """

    change_list_template = "admin/oc_integration/productaccountorangeconnex/change_list.html"
    list_display = [
        "sku",
        "title",
        "region",
        "oc_sku",
        "available_stock",
        "intransit_stock",
        "other_counts",
        "last_confirmed",
        "created_in_oc",
        "freshness",
    ]
    list_filter = [
        RegionFilter,
        "created_in_oc",
        OutOfStockFilter,
        LowStockFilter,
        StaleFilter,
        "account",
    ]
    # Each through an index on PostgreSQL (get_search_results): any part of the Hemi SKU
    # (the products' trigram index), an OC SKU from its start (the rows' B-tree: OC's
    # codes share their digits, so a part from the middle finds thousands).
    search_fields = ["sku", "^oc_sku"]
    search_help_text = "Any part of a Hemi SKU, or an OC SKU from its start"
    # The page's 100 rows only (WindowedPaginator): the title is the product's.
    list_select_related = ["product"]
    sortable_by = [
        "sku",
        "region",
        "oc_sku",
        "available_stock",
        "intransit_stock",
        "last_confirmed",
    ]
    paginator = WindowedPaginator
    show_full_result_count = False
    list_per_page = 100
    readonly_fields = [
        "account",
        "product",
        "item_account",
        "sku",
        "region",
        "oc_sku",
        "available_stock",
        "intransit_stock",
        "on_its_way",
        "other_counts",
        "last_confirmed",
        "created_in_oc",
        "stale",
        "created",
        "updated",
    ]
    exclude = ["other_stock", "stock_updated"]

    def get_search_results(
        self,
        request: HttpRequest,
        queryset: QuerySet[ProductAccountOrangeConnex],
        search_term: str,
    ) -> tuple[QuerySet[ProductAccountOrangeConnex], bool]:
        # The same matches as search_fields would give, each side through its own index.
        return matching_stock_rows(queryset, search_term), False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductAccountOrangeConnex]:
        # The accounts' confirmed snapshot times are read once per request.
        confirmed = getattr(request, "_oc_confirmed_snapshots", None)
        if confirmed is None:
            confirmed = confirmed_snapshot_times()
            setattr(request, "_oc_confirmed_snapshots", confirmed)  # noqa: B010
        return (
            super()
            .get_queryset(request)
            .annotate(shown_stock_updated=shown_stock_updated(confirmed))
        )

    @admin.display(description="Stock Updated", ordering="shown_stock_updated")
    def last_confirmed(self, obj: ProductAccountOrangeConnex) -> datetime | None:
        moment: datetime | None = getattr(obj, "shown_stock_updated", obj.stock_updated)
        return moment

    def action_checkbox(self, obj: ProductAccountOrangeConnex) -> SafeString:
        # Django's own markup, without rendering a form widget template per row (a tenth
        # of a 100-row page's time); a test compares it with Django's.
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    @admin.display(description="title")
    def title(self, obj: ProductAccountOrangeConnex) -> str:
        # The list cuts long titles to fit the screen; the whole one shows on hover.
        return format_html('<span title="{}">{}</span>', obj.product.title, obj.product.title)

    @admin.display(description="figures", ordering="stale")
    def freshness(self, obj: ProductAccountOrangeConnex) -> str:
        # Fresh is the normal case: plain words, not a red cross; stale stands out.
        return STALE_BADGE if obj.stale else "fresh"

    @admin.display(description="on its way")
    def on_its_way(self, obj: ProductAccountOrangeConnex) -> str:
        # The change page only (one aggregate): units in open inbound orders, earliest ETA.
        coming = on_the_way(obj.account_id, obj.region, obj.oc_sku)
        if not coming.units:
            return "Nothing in open inbound orders."
        return format_html(
            '<a href="{}?q={}">{} unit(s) in {} open inbound order(s)</a>, first due {}',
            reverse("admin:oc_integration_inboundorder_changelist"),
            obj.oc_sku,
            coming.units,
            coming.orders,
            f"{coming.earliest_eta:%Y-%m-%d}" if coming.earliest_eta else "-",
        )

    @admin.display(description="other counts")
    def other_counts(self, obj: ProductAccountOrangeConnex) -> str:
        counts = obj.other_stock or {}
        return (
            ", ".join(
                f"{OTHER_COUNT_LABELS.get(status, status)} {count}"
                for status, count in counts.items()
                if count
            )
            or "-"
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Rows are created by the stock sync from what OC reports.
        return False

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: ProductAccountOrangeConnex | None = None,
    ) -> Any:
        # The row's chart of available and in transit (7 / 30 / 90 days), drawn by the
        # change form's template (productaccountorangeconnex/change_form.html).
        if obj is not None and obj.pk:
            context.update(chart_context(request, lambda days: row_chart(obj, days)))
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- totals and CSV ---------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_csv),
                name="oc_integration_productaccountorangeconnex_export",
            ),
            *super().get_urls(),
        ]

    def _filtered(self, request: HttpRequest) -> QuerySet[ProductAccountOrangeConnex]:
        return self.get_changelist_instance(request).get_queryset(request)

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet[ProductAccountOrangeConnex],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> WindowedPaginator:
        # The changelist asks for its paginator once, with the filtered list: the totals
        # per region are taken here, once, and their sum is the list's count.
        scope = self._kept_totals_scope(request, queryset)
        totals = region_totals(queryset) if scope is None else kept_region_totals(*scope)
        setattr(request, "_oc_region_totals", totals)  # noqa: B010
        return WindowedPaginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            count=totals.products,
        )

    def _kept_totals_scope(
        self, request: HttpRequest, queryset: QuerySet[ProductAccountOrangeConnex]
    ) -> tuple[int | None, str | None] | None:
        """(account id, region) when ``queryset`` holds every stock row, or those of one
        account or region, and the database keeps their totals (PostgreSQL); None otherwise.

        Decided by the query itself, not by the request's parameters: its conditions must
        be those of the table's rows with at most the filters on account and region (any
        other filter, a search, or a narrower list of rows the admin starts from has
        conditions of its own).
        """
        if connection.vendor != "postgresql" or queryset.query.combinator:
            return None
        accounts, regions = request.GET.getlist("account__id__exact"), request.GET.getlist("region")
        if len(accounts) > 1 or len(regions) > 1:
            return None
        try:
            account_id = int(accounts[0]) if accounts else None
        except ValueError:
            return None
        region = regions[0] if regions else None
        # In the order the list's filters apply them (RegionFilter first).
        expected: QuerySet[ProductAccountOrangeConnex] = QuerySet(ProductAccountOrangeConnex)
        if region is not None:
            expected = expected.filter(region=region)
        if account_id is not None:
            expected = expected.filter(account__id__exact=account_id)
        return (account_id, region) if _conditions(queryset) == _conditions(expected) else None

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context is not None and "cl" in context:
            totals = getattr(request, "_oc_region_totals", None)
            if totals is None:
                totals = region_totals(context["cl"].queryset)
            context["region_totals"] = totals.regions
            context["site_totals"] = totals.sites
            context["export_query"] = request.GET.urlencode()
            context["review_results"] = review_results(context["cl"])
        return response

    def export_csv(self, request: HttpRequest) -> StreamingHttpResponse:
        """The filtered list (same filters and search as the page) as CSV, streamed."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        rows = (
            self._filtered(request)
            .values_list(
                "sku",
                "product__title",
                "region",
                *(f if f != "stock_updated" else "shown_stock_updated" for f in FIGURES),
            )
            .iterator(chunk_size=2000)
        )

        header = [
            "SKU",
            "Title",
            "Region",
            "OC SKU",
            "Available",
            "In transit",
            *OTHER_COUNT_LABELS.values(),
            "Stock updated (UTC)",
            "Created in OC",
            "Stale",
        ]
        # Columns in the order of FIGURES.
        return csv_download(
            "oc-stock",
            header,
            (
                (
                    sku,
                    title,
                    region,
                    oc_sku,
                    avl,
                    intran,
                    *((other or {}).get(status, 0) for status in OTHER_COUNT_LABELS),
                    updated.isoformat() if updated else "",
                    "yes" if created else "no",
                    "yes" if stale else "no",
                )
                for sku, title, region, oc_sku, avl, intran, other, updated, created, stale in rows
            ),
        )
