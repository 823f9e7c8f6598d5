"""Where a connection's orders are read from: the Trading API or the Sell Fulfillment API.

Both readers hand the importer the same :class:`GetOrdersPage` of :class:`EbayOrder`, so
the windows, the cursor, the store and the review rules are one. The REST reader pages
by offset (up to 200 orders a page) and, because REST names no warehouse, asks Trading
(the same OAuth token serves both) for the Fulfillment Ref IDs of a page's eBay-fulfilled
orders with one GetOrders-by-OrderID call per 100 orders.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from ebay_orders.client import (
    MAX_ORDER_IDS,
    EbayError,
    EbayMalformedResponse,
    EbayOrder,
    FulfillmentClient,
    GetOrdersPage,
    TradingClient,
)
from ebay_orders.client.fulfillment import MAX_LIMIT
from ebay_orders.connections import client_for, fulfillment_client_for
from ebay_orders.models import EbayConnection, OrderSource
from hemi_fulfilment.words import sentence

logger = logging.getLogger(__name__)

# A window of more pages than this means broken paging, not a busy seller.
MAX_PAGES_PER_WINDOW = 1000

Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class CompletedPage:
    """A page ready to store, and what the reader has to say about it."""

    page: GetOrdersPage
    messages: list[str]


class OrderReader(Protocol):
    """Reads one window's pages from eBay, whichever API the connection uses."""

    def pages(self, window: Window) -> Iterator[GetOrdersPage]:
        """Every page of the window, first to last."""
        ...

    def complete(self, page: GetOrdersPage) -> CompletedPage:
        """The page with whatever its source leaves out filled in, where it can be."""
        ...


class TradingReader:
    """GetOrders pages of 100 by page number, until HasMoreOrders is false."""

    def __init__(self, client: TradingClient) -> None:
        self.client = client

    def pages(self, window: Window) -> Iterator[GetOrdersPage]:
        """Every GetOrders page of the window."""
        for page_number in range(1, MAX_PAGES_PER_WINDOW + 1):
            page = self.client.get_orders(
                mod_time_from=window[0], mod_time_to=window[1], page_number=page_number
            )
            yield page
            if not page.has_more_orders:
                return
        raise EbayMalformedResponse(
            f"GetOrders still reported HasMoreOrders after {MAX_PAGES_PER_WINDOW} pages"
        )

    def complete(self, page: GetOrdersPage) -> CompletedPage:
        """Trading pages are complete as they come."""
        return CompletedPage(page, [])


class FulfillmentReader:
    """getOrders pages of up to 200 by offset, until eBay gives no ``next``."""

    def __init__(self, client: FulfillmentClient, trading: TradingClient | None) -> None:
        self.client = client
        self.trading = trading

    def pages(self, window: Window) -> Iterator[GetOrdersPage]:
        """Every getOrders page of the window."""
        offset = 0
        for _ in range(MAX_PAGES_PER_WINDOW):
            page = self.client.get_orders(
                modified_from=window[0], modified_to=window[1], offset=offset, limit=MAX_LIMIT
            )
            yield page
            if page.next_offset is None:
                return
            offset = page.next_offset
        raise EbayMalformedResponse(
            f"getOrders still gave a next page after {MAX_PAGES_PER_WINDOW} pages"
        )

    def complete(self, page: GetOrdersPage) -> CompletedPage:
        """Fill in the Fulfillment Ref IDs of the page's eBay-fulfilled orders from Trading."""
        wanted = [order for order in page.orders if _lacks_ref_id(order)]
        if not wanted:
            return CompletedPage(page, [])
        found, failure = self._ref_ids([order.order_id for order in wanted])
        orders = [_with_ref_ids(order, found) for order in page.orders]
        messages = [
            _unknown_ref_id_message(order.order_id, failure)
            for order in orders
            if _lacks_ref_id(order)
        ]
        return CompletedPage(replace(page, orders=orders), messages)

    def _ref_ids(self, order_ids: list[str]) -> tuple[dict[str, str], str]:
        """OrderLineItemID -> Fulfillment Ref ID as Trading gives them, and why not, if not."""
        if self.trading is None:
            return {}, "this connection cannot call the Trading API"
        found: dict[str, str] = {}
        failure = ""
        for start in range(0, len(order_ids), MAX_ORDER_IDS):
            batch = order_ids[start : start + MAX_ORDER_IDS]
            try:
                answer = self.trading.get_orders_by_id(order_ids=batch)
            except EbayError as exc:
                logger.warning("eBay import: Fulfillment Ref IDs not fetched: %s", exc)
                failure = f"GetOrders failed: {exc}"
                continue
            for order in answer.orders:
                for line in order.lines:
                    if line.fulfillment_ref_id:
                        found[line.order_line_item_id] = line.fulfillment_ref_id
        return found, failure or "GetOrders gave none"


def _lacks_ref_id(order: EbayOrder) -> bool:
    return any(not line.fulfillment_ref_id_known for line in order.lines)


def _with_ref_ids(order: EbayOrder, found: dict[str, str]) -> EbayOrder:
    if not any(line.order_line_item_id in found for line in order.lines):
        return order
    lines = tuple(
        replace(
            line,
            fulfillment_ref_id=found[line.order_line_item_id],
            fulfillment_ref_id_known=True,
        )
        if line.order_line_item_id in found
        else line
        for line in order.lines
    )
    return replace(order, lines=lines)


def _unknown_ref_id_message(order_id: str, why: str) -> str:
    return sentence(
        f"Order {order_id} is fulfilled by eBay, but its Fulfillment Ref ID (the warehouse) "
        f"is unknown ({why}): stored without it (an earlier one is kept); the next import "
        "asks again"
    )


@contextmanager
def reader_for(connection: EbayConnection) -> Iterator[OrderReader]:
    """The reader of ``connection``'s order source, its clients closed afterwards.

    Raises ``ConnectionNotReady`` when no token can be had.
    """
    with ExitStack() as stack:
        trading = stack.enter_context(client_for(connection))
        if connection.order_source == OrderSource.FULFILLMENT:
            rest = stack.enter_context(fulfillment_client_for(connection))
            yield FulfillmentReader(rest, trading)
        else:
            yield TradingReader(trading)
