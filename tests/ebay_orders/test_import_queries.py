"""Storing a GetOrders page costs a fixed number of SQL statements, whatever its size.

The house rule: bulk queries, no per-row round trips. Each import here reads exactly one
HTTP page, so everything around the page (lease, call log, cursor) is fixed too and any
growth with the number of orders would come from storing them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ebay_orders.importer import ImportResult, import_orders
from ebay_orders.models import OrderIssue
from ebay_orders.sandbox import RunningSandbox
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.orders.models import Order, OrderItemEbay

pytestmark = pytest.mark.django_db

SMALL = 10
# A sandbox order has at most two lines.
MAX_LINES_PER_ORDER = 2


def _largest_page_in_one_batch() -> int:
    """The largest page (a multiple of 10, at most eBay's 100) whose inserts fit one batch.

    PostgreSQL inserts any number of rows in one statement; SQLite's 999 bound variables
    split a bulk insert of wide rows into batches of about 30, one statement each: a
    constant per batch, not per order, but it would make 10 and 100 orders differ.
    """

    def batch(model: type[Order] | type[OrderItemEbay], rows: int) -> int:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        return int(connection.ops.bulk_batch_size(fields, [None] * rows))

    size = 100
    while size > SMALL and (
        batch(Order, size) < size
        or batch(OrderItemEbay, size * MAX_LINES_PER_ORDER) < size * MAX_LINES_PER_ORDER
    ):
        size -= 10
    return size


def _fill(sandbox: RunningSandbox, orders: int) -> None:
    """Per ten orders: 5 seller-fulfilled, 2 eBay-fulfilled, 1 mixed, 1 unknown SKU, 1 malformed,
    so every path of the page store (create, flag, reject) scales with the page."""
    tenth = orders // 10
    sandbox.state.reset(
        seller_fulfilled=5 * tenth,
        ebay_fulfilled=2 * tenth,
        mixed=tenth,
        unknown_sku=tenth,
        malformed=tenth,
    )


def _statements(account: EbayAccount, **kwargs: object) -> tuple[int, ImportResult]:
    with CaptureQueriesContext(connection) as queries:
        result = import_orders(account_id=account.pk, **kwargs)  # type: ignore[arg-type]
    assert result.succeeded, result.error
    assert result.pages == 1  # the fixed part of the count: one HTTP page
    return len(queries), result


def _import_rounds(sandbox: RunningSandbox, account: EbayAccount, orders: int) -> list[int]:
    """Statements of a first import, an unchanged re-import and a re-import of changes."""
    # Start empty: the sandbox numbers its orders from 1 again after a reset.
    Order.objects.filter(ebay_account=account).delete()
    OrderIssue.objects.filter(ebay_account=account).delete()
    _fill(sandbox, orders)
    stored = orders * 8 // 10
    # The cursor of an earlier round would leave the freshly generated orders behind.
    since = timezone.now() - timedelta(days=3)

    first, result = _statements(account, since=since)
    assert result.counts()["imported"] == stored and result.skipped == 2 * orders // 10
    assert result.flagged == orders // 10

    unchanged, result = _statements(account, since=since)
    assert result.counts()["unchanged"] == stored and result.counts()["updated"] == 0

    for order in sandbox.state.orders.values():
        order.city = "Hove"
    changed, result = _statements(account, since=since)
    assert result.counts()["updated"] == stored
    assert Order.objects.filter(ebay_account=account, ship_city="Hove").count() == stored
    return [first, unchanged, changed]


def test_the_statements_of_a_page_do_not_grow_with_its_orders(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    large = _largest_page_in_one_batch()
    assert large > SMALL

    small_counts = _import_rounds(connected, uk, SMALL)
    large_counts = _import_rounds(connected, uk, large)

    assert large_counts == small_counts, f"{SMALL} orders: {small_counts}, {large}: {large_counts}"


def test_a_full_page_of_100_orders_costs_a_few_dozen_statements_at_most(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    # On SQLite the inserts of 100 orders split into a few batches; still nowhere near
    # one statement per order.
    counts = _import_rounds(connected, uk, 100)
    assert max(counts) < 30, counts
