"""The per-account option "choose the cheapest shipping service", applied when an
outbound order is made from a Hemi order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from oc_integration.costs.estimates import estimate
from oc_integration.costs.parcels import for_outbound_order
from oc_integration.models import OutboundOrder, OutboundOrderLine

# Set while a push preview builds its orders in a transaction it rolls back: the
# preview asks OC itself afterwards, so that what OC answers is stored.
_previewing: ContextVar[bool] = ContextVar("oc_costs_previewing", default=False)


@contextmanager
def without_cheapest_choice() -> Iterator[None]:
    """Build orders without asking OC for costs (the push preview asks afterwards)."""
    token = _previewing.set(True)
    try:
        yield
    finally:
        _previewing.reset(token)


def choose_cheapest_service(
    outbound: OutboundOrder, lines: Sequence[OutboundOrderLine], allowed: set[str]
) -> list[str]:
    """Give ``outbound`` the cheapest of the region's ``allowed`` services, when its
    account asks for that; eBay orders are compared by OC's eBay fee, others by the
    other fee. Returns warnings (the default service is kept when OC has no price)."""
    if _previewing.get() or not outbound.account.choose_cheapest_service:
        return []
    request = for_outbound_order(outbound, lines, allowed)
    found = estimate(outbound.account, [request])[request.key]
    best = found.cheapest(allowed)
    if best is None:
        why = found.in_words or "OC priced none of the region's services."
        kept = outbound.shipping_service_code or "none"
        return [f"the cheapest service could not be chosen ({why.rstrip('.')}); sent with {kept}."]
    outbound.shipping_service_code = best.service_code
    return []
