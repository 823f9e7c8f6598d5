"""Registering Hemi products at OC (SKU Creation v3), never twice.

Every product is checked against OC's field rules first (:func:`check_products`, the
admin's preview). Sending claims the products (row locks, status *sending*), creates them
in batches of at most 200 and stores each returned OC SKU at once, as a draft: OC's
portal approves it, and the next SKU sync brings the new status. An answer that never
arrived leaves the registration *unknown*; it is looked up with SKU Query by seller SKU,
at once and before anything is sent again, so a lost answer never creates a second SKU.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hemi_fulfilment.catalog.models import Product
from hemi_fulfilment.integration_errors import NoUsableToken
from hemi_fulfilment.words import sentence, sentences
from oc_integration.auth.api_client import api_client
from oc_integration.catalog.store import store_sku_rows
from oc_integration.client import OCApiClient, OCBusinessError, OCError, OCTokenRejected
from oc_integration.client.errors import DUPLICATE_REFERENCE, in_words
from oc_integration.client.sku import (
    MAX_SKUS_PER_CREATION,
    NAME_LANGUAGE,
    Barcode,
    SkuDraft,
    SkuName,
    SkuRow,
    create_skus,
    creation_item,
    draft_problems,
    find_by_seller_skus,
)
from oc_integration.models import (
    AccountOrangeConnex,
    Approval,
    OCSku,
    OCSkuRegistration,
    ProductOCDetails,
    RegistrationStatus,
)

logger = logging.getLogger(__name__)

#: The status a SKU Hemi just created is stored with until OC's next query reports its own.
CREATED_STATUS = "DRAFT"


@dataclass(frozen=True)
class ProductCheck:
    """One product as the preview shows it: what is wrong, or what would be sent."""

    product_id: int
    sku: str
    title: str
    problems: tuple[str, ...] = ()
    #: The OC SKU this account already has for the product ("" when none).
    at_oc: str = ""
    at_oc_status: str = ""
    #: A registration still waiting for OC's answer (sent by another request just now).
    waiting: bool = False
    #: A registration whose answer was lost: SKU Query decides before anything is sent.
    unknown: bool = False
    sent_fields: dict[str, Any] = field(default_factory=dict)
    draft: SkuDraft | None = None

    @property
    def will_be_sent(self) -> bool:
        return not self.problems and not self.at_oc and not self.waiting

    @property
    def verdict(self) -> str:
        """What will happen to the product, in one phrase."""
        if self.at_oc:
            return f"Already at OC as {self.at_oc} ({self.at_oc_status}); not sent again"
        if self.waiting:
            return "Being registered by another request; try again in a few minutes"
        if self.problems:
            return "Not sent: complete its OC registration details first"
        if self.unknown:
            return "Checked at OC first (the last answer was lost); sent only if OC lacks it"
        return "Will be registered"


def draft_of(product: Product, details: ProductOCDetails | None) -> SkuDraft:
    """What OC is sent for ``product``: its SKU, and its OC registration details."""
    if details is None:
        return SkuDraft(seller_sku=product.sku, name=product.title[:200])
    return SkuDraft(
        seller_sku=product.sku,
        name=(details.name or product.title).strip(),
        description=details.description.strip(),
        length=details.length,
        width=details.width,
        height=details.height,
        dimension_unit=details.dimension_unit,
        weight=details.weight,
        weight_unit=details.weight_unit,
        declared_value=details.declared_value,
        declared_currency=details.declared_currency.strip().upper(),
        country_of_origin=details.country_of_origin.strip().upper(),
        barcode=details.barcode.strip(),
        barcode_type=details.barcode_type.strip(),
        battery_type=details.battery_type,
        battery_form=details.battery_form,
        battery_number=details.battery_number,
    )


def _waiting_since() -> Any:
    return timezone.now() - timedelta(minutes=settings.OC_SKU_REGISTRATION_WAIT_MINUTES)


def check_products(account: AccountOrangeConnex, product_ids: Iterable[int]) -> list[ProductCheck]:
    """Every product checked against OC's field rules and this account's catalogue
    (three queries, however many products)."""
    products = list(
        Product.objects.filter(pk__in=list(product_ids))
        .select_related("oc_details")
        .order_by("sku")
    )
    skus = [p.sku for p in products]
    at_oc = {
        seller: (oc_sku, approval)
        for seller, oc_sku, approval in OCSku.objects.filter(
            account=account, seller_sku__in=skus
        ).values_list("seller_sku", "oc_sku", "approval")
    }
    registrations = {
        r.product_id: r
        for r in OCSkuRegistration.objects.filter(account=account, product__in=products)
    }
    recent = _waiting_since()
    checks = []
    for product in products:
        details = getattr(product, "oc_details", None)
        draft = draft_of(product, details)
        registration = registrations.get(product.pk)
        found = at_oc.get(product.sku)
        created = registration is not None and registration.status == RegistrationStatus.CREATED
        status = registration.status if registration else ""
        sent_at = registration.sent_at if registration else None
        waiting = status == RegistrationStatus.SENDING and sent_at is not None and sent_at > recent
        checks.append(
            ProductCheck(
                product_id=product.pk,
                sku=product.sku,
                title=product.title,
                problems=tuple(draft_problems(draft)),
                at_oc=found[0]
                if found
                else (registration.oc_sku if created and registration else ""),
                at_oc_status=Approval(found[1]).label if found else "created",
                waiting=waiting,
                unknown=status in (RegistrationStatus.UNKNOWN, RegistrationStatus.SENDING)
                and not waiting,
                sent_fields=creation_item(draft),
                draft=draft,
            )
        )
    return checks


@dataclass
class RegistrationResult:
    """What a registration did, per seller SKU, for the admin's messages."""

    created: dict[str, str] = field(default_factory=dict)  # SKU -> OC SKU
    #: Answers that were lost but SKU Query found the SKU: created, exactly once.
    confirmed: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # SKU -> why
    #: Sent, answer lost, and SKU Query could not tell yet: checked before any resend.
    unknown: list[str] = field(default_factory=list)
    not_sent: dict[str, str] = field(default_factory=dict)  # SKU -> why
    calls: int = 0


def _row_of(draft: SkuDraft, oc_sku: str) -> SkuRow:
    return SkuRow(
        oc_sku=oc_sku,
        seller_sku=draft.seller_sku,
        reference_sku=draft.seller_sku,
        status=CREATED_STATUS,
        names=(SkuName(draft.name, NAME_LANGUAGE),),
        description=draft.description,
        length=draft.length,
        width=draft.width,
        height=draft.height,
        dimension_unit=draft.dimension_unit,
        weight=draft.weight,
        weight_unit=draft.weight_unit,
        declared_value=draft.declared_value,
        declared_currency=draft.declared_currency,
        barcodes=(Barcode(draft.barcode, draft.barcode_type),) if draft.barcode else (),
        country_of_origin=draft.country_of_origin,
    )


def _finish(
    account: AccountOrangeConnex,
    product_ids: dict[str, int],
    status: str,
    skus: Iterable[str],
    *,
    oc_skus: dict[str, str] | None = None,
    message: str = "",
) -> None:
    """Record the outcome of ``skus`` (one query)."""
    OCSkuRegistration.objects.bulk_create(
        [
            OCSkuRegistration(
                account=account,
                product_id=product_ids[sku],
                seller_sku=sku,
                status=status,
                oc_sku=(oc_skus or {}).get(sku, ""),
                message=message,
            )
            for sku in skus
        ],
        update_conflicts=True,
        unique_fields=["account", "product"],
        update_fields=["status", "oc_sku", "message", "updated"],
    )


def _confirm_at_oc(
    account: AccountOrangeConnex,
    client: OCApiClient,
    skus: list[str],
    product_ids: dict[str, int],
    result: RegistrationResult,
) -> tuple[list[str], list[str]]:
    """Look up registrations whose outcome is unknown with SKU Query by seller SKU.

    Those OC has are stored (created, once). Returns (SKUs OC does not have, SKUs that
    could not be checked because SKU Query failed too).
    """
    if not skus:
        return [], []
    try:
        result.calls += 1
        rows = [r for r in find_by_seller_skus(client, skus) if r.seller_sku in product_ids]
    except OCError as exc:
        logger.warning("SKU Query to confirm registrations for %s failed: %s", account, exc)
        return [], skus
    found = {row.seller_sku: row for row in rows}
    with transaction.atomic():
        store_sku_rows(account, list(found.values()), now=timezone.now(), registered=True)
        _finish(
            account,
            product_ids,
            RegistrationStatus.CREATED,
            found,
            oc_skus={sku: row.oc_sku for sku, row in found.items()},
        )
    result.confirmed.update({sku: row.oc_sku for sku, row in found.items()})
    return [sku for sku in skus if sku not in found], []


def _claim(
    account: AccountOrangeConnex,
    checks: list[ProductCheck],
    result: RegistrationResult,
    *,
    checked_at_oc: bool = False,
) -> tuple[list[ProductCheck], list[ProductCheck]]:
    """Lock the products, re-read their registrations, and mark the ones to send as
    *sending*; returns (to send, to look up at OC first). ``checked_at_oc``: SKU Query
    has just said OC lacks these, so an unknown outcome may be sent again."""
    to_send: list[ProductCheck] = []
    to_look_up: list[ProductCheck] = []
    now = timezone.now()
    with transaction.atomic():
        ids = [c.product_id for c in checks]
        list(Product.objects.select_for_update().filter(pk__in=ids).values_list("pk"))
        # Re-checked under the lock: another request may have sent some meanwhile.
        fresh = {c.product_id: c for c in check_products(account, ids)}
        for check in checks:
            current = fresh.get(check.product_id)
            if current is None:
                continue
            if current.at_oc or current.waiting or current.problems:
                result.not_sent[check.sku] = sentence(current.verdict)
            elif current.unknown and not checked_at_oc:
                to_look_up.append(current)
            else:
                to_send.append(current)
        OCSkuRegistration.objects.bulk_create(
            [
                OCSkuRegistration(
                    account=account,
                    product_id=c.product_id,
                    seller_sku=c.sku,
                    status=RegistrationStatus.SENDING,
                    sent_at=now,
                )
                for c in to_send
            ],
            update_conflicts=True,
            unique_fields=["account", "product"],
            update_fields=["seller_sku", "status", "sent_at", "oc_sku", "message", "updated"],
        )
    return to_send, to_look_up


def register_products(
    account: AccountOrangeConnex,
    product_ids: Iterable[int],
    *,
    client: OCApiClient | None = None,
) -> RegistrationResult:
    """Register the products that pass OC's field rules and are not at OC yet.

    Never twice: products already at OC, or being sent, are left alone; a registration
    whose answer was lost is looked up with SKU Query first and sent again only when OC
    does not have it.
    """
    result = RegistrationResult()
    checks = check_products(account, product_ids)
    client = client or api_client(account)
    to_send, to_look_up = _claim(account, checks, result)
    product_ids_by_sku = {c.sku: c.product_id for c in checks}
    missing, unchecked = _confirm_at_oc(
        account, client, [c.sku for c in to_look_up], product_ids_by_sku, result
    )
    for sku in unchecked:
        result.not_sent[sku] = (
            "Not sent: the outcome of its last registration is unknown and SKU Query could not "
            "check it now. It is checked again before anything is sent."
        )
    if missing:
        # OC does not have them: they may be sent now (claimed like the others).
        again, _ = _claim(
            account, [c for c in to_look_up if c.sku in missing], result, checked_at_oc=True
        )
        to_send.extend(again)
    for start in range(0, len(to_send), MAX_SKUS_PER_CREATION):
        _send_batch(account, client, to_send[start : start + MAX_SKUS_PER_CREATION], result)
    return result


def _send_batch(
    account: AccountOrangeConnex,
    client: OCApiClient,
    batch: list[ProductCheck],
    result: RegistrationResult,
) -> None:
    drafts = {c.sku: c.draft for c in batch if c.draft is not None}
    product_ids = {c.sku: c.product_id for c in batch}
    skus = list(drafts)
    result.calls += 1
    try:
        outcome = create_skus(client, list(drafts.values()))
    except (OCTokenRejected, NoUsableToken) as exc:
        # Refused before OC looked at the SKUs: nothing was created, it may be sent again.
        why = sentences(str(exc), "Nothing was created; authorize the account and try again")
        _finish(account, product_ids, RegistrationStatus.REFUSED, skus, message=why)
        result.refused.update(dict.fromkeys(skus, why))
        return
    except OCBusinessError as exc:
        why = sentences(exc.message, "Nothing was created")
        _finish(account, product_ids, RegistrationStatus.REFUSED, skus, message=why)
        result.refused.update(dict.fromkeys(skus, why))
        return
    except OCError as exc:
        # Timeout, lost answer, 5xx, garbled answer: OC may have created them.
        logger.warning("SKU creation for %s: outcome unknown: %s", account, exc)
        _finish(account, product_ids, RegistrationStatus.UNKNOWN, skus, message=exc.message)
        missing, unchecked = _confirm_at_oc(account, client, skus, product_ids, result)
        result.unknown.extend([*missing, *unchecked])
        return
    now = timezone.now()
    created = {sku: oc for sku, oc in outcome.created.items() if sku in drafts}
    with transaction.atomic():
        store_sku_rows(
            account,
            [_row_of(drafts[sku], oc) for sku, oc in created.items()],
            now=now,
            registered=True,
        )
        _finish(account, product_ids, RegistrationStatus.CREATED, created, oc_skus=created)
        for sku, error in outcome.refused.items():
            # "Already exists": OC has it (from its portal, or a lost answer) - look it up.
            if sku in drafts and sku not in created and error.code != DUPLICATE_REFERENCE:
                why = sentence(in_words(error.code, error.message))
                _finish(account, product_ids, RegistrationStatus.REFUSED, [sku], message=why)
                result.refused[sku] = why
    result.created.update(created)
    # Neither created nor refused: OC's answer did not say; SKU Query decides next time.
    silent = [sku for sku in skus if sku not in created and sku not in result.refused]
    if silent:
        _finish(account, product_ids, RegistrationStatus.UNKNOWN, silent)
        missing, unchecked = _confirm_at_oc(account, client, silent, product_ids, result)
        result.unknown.extend([*missing, *unchecked])
