"""One order against an OC account's routing rules: routed by which rule, or why not.

Pure functions over data loaded in bulk (:mod:`.evaluate`); every reason is written for
the staff who read the preview ("Not enough sellable stock at OC in UK: …").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from hemi_fulfilment.orders.models import Channel, FulfillmentChannel, Order
from oc_integration.models import RoutingRule
from oc_integration.outbound.orders import region_for

#: An order line as :func:`region_for` reads it: (product id, SKU, quantity, unit price,
#: currency, eBay item id, transaction id).
Line = tuple[int | None, str, int, Decimal, str, str, str]
#: (product id, region) -> (OC SKU, sellable quantity), as :func:`region_for` reads it.
Stock = dict[tuple[int, str], tuple[str, int]]


@dataclass(frozen=True)
class Candidate:
    """An order routing looks at, with what the decision needs."""

    order: Order
    lines: list[Line]
    #: How many of its eBay lines eBay ships itself (Fulfilled by eBay, eBay Vault).
    lines_ebay_ships: int = 0


@dataclass(frozen=True)
class Decision:
    """What routing does with one order: route it (rule, region) or not, and why."""

    order: Order
    rule: RoutingRule | None
    region: str
    reason: str
    #: True when the region is the rule's fallback region.
    fallback: bool = False

    @property
    def routed(self) -> bool:
        return self.rule is not None


@dataclass(frozen=True)
class Regions:
    """Which of the account's regions serve which eBay account, and the eBay accounts
    other OC accounts serve (from :mod:`oc_integration.outbound.orders`)."""

    served: dict[int, list[str]]
    elsewhere: dict[int, str]


def decide(
    candidate: Candidate, rules: Sequence[RoutingRule], regions: Regions, stock: Stock
) -> Decision:
    """The first rule (by priority) that matches ``candidate`` and whose region has the
    sellable stock for every line routes it; otherwise the reasons, in words.

    ``stock`` is not changed: the caller takes a routed order's lines from it.
    """
    order = candidate.order
    refusal = _never_routed(candidate, regions)
    if refusal:
        return Decision(order, None, "", refusal)
    if not rules:
        return Decision(order, None, "", "No routing rule is enabled for this OC account.")
    region = region_for(order, candidate.lines, regions.served, stock)
    why_not = []
    for rule in rules:
        mismatch = _mismatch(rule, order)
        if mismatch:
            why_not.append(f"“{rule.name}” {mismatch}")
            continue
        short = shortage(candidate.lines, region, stock)
        if not short:
            return Decision(order, rule, region, f"“{rule.name}”: ships from {region}.")
        fallback = rule.fallback_region
        if fallback and fallback != region:
            short_there = shortage(candidate.lines, fallback, stock)
            if not short_there:
                return Decision(
                    order,
                    rule,
                    fallback,
                    f"“{rule.name}”: ships from the fallback region {fallback} ({short}).",
                    fallback=True,
                )
            short = f"{short}; nor in the fallback region {fallback}: {short_there}"
        why_not.insert(0, f"“{rule.name}” matches, but {short}")
    return Decision(order, None, "", "Not routed. " + " ".join(f"{why}." for why in why_not))


def shortage(lines: Sequence[Line], region: str, stock: Stock) -> str:
    """Why ``region`` cannot ship every line from OC's sellable stock, or "" if it can."""
    missing = []
    for product_id, sku, quantity, *_ in lines:
        sellable = stock.get((product_id or 0, region), ("", 0))[1]
        if sellable <= 0:
            missing.append(f"{sku} is not stocked there")
        elif sellable < quantity:
            missing.append(f"{sku} needs {quantity}, {sellable} sellable")
    if not missing:
        return ""
    return f"not enough sellable stock at OC in {region} ({', '.join(missing)})"


def take(lines: Sequence[Line], region: str, stock: Stock) -> None:
    """Take a routed order's lines out of ``stock``, so later orders see what is left."""
    for product_id, _, quantity, *_ in lines:
        key = (product_id or 0, region)
        oc_sku, sellable = stock.get(key, ("", 0))
        stock[key] = (oc_sku, sellable - quantity)


def _never_routed(candidate: Candidate, regions: Regions) -> str:
    """The reasons no rule can change, in words ("" when there are none)."""
    order = candidate.order
    if order.marketplace_fulfillment_channel == FulfillmentChannel.EBAY:
        return "Fulfilled by eBay: eBay's programme ships it, never OC."
    if candidate.lines_ebay_ships:
        count = candidate.lines_ebay_ships
        return (
            f"{count} of its lines {'is' if count == 1 else 'are'} eBay's to ship (Fulfilled "
            "by eBay or eBay Vault): a person decides; push it by hand if OC ships the rest."
        )
    ebay_account = order.ebay_account_id
    if ebay_account in regions.elsewhere and ebay_account not in regions.served:
        return (
            f"An order of {order.ebay_account}, which the OC account "
            f"{regions.elsewhere[ebay_account]} serves: that account's rules decide."
        )
    if not candidate.lines:
        return "It has no lines to ship."
    unknown = [sku or "(no SKU)" for product_id, sku, *_ in candidate.lines if not product_id]
    if unknown:
        return (
            f"Line {', '.join(unknown)} is not linked to a Hemi product: OC cannot be told "
            "what to ship. Link it, then push by hand."
        )
    return ""


def _mismatch(rule: RoutingRule, order: Order) -> str:
    """Which of the rule's filters ``order`` fails, in words ("" when it passes them all)."""
    channel = Channel(order.channel).label if order.channel in Channel.values else order.channel
    if rule.channels and order.channel not in rule.channels:
        wanted = ", ".join(Channel(c).label for c in rule.channels if c in Channel.values)
        return f"is for {wanted} orders only, not {channel} ones"
    if rule.ebay_sites:
        sites = ", ".join(rule.ebay_sites)
        if order.channel != Channel.EBAY or order.ebay_account is None:
            return f"is for orders of eBay {sites} only, not {channel} ones"
        site = order.ebay_account.site_code
        if site.upper() not in {s.upper() for s in rule.ebay_sites}:
            return f"is for orders of eBay {sites} only, not eBay {site} ones"
    country = order.ship_country_code.upper()
    if rule.countries and country not in rule.countries:
        return f"is for orders to {', '.join(rule.countries)} only, not to {country or 'nowhere'}"
    return ""
