"""Stock actions on OC accounts: "Sync stock now" (queued) and "Dry run" (reviewed)."""

from __future__ import annotations

from functools import partial

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from hemi_fulfilment.audit import record_in_history
from oc_integration.admin.stock.runs import review_url
from oc_integration.models import AccountOrangeConnex, SyncRun
from oc_integration.stock.runs import queue_stock_sync
from oc_integration.tasks import sync_stock

RUN_STOCK_SYNC_PERMISSION = "oc_integration.run_stock_sync"


class StockActionsMixin:
    """Admin actions that start stock syncs; the account admin mixes it in."""

    @admin.action(description="Sync stock now", permissions=["run_stock_sync"])
    def sync_stock_now(self, request: HttpRequest, queryset: QuerySet[AccountOrangeConnex]) -> None:
        for account in queryset:
            run = queue_stock_sync(account, trigger=SyncRun.Trigger.ADMIN)
            transaction.on_commit(partial(sync_stock.delay, run.pk))
            record_in_history(request, [account], f"Queued stock sync run #{run.pk}.")
            link = reverse("admin:oc_integration_syncrun_change", args=[run.pk])
            messages.info(
                request,
                format_html(
                    'Stock sync for {} queued as <a href="{}">run #{}</a>; '
                    "the worker picks it up within seconds.",
                    account,
                    link,
                    run.pk,
                ),
            )

    @admin.action(
        description="Dry run: show what a stock sync would change", permissions=["run_stock_sync"]
    )
    def stock_dry_run(
        self, request: HttpRequest, queryset: QuerySet[AccountOrangeConnex]
    ) -> HttpResponse | None:
        # On the worker like any sync: a large snapshot takes longer than a web request may.
        runs = []
        for account in queryset:
            run = queue_stock_sync(account, trigger=SyncRun.Trigger.ADMIN, dry_run=True)
            transaction.on_commit(partial(sync_stock.delay, run.pk))
            runs.append(run)
            record_in_history(request, [account], f"Queued stock dry run #{run.pk}.")
            messages.info(
                request,
                format_html(
                    '{}: dry run #{} queued; <a href="{}">review and apply</a> its changes '
                    "once the worker has run it (a few seconds).",
                    account,
                    run.pk,
                    review_url(run),
                ),
            )
        if len(runs) == 1:
            return HttpResponseRedirect(review_url(runs[0]))
        return None

    def has_run_stock_sync_permission(self, request: HttpRequest) -> bool:
        """Whether the user may start a stock sync or a dry run now."""
        return request.user.has_perm(RUN_STOCK_SYNC_PERMISSION)
