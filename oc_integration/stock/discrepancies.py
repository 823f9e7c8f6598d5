"""The discrepancy report: where Hemi and OC disagree, for one OC account.

Three kinds of line, each about one product:

* **listed without OC stock**: the product has a listing (item account) on an eBay account
  that a region of this OC account serves, and no region serving that eBay account holds
  any of it at OC (no stock row Created in OC with stock available);
* **OC stock without a listing**: a stock row Created in OC with stock available, in a
  region that serves an eBay account, linked to no listing there;
* **short of open orders**: in a region, OC's sellable stock (available, minus what this
  account's outbound orders not yet shipped take) is below what open Hemi orders need.

An open Hemi order is paid, not shipped, not fulfilled by eBay, and has no outbound order
yet (a cancelled or rejected one does not count: the order still has to ship). Its lines
of eBay's own programmes (Fulfilled by eBay, eBay Vault) are eBay's to ship and are left
out, as are lines without a Hemi product. Its region: an order of an eBay account this OC
account serves ships from the first region (by name) serving it; an order of an eBay account
only another OC account serves is that account's and is left out; any other order ships
from its destination country's region (``OC_COUNTRY_REGIONS``, else ``OC_DEFAULT_REGION``).
Outbound push may pick a later region that has the stock; the report does not guess.

The whole report costs a constant number of queries, whatever the size of the catalogue.
Regions are compared upper-cased: OC spells them differently between endpoints.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from hemi_fulfilment.catalog.models import ItemAccount
from hemi_fulfilment.orders.models import (
    Channel,
    FulfillmentChannel,
    Order,
    OrderItem,
    OrderItemEbay,
    OrderItemType,
    OrderStatus,
)
from oc_integration.models import (
    OPEN_AT_OC,
    AccountOrangeConnex,
    OutboundOrder,
    OutboundOrderLine,
    OutboundStatus,
    ProductAccountOrangeConnex,
    RegionMapping,
)

#: Outbound orders whose goods are still in OC's warehouse: ours not yet accepted by OC,
#: and OC's until they leave (Outbound, Delivered, Cancelled, Rejected and Exception are
#: past that point or never took stock).
NOT_YET_SHIPPED = [
    OutboundStatus.DRAFT,
    OutboundStatus.QUEUED,
    OutboundStatus.SENDING,
    OutboundStatus.UNKNOWN,
    *(status for status in OPEN_AT_OC if status != OutboundStatus.OUTBOUND),
]
#: Outbound orders that leave their Hemi order still to ship.
NO_LONGER_SHIPPING = [OutboundStatus.CANCELLED, OutboundStatus.REJECTED]

LISTED_WITHOUT_STOCK = "listed_without_stock"
STOCK_WITHOUT_LISTING = "stock_without_listing"
SHORT_OF_ORDERS = "short_of_orders"
KIND_LABELS = {
    LISTED_WITHOUT_STOCK: "Listed on eBay, no OC stock",
    STOCK_WITHOUT_LISTING: "OC stock, not listed",
    SHORT_OF_ORDERS: "OC stock short of open orders",
}


def units_not_yet_shipped(
    account: AccountOrangeConnex, product_ids: Iterable[int]
) -> dict[tuple[int, str], int]:
    """(product, REGION in upper case) -> units of the account's outbound orders that OC
    has not shipped yet (one query): stock OC still counts as available, but promised."""
    outbound: dict[tuple[int, str], int] = defaultdict(int)
    for product_id, region, quantity in (
        OutboundOrderLine.objects.filter(
            outbound_order__account=account,
            outbound_order__status__in=NOT_YET_SHIPPED,
            product_id__in=list(product_ids),
        )
        .values_list("product_id", "outbound_order__service_region")
        .annotate(quantity=Sum("quantity"))
        .values_list("product_id", "outbound_order__service_region", "quantity")
        .order_by()
    ):
        # OC spells regions differently between endpoints (US-west, US-West).
        outbound[(product_id, region.upper())] += quantity or 0
    return outbound


@dataclass(frozen=True)
class StockRowRef:
    """A stock row a line points at."""

    pk: int
    region: str
    available: int
    created_in_oc: bool


@dataclass(frozen=True)
class Discrepancy:
    """One line of the report."""

    kind: str
    product_id: int
    sku: str
    title: str
    #: The region (short of orders, not listed) or the regions serving the listing.
    region: str
    ebay_account_id: int | None = None
    ebay_account: str = ""
    #: The listing: the one the line is about, or (not listed) one that exists but that
    #: the stock row does not link yet (the next sync links it).
    item_account_id: int | None = None
    stock_rows: tuple[StockRowRef, ...] = ()
    available: int = 0
    in_outbound: int = 0
    needed: int = 0
    order_ids: tuple[int, ...] = ()
    order_numbers: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def sellable(self) -> int:
        """Available at OC minus what outbound orders not yet shipped take."""
        return self.available - self.in_outbound

    @property
    def shortfall(self) -> int:
        return max(self.needed - self.sellable, 0)

    @property
    def summary(self) -> str:
        """What is wrong, in a sentence."""
        if self.kind == LISTED_WITHOUT_STOCK:
            held = "; ".join(
                f"{row.region}: {row.available} available"
                + ("" if row.created_in_oc else ", not Created in OC")
                for row in self.stock_rows
            )
            return (
                f"Listed on {self.ebay_account}, but OC holds none of it in "
                f"{self.region}" + (f" ({held})" if held else " (no stock row)") + "."
            )
        if self.kind == STOCK_WITHOUT_LISTING:
            listing = (
                "a listing exists: the next stock sync links it"
                if self.item_account_id
                else "no listing"
            )
            return (
                f"{self.available} available at OC in {self.region}, which serves "
                f"{self.ebay_account}; {listing}."
            )
        return (
            f"Open orders need {self.needed} in {self.region}; OC's sellable stock is "
            f"{self.sellable} ({self.available} available, {self.in_outbound} in outbound "
            f"orders not yet shipped): {self.shortfall} short."
        )


@dataclass
class DiscrepancyReport:
    """The report of one OC account, its lines by kind, each sorted by SKU and region."""

    account: AccountOrangeConnex
    listed_without_stock: list[Discrepancy] = field(default_factory=list)
    stock_without_listing: list[Discrepancy] = field(default_factory=list)
    short_of_orders: list[Discrepancy] = field(default_factory=list)
    #: Open orders left out because another OC account serves their eBay account.
    other_accounts_orders: int = 0

    @property
    def lines(self) -> list[Discrepancy]:
        return [*self.listed_without_stock, *self.stock_without_listing, *self.short_of_orders]


@dataclass
class _Regions:
    """This account's regions and the eBay accounts they serve (one query)."""

    #: eBay account id -> its name and the regions serving it, sorted by name.
    served: dict[int, tuple[str, list[str]]]
    #: Upper-cased region -> (region as mapped, eBay account id, its name).
    serving: dict[str, tuple[str, int, str]]
    #: eBay accounts only other OC accounts serve.
    elsewhere: set[int]


def _regions(account: AccountOrangeConnex) -> _Regions:
    served: dict[int, tuple[str, list[str]]] = {}
    serving: dict[str, tuple[str, int, str]] = {}
    others: set[int] = set()
    for account_id, region, ebay_account_id, name in (
        RegionMapping.objects.filter(Q(account=account) | Q(ebay_account__isnull=False))
        .order_by("region", "pk")
        .values_list("account_id", "region", "ebay_account_id", "ebay_account__name")
    ):
        if account_id != account.pk:
            if ebay_account_id is not None:
                others.add(ebay_account_id)
        elif ebay_account_id is not None:
            served.setdefault(ebay_account_id, (name, []))[1].append(region)
            serving[region.upper()] = (region, ebay_account_id, name)
    return _Regions(served, serving, others - set(served))


def discrepancy_report(account: AccountOrangeConnex) -> DiscrepancyReport:
    """Every line of ``account``'s discrepancy report (a constant number of queries)."""
    regions = _regions(account)
    report = DiscrepancyReport(account)
    report.listed_without_stock = _listed_without_stock(account, regions)
    report.stock_without_listing = _stock_without_listing(account, regions)
    report.short_of_orders, report.other_accounts_orders = _short_of_orders(account, regions)
    return report


def _stock_rows(account: AccountOrangeConnex) -> QuerySet[ProductAccountOrangeConnex]:
    return ProductAccountOrangeConnex.objects.filter(account=account)


def _in_regions(regions: Iterable[str]) -> Q:
    """Rows of any of ``regions``, whatever OC's spelling (US-west, US-West)."""
    return reduce(or_, (Q(region__iexact=region) for region in regions), Q(pk__in=[]))


# --- listed on eBay, no stock at OC --------------------------------------------------------


def _listed_without_stock(account: AccountOrangeConnex, regions: _Regions) -> list[Discrepancy]:
    """Listings on served eBay accounts with no stock in any region serving them (two
    queries: the listings, then the stock rows those products have there)."""
    if not regions.served:
        return []
    held = _stock_rows(account).filter(
        product_id=OuterRef("product_id"), created_in_oc=True, available_stock__gt=0
    )
    # One condition per eBay account: its own regions decide (a query, not one per account).
    unstocked = reduce(
        or_,
        (
            Q(ebay_account_id=ebay_account_id) & ~Exists(held.filter(_in_regions(served_regions)))
            for ebay_account_id, (_, served_regions) in regions.served.items()
        ),
    )
    listings = list(
        ItemAccount.objects.filter(unstocked)
        .order_by("product__sku", "ebay_account__name")
        .values_list("pk", "product_id", "product__sku", "product__title", "ebay_account_id")
    )
    rows: dict[int, list[StockRowRef]] = defaultdict(list)
    for pk, product_id, region, available, created_in_oc in (
        _stock_rows(account)
        .filter(
            _in_regions(regions.serving),
            product_id__in={product_id for _, product_id, *_ in listings},
        )
        .order_by("region")
        .values_list("pk", "product_id", "region", "available_stock", "created_in_oc")
    ):
        rows[product_id].append(StockRowRef(pk, region, available, created_in_oc))
    lines = []
    for pk, product_id, sku, title, ebay_account_id in listings:
        name, served_regions = regions.served[ebay_account_id]
        wanted = {r.upper() for r in served_regions}
        lines.append(
            Discrepancy(
                kind=LISTED_WITHOUT_STOCK,
                product_id=product_id,
                sku=sku,
                title=title,
                region=", ".join(served_regions),
                ebay_account_id=ebay_account_id,
                ebay_account=name,
                item_account_id=pk,
                stock_rows=tuple(r for r in rows[product_id] if r.region.upper() in wanted),
            )
        )
    return lines


# --- stock at OC, no listing ---------------------------------------------------------------


def _stock_without_listing(account: AccountOrangeConnex, regions: _Regions) -> list[Discrepancy]:
    """Stock rows with stock, in a region serving an eBay account, linked to no listing
    (two queries: the rows, then any listing they could link)."""
    if not regions.serving:
        return []
    rows = list(
        _stock_rows(account)
        .filter(
            _in_regions(regions.serving),
            created_in_oc=True,
            available_stock__gt=0,
            item_account__isnull=True,
        )
        .order_by("sku", "region", "pk")
        .values_list(
            "pk", "product_id", "product__sku", "product__title", "region", "available_stock"
        )
    )
    listings = {
        (product_id, ebay_account_id): pk
        for pk, product_id, ebay_account_id in ItemAccount.objects.filter(
            product_id__in={row[1] for row in rows}, ebay_account_id__in=list(regions.served)
        ).values_list("pk", "product_id", "ebay_account_id")
    }
    lines = []
    for pk, product_id, sku, title, region, available in rows:
        _, ebay_account_id, name = regions.serving[region.upper()]
        lines.append(
            Discrepancy(
                kind=STOCK_WITHOUT_LISTING,
                product_id=product_id,
                sku=sku,
                title=title,
                region=region,
                ebay_account_id=ebay_account_id,
                ebay_account=name,
                item_account_id=listings.get((product_id, ebay_account_id)),
                stock_rows=(StockRowRef(pk, region, available, True),),
                available=available,
            )
        )
    return lines


# --- sellable stock short of open orders ---------------------------------------------------


def open_orders() -> QuerySet[Order]:
    """Hemi orders still to ship from OC stock: paid, not shipped, not fulfilled by eBay,
    without an outbound order (other than a cancelled or rejected one)."""
    live_outbound = OutboundOrder.objects.filter(order=OuterRef("pk")).exclude(
        status__in=NO_LONGER_SHIPPING
    )
    return (
        Order.objects.filter(status=OrderStatus.PAID, shipped=False)
        .exclude(marketplace_fulfillment_channel=FulfillmentChannel.EBAY)
        .exclude(Exists(live_outbound))
    )


@dataclass
class _Need:
    region: str
    sku: str
    title: str
    quantity: int = 0
    orders: dict[int, str] = field(default_factory=dict)


def _order_region(ebay_account_id: int | None, country: str, regions: _Regions) -> str:
    if ebay_account_id in regions.served:
        return regions.served[ebay_account_id][1][0]
    return str(settings.OC_COUNTRY_REGIONS.get(country.upper(), settings.OC_DEFAULT_REGION))


def _short_of_orders(
    account: AccountOrangeConnex, regions: _Regions
) -> tuple[list[Discrepancy], int]:
    """(product, region) pairs whose sellable stock is below what open orders need, and how
    many open orders were left out as another OC account's (four queries: the eBay and the
    other order lines, the stock rows, the outbound quantities)."""
    orders = open_orders()
    line_fields = (
        "order_id",
        "order__number",
        "order__ebay_account_id",
        "order__ship_country_code",
        "product_id",
        "product__sku",
        "product__title",
        "quantity",
    )
    ebay_lines = OrderItemEbay.objects.filter(
        order__in=orders,
        order__channel=Channel.EBAY,
        type=OrderItemType.SELLER_FULFILLED,
        product__isnull=False,
    ).values_list(*line_fields)
    other_lines = (
        OrderItem.objects.filter(order__in=orders, product__isnull=False)
        .exclude(order__channel=Channel.EBAY)
        .values_list(*line_fields)
    )
    needs: dict[tuple[int, str], _Need] = {}
    left_out: set[int] = set()
    for order_id, number, ebay_account_id, country, product_id, sku, title, quantity in [
        *ebay_lines,
        *other_lines,
    ]:
        if ebay_account_id in regions.elsewhere:
            left_out.add(order_id)
            continue
        region = _order_region(ebay_account_id, country, regions)
        need = needs.setdefault((product_id, region.upper()), _Need(region, sku, title))
        need.quantity += quantity
        need.orders[order_id] = number
    if not needs:
        return [], len(left_out)
    products = {product_id for product_id, _ in needs}
    stock: dict[tuple[int, str], StockRowRef] = {}
    for pk, product_id, region, available, created_in_oc in (
        _stock_rows(account)
        .filter(product_id__in=products)
        .values_list("pk", "product_id", "region", "available_stock", "created_in_oc")
    ):
        stock[(product_id, region.upper())] = StockRowRef(pk, region, available, created_in_oc)
    outbound = units_not_yet_shipped(account, products)
    lines = []
    for (product_id, region_key), need in sorted(
        needs.items(), key=lambda item: (item[1].sku, item[0][1])
    ):
        row = stock.get((product_id, region_key))
        available = row.available if row is not None and row.created_in_oc else 0
        line = Discrepancy(
            kind=SHORT_OF_ORDERS,
            product_id=product_id,
            sku=need.sku,
            title=need.title,
            region=row.region if row is not None else need.region,
            stock_rows=(row,) if row is not None else (),
            available=available,
            in_outbound=outbound.get((product_id, region_key), 0),
            needed=need.quantity,
            order_ids=tuple(sorted(need.orders)),
            order_numbers=tuple(need.orders[pk] for pk in sorted(need.orders)),
        )
        if line.shortfall > 0:
            lines.append(line)
    return lines, len(left_out)
