"""Reading OC's stock snapshot for an account: v1 (one answer) or v2 (paged)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from oc_integration.client import OCError
from oc_integration.client.api import OCApiClient
from oc_integration.client.stock import RowSink, stream_stock_snapshot
from oc_integration.client.stock_v2 import needs_sku_list, stream_stock_snapshot_v2
from oc_integration.models import AccountOrangeConnex, OCSku
from oc_integration.stock.plan import Progress


def snapshot_version(account: AccountOrangeConnex) -> str:
    """``"v1"`` or ``"v2"``: the account's choice, or on "automatic" v2 once its OC SKU
    catalogue holds ``OC_STOCK_V2_FROM_SKUS`` SKUs.

    Only the catalogue counts: v2 rows carry no seller SKU, so without a synced catalogue
    every row would be unknown (and every product flip to Created in OC = No).
    """
    if account.stock_snapshot_version in ("v1", "v2"):
        return account.stock_snapshot_version
    catalogue = OCSku.objects.filter(account=account).count()
    return "v2" if catalogue >= settings.OC_STOCK_V2_FROM_SKUS else "v1"


def read_snapshot(
    account: AccountOrangeConnex,
    client: OCApiClient,
    sink: RowSink,
    progress: Progress,
    *,
    restart: Callable[[], None],
) -> str:
    """Hand every row of the account's snapshot to ``sink``; the version read.

    Raises unless the whole snapshot arrived and parsed: the caller discards what the
    sink got. When OC refuses v2's empty SKU list, the read starts again (``restart``
    empties what the sink got) with the account's OC SKUs listed explicitly.
    """
    version = snapshot_version(account)
    if version == "v1":
        stream_stock_snapshot(client, sink)
        return version

    def pages(done: int, total: int | None) -> None:
        progress("download", done, total or 0)

    try:
        stream_stock_snapshot_v2(client, sink, progress=pages)
    except OCError as exc:
        if not needs_sku_list(exc):
            raise
        restart()
        oc_skus = list(
            OCSku.objects.filter(account=account)
            .order_by("oc_sku")
            .values_list("oc_sku", flat=True)
        )
        if not oc_skus:
            raise OCError(
                "OC wants StockSnapshot v2 to list the SKUs, and this account's OC SKU "
                "catalogue is empty: sync its SKUs first (or choose v1 on the account)."
            ) from exc
        stream_stock_snapshot_v2(client, sink, oc_skus=oc_skus, progress=pages)
    return version
