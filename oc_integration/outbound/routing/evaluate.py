"""The orders automatic routing looks at, and what it decides for each, in bulk.

An order is looked at when it is paid, not shipped, ordered within the account's window
(``max_order_age_days``) and has no outbound order yet (at any OC account). The preview
decides for all of them; a run only for those it has not checked since they, the rules or
OC's stock last changed (:func:`unchecked`).

Sellable stock is OC's available stock in a region (a stock row Created in OC, not
stale) minus what this account's outbound orders not yet shipped take, as the
discrepancy report counts it; orders are decided oldest first, each routed order taking
its lines from what is left. The whole evaluation costs a constant number of queries,
whatever the number of orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from hemi_fulfilment.orders.models import (
    Channel,
    Order,
    OrderItem,
    OrderItemEbay,
    OrderItemType,
    OrderStatus,
)
from oc_integration.models import (
    AccountOrangeConnex,
    AutomaticRouting,
    OutboundOrder,
    ProductAccountOrangeConnex,
    RoutingCheck,
    RoutingRule,
    SyncRun,
)
from oc_integration.outbound.orders import regions_by_ebay_account, served_by_other_accounts
from oc_integration.outbound.routing.rules import (
    Candidate,
    Decision,
    Line,
    Regions,
    Stock,
    decide,
    take,
)
from oc_integration.stock.discrepancies import units_not_yet_shipped

#: How many orders one run decides for one account (the rest wait for the next run).
ORDERS_PER_RUN = 500
#: Lines eBay ships itself: an order with any of them is never routed.
EBAY_SHIPS = [OrderItemType.FULFILLED_BY_EBAY, OrderItemType.EBAY_VAULT]


@dataclass
class Evaluation:
    """What routing would do (the preview) or does (a run) with one account's orders."""

    account: AccountOrangeConnex
    routing: AutomaticRouting
    routed: list[Decision] = field(default_factory=list)
    not_routed: list[Decision] = field(default_factory=list)
    #: Paid orders of the window left alone because they already have an outbound order.
    already_at_oc: int = 0


def routing_of(account: AccountOrangeConnex) -> AutomaticRouting:
    """The account's routing switch as stored, or an unsaved one that is off."""
    return AutomaticRouting.objects.filter(account=account).first() or AutomaticRouting(
        account=account
    )


def enabled_rules(account: AccountOrangeConnex) -> list[RoutingRule]:
    """The account's enabled rules, by priority (one query)."""
    return list(
        RoutingRule.objects.filter(account=account, enabled=True).order_by("priority", "pk")
    )


def in_window(routing: AutomaticRouting, *, now: datetime | None = None) -> QuerySet[Order]:
    """Paid, unshipped orders of the routing window (with or without an outbound order)."""
    since = (now or timezone.now()) - timedelta(days=routing.max_order_age_days)
    return Order.objects.alias(placed=Coalesce("ordered_at", "created")).filter(
        status=OrderStatus.PAID, shipped=False, placed__gte=since
    )


def without_outbound(account: AccountOrangeConnex, orders: QuerySet[Order]) -> QuerySet[Order]:
    """``orders`` that have no outbound order: none linked at any OC account, and none of
    their number at this one (as "Push to Orange Connex" checks). Never twice."""
    return orders.exclude(Exists(OutboundOrder.objects.filter(order=OuterRef("pk")))).exclude(
        Exists(OutboundOrder.objects.filter(account=account, reference_number=OuterRef("number")))
    )


def unchecked(
    account: AccountOrangeConnex, routing: AutomaticRouting, orders: QuerySet[Order]
) -> QuerySet[Order]:
    """``orders`` a run has not decided for since they, the rules or OC's stock changed.

    An order routed once is never looked at again; one not routed is looked at again
    after its own change, a change of the rules (or turning routing on), or the account's
    next stock snapshot (one query, for the last snapshot's time).
    """
    last_snapshot = SyncRun.objects.filter(
        account=account,
        kind=SyncRun.Kind.STOCK,
        status__in=[SyncRun.Status.SUCCEEDED, SyncRun.Status.APPLIED],
    ).aggregate(at=Max("finished"))["at"]
    changes = [t for t in (routing.rules_changed_at, routing.turned_on_at, last_snapshot) if t]
    still_valid = Q(checked_at__gte=OuterRef("updated"))
    if changes:
        still_valid &= Q(checked_at__gte=max(changes))
    checked = RoutingCheck.objects.filter(account=account, order=OuterRef("pk")).filter(
        Q(rule__isnull=False) | still_valid
    )
    return orders.exclude(Exists(checked))


def evaluate(
    account: AccountOrangeConnex,
    orders: QuerySet[Order],
    *,
    routing: AutomaticRouting,
    limit: int | None = None,
) -> Evaluation:
    """Decide for each of ``orders`` (oldest first, at most ``limit``) by the account's
    enabled rules (eight queries, whatever the number of orders)."""
    evaluation = Evaluation(account=account, routing=routing)
    selected = orders.select_related("ebay_account").order_by(
        Coalesce("ordered_at", "created"), "pk"
    )
    loaded = list(selected[:limit] if limit else selected)
    if not loaded:
        return evaluation
    rules = enabled_rules(account)
    regions = Regions(regions_by_ebay_account(account), served_by_other_accounts(account))
    candidates = _candidates(loaded)
    stock = sellable_stock(
        account, {line[0] for c in candidates for line in c.lines if line[0] is not None}
    )
    for candidate in candidates:
        decision = decide(candidate, rules, regions, stock)
        if decision.routed:
            take(candidate.lines, decision.region, stock)
            evaluation.routed.append(decision)
        else:
            evaluation.not_routed.append(decision)
    return evaluation


def preview(account: AccountOrangeConnex) -> Evaluation:
    """What routing would do now with every order of the account's window (ten queries):
    the orders it would route, those it would not and why, and how many it leaves alone
    because they already have an outbound order."""
    routing = routing_of(account)
    window = in_window(routing)
    evaluation = evaluate(account, without_outbound(account, window), routing=routing)
    evaluation.already_at_oc = window.count() - len(evaluation.routed) - len(evaluation.not_routed)
    return evaluation


def sellable_stock(account: AccountOrangeConnex, product_ids: Iterable[int]) -> Stock:
    """(product, region) -> (OC SKU, sellable) for ``product_ids`` (two queries)."""
    wanted = set(product_ids)
    stock: Stock = {
        (product_id, region): (oc_sku, available)
        for product_id, region, oc_sku, available in ProductAccountOrangeConnex.objects.filter(
            account=account, created_in_oc=True, stale=False, product_id__in=wanted
        ).values_list("product_id", "region", "oc_sku", "available_stock")
    }
    spelled = {(product_id, region.upper()): region for product_id, region in stock}
    for (product_id, region_key), quantity in units_not_yet_shipped(account, wanted).items():
        key = (product_id, spelled.get((product_id, region_key), region_key))
        if key in stock:
            oc_sku, available = stock[key]
            stock[key] = (oc_sku, available - quantity)
    return stock


def _candidates(orders: list[Order]) -> list[Candidate]:
    """The orders with their lines (two queries: eBay lines, other channels' lines)."""
    ebay_ids = [o.pk for o in orders if o.channel == Channel.EBAY]
    other_ids = [o.pk for o in orders if o.channel != Channel.EBAY]
    lines: dict[int, list[Line]] = {}
    ebay_ships: dict[int, int] = {}
    for order_id, product_id, sku, quantity, price, currency, item, txn, kind in (
        OrderItemEbay.objects.filter(order_id__in=ebay_ids)
        .order_by("order_id", "pk")
        .values_list(
            "order_id",
            "product_id",
            "sku",
            "quantity",
            "price",
            "currency",
            "ebay_item_id",
            "transaction_id",
            "type",
        )
    ):
        if kind in EBAY_SHIPS:
            ebay_ships[order_id] = ebay_ships.get(order_id, 0) + 1
        lines.setdefault(order_id, []).append(
            (product_id, sku, quantity, price, currency, item, txn)
        )
    for order_id, product_id, sku, quantity, price, currency in (
        OrderItem.objects.filter(order_id__in=other_ids)
        .order_by("order_id", "pk")
        .values_list("order_id", "product_id", "sku", "quantity", "price", "currency")
    ):
        lines.setdefault(order_id, []).append((product_id, sku, quantity, price, currency, "", ""))
    return [
        Candidate(order, lines.get(order.pk, []), ebay_ships.get(order.pk, 0)) for order in orders
    ]
