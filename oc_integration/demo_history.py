"""A few weeks of made-up stock history and movements for the demo's stock rows, so the
stock charts have something to show the first time the demo is opened.

Made only for rows a stock sync has brought (the demo's first sync, after authorizing
the demo account) and only once per row: a row with demo movements is left alone, so
``seed_demo`` can be run again. The made-up figures end at the row's real ones.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import timezone

from oc_integration.models import (
    AccountOrangeConnex,
    ProductAccountOrangeConnex,
    StockHistory,
    StockMovement,
)

#: How far back the demo history goes.
DEMO_HISTORY_DAYS = 28
#: The demo movements' ids start with this (OC's own ids never do).
DEMO_MOVEMENT_PREFIX = "DEMO-"
SALE_REASON = "OEH"
RECEIPT_REASON = "INB"


def _plan(
    rng: random.Random, available: int, start: datetime, end: datetime
) -> list[tuple[datetime, int, str]]:
    """Sales through the period and one or two receipts that bring the stock back to
    ``available`` at the end: (time, signed quantity, reason), in time order."""
    moves: list[tuple[datetime, int, str]] = []
    span_hours = int((end - start).total_seconds() // 3600)
    # Sales on about half the days, never below zero.
    for day in range(max(span_hours // 24, 1)):
        if rng.random() < 0.5:
            continue
        moment = start + timedelta(days=day, hours=rng.randint(8, 20))
        if moment >= end:
            break
        sold = rng.randint(1, 3)
        moves.append((moment, -sold, SALE_REASON))
    # The receipts: what was sold comes back in one or two deliveries.
    sold_total = -sum(quantity for _, quantity, _ in moves)
    receipts = [sold_total] if sold_total < 8 else [sold_total // 2, sold_total - sold_total // 2]
    for index, quantity in enumerate(receipts):
        if quantity <= 0:
            continue
        share = (index + 1) / (len(receipts) + 1)
        moment = start + timedelta(hours=int(span_hours * share) + rng.randint(0, 5))
        moves.append((moment, quantity, RECEIPT_REASON))
    moves.sort()
    # The stock at the start: what it ends with, minus what the movements changed; if a
    # sale would take it below zero, it starts higher and the last receipt is larger.
    value = available - sum(quantity for _, quantity, _ in moves)
    lowest = value
    for _, quantity, _ in moves:
        value += quantity
        lowest = min(lowest, value)
    if lowest < 0:
        moves = [(moves[0][0] - timedelta(hours=1), -lowest, RECEIPT_REASON), *moves]
        moves.append((end - timedelta(minutes=1), lowest, "ADJ"))
        moves.sort()
    return moves


def seed_demo_history(
    account: AccountOrangeConnex, *, now: datetime | None = None, days: int = DEMO_HISTORY_DAYS
) -> int:
    """History lines and movements over the last ``days`` days for each of the account's
    stock rows that has none made here yet; returns how many rows got them.

    Each row's made-up figures start where they are at the start and end at the row's
    real available and in-transit stock, after the row's latest real history line.
    """
    end = (now or timezone.now()) - timedelta(hours=1)
    seeded = set(
        StockMovement.objects.filter(
            account=account, movement_id__startswith=DEMO_MOVEMENT_PREFIX
        ).values_list("stock_row_id", flat=True)
    )
    rows = list(
        ProductAccountOrangeConnex.objects.filter(account=account)
        .exclude(pk__in=[pk for pk in seeded if pk is not None])
        .annotate(latest=Max("history__recorded"))
        .order_by("pk")
    )
    history: list[StockHistory] = []
    movements: list[StockMovement] = []
    done = 0
    for row in rows:
        start = end - timedelta(days=days)
        if row.latest is not None:
            start = max(start, row.latest + timedelta(minutes=1))
        if end - start < timedelta(days=2):
            continue  # too little room after the row's real history
        rng = random.Random(f"{row.sku}/{row.region}")  # noqa: S311 - demo figures, repeatable
        # The stock ends where it is; at the start it is before the movements.
        moves = _plan(rng, row.available_stock, start, end)
        available = row.available_stock - sum(quantity for _, quantity, _ in moves)
        intransit = row.intransit_stock
        # (time, change of available, change of in transit, the movement's number or 0):
        # a receipt is in transit from three days before it arrives.
        events = [(start, 0, 0, 0)]
        for index, (moment, quantity, reason) in enumerate(moves, start=1):
            if reason == RECEIPT_REASON:
                shipped = max(moment - timedelta(days=3), start + timedelta(minutes=1))
                events.append((shipped, 0, quantity, 0))
                events.append((moment, quantity, -quantity, index))
            else:
                events.append((moment, quantity, 0, index))
        events.sort()
        for moment, available_change, intransit_change, index in events:
            available += available_change
            intransit += intransit_change
            history.append(
                StockHistory(
                    stock=row,
                    recorded=moment,
                    available_stock=available,
                    intransit_stock=intransit,
                    other_stock=row.other_stock,
                )
            )
            if not index:
                continue
            reason = moves[index - 1][2]
            suffix = "GB" if row.region.upper() == "UK" else row.region.upper()[:2]
            movements.append(
                StockMovement(
                    account=account,
                    oc_sku=row.oc_sku,
                    seller_sku=row.sku,
                    region=row.region,
                    inventory_status="AVL",
                    movement_id=f"{DEMO_MOVEMENT_PREFIX}{row.pk}-{index}",
                    quantity=available_change,
                    count_after=available,
                    reason=reason,
                    order_number=(
                        f"DEMO{row.pk:05d}{index:03d}{suffix}" if reason == SALE_REASON else ""
                    ),
                    moved_at=moment,
                    stock_row=row,
                )
            )
        done += 1
    StockHistory.objects.bulk_create(history, batch_size=1000)
    StockMovement.objects.bulk_create(movements, batch_size=1000, ignore_conflicts=True)
    return done
