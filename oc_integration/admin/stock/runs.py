"""Sync runs in the admin: outcomes, messages, and the review-and-apply page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from hemi_fulfilment.apilog.links import calls_url
from hemi_fulfilment.audit import record_in_history
from hemi_fulfilment.evidence_admin import EvidenceAdminMixin
from hemi_fulfilment.run_progress import progress_key, read_progress
from oc_integration.admin.stock.rerun import RUN_KINDS, can_run_again, run_again
from oc_integration.admin.warnings import AccountWarningsMixin
from oc_integration.catalog.sync import sku_sync_summary
from oc_integration.models import SyncRun
from oc_integration.stock.movements import movement_sync_summary
from oc_integration.stock.plan import StockPlan
from oc_integration.stock.runs import ReviewRefused, apply_reviewed_run, change_summary

APPLY_PERMISSION = "oc_integration.apply_syncrun"
SHOWN_ROWS = 500
#: How often a page waiting for the worker reloads itself.
REFRESH_SECONDS = 2
STATUS_COLOURS: dict[str, str] = {
    SyncRun.Status.SUCCEEDED: "#2f7d32",
    SyncRun.Status.APPLIED: "#2f7d32",
    SyncRun.Status.FAILED: "#ba2121",
    SyncRun.Status.NEEDS_CONFIRMATION: "#b26a00",
    SyncRun.Status.SKIPPED: "#666",
    SyncRun.Status.DRY_RUN: "#205493",
}


def is_waiting(run: SyncRun) -> bool:
    """Whether the run is still with the worker (its pages refresh themselves)."""
    return run.status in (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING)


def waiting_words(run: SyncRun) -> str:
    """Where a queued or running run has got, in words; empty once it has finished."""
    if run.status == SyncRun.Status.QUEUED:
        return "Waiting for the worker to pick it up…"
    if run.status != SyncRun.Status.RUNNING:
        return ""
    reported = read_progress(progress_key("syncrun", run.pk))
    if reported is None:
        return "Started…"
    if reported.percent is None:
        return reported.words
    return f"{reported.words} ({reported.percent} %)"


def review_url(run: SyncRun) -> str:
    return reverse("admin:oc_integration_syncrun_review", args=[run.pk])


def run_changes(run: SyncRun) -> str:
    """What a run changed, in the words of its kind (stock, SKUs, movements, stock age)."""
    if run.kind == SyncRun.Kind.SKUS:
        return sku_sync_summary(run)
    if run.kind == SyncRun.Kind.MOVEMENTS:
        return movement_sync_summary(run)
    if run.kind == SyncRun.Kind.STOCK_AGE:
        # The import says what it stored as its first message.
        return run.messages[0] if run.messages and run.status == SyncRun.Status.SUCCEEDED else ""
    return change_summary(run)


@admin.register(SyncRun)
class SyncRunAdmin(EvidenceAdminMixin, AccountWarningsMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "created",
        "account",
        "kind",
        "trigger",
        "status_badge",
        "skus_seen",
        "rows_created",
        "rows_updated",
        "flipped_to_no",
        "missing_item_accounts",
        "unknown_skus",
        "duration",
    ]
    list_filter = ["status", "kind", "trigger", "account"]
    list_select_related = ["account"]
    date_hierarchy = "created"
    fields = (
        "account",
        "kind",
        "trigger",
        "status_badge",
        "progress",
        "dry_run",
        "changes",
        "created",
        "started",
        "finished",
        "skus_seen",
        "rows_created",
        "rows_updated",
        "rows_unchanged",
        "flipped_to_no",
        "missing_item_accounts",
        "unknown_skus",
        "error",
        "message_list",
        "review_link",
        "api_calls",
    )
    readonly_fields = fields

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: SyncRun) -> str:
        return format_html(
            '<strong style="color:{}">{}</strong>',
            STATUS_COLOURS.get(obj.status, "#333"),
            obj.get_status_display(),
        )

    @admin.display(description="progress")
    def progress(self, obj: SyncRun) -> str:
        return waiting_words(obj) or "-"

    @admin.display(description="API calls")
    def api_calls(self, obj: SyncRun) -> str:
        if obj.started is None:
            return "-"
        return format_html(
            '<a href="{}" id="run-calls">The calls this run made to OC</a>',
            calls_url("oc", obj.account_id, obj.started, obj.finished),
        )

    @admin.display(description="changes")
    def changes(self, obj: SyncRun) -> str:
        return run_changes(obj) or "-"

    @admin.display(description="duration")
    def duration(self, obj: SyncRun) -> str:
        if obj.started and obj.finished:
            return f"{(obj.finished - obj.started).total_seconds():.1f} s"
        return "-"

    @admin.display(description="messages")
    def message_list(self, obj: SyncRun) -> str:
        if not obj.messages:
            return "-"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((m,) for m in obj.messages))
        )

    @admin.display(description="changes waiting")
    def review_link(self, obj: SyncRun) -> str:
        # Only stock runs keep a plan to review; other kinds' dry runs report counts.
        if obj.kind == SyncRun.Kind.STOCK and obj.status in (
            SyncRun.Status.DRY_RUN,
            SyncRun.Status.NEEDS_CONFIRMATION,
        ):
            return format_html('<a href="{}">Review and apply</a>', review_url(obj))
        return "-"

    def get_queryset(self, request: HttpRequest) -> QuerySet[SyncRun]:
        # A stored plan can be tens of MB: the list and detail pages never need it.
        return super().get_queryset(request).defer("plan")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:run_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="oc_integration_syncrun_review",
            ),
            path(
                "<int:run_id>/run-again/",
                self.admin_site.admin_view(self.run_again_view),
                name="oc_integration_syncrun_run_again",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        run = SyncRun.objects.filter(pk=object_id).defer("plan").first()
        extra = dict(extra_context or {})
        if run is not None:
            extra["refresh_seconds"] = REFRESH_SECONDS if is_waiting(run) else None
            extra["can_run_again"] = can_run_again(run) and request.user.has_perm(
                RUN_KINDS[run.kind].permission
            )
        return super().change_view(request, object_id, form_url, extra)

    def run_again_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        """POST: queue a new run like a failed one, and show the new run's page."""
        run = get_object_or_404(SyncRun.objects.select_related("account").defer("plan"), pk=run_id)
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse("admin:oc_integration_syncrun_change", args=[run.pk])
            )
        if not can_run_again(run):
            messages.error(
                request,
                f"Run #{run.pk} is {run.get_status_display().lower()}: "
                "only failed or skipped runs are started again.",
            )
            return HttpResponseRedirect(
                reverse("admin:oc_integration_syncrun_change", args=[run.pk])
            )
        if not request.user.has_perm(RUN_KINDS[run.kind].permission):
            raise PermissionDenied(f"You may not start {run.get_kind_display().lower()} runs.")
        again = run_again(run, run.account)
        record_in_history(
            request, [run, run.account], f"Ran run #{run.pk} again as run #{again.pk}."
        )
        messages.info(
            request, f"Run #{run.pk} queued again as run #{again.pk}; this page follows it."
        )
        return HttpResponseRedirect(reverse("admin:oc_integration_syncrun_change", args=[again.pk]))

    def review_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        """What a dry run (or a run waiting for confirmation) would change, and Apply."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(SyncRun.objects.select_related("account"), pk=run_id)
        can_apply = request.user.has_perm(APPLY_PERMISSION)
        if request.method == "POST":
            if not can_apply:
                raise PermissionDenied("You may not apply stock changes.")
            try:
                run = apply_reviewed_run(run.pk)
            except ReviewRefused as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(review_url(run))
            record_in_history(
                request, [run, run.account], f"Applied the reviewed changes of run #{run.pk}."
            )
            messages.success(request, f"Applied run #{run.pk}. {change_summary(run)}")
            return HttpResponseRedirect(
                reverse("admin:oc_integration_syncrun_change", args=[run.pk])
            )
        try:
            plan = StockPlan.from_json(run.plan) if run.plan else None
        except ValueError:
            plan = None
            messages.warning(
                request, f"Run #{run.pk} was stored by an earlier version: start a new dry run."
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review stock changes of run #{run.pk} ({run.account})",
            "opts": SyncRun._meta,
            "run": run,
            "plan": plan,
            "can_apply": can_apply and plan is not None,
            "stock_changes": plan.upserts[:SHOWN_ROWS] if plan else [],
            "flips": plan.flips[:SHOWN_ROWS] if plan else [],
            "hidden_changes": max(0, len(plan.upserts) - SHOWN_ROWS) if plan else 0,
            "hidden_flips": max(0, len(plan.flips) - SHOWN_ROWS) if plan else 0,
            "refresh_seconds": REFRESH_SECONDS if is_waiting(run) else None,
            "waiting": waiting_words(run),
        }
        return TemplateResponse(request, "admin/oc_integration/syncrun/review.html", context)
