"""SKU labels: one PDF for the chosen OC SKUs of one account, from OC's SKU Label call."""

from __future__ import annotations

from collections.abc import Sequence

from oc_integration.auth.api_client import api_client
from oc_integration.client import OCApiClient
from oc_integration.client.sku import MAX_SKUS_PER_LABEL_CALL, fetch_labels
from oc_integration.models import AccountOrangeConnex


class TooManyLabels(ValueError):
    """More SKUs than OC prints in one call (one PDF is one call)."""


def sku_labels(
    account: AccountOrangeConnex,
    oc_skus: Sequence[str],
    *,
    quantity: int = 1,
    client: OCApiClient | None = None,
) -> bytes:
    """The label PDF of ``oc_skus`` (``quantity`` labels each).

    Raises ``TooManyLabels`` beyond OC's limit per call, ``OCNoLabel`` when OC returns no
    PDF, and OC's other typed errors as they come.
    """
    if len(oc_skus) > MAX_SKUS_PER_LABEL_CALL:
        raise TooManyLabels(
            f"OC prints the labels of at most {MAX_SKUS_PER_LABEL_CALL} SKUs at once; "
            f"{len(oc_skus)} were chosen. Choose fewer."
        )
    return fetch_labels(client or api_client(account), list(oc_skus), quantity)
