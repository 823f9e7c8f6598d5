"""Storing a GetOrders page as Hemi ``Order`` rows with their ``OrderItemEbay`` lines.

Upserts by eBay ``OrderID`` and ``OrderLineItemID``: a re-import updates, never duplicates,
and fields that did not change are not written. The page costs a fixed number of SQL
statements however many orders it holds: the existing orders, lines and products are
fetched in one query each, the page is worked out in memory in page order (as if each
order were stored one after the other), then written with bulk inserts and updates.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from ebay_orders.client import EbayOrder
from ebay_orders.models import IssueKind
from ebay_orders.order_issues import IssueNote, flag_issues, mixed_message, settle_mixed
from ebay_orders.order_values import (
    OrderRejected,
    check_skus,
    line_values,
    order_number,
    order_values,
)
from hemi_fulfilment.catalog.models import EbayAccount, Product
from hemi_fulfilment.orders.models import Order, OrderItemEbay

logger = logging.getLogger(__name__)

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class StoredOrder:
    """What storing one order did."""

    order_id: str  # eBay's OrderID
    outcome: str  # CREATED, UPDATED or UNCHANGED
    order: Order
    fulfilment: str  # "ebay", "seller" or "mixed"


@dataclass(frozen=True)
class Rejection:
    """An order of the page that was not stored; the importer records it for review."""

    order_id: str
    kind: str
    message: str
    failed: bool = False  # the database refused it, rather than its content being unusable


PageOutcome = StoredOrder | Rejection


def store_page(*, account: EbayAccount, orders: Sequence[EbayOrder]) -> list[PageOutcome]:
    """Create or update the Hemi orders of one GetOrders page; one outcome per order, in order.

    An order with an unknown SKU, or a line that belongs to another order, is a
    :class:`Rejection` and nothing of it is stored; a mixed order is stored and flagged
    for review. The page is written in one savepoint: should the database refuse it,
    the page is stored again order by order so that only the offending order fails.
    Call inside ``transaction.atomic()`` to keep the page's writes together.
    """
    if not orders:
        return []
    try:
        with transaction.atomic():
            return _PageStore(account, orders).store()
    except DatabaseError as exc:
        if len(orders) == 1:
            logger.exception("eBay import %s: order %s not stored", account, orders[0].order_id)
            message = f"Order {orders[0].order_id} could not be stored: {exc}"
            return [Rejection(orders[0].order_id, IssueKind.NOT_STORED, message, failed=True)]
    # Rare (a clash no rule foresaw): the slow way finds the one order to blame.
    logger.warning("eBay import %s: the page was refused; storing it order by order", account)
    return [
        outcome for parsed in orders for outcome in store_page(account=account, orders=[parsed])
    ]


def _apply(instance: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    """Set ``values`` on ``instance``; return those that differ from what it held."""
    changed = {name: value for name, value in values.items() if getattr(instance, name) != value}
    for name, value in changed.items():
        setattr(instance, name, value)
    return changed


class _PageStore:
    """One page: prefetch, plan in memory, write in bulk."""

    def __init__(self, account: EbayAccount, orders: Sequence[EbayOrder]) -> None:
        self.account = account
        self.parsed = orders
        order_ids = {parsed.order_id for parsed in orders}
        lines = [line for parsed in orders for line in parsed.lines]
        skus = {line.sku for line in lines if line.sku}
        # The whole page's existing rows, one query per table. Orders and lines created
        # while planning join these maps, so a later order on the page sees them.
        self.orders = {
            o.ebay_order_id: o for o in Order.objects.filter(ebay_order_id__in=order_ids)
        }
        self.lines = {
            item.order_line_item_id: item
            for item in OrderItemEbay.objects.filter(
                order_line_item_id__in={line.order_line_item_id for line in lines}
            )
        }
        self.products = {p.sku: p for p in Product.objects.filter(sku__in=skus)} if skus else {}
        self.new_orders: list[Order] = []
        self.new_lines: list[OrderItemEbay] = []
        # pk -> only the fields that changed, so nothing else of the row is written.
        self.order_changes: dict[int, dict[str, Any]] = {}
        self.line_changes: dict[int, dict[str, Any]] = {}
        # OrderID -> (order, mixed): the last time the page met the order decides.
        self.fulfilment: dict[str, tuple[Order, bool]] = {}

    def store(self) -> list[PageOutcome]:
        outcomes: list[PageOutcome] = []
        for parsed in self.parsed:
            try:
                outcomes.append(self._plan(parsed))
            except OrderRejected as exc:
                message = f"{exc.message}: skipped"
                outcomes.append(Rejection(parsed.order_id, exc.kind, message))
        self._write()
        return outcomes

    def _plan(self, parsed: EbayOrder) -> StoredOrder:
        # Every reason to reject comes before the first change to the plan, so a rejected
        # order leaves nothing behind.
        check_skus(parsed, self.products)
        order = self.orders.get(parsed.order_id)
        self._check_lines(parsed, order)
        values = order_values(parsed, self.account, order)
        if order is None:
            order = Order(number=order_number(parsed), ebay_order_id=parsed.order_id, **values)
            self.orders[parsed.order_id] = order
            self.new_orders.append(order)
            outcome = CREATED
        else:
            changed = _apply(order, values)
            if changed and order.pk is not None:  # an order new on this page is inserted whole
                self.order_changes.setdefault(order.pk, {}).update(changed)
            outcome = UPDATED if changed else UNCHANGED
        if self._plan_lines(parsed, order) and outcome == UNCHANGED:
            outcome = UPDATED
        self.fulfilment[parsed.order_id] = (order, parsed.fulfilment == "mixed")
        return StoredOrder(
            order_id=parsed.order_id, outcome=outcome, order=order, fulfilment=parsed.fulfilment
        )

    def _check_lines(self, parsed: EbayOrder, order: Order | None) -> None:
        seen: set[str] = set()
        for line in parsed.lines:
            line_id = line.order_line_item_id
            if line_id in seen:
                raise OrderRejected(
                    IssueKind.NOT_STORED,
                    f"Order {parsed.order_id}: line {line_id} appears twice",
                )
            seen.add(line_id)
            item = self.lines.get(line_id)
            if item is None or (order is not None and _belongs(item, order)):
                continue
            owner = item.order_id or item.order.number  # the latter: new on this page
            raise OrderRejected(
                IssueKind.NOT_STORED,
                f"Order {parsed.order_id}: line {line_id} already belongs to Hemi order {owner}",
            )

    def _plan_lines(self, parsed: EbayOrder, order: Order) -> bool:
        any_change = False
        for line in parsed.lines:
            values = line_values(parsed, line, self.products[line.sku], order)
            item = self.lines.get(line.order_line_item_id)
            if item is None:
                item = OrderItemEbay(order=order, order_line_item_id=line.order_line_item_id)
                _apply(item, values)
                self.lines[line.order_line_item_id] = item
                self.new_lines.append(item)
                any_change = True
            elif changed := _apply(item, values):
                if item.pk is not None:
                    self.line_changes.setdefault(item.pk, {}).update(changed)
                any_change = True
        return any_change

    def _write(self) -> None:
        existing = {order.pk for order in self.orders.values() if order.pk is not None}
        if self.new_orders:
            Order.objects.bulk_create(self.new_orders)
            _ensure_pks(self.new_orders)
        if self.new_lines:
            # The lines' orders have their pks now; bulk_create copies them into order_id.
            OrderItemEbay.objects.bulk_create(self.new_lines)
        update_changed(Order, self.order_changes)
        update_changed(OrderItemEbay, self.line_changes)
        flag_issues(
            account=self.account,
            notes=[
                IssueNote(order_id, IssueKind.MIXED_FULFILMENT, mixed_message(order_id), order)
                for order_id, (order, mixed) in self.fulfilment.items()
                if mixed
            ],
        )
        # An order new on this page has no issue to settle.
        settle_mixed(
            [
                order.pk
                for order, mixed in self.fulfilment.values()
                if not mixed and order.pk in existing
            ]
        )


def _belongs(item: OrderItemEbay, order: Order) -> bool:
    if item.pk is None:  # planned on this page: its order is the instance it was given
        return item.order is order
    return item.order_id == order.pk


def _ensure_pks(orders: list[Order]) -> None:
    # PostgreSQL and SQLite >= 3.35 return the new pks from the insert; other databases
    # need one query to find them.
    missing = {order.ebay_order_id: order for order in orders if order.pk is None}
    if missing:
        found = Order.objects.filter(ebay_order_id__in=missing).values_list("ebay_order_id", "pk")
        for ebay_order_id, pk in found:
            missing[ebay_order_id].pk = pk


def update_changed(model: type[models.Model], changes: Mapping[int, Mapping[str, Any]]) -> None:
    """Write ``changes`` (pk -> changed fields) with one UPDATE per batch, and stamp ``updated``.

    Each row gets only its own changed fields: a column the row did not change is set
    to itself (``CASE ... ELSE column``) rather than to the value this import read, as
    ``save(update_fields=...)`` of that one row would have left it.
    """
    if not changes:
        return
    connection = connections[router.db_for_write(model)]
    widest = max(len(values) for values in changes.values())
    pks = list(changes)
    limit = connection.features.max_query_params
    # Per row: each field's WHEN pk and THEN value, and the pk in the WHERE clause.
    size = len(pks) if limit is None else max((limit - 1) // (2 * widest + 1), 1)
    now = timezone.now()
    for start in range(0, len(pks), size):
        batch = pks[start : start + size]
        assignments: dict[str, Any] = {"updated": now}
        for name in sorted({name for pk in batch for name in changes[pk]}):
            # Names come from the values this module builds: concrete fields only.
            field = cast(models.Field, model._meta.get_field(name))
            whens = [
                When(pk=pk, then=Value(changes[pk][name], output_field=field))
                for pk in batch
                if name in changes[pk]
            ]
            case: Any = Case(*whens, default=F(name), output_field=field)
            if connection.features.requires_casted_case_in_updates:
                case = Cast(case, output_field=field)  # PostgreSQL types CASE from its branches
            assignments[name] = case
        model._base_manager.filter(pk__in=batch).update(**assignments)
