"""The eBay sandbox itself: its control API, its checks and its independence from the client."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

import ebay_orders.sandbox
from ebay_orders.client import EbayTimeoutError, TradingClient, TradingConfig
from ebay_orders.sandbox import API_PATH, DEFAULT_TOKEN, RunningSandbox, running_sandbox
from hemi_fulfilment.demo.data import DEMO_EBAY_ORDERS

HEADERS = {
    "X-EBAY-API-CALL-NAME": "GetOrders",
    "X-EBAY-API-SITEID": "3",
    "X-EBAY-API-COMPATIBILITY-LEVEL": "1349",
    "X-EBAY-API-IAF-TOKEN": DEFAULT_TOKEN,
    "Content-Type": "text/xml",
}
NOW_WINDOW = """<?xml version="1.0" encoding="utf-8"?>
<GetOrdersRequest xmlns="urn:ebay:apis:eBLBaseComponents">
<ModTimeFrom>{start}</ModTimeFrom><ModTimeTo>{end}</ModTimeTo>
<Pagination><EntriesPerPage>100</EntriesPerPage><PageNumber>1</PageNumber></Pagination>
</GetOrdersRequest>"""


def get_orders(sandbox: RunningSandbox, **headers: str) -> requests.Response:
    end = datetime.now(UTC)
    body = NOW_WINDOW.format(
        start=(end - timedelta(days=2)).isoformat().replace("+00:00", "Z"),
        end=end.isoformat().replace("+00:00", "Z"),
    )
    return requests.post(sandbox.api_url, data=body, headers={**HEADERS, **headers}, timeout=5)


def test_control_api_resets_injects_faults_and_lists_calls() -> None:
    with running_sandbox(demo_orders=False) as sandbox:
        control = f"{sandbox.url}/_sandbox"
        reset = requests.post(
            f"{control}/reset", json={"seller_fulfilled": 2, "ebay_fulfilled": 3}, timeout=5
        )
        assert reset.json() == {"orders": 10}  # five per site
        with_demo = requests.post(f"{control}/reset", json={"demo_orders": True}, timeout=5)
        assert with_demo.json() == {"orders": 24 + len(DEMO_EBAY_ORDERS)}
        bad_flag = requests.post(f"{control}/reset", json={"demo_orders": "yes"}, timeout=5)
        assert bad_flag.status_code == 400
        requests.post(
            f"{control}/reset",
            json={"seller_fulfilled": 2, "ebay_fulfilled": 3, "demo_orders": False},
            timeout=5,
        )
        orders = requests.get(f"{control}/orders", timeout=5).json()
        fulfilment = [o["fulfilment"] for o in orders if o["site_id"] == 3]
        assert sorted(fulfilment) == ["ebay", "ebay", "ebay", "seller", "seller"]
        assert all(
            line["fulfillment_ref_id"] == "OCUK01"
            for o in orders
            if o["site_id"] == 3 and o["fulfilment"] == "ebay"
            for line in o["lines"]
        )

        fault = requests.post(f"{control}/faults", json={"kind": "http_500", "count": 1}, timeout=5)
        assert fault.json()["kind"] == "http_500"
        assert get_orders(sandbox).status_code == 500
        assert get_orders(sandbox).status_code == 200

        calls = requests.get(f"{control}/calls", params={"call": "GetOrders"}, timeout=5).json()
        assert [c.get("fault") for c in calls] == ["http_500", None]
        bad = requests.post(f"{control}/faults", json={"kind": "earthquake"}, timeout=5)
        assert bad.status_code == 400


def test_the_sandbox_starts_with_the_demos_own_ebay_orders_on_ebay_uk() -> None:
    with running_sandbox() as sandbox:
        orders = {
            o["order_id"]: o
            for o in requests.get(f"{sandbox.url}/_sandbox/orders", timeout=5).json()
        }
    for demo in DEMO_EBAY_ORDERS:
        order = orders[demo.ebay_order_id]
        [line] = order["lines"]
        assert order["site_id"] == 3 and order["buyer_name"] == demo.buyer_name
        assert f"{line['item_id']}-{line['transaction_id']}" == demo.order_line_item_id
        assert line["sku"] == demo.sku and line["quantity"] == demo.quantity
        assert order["fulfilment"] == ("ebay" if demo.fulfilled_by_ebay else "seller")
        assert line["fulfillment_ref_id"] == demo.fulfillment_ref_id


def test_control_api_adds_and_touches_orders() -> None:
    with running_sandbox(seller_fulfilled=0, ebay_fulfilled=0) as sandbox:
        added = requests.post(
            f"{sandbox.url}/_sandbox/orders",
            json={"site_id": 77, "lines": [{"sku": "GY0005850", "fulfilled_by_ebay": True}]},
            timeout=5,
        ).json()
        assert added["fulfilment"] == "ebay" and added["lines"][0]["fulfillment_ref_id"] == "OCDE01"
        touched = requests.post(
            f"{sandbox.url}/_sandbox/orders/{added['order_id']}/touch", timeout=5
        )
        assert touched.status_code == 200
        missing = requests.post(f"{sandbox.url}/_sandbox/orders/nope/touch", timeout=5)
        assert missing.status_code == 404


def test_a_wrong_token_gets_ebays_auth_error() -> None:
    with running_sandbox() as sandbox:
        answer = get_orders(sandbox, **{"X-EBAY-API-IAF-TOKEN": "stolen"})
        assert answer.status_code == 200
        assert "<Ack>Failure</Ack>" in answer.text and "<ErrorCode>931</ErrorCode>" in answer.text
        assert sandbox.state.calls()[0]["token_ok"] is False


def test_get_orders_answers_in_ebays_shape_for_the_site() -> None:
    with running_sandbox() as sandbox:
        answer = get_orders(sandbox).text
        assert 'xmlns="urn:ebay:apis:eBLBaseComponents"' in answer
        assert "<HasMoreOrders>false</HasMoreOrders>" in answer
        assert "<FulfillmentBy>EBAY</FulfillmentBy>" in answer
        assert "<FulfillmentRefId>OCUK01</FulfillmentRefId>" in answer
        assert "OCDE01" not in answer  # site 3 only


def test_an_unsupported_call_and_a_window_over_30_days_are_refused() -> None:
    with running_sandbox() as sandbox:
        unsupported = get_orders(sandbox, **{"X-EBAY-API-CALL-NAME": "GetMyeBaySelling"})
        assert "<ErrorCode>2</ErrorCode>" in unsupported.text
        body = NOW_WINDOW.format(start="2026-01-01T00:00:00.000Z", end="2026-03-01T00:00:00.000Z")
        too_long = requests.post(sandbox.api_url, data=body, headers=HEADERS, timeout=5)
        assert "<Ack>Failure</Ack>" in too_long.text and "30 days" in too_long.text


def test_the_sandbox_imports_neither_the_client_nor_django_models() -> None:
    package = Path(ebay_orders.sandbox.__file__).parent
    imported = set()
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    forbidden = {m for m in imported if m.startswith(("ebay_orders.client", "django"))}
    forbidden |= {m for m in imported if m.endswith("models")}
    assert not forbidden
    assert API_PATH == "/ws/api.dll"


def test_get_orders_by_id_shows_a_complete_sale_whose_answer_was_lost() -> None:
    with running_sandbox(timeout_seconds=1.0) as sandbox:
        config = TradingConfig(
            api_url=sandbox.api_url,
            site_id=3,
            compatibility_level=1349,
            connect_timeout=2,
            read_timeout=0.3,
        )
        first, second = [o for o in sandbox.state.orders.values() if o.site_id == 3][:2]
        with TradingClient(config=config, token=DEFAULT_TOKEN) as client:
            page = client.get_orders_by_id(order_ids=[second.order_id, first.order_id, "03-nope"])
            assert [o.order_id for o in page.orders] == [second.order_id, first.order_id]
            assert all(o.shipped_time is None and not o.tracking_numbers for o in page.orders)

            sandbox.state.inject("accept_then_timeout", call="CompleteSale")
            with pytest.raises(EbayTimeoutError):
                client.complete_sale(
                    order_id=first.order_id, carrier="Royal Mail", tracking_number="RM1GB"
                )

            [order] = client.get_orders_by_id(order_ids=[first.order_id]).orders
        assert order.shipped_time is not None and order.tracking_numbers == ("RM1GB",) * len(
            first.lines
        )
        [call] = sandbox.state.calls("CompleteSale", first.order_id)
        assert call["fault"] == "accept_then_timeout" and call["tracking_number"] == "RM1GB"


REST_ORDERS = "/sell/fulfillment/v1/order"


def rest_get(
    sandbox: RunningSandbox, path: str, token: str = DEFAULT_TOKEN, marketplace: str = "EBAY_GB"
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "X-EBAY-C-MARKETPLACE-ID": marketplace}
    return requests.get(f"{sandbox.url}{path}", headers=headers, timeout=5)


def rest_window(days: int = 2) -> str:
    end = datetime.now(UTC)
    start = end - timedelta(days=days)
    fmt = "%Y-%m-%dT%H:%M:%S.000Z"
    return f"filter=lastmodifieddate:[{start:{fmt}}..{end:{fmt}}]"


def test_rest_orders_are_the_trading_orders_of_the_marketplace_in_pages() -> None:
    with running_sandbox(demo_orders=False) as sandbox:
        first = rest_get(sandbox, f"{REST_ORDERS}?{rest_window()}&limit=5&offset=0").json()
        last = rest_get(sandbox, f"{REST_ORDERS}?{rest_window()}&limit=5&offset=10").json()
        german = rest_get(sandbox, f"{REST_ORDERS}?{rest_window()}", marketplace="EBAY_DE").json()
        uk = sorted(o.order_id for o in sandbox.state.orders.values() if o.site_id == 3)
        one = rest_get(sandbox, f"{REST_ORDERS}/{uk[0]}").json()
    assert first["total"] == 12 and first["limit"] == 5 and first["offset"] == 0
    assert "next" in first and "next" not in last and len(last["orders"]) == 2
    assert {o["orderId"][:3] for o in german["orders"]} == {"77-"}
    assert one["orderId"] == uk[0] and one["lineItems"][0]["legacyItemId"]


def test_rest_refuses_a_bad_token_with_ebays_401_and_a_limit_over_200() -> None:
    with running_sandbox(demo_orders=False) as sandbox:
        refused = rest_get(sandbox, f"{REST_ORDERS}?{rest_window()}", token="nope")
        too_many = rest_get(sandbox, f"{REST_ORDERS}?{rest_window()}&limit=201")
        too_old = rest_get(sandbox, f"{REST_ORDERS}?{rest_window(days=91)}")
        no_site = rest_get(sandbox, f"{REST_ORDERS}?{rest_window()}", marketplace="")
    assert refused.status_code == 401 and refused.json()["errors"][0]["errorId"] == 1001
    assert too_many.status_code == 400 and too_old.status_code == 400
    assert no_site.status_code == 400


def test_an_expired_access_token_gets_401_on_rest() -> None:
    with running_sandbox(demo_orders=False) as sandbox:
        store = sandbox.state.oauth
        app = store.register("demo-app", "demo-secret")
        token = store._new_access_token(app)
        fresh = rest_get(sandbox, f"{REST_ORDERS}?{rest_window()}", token=token)
        store.clock.advance(3 * 3600)
        expired = rest_get(sandbox, f"{REST_ORDERS}?{rest_window()}", token=token)
    assert fresh.status_code == 200
    assert expired.status_code == 401 and expired.json()["errors"][0]["errorId"] == 1001


def test_a_shipping_fulfillment_is_created_listed_and_refused_for_ebays_orders() -> None:
    with running_sandbox(demo_orders=False, seller_fulfilled=1, ebay_fulfilled=1) as sandbox:
        uk = [o for o in sandbox.state.orders.values() if o.site_id == 3]
        seller = next(o for o in uk if not o.fulfilled_by_ebay)
        by_ebay = next(o for o in uk if o.fulfilled_by_ebay)
        headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "X-EBAY-C-MARKETPLACE-ID": "EBAY_GB"}

        def post(order_id: str, line_id: str) -> requests.Response:
            body = {
                "lineItems": [{"lineItemId": line_id, "quantity": 1}],
                "shippingCarrierCode": "Royal Mail",
                "trackingNumber": "RM1GB",
            }
            url = f"{sandbox.url}{REST_ORDERS}/{order_id}/shipping_fulfillment"
            return requests.post(url, json=body, headers=headers, timeout=5)

        made = post(seller.order_id, seller.lines[0].transaction_id)
        refused = post(by_ebay.order_id, by_ebay.lines[0].transaction_id)
        listed = rest_get(sandbox, f"{REST_ORDERS}/{seller.order_id}/shipping_fulfillment").json()
    assert made.status_code == 201 and made.headers["Location"].endswith(
        listed["fulfillments"][0]["fulfillmentId"]
    )
    assert listed["fulfillments"][0]["shipmentTrackingNumber"] == "RM1GB"
    assert refused.status_code == 400
