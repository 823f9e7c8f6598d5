"""GetServiceList, cached in the database and refreshed daily."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from oc_integration.auth.api_client import api_client
from oc_integration.client.outbound import fetch_service_list
from oc_integration.models import AccountOrangeConnex, AuthorizationStatus, ShippingService


def refresh_shipping_services(account: AccountOrangeConnex | None = None) -> int:
    """Replace the cached service list with OC's (from the first authorized account).

    Returns the number of services. On failure the old list stays as it was.
    """
    account = (
        account
        or AccountOrangeConnex.objects.filter(
            authorization_status=AuthorizationStatus.AUTHORIZED
        ).first()
    )
    if account is None:
        return 0
    offers = fetch_service_list(api_client(account))
    now = timezone.now()
    with transaction.atomic():
        ShippingService.objects.all().delete()
        ShippingService.objects.bulk_create(
            [
                ShippingService(region=o.region, code=o.code, name=o.name, fetched_at=now)
                for o in offers
            ]
        )
    return len(offers)


def service_choices(region: str) -> list[tuple[str, str]]:
    """(code, label) choices for a region, for the admin."""
    return [
        (code, f"{code}: {name}" if name else code)
        for code, name in ShippingService.objects.filter(region=region).values_list("code", "name")
    ]
