"""Making outbound orders from Hemi orders, and (re)validating them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from hemi_fulfilment.orders.models import Order
from oc_integration.costs.cheapest import choose_cheapest_service
from oc_integration.models import (
    AccountOrangeConnex,
    OCSku,
    OrderPlatform,
    OutboundOrder,
    OutboundOrderLine,
    OutboundStatus,
    ProductAccountOrangeConnex,
    RegionMapping,
    ShippingService,
)
from oc_integration.outbound.validation import Validation, validate


@dataclass
class PrepareResult:
    """What "Push to Orange Connex" did with each Hemi order."""

    queued: list[str] = field(default_factory=list)
    invalid: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def regions_by_ebay_account(account: AccountOrangeConnex) -> dict[int, list[str]]:
    """eBay account id -> the OC regions of ``account`` that serve it, by name (one query)."""
    served: dict[int, list[str]] = {}
    for region, ebay_account_id in (
        RegionMapping.objects.filter(account=account, ebay_account__isnull=False)
        .order_by("region")
        .values_list("region", "ebay_account_id")
    ):
        served.setdefault(ebay_account_id, []).append(region)
    return served


def served_by_other_accounts(account: AccountOrangeConnex) -> dict[int, str]:
    """eBay account id -> the name of another OC account whose regions serve it (one
    query): orders of those eBay accounts are that OC account's to ship."""
    return dict(
        RegionMapping.objects.filter(ebay_account__isnull=False)
        .exclude(account=account)
        .order_by("-account__name")
        .values_list("ebay_account_id", "account__name")
    )


def region_for(
    order: Order,
    lines: Sequence[tuple[int | None, str, int, Decimal, str, str, str]],
    served: dict[int, list[str]],
    stock: dict[tuple[int, str], tuple[str, int]],
) -> str:
    """The OC region that ships ``order``.

    An eBay order ships from a region that serves its eBay account (the account's region
    mapping); when several do (US-East, US-South, US-West for eBay US), the first that
    holds enough available stock for every line, else the first. Any other order ships
    from its destination country's region (``OC_COUNTRY_REGIONS``).
    """
    candidates = served.get(order.ebay_account_id or 0, [])
    for region in candidates:
        if all(
            product_id and stock.get((product_id, region), ("", 0))[1] >= quantity
            for product_id, _, quantity, *_ in lines
        ):
            return region
    if candidates:
        return candidates[0]
    return settings.OC_COUNTRY_REGIONS.get(
        order.ship_country_code.upper(), settings.OC_DEFAULT_REGION
    )


def _stock(
    account: AccountOrangeConnex, product_ids: Iterable[int]
) -> dict[tuple[int, str], tuple[str, int]]:
    """(product, region) -> (OC SKU, available) for products OC holds (two queries).

    Every region's stock row counts, listed on eBay or not. A product the account's OC
    SKU catalogue knows but no stock row names yet takes its OC SKU from the catalogue
    (key region ``""``) with nothing available.
    """
    wanted = set(product_ids)
    stock: dict[tuple[int, str], tuple[str, int]] = {
        (product_id, ""): (oc_sku, 0)
        for product_id, oc_sku in OCSku.objects.filter(
            account=account, product_id__in=wanted
        ).values_list("product_id", "oc_sku")
        if product_id is not None
    }
    stock.update(
        {
            (product_id, region): (oc_sku, available)
            for product_id, region, oc_sku, available in (
                ProductAccountOrangeConnex.objects.filter(
                    account=account, created_in_oc=True, product_id__in=wanted
                ).values_list("product_id", "region", "oc_sku", "available_stock")
            )
        }
    )
    return stock


def services_by_region() -> dict[str, set[str]]:
    """The cached GetServiceList codes per region."""
    services: dict[str, set[str]] = {}
    for region, code in ShippingService.objects.values_list("region", "code"):
        services.setdefault(region, set()).add(code)
    return services


def _lines_of(order: Order) -> list[tuple[int | None, str, int, Decimal, str, str, str]]:
    """(product id, sku, quantity, unit price, currency, eBay item id, transaction id)."""
    if order.channel == "ebay":
        return [
            (i.product_id, i.sku, i.quantity, i.price, i.currency, i.ebay_item_id, i.transaction_id)
            for i in order.ebay_items.all()
        ]
    return [
        (i.product_id, i.sku, i.quantity, i.price, i.currency, "", "") for i in order.items.all()
    ]


def prepare_outbound_orders(
    account: AccountOrangeConnex,
    order_ids: Iterable[int],
    *,
    regions: Mapping[int, str] | None = None,
) -> PrepareResult:
    """Create (and queue, when valid) an outbound order for each Hemi order.

    ``regions`` (order id -> OC region) ships those orders from the region the caller
    chose (automatic routing's fallback region); the others from :func:`region_for`.

    Orders fulfilled by eBay, and orders that already have an outbound order at this
    account, are skipped with a reason. Invalid ones stay Draft with their errors.
    """
    result = PrepareResult()
    orders = list(
        Order.objects.filter(pk__in=list(order_ids))
        .select_related("ebay_account")
        .prefetch_related("ebay_items", "items")
        .order_by("pk")
    )
    existing = dict(
        OutboundOrder.objects.filter(
            account=account, reference_number__in=[o.number for o in orders]
        ).values_list("reference_number", "status")
    )
    lines_by_order = {o.pk: _lines_of(o) for o in orders}
    stock = _stock(
        account, (line[0] for lines in lines_by_order.values() for line in lines if line[0])
    )
    services = services_by_region()
    served = regions_by_ebay_account(account)
    elsewhere = served_by_other_accounts(account)
    built: list[tuple[OutboundOrder, list[OutboundOrderLine]]] = []
    for order in orders:
        if order.is_fulfilled_by_ebay:
            result.skipped.append(
                f"{order.number} is Fulfilled by eBay: eBay's program ships it, not an "
                "outbound order."
            )
            continue
        if order.ebay_account_id in elsewhere and order.ebay_account_id not in served:
            # Another seller's order: their OC account holds their stock.
            result.skipped.append(
                f"{order.number} is an order of {order.ebay_account}, which "
                f"{elsewhere[order.ebay_account_id]} serves: push it through that OC account."
            )
            continue
        if order.number in existing:
            result.skipped.append(
                f"{order.number} already has an outbound order at {account} "
                f"({OutboundStatus(existing[order.number]).label})."
            )
            continue
        outbound, lines = _build(
            account, order, lines_by_order[order.pk], served, stock, (regions or {}).get(order.pk)
        )
        allowed = services.get(outbound.service_region, set())
        result.warnings += [
            f"{order.number}: {w}" for w in choose_cheapest_service(outbound, lines, allowed)
        ]
        check = validate(
            outbound,
            lines,
            services=services.get(outbound.service_region, set()),
            available={
                oc: avl
                for (_, region), (oc, avl) in stock.items()
                if region == outbound.service_region
            },
        )
        _record_validation(outbound, check)
        built.append((outbound, lines))
        if check.ok:
            result.queued.append(order.number)
        else:
            result.invalid[order.number] = check.errors
        result.warnings += [f"{order.number}: {w}" for w in check.warnings]
    try:
        with transaction.atomic():
            # Two statements for the whole selection (bulk_create returns the new ids).
            OutboundOrder.objects.bulk_create([outbound for outbound, _ in built])
            for outbound, lines in built:
                for line in lines:
                    line.outbound_order = outbound
            OutboundOrderLine.objects.bulk_create([line for _, lines in built for line in lines])
    except IntegrityError:
        # Someone pushed some of these orders at the same moment: nothing was written here.
        return PrepareResult(
            skipped=[
                "Some of these orders were pushed to OC at the same moment by someone else; "
                "nothing was changed here. Look at their outbound orders."
            ]
        )
    return result


def _build(
    account: AccountOrangeConnex,
    order: Order,
    lines: list[tuple[int | None, str, int, Decimal, str, str, str]],
    served: dict[int, list[str]],
    stock: dict[tuple[int, str], tuple[str, int]],
    chosen_region: str | None = None,
) -> tuple[OutboundOrder, list[OutboundOrderLine]]:
    region = chosen_region or region_for(order, lines, served, stock)
    outbound = OutboundOrder(
        account=account,
        order=order,
        reference_number=order.number,
        order_platform=OrderPlatform.EBAY if order.channel == "ebay" else OrderPlatform.OTHERS,
        ebay_order_id=order.ebay_order_id or "",
        ebay_buyer_id=order.buyer_username if order.channel == "ebay" else "",
        service_region=region,
        shipping_service_code=settings.OC_DEFAULT_SHIPPING_SERVICES.get(region, ""),
        consignee_name=order.ship_name or order.buyer_name,
        company_name=order.ship_company,
        house_number=order.ship_house_number,
        address1=order.ship_address1,
        address2=order.ship_address2,
        city=order.ship_city,
        province_or_state=order.ship_state,
        country_code=order.ship_country_code.upper(),
        zip_code=order.ship_postcode,
        phone=order.ship_phone,
        email=order.buyer_email,
        currency=order.currency,
        remarks=f"Hemi order {order.number}",
    )
    built = [
        OutboundOrderLine(
            product_id=product_id,
            sku=sku,
            oc_sku=_oc_sku(stock, product_id, region),
            quantity=quantity,
            declared_value=price,
            currency=currency,
            ebay_item_id=item_id,
            ebay_transaction_id=transaction_id,
        )
        for product_id, sku, quantity, price, currency, item_id, transaction_id in lines
    ]
    return outbound, built


def _oc_sku(
    stock: dict[tuple[int, str], tuple[str, int]], product_id: int | None, region: str
) -> str:
    """The region's stock row's OC SKU, else the OC SKU catalogue's, else none."""
    if not product_id:
        return ""
    return (stock.get((product_id, region)) or stock.get((product_id, "")) or ("", 0))[0]


def _record_validation(outbound: OutboundOrder, check: Validation) -> None:
    outbound.validation_errors = check.errors
    outbound.warnings = check.warnings
    outbound.status = OutboundStatus.QUEUED if check.ok else OutboundStatus.DRAFT
    outbound.last_error = "" if check.ok else f"Not sent. {check.in_words}"


def revalidate(outbounds: list[OutboundOrder]) -> dict[int, Validation]:
    """Validate outbound orders again (before sending, or when a Draft is queued after a fix)."""
    if not outbounds:
        return {}
    lines: dict[int, list[OutboundOrderLine]] = {}
    for line in OutboundOrderLine.objects.filter(outbound_order__in=outbounds).order_by("pk"):
        lines.setdefault(line.outbound_order_id, []).append(line)
    # Each order against its own account's stock: a selection may span several accounts.
    available = {
        (account_id, region, oc_sku): avl
        for account_id, region, oc_sku, avl in ProductAccountOrangeConnex.objects.filter(
            account_id__in={o.account_id for o in outbounds},
            oc_sku__in={line.oc_sku for group in lines.values() for line in group if line.oc_sku},
        ).values_list("account_id", "region", "oc_sku", "available_stock")
    }
    services = services_by_region()
    return {
        o.pk: validate(
            o,
            lines.get(o.pk, []),
            services=services.get(o.service_region, set()),
            available={
                oc: avl
                for (account_id, region, oc), avl in available.items()
                if account_id == o.account_id and region == o.service_region
            },
        )
        for o in outbounds
    }


def queue_drafts(outbound_ids: Iterable[int]) -> tuple[int, int]:
    """Queue Draft (or Rejected) orders that now validate; return (queued, still invalid)."""
    with transaction.atomic():
        drafts = list(
            OutboundOrder.objects.select_for_update(of=("self",))
            .select_related("account")
            .filter(
                pk__in=list(outbound_ids),
                status__in=[OutboundStatus.DRAFT, OutboundStatus.REJECTED],
            )
        )
        checks = revalidate(drafts)
        for outbound in drafts:
            _record_validation(outbound, checks[outbound.pk])
            outbound.rejection_code = ""
            outbound.save()
    queued = sum(1 for c in checks.values() if c.ok)
    return queued, len(checks) - queued
