"""The GetOrders parser on hand-written XML shaped like eBay's answers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ebay_orders.client import GetOrdersPage, parse_get_orders
from ebay_orders.client.orders import complete_sale_request, get_orders_request
from ebay_orders.client.xmlutil import ebay_time, parse_document, parse_ebay_time

NS = "urn:ebay:apis:eBLBaseComponents"

PROGRAM = """
<Program>
  <Fulfillment>
    <FulfillmentBy>EBAY</FulfillmentBy>
    <FulfillmentRefId>OCUK01</FulfillmentRefId>
  </Fulfillment>
</Program>"""


def transaction(line: str, sku: str, *, program: str = "", extra: str = "") -> str:
    item_id, transaction_id = line.split("-")
    return f"""
<Transaction>
  <Buyer><Email>buyer@example.com</Email></Buyer>
  <Item><ItemID>{item_id}</ItemID><Site>UK</Site><Title>Oak side table</Title><SKU>{sku}</SKU></Item>
  <QuantityPurchased>2</QuantityPurchased>
  <TransactionID>{transaction_id}</TransactionID>
  <TransactionPrice currencyID="GBP">12.50</TransactionPrice>
  <OrderLineItemID>{line}</OrderLineItemID>{extra}{program}
</Transaction>"""


def order(order_id: str, *transactions: str, address: bool = True) -> str:
    shipping_address = (
        """<ShippingAddress><Name>Jane Buyer</Name><Street1>1 Maresfield Road</Street1>
        <CityName>Brighton</CityName><Country>GB</Country><PostalCode>BN2 5ES</PostalCode>
        </ShippingAddress>"""
        if address
        else ""
    )
    return f"""
<Order>
  <OrderID>{order_id}</OrderID>
  <OrderStatus>Completed</OrderStatus>
  <CheckoutStatus><LastModifiedTime>2026-11-20T10:00:00.000Z</LastModifiedTime></CheckoutStatus>
  <CreatedTime>2026-11-20T09:58:00.000Z</CreatedTime>
  {shipping_address}
  <ShippingServiceSelected><ShippingServiceCost currencyID="GBP">2.50</ShippingServiceCost></ShippingServiceSelected>
  <Subtotal currencyID="GBP">25.00</Subtotal>
  <Total currencyID="GBP">27.50</Total>
  <TransactionArray>{"".join(transactions)}</TransactionArray>
  <BuyerUserID>jane_b</BuyerUserID>
  <PaidTime>2026-11-20T09:59:00.000Z</PaidTime>
</Order>"""


def page(*orders: str, page_number: int = 1, pages: int = 1, namespace: str = NS) -> GetOrdersPage:
    more = "true" if page_number < pages else "false"
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<GetOrdersResponse xmlns="{namespace}">
  <Timestamp>2026-11-20T10:05:00.000Z</Timestamp>
  <Ack>Success</Ack>
  <Version>1349</Version>
  <PaginationResult><TotalNumberOfPages>{pages}</TotalNumberOfPages></PaginationResult>
  <HasMoreOrders>{more}</HasMoreOrders>
  <OrderArray>{"".join(orders)}</OrderArray>
  <PageNumber>{page_number}</PageNumber>
</GetOrdersResponse>"""
    return parse_get_orders(parse_document(xml.encode()), [])


def test_program_fulfillment_marks_the_line_fulfilled_by_ebay() -> None:
    result = page(order("02-05696-00555", transaction("1100-2900", "GY0005886", program=PROGRAM)))
    [parsed] = result.orders
    [line] = parsed.lines
    assert line.fulfilled_by_ebay and line.fulfillment_by == "EBAY"
    assert line.fulfillment_ref_id == "OCUK01"
    assert parsed.fulfilment == "ebay"


def test_without_program_the_line_is_seller_fulfilled() -> None:
    [parsed] = page(order("02-1", transaction("1100-2900", "GY0005886"))).orders
    assert not parsed.lines[0].fulfilled_by_ebay
    assert parsed.lines[0].fulfillment_ref_id == "" and parsed.fulfilment == "seller"


def test_a_program_without_fulfillment_is_seller_fulfilled() -> None:
    other_program = "<Program><AuthenticityVerification/></Program>"
    [parsed] = page(order("02-1", transaction("1100-2900", "X", program=other_program))).orders
    assert parsed.fulfilment == "seller"


def test_several_transactions_are_all_read_and_a_mix_is_reported_as_mixed() -> None:
    [parsed] = page(
        order(
            "02-7",
            transaction("1100-2901", "GY0005850", program=PROGRAM),
            transaction("1100-2902", "GY0005851"),
            transaction("1100-2903", "GY0005852", program=PROGRAM),
        )
    ).orders
    assert [line.order_line_item_id for line in parsed.lines] == [
        "1100-2901",
        "1100-2902",
        "1100-2903",
    ]
    assert [line.fulfilled_by_ebay for line in parsed.lines] == [True, False, True]
    assert parsed.fulfilment == "mixed"


def test_order_fields_amounts_times_and_address() -> None:
    [parsed] = page(order("02-8", transaction("1100-2900", "GY0005886"))).orders
    assert parsed.total == Decimal("27.50") and parsed.currency == "GBP"
    assert parsed.subtotal == Decimal("25.00") and parsed.shipping_cost == Decimal("2.50")
    assert parsed.created_time == datetime(2026, 11, 20, 9, 58, tzinfo=UTC)
    assert parsed.modified_time == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert parsed.paid_time is not None and parsed.buyer_user_id == "jane_b"
    assert (parsed.ship_name, parsed.ship_city, parsed.ship_postcode) == (
        "Jane Buyer",
        "Brighton",
        "BN2 5ES",
    )
    assert parsed.buyer_email == "buyer@example.com"
    assert parsed.lines[0].quantity == 2 and parsed.lines[0].price == Decimal("12.50")


def test_odd_whitespace_is_collapsed() -> None:
    messy = order(
        "\n   02-9  \n",
        transaction("1100-2900", "\t GY0005886 \n").replace(
            "<Title>Oak side table</Title>", "<Title>  Oak \n\t side   table </Title>"
        ),
    ).replace("<FulfillmentBy>EBAY", "<FulfillmentBy>\n  EBAY  ")
    [parsed] = page(messy).orders
    assert parsed.order_id == "02-9"
    assert parsed.lines[0].sku == "GY0005886" and parsed.lines[0].title == "Oak side table"


def test_missing_optional_elements_get_defaults() -> None:
    bare = """
<Order><OrderID>02-10</OrderID>
  <TransactionArray><Transaction>
    <Item><ItemID>1100</ItemID><SKU>GY0005886</SKU></Item>
    <TransactionID>2900</TransactionID>
  </Transaction></TransactionArray>
</Order>"""
    [parsed] = page(bare).orders
    assert parsed.ship_name == "" and parsed.buyer_email == "" and parsed.paid_time is None
    assert parsed.total == Decimal("0") and parsed.created_time is None
    [line] = parsed.lines
    # eBay's OrderLineItemID is ItemID-TransactionID; built when absent.
    assert line.order_line_item_id == "1100-2900" and line.quantity == 1
    assert line.price == Decimal("0")


def test_a_variation_sku_wins_over_the_listing_sku() -> None:
    variation = (
        "<Variation><SKU>GY0005899</SKU><VariationTitle>Oak, large</VariationTitle></Variation>"
    )
    [parsed] = page(order("02-11", transaction("1100-2900", "PARENT", extra=variation))).orders
    assert parsed.lines[0].sku == "GY0005899" and parsed.lines[0].title == "Oak, large"


def test_a_masked_email_is_not_kept() -> None:
    xml = order("02-12", transaction("1100-2900", "X")).replace(
        "buyer@example.com", "Invalid Request"
    )
    assert page(xml).orders[0].buyer_email == ""


def test_an_order_across_pages_reads_the_same_on_both() -> None:
    # An order modified while the pages are read moves to a later page: eBay sends it twice.
    moving = order("02-13", transaction("1100-2900", "GY0005886", program=PROGRAM))
    first = page(order("02-14", transaction("1100-2901", "GY0005850")), moving, pages=2)
    second = page(moving, page_number=2, pages=2)
    assert first.has_more_orders and first.total_pages == 2 and first.page_number == 1
    assert not second.has_more_orders and second.page_number == 2
    assert first.orders[1] == second.orders[0]


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (order("", transaction("1100-2900", "X")), "no OrderID"),
        (order("02-15"), "no TransactionArray"),
        (
            order("02-16", transaction("1100-2900", "X")).replace("27.50", "27,50 GBP"),
            "not an amount",
        ),
        (
            order("02-17", transaction("1100-2900", "X")).replace(
                "<QuantityPurchased>2", "<QuantityPurchased>two"
            ),
            "not a whole number",
        ),
        (
            order("02-18", transaction("1100-2900", "X")).replace(
                "2026-11-20T09:58:00.000Z", "yesterday"
            ),
            "yesterday",
        ),
    ],
)
def test_a_malformed_order_is_a_problem_and_the_rest_of_the_page_is_kept(
    broken: str, expected: str
) -> None:
    result = page(order("02-99", transaction("1100-2999", "GY0005886")), broken)
    assert [o.order_id for o in result.orders] == ["02-99"]
    [problem] = result.problems
    assert expected in problem.message


def test_a_response_without_the_namespace_is_still_read() -> None:
    result = page(order("02-19", transaction("1100-2900", "X")), namespace="urn:other")
    assert [o.order_id for o in result.orders] == ["02-19"]


def test_ebay_times_are_utc_with_milliseconds() -> None:
    moment = datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=UTC)
    assert ebay_time(moment) == "2026-11-20T10:00:00.123Z"
    assert parse_ebay_time("2026-11-20T10:00:00.000Z") == datetime(2026, 11, 20, 10, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone"):
        ebay_time(datetime(2026, 11, 20, 10))


def test_request_bodies_carry_the_window_pagination_and_tracking() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    body = get_orders_request(
        mod_time_from=start, mod_time_to=start.replace(day=20), page_number=3, entries_per_page=100
    ).decode()
    assert f'xmlns="{NS}"' in body
    assert "<ModTimeFrom>2026-11-01T00:00:00.000Z</ModTimeFrom>" in body
    assert "<ModTimeTo>2026-11-20T00:00:00.000Z</ModTimeTo>" in body
    assert "<EntriesPerPage>100</EntriesPerPage><PageNumber>3</PageNumber>" in body
    sale = complete_sale_request(
        order_id="02-1", carrier="Royal Mail", tracking_number="RM123<&>"
    ).decode()
    assert "<OrderID>02-1</OrderID><Shipped>true</Shipped>" in sale
    assert (
        "<ShipmentTrackingDetails><ShippingCarrierUsed>Royal Mail</ShippingCarrierUsed>"
        "<ShipmentTrackingNumber>RM123&lt;&amp;&gt;</ShipmentTrackingNumber>" in sale
    )


VAULT = """
<Program>
  <Fulfillment><FulfillmentBy>EBAY</FulfillmentBy></Fulfillment>
</Program>"""


def test_fulfillment_by_ebay_without_a_ref_id_is_an_ebay_vault_line() -> None:
    vault = transaction("1100-2901", "GY0005886", program=VAULT)
    warehouse = transaction("1100-2902", "GY0005886", program=PROGRAM)
    [parsed] = page(order("02-7", vault, warehouse)).orders
    in_vault, by_ebay = parsed.lines
    assert in_vault.in_vault and in_vault.fulfilled_by_ebay and in_vault.fulfillment_ref_id == ""
    assert not by_ebay.in_vault and by_ebay.fulfillment_ref_id == "OCUK01"
    # Both are eBay's to ship: the order is eBay's, not mixed.
    assert parsed.fulfilment == "ebay"
