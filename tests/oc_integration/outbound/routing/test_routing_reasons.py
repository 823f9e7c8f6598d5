"""The reasons routing gives, in the words staff read in the preview (pure, no database)."""

from __future__ import annotations

from decimal import Decimal

from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.orders.models import Channel, Order
from oc_integration.models import RoutingRule
from oc_integration.outbound.routing.rules import Candidate, Line, Regions, decide, take

UK = EbayAccount(pk=1, name="eBay UK", site_code="UK", site_id=3)
US = EbayAccount(pk=2, name="eBay US", site_code="US", site_id=0)
REGIONS = Regions(served={1: ["UK"]}, elsewhere={2: "OC US"})


def line(product_id: int | None, quantity: int = 1, sku: str = "SKU-1") -> Line:
    return (product_id, sku, quantity, Decimal("9.99"), "GBP", "", "")


def web(*lines: Line, country: str = "GB") -> Candidate:
    return Candidate(
        Order(number="W-1", channel=Channel.WEB_SHOP, ship_country_code=country), list(lines)
    )


def ebay(account: EbayAccount, *lines: Line) -> Candidate:
    order = Order(number="E-1", channel=Channel.EBAY, ship_country_code="GB")
    order.ebay_account = account
    return Candidate(order, list(lines))


RULE = RoutingRule(name="Anything", priority=1)


def test_without_an_enabled_rule_nothing_is_routed() -> None:
    decision = decide(web(line(1)), [], REGIONS, {(1, "UK"): ("OC1", 5)})
    assert decision.reason == "No routing rule is enabled for this OC account."


def test_an_order_of_an_ebay_account_another_oc_account_serves_is_theirs() -> None:
    decision = decide(ebay(US, line(1)), [RULE], REGIONS, {(1, "UK"): ("OC1", 5)})
    assert decision.reason == (
        "An order of eBay US, which the OC account OC US serves: that account's rules decide."
    )


def test_a_line_without_a_hemi_product_is_named() -> None:
    decision = decide(web(line(None, sku="LOOSE-9")), [RULE], REGIONS, {})
    assert decision.reason.startswith("Line LOOSE-9 is not linked to a Hemi product")
    assert decide(web(), [RULE], REGIONS, {}).reason == "It has no lines to ship."


def test_every_rule_says_why_it_does_not_route_the_order_stock_first() -> None:
    rules = [
        RoutingRule(name="eBay only", priority=1, channels=[Channel.EBAY]),
        RoutingRule(name="UK web", priority=2, channels=[Channel.WEB_SHOP]),
    ]
    decision = decide(web(line(1, 3)), rules, REGIONS, {(1, "UK"): ("OC1", 2)})
    assert decision.reason == (
        "Not routed. “UK web” matches, but not enough sellable stock at OC in UK "
        "(SKU-1 needs 3, 2 sellable). “eBay only” is for eBay orders only, not Web shop ones."
    )


def test_the_first_rule_by_priority_routes_and_the_stock_it_takes_is_gone() -> None:
    stock = {(1, "UK"): ("OC1", 3)}
    first = decide(web(line(1, 2)), [RULE], REGIONS, stock)
    assert first.routed and first.region == "UK" and first.reason == "“Anything”: ships from UK."
    take(web(line(1, 2)).lines, first.region, stock)
    assert stock == {(1, "UK"): ("OC1", 1)}
    assert not decide(web(line(1, 2)), [RULE], REGIONS, stock).routed


def test_an_ebay_site_filter_refuses_other_channels_and_sites() -> None:
    rule = RoutingRule(name="eBay DE", priority=1, ebay_sites=["DE"])
    stock = {(1, "UK"): ("OC1", 5)}
    assert "only, not eBay UK ones" in decide(ebay(UK, line(1)), [rule], REGIONS, stock).reason
    assert "only, not Web shop ones" in decide(web(line(1)), [rule], REGIONS, stock).reason
