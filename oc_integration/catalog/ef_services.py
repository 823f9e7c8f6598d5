"""EF services of OC SKUs: which fulfilment centres and shipping services each is set up
for (QuerySKUEFService), and setting them up (SKUSetupEFService)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction

from oc_integration.auth.api_client import api_client
from oc_integration.client import OCApiClient
from oc_integration.client.sku import (
    MAX_SKUS_PER_EF_CALL,
    EFService,
    SkuEFServices,
    query_ef_services,
    set_up_ef_services,
)
from oc_integration.models import AccountOrangeConnex, OCSku, OCSkuEFService


@dataclass
class EFRefresh:
    """What a refresh found: services per OC SKU, and the SKUs OC said nothing about."""

    services: int = 0
    skus: int = 0
    not_reported: list[str] = field(default_factory=list)


def _store(skus: dict[str, OCSku], answers: list[SkuEFServices]) -> int:
    reported = [a for a in answers if a.oc_sku in skus]
    OCSkuEFService.objects.filter(sku__in=[skus[a.oc_sku] for a in reported]).delete()
    rows = [
        OCSkuEFService(
            sku=skus[answer.oc_sku],
            region=service.region[:32],
            fulfilment_centre=service.fulfilment_centre[:64],
            service_type=service.service_type,
            service_code=service.service_code[:64],
        )
        for answer in reported
        for service in answer.services
    ]
    OCSkuEFService.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def refresh_ef_services(
    account: AccountOrangeConnex,
    oc_skus: Sequence[str],
    *,
    client: OCApiClient | None = None,
) -> EFRefresh:
    """Ask OC for the EF services of ``oc_skus`` and store them (replacing what was
    stored for each SKU OC answered about). Every call is made before anything is written."""
    client = client or api_client(account)
    skus = {s.oc_sku: s for s in OCSku.objects.filter(account=account, oc_sku__in=list(oc_skus))}
    wanted = list(skus)
    answers: list[SkuEFServices] = []
    for start in range(0, len(wanted), MAX_SKUS_PER_EF_CALL):
        answers.extend(query_ef_services(client, wanted[start : start + MAX_SKUS_PER_EF_CALL]))
    with transaction.atomic():
        count = _store(skus, answers)
    answered = {a.oc_sku for a in answers}
    return EFRefresh(
        services=count,
        skus=len(answered & set(skus)),
        not_reported=[sku for sku in wanted if sku not in answered],
    )


def set_up_services(
    account: AccountOrangeConnex,
    oc_skus: Sequence[str],
    services: Sequence[EFService],
    *,
    client: OCApiClient | None = None,
) -> EFRefresh:
    """Set up ``services`` for every one of ``oc_skus`` at OC, then store what OC reports.

    OC's refusal raises ``OCBusinessError`` (nothing is stored then).
    """
    if not services:
        raise ValueError("Choose at least one EF service.")
    client = client or api_client(account)
    known = list(
        OCSku.objects.filter(account=account, oc_sku__in=list(oc_skus)).values_list(
            "oc_sku", flat=True
        )
    )
    for start in range(0, len(known), MAX_SKUS_PER_EF_CALL):
        batch = known[start : start + MAX_SKUS_PER_EF_CALL]
        set_up_ef_services(client, [SkuEFServices(sku, tuple(services)) for sku in batch])
    return refresh_ef_services(account, known, client=client)
