"""Test data for returns: outbound orders shipped by the OC sandbox, and their returns."""

from __future__ import annotations

from typing import Any

import requests

from oc_integration.models import AccountOrangeConnex, OutboundOrder, OutboundStatus
from oc_integration.outbound.orders import prepare_outbound_orders
from oc_integration.outbound.push import push_queued
from oc_integration.outbound.status import refresh_open_orders
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything, web_orders


def shipped_orders(
    sandbox: Sandbox, account: AccountOrangeConnex, count: int = 1, *, prefix: str = "RET"
) -> list[OutboundOrder]:
    """``count`` outbound orders pushed to the sandbox and shipped there (Outbound)."""
    stock_everything(sandbox, account)
    orders = web_orders(count, prefix=prefix, quantity=2)
    prepare_outbound_orders(account, [o.pk for o in orders])
    push_queued(account.pk)
    outbound = list(OutboundOrder.objects.filter(order__in=orders).order_by("reference_number"))
    for order in outbound:
        assert order.status == OutboundStatus.SUBMITTED, order.last_error
        sandbox.control(
            "POST", "outbound/advance", orderNumber=order.oc_order_number, to="Outbound"
        )
    refresh_open_orders(account)
    return outbound


def control(sandbox: Sandbox, method: str, path: str, **payload: Any) -> Any:
    """A control API call; a refusal fails with the sandbox's reason."""
    response = requests.request(
        method, f"{sandbox.url}/_sandbox/{path}", json=payload or None, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def oc_return(sandbox: Sandbox, outbound: OutboundOrder, **spec: Any) -> dict[str, Any]:
    """A buyer's return of ``outbound`` at the sandbox (its control API's row)."""
    created: dict[str, Any] = control(
        sandbox, "POST", "returns", outboundOrderNumber=outbound.oc_order_number, **spec
    )["return"]
    return created


def advance_return(sandbox: Sandbox, number: str, to: str, **options: Any) -> dict[str, Any]:
    """Move the sandbox's return ``number`` on to ``to``."""
    moved: dict[str, Any] = control(
        sandbox, "POST", "returns/advance", orderNumber=number, to=to, **options
    )["returns"][0]
    return moved
