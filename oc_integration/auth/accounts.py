"""Which OC accounts the scheduled jobs and commands work for."""

from __future__ import annotations

from oc_integration.models import AccountOrangeConnex, AuthorizationStatus


def authorized_accounts() -> list[AccountOrangeConnex]:
    """The accounts scheduled jobs work for: those authorized with OC."""
    return list(
        AccountOrangeConnex.objects.filter(authorization_status=AuthorizationStatus.AUTHORIZED)
    )
