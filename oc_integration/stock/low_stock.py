"""Low stock: days of cover from the last 30 days of Hemi orders, which stock rows are low,
and the daily digest of the rows that crossed into low stock.

Sales per stock row (OC account, product, region), over the window, not counting
cancelled orders or orders without an order date:

- an eBay order line counts for the region(s) of the row's OC account that serve the
  order's eBay account (the account's region mapping); when several regions serve one
  eBay account (US-East, US-South, US-West for eBay US) its units are split evenly
  between them, as Hemi cannot know in advance which one OC will ship from;
- any other channel's order line counts for the region of the order's destination
  country (``OC_COUNTRY_REGIONS``, else ``OC_DEFAULT_REGION``), in every OC account that
  holds stock for the product there (with one OC account, the usual case, exactly once).

Everything is computed in SQL, as correlated subqueries on the stock rows: the number of
queries does not depend on how many products there are.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf, Upper
from django.db.models.lookups import LessThan
from django.urls import reverse
from django.utils import timezone

from hemi_fulfilment.operations.alerts import kept_recipients, recipients_of
from hemi_fulfilment.operations.notify import absolute
from hemi_fulfilment.operations.registry import Problem, Subject
from hemi_fulfilment.orders.models import OrderItem, OrderItemEbay, OrderStatus
from oc_integration.models import (
    LowStockReport,
    LowStockThreshold,
    ProductAccountOrangeConnex,
    RegionMapping,
)

logger = logging.getLogger(__name__)

#: Days of Hemi orders the rate of sales is taken over.
SALES_WINDOW_DAYS = 30
#: Rows listed in one digest email; the rest are a click away (the review's filter).
DIGEST_LINES = 200
LOCK_KEY = "oc:low-stock-digest"
LOCK_SECONDS = 600
DIGEST_KIND = "oc_low_stock"
#: What the digest reads of each low row (a name, so the annotations pass type checks).
DIGEST_FIELDS = (
    "pk",
    "account_id",
    "account__name",
    "sku",
    "product__title",
    "region",
    "available_stock",
    "minimum_available",
    "minimum_days_of_cover",
    "days_of_cover",
)

_FLOAT: FloatField[float, float] = FloatField()


def _window(now: datetime) -> dict[str, Any]:
    return {
        "order__ordered_at__gte": now - timedelta(days=SALES_WINDOW_DAYS),
        "order__ordered_at__lt": now,
    }


def _units(items: QuerySet[Any], per_line: Any) -> Subquery:
    """The sum of ``per_line`` over ``items`` of the stock row's product, in one value."""
    return Subquery(
        items.exclude(order__status=OrderStatus.CANCELLED)
        .annotate(low_stock_units=per_line)
        .order_by()
        .values("product")
        .annotate(units=Sum("low_stock_units"))
        .values("units"),
        output_field=_FLOAT,
    )


def _ebay_units(now: datetime) -> Subquery:
    """Units of the row's product sold on the eBay account its region serves, each line
    shared evenly between the regions of the row's OC account that serve that account."""
    regions_serving = (
        RegionMapping.objects.filter(
            account=OuterRef(OuterRef("account")), ebay_account=OuterRef("order__ebay_account")
        )
        .order_by()
        .values("ebay_account")
        .annotate(regions=Count("pk"))
        .values("regions")
    )
    items = OrderItemEbay.objects.filter(
        product=OuterRef("product"),
        # The region mapping names one eBay account per region (unique per account).
        order__ebay_account__oc_regions__account=OuterRef("account"),
        order__ebay_account__oc_regions__region__iexact=OuterRef("region"),
        **_window(now),
    )
    share = Cast("quantity", _FLOAT) / Cast(
        Subquery(regions_serving, output_field=IntegerField()), _FLOAT
    )
    return _units(items, ExpressionWrapper(share, output_field=_FLOAT))


def _order_region() -> Case | Value:
    """The region an order of another channel ships from, in capitals, by its destination."""
    default = Value(str(settings.OC_DEFAULT_REGION).upper())
    cases = [
        When(order__ship_country_code__iexact=country, then=Value(str(region).upper()))
        for country, region in settings.OC_COUNTRY_REGIONS.items()
    ]
    return Case(*cases, default=default) if cases else default


def _other_channel_units(now: datetime) -> Subquery:
    """Units of the row's product in other channels' orders shipping to its region."""
    items = (
        OrderItem.objects.annotate(low_stock_region=_order_region())
        .filter(product=OuterRef("product"), **_window(now))
        .filter(low_stock_region=Upper(OuterRef("region")))
    )
    return _units(items, Cast("quantity", _FLOAT))


def _threshold(figure: str, default: int) -> Coalesce:
    return Coalesce(
        Subquery(
            LowStockThreshold.objects.filter(
                account=OuterRef("account"),
                product=OuterRef("product"),
                region__iexact=OuterRef("region"),
            )
            .order_by()
            .values(figure)[:1],
            output_field=IntegerField(),
        ),
        Value(default),
    )


def with_days_of_cover(
    queryset: QuerySet[ProductAccountOrangeConnex], *, now: datetime | None = None
) -> QuerySet[ProductAccountOrangeConnex]:
    """``queryset`` with, per stock row: ``sold_last_30_days`` (units in the last 30 days
    of Hemi orders), ``days_of_cover`` (available ÷ units sold per day; None when
    nothing sold), and ``minimum_available`` / ``minimum_days_of_cover`` (the row's
    threshold, or the settings' defaults). Still one query."""
    now = now or timezone.now()
    sold = Coalesce(_ebay_units(now), Value(0.0)) + Coalesce(_other_channel_units(now), Value(0.0))
    return queryset.annotate(
        sold_last_30_days=ExpressionWrapper(sold, output_field=_FLOAT),
        minimum_available=_threshold("minimum_available", settings.OC_LOW_STOCK_MINIMUM),
        minimum_days_of_cover=_threshold(
            "minimum_days_of_cover", settings.OC_LOW_STOCK_MIN_DAYS_OF_COVER
        ),
    ).annotate(
        # NULLIF: no sales, no days of cover (and no division by zero).
        days_of_cover=ExpressionWrapper(
            Cast("available_stock", _FLOAT)
            * Value(float(SALES_WINDOW_DAYS))
            / NullIf(F("sold_last_30_days"), Value(0.0)),
            output_field=_FLOAT,
        )
    )


def _low() -> Q:
    """OC holds it, and it is under its minimum available or covers fewer days than its
    minimum days of cover. A minimum of 0 compares with NULL: that test is off. Each
    figure appears once, so PostgreSQL works out each of a row's subqueries once."""
    under_minimum: LessThan[Any] = LessThan(
        F("available_stock"), NullIf(F("minimum_available"), Value(0))
    )
    # available * 30 < minimum days * sold: days of cover under the minimum, no division.
    short_cover: LessThan[Any] = LessThan(
        Cast("available_stock", _FLOAT) * Value(float(SALES_WINDOW_DAYS)),
        Cast(NullIf(F("minimum_days_of_cover"), Value(0)), _FLOAT)
        * NullIf(F("sold_last_30_days"), Value(0.0)),
    )
    return Q(created_in_oc=True) & (Q(under_minimum) | Q(short_cover))


def low_stock_rows(
    queryset: QuerySet[ProductAccountOrangeConnex] | None = None, *, now: datetime | None = None
) -> QuerySet[ProductAccountOrangeConnex]:
    """The stock rows of ``queryset`` (all by default) OC holds that are low now, with
    the figures of :func:`with_days_of_cover`. One query."""
    rows = ProductAccountOrangeConnex.objects.all() if queryset is None else queryset
    return with_days_of_cover(rows, now=now).filter(_low())


# --- the daily digest -------------------------------------------------------------------


@dataclass
class DigestResult:
    """What one digest did: the stock rows listed per OC account, the emails sent."""

    listed: dict[int, list[int]] = field(default_factory=dict)
    emails: int = 0
    failed_accounts: list[int] = field(default_factory=list)
    recovered: int = 0
    still_low: int = 0
    skipped: bool = False

    def summary(self) -> dict[str, object]:
        return {
            "listed": sum(len(ids) for ids in self.listed.values()),
            "emails": self.emails,
            "failed_accounts": self.failed_accounts,
            "recovered": self.recovered,
            "still_low": self.still_low,
            "skipped": self.skipped,
        }


def _subject(account_id: int, name: str) -> Subject:
    # The same subject as the account's alerts: its recipients are the ones staff set.
    return Subject.record("oc_integration", "accountorangeconnex", account_id, f"OC account {name}")


def review_link(account_id: int) -> str:
    """The stock review, filtered to the account's low rows."""
    url = reverse("admin:oc_integration_productaccountorangeconnex_changelist")
    return f"{url}?account__id__exact={account_id}&low_stock=low"


def _line(row: dict[str, Any]) -> str:
    cover = row["days_of_cover"]
    cover_text = "no sales in 30 days" if cover is None else f"{cover:.1f} days of cover"
    link = absolute(
        reverse("admin:oc_integration_productaccountorangeconnex_change", args=[row["pk"]])
    )
    return (
        f"- {row['sku']} {row['product__title']} ({row['region']}): "
        f"{row['available_stock']} available (minimum {row['minimum_available']}), "
        f"{cover_text} (minimum {row['minimum_days_of_cover']})\n  {link}"
    )


def _email(account: tuple[int, str], rows: list[dict[str, Any]], recipients: list[str]) -> None:
    account_id, name = account
    shown = rows[:DIGEST_LINES]
    more = len(rows) - len(shown)
    body = "\n".join(
        [
            f"These stock rows of {name} fell below their low-stock threshold since the "
            "last digest. Each is listed once; a row that recovers and falls again is "
            "listed again.",
            "",
            *(_line(row) for row in shown),
            *([f"… and {more} more."] if more else []),
            "",
            f"Every low row of {name}: {absolute(review_link(account_id))}",
        ]
    )
    EmailMessage(
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}Low stock: {len(rows)} stock row(s) of {name}",
        body=body,
        from_email=settings.SERVER_EMAIL,
        to=recipients,
    ).send(fail_silently=False)


def send_low_stock_digest(*, now: datetime | None = None) -> DigestResult:
    """Email, per OC account, the stock rows that crossed into low stock since the last
    digest to the account's alert recipients and ``ADMINS``; nothing when none did.

    A row is listed once per crossing: it stays reported while it stays low and is
    forgotten when it recovers. A row whose email could not be sent is listed again by
    the next digest. Two digests never run at once (the second is skipped).
    """
    now = now or timezone.now()
    result = DigestResult()
    if not cache.add(LOCK_KEY, now.isoformat(), LOCK_SECONDS):
        result.skipped = True
        return result
    try:
        _digest(now, result)
    finally:
        cache.delete(LOCK_KEY)
    return result


def _digest(now: datetime, result: DigestResult) -> None:
    low = list(
        low_stock_rows(now=now).order_by("account_id", "sku", "region").values(*DIGEST_FIELDS)
    )
    low_ids = {row["pk"] for row in low}
    with transaction.atomic():
        reported = dict(LowStockReport.objects.values_list("stock_row_id", "reported_at"))
        recovered = [pk for pk in reported if pk not in low_ids]
        result.recovered, _ = LowStockReport.objects.filter(stock_row_id__in=recovered).delete()
        LowStockReport.objects.bulk_create(
            [LowStockReport(stock_row_id=pk, low_since=now) for pk in low_ids - reported.keys()],
            ignore_conflicts=True,
        )
    crossed: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for row in low:
        if reported.get(row["pk"]) is None:
            crossed[(row["account_id"], row["account__name"])].append(row)
    result.still_low = len(low) - sum(len(rows) for rows in crossed.values())
    if not crossed:
        return
    problems = {
        account: Problem(
            DIGEST_KIND, _subject(*account), f"Low stock in {account[1]}", review_link(account[0])
        )
        for account in crossed
    }
    kept = kept_recipients(problems.values())
    for account, rows in crossed.items():
        recipients = recipients_of(problems[account], kept)
        ids = [row["pk"] for row in rows]
        if not recipients:
            logger.warning(
                "Low-stock digest for OC account %s has no recipients: set ADMINS or the "
                "account's alert recipients.",
                account[0],
            )
        else:
            try:
                _email(account, rows, recipients)
            except Exception as exc:
                # Left unreported: the next digest lists these rows again.
                logger.warning(
                    "Low-stock digest for OC account %s failed: %s", account[0], type(exc).__name__
                )
                result.failed_accounts.append(account[0])
                continue
            result.emails += 1
        LowStockReport.objects.filter(stock_row_id__in=ids).update(reported_at=now)
        result.listed[account[0]] = ids
