"""Admin for eBay connections, runs, shipment reports and orders held for review.

Tokens and the client secret are write-only: never rendered, not even masked. A
connection is made through eBay's consent (Connect to eBay, see ``admin_connect``) or,
for a quick start, with a pasted user token. The eBay account admin gains an "Import
orders now" action and the last runs' outcomes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from celery import Task
from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from ebay_orders.admin_connect import (
    ConnectAdminMixin,
    ConnectionWarningsMixin,
    show_connection_warnings,
)
from ebay_orders.models import (
    ConnectionStatus,
    EbayConnection,
    EbayRun,
    OrderIssue,
    ReportStatus,
    RunStatus,
    RunTrigger,
    ShipmentReport,
)
from ebay_orders.runs import with_last_runs
from ebay_orders.tasks import import_orders_task, ship_orders_task
from hemi_fulfilment.admin_forms import (
    SecretFieldsAdminMixin,
    https_url_fields,
    write_only_secret,
)
from hemi_fulfilment.audit import record_in_history
from hemi_fulfilment.catalog.admin import EbayAccountAdmin
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.evidence_admin import EvidenceAdminMixin
from hemi_fulfilment.orders.admin import OrderAdmin
from hemi_fulfilment.orders.models import Order

RUN_JOBS_PERMISSION = "ebay_orders.run_ebay_jobs"
RESEND_PERMISSION = "ebay_orders.resend_shipmentreport"
RESOLVE_PERMISSION = "ebay_orders.resolve_orderissue"


class RunJobsPermissionMixin:
    """Answers the ``run_ebay_jobs`` permission of the "Import orders now" actions."""

    def has_run_ebay_jobs_permission(self, request: HttpRequest) -> bool:
        """Whether the user may start an eBay order import now."""
        return request.user.has_perm(RUN_JOBS_PERMISSION)


def _describe(obj: Any, prefix: str) -> str:
    """A run's outcome from the annotations of :func:`with_last_runs`."""
    status = getattr(obj, f"{prefix}_status", None)
    if status is None:
        return "Never run"
    when = getattr(obj, f"{prefix}_at")
    summary = getattr(obj, f"{prefix}_summary") or "(no summary)"
    return f"{RunStatus(status).label} {when:%Y-%m-%d %H:%M}: {summary}"


@dataclass(frozen=True)
class EbayJob:
    """A job the admin can start for chosen eBay accounts: its task and its words."""

    task: Task
    what: str  # "Order import"
    history: str  # what the account's History says
    outcome_shown: str  # where the outcome appears once run


IMPORT_JOB = EbayJob(
    import_orders_task,
    "Order import",
    "Queued an order import.",
    "under eBay runs and in the Last import column",
)
SHIPPING_JOB = EbayJob(
    ship_orders_task,
    "Shipment reports",
    "Queued the shipment reports to eBay.",
    "under eBay runs and in the Last shipping report column",
)


def queue_job(request: HttpRequest, job: EbayJob, accounts: Iterable[EbayAccount]) -> None:
    """Queue ``job`` for each account that has an enabled connection, and say so."""
    queued, refused = [], []
    for account in accounts:
        connection = EbayConnection.objects.filter(ebay_account=account).first()
        if connection is None or not connection.enabled or not has_token(connection):
            refused.append(str(account))
            continue
        # After commit: the worker must not start before the admin's transaction ends.
        transaction.on_commit(
            partial(job.task.delay, account_id=account.pk, trigger=RunTrigger.ADMIN)
        )
        queued.append(str(account))
        record_in_history(request, [account], job.history)
    if queued:
        messages.success(
            request,
            f"{job.what} queued for {', '.join(queued)}. The outcome appears "
            f"{job.outcome_shown} once the worker has run it.",
        )
    if refused:
        messages.warning(
            request,
            f"Not queued for {', '.join(refused)}: no enabled eBay connection with a stored "
            "token (connect it to eBay, or reconnect it).",
        )


def has_token(connection: EbayConnection) -> bool:
    """Whether the connection holds a token a run could use (not awaiting reconnection)."""
    if connection.status == ConnectionStatus.RECONNECT_REQUIRED:
        return False
    return bool(connection.refresh_token or connection.user_token)


#: Fields a form may leave out (older scripts post only the token): the stored value stays.
KEPT_WHEN_ABSENT = ("environment", "scopes", "order_source")


class EbayConnectionForm(forms.ModelForm):
    new_client_secret = write_only_secret(
        "Cert ID (client secret)",
        "From eBay's developer portal. Stored encrypted and never shown again; leave blank "
        "to keep the stored one.",
    )
    new_user_token = write_only_secret(
        "Pasted OAuth user token",
        "Only for a quick start: a user token lives about two hours and nothing renews it. "
        "Stored encrypted and never shown again; leave blank to keep the stored one.",
    )

    class Meta:
        model = EbayConnection
        formfield_callback = https_url_fields
        fields = [
            "ebay_account",
            "enabled",
            "environment",
            "client_id",
            "ru_name",
            "scopes",
            "order_source",
            "api_url",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in KEPT_WHEN_ABSENT:
                if name in self.fields:  # absent when shown read-only
                    self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in KEPT_WHEN_ABSENT:
            if name in self.fields and not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        has_app = cleaned.get("client_id") and (
            cleaned.get("new_client_secret") or self.instance.client_secret
        )
        has_consent = bool(self.instance.refresh_token)
        if not (
            cleaned.get("new_user_token") or self.instance.user_token or has_app or has_consent
        ):
            self.add_error(
                "new_user_token",
                "Enter the seller's eBay OAuth user token, or the App ID and Cert ID of the "
                "eBay application to connect through eBay's consent.",
            )
        return cleaned

    def save(self, commit: bool = True) -> EbayConnection:
        if self.cleaned_data.get("new_user_token"):
            self.instance.user_token = self.cleaned_data["new_user_token"]
        if self.cleaned_data.get("new_client_secret"):
            self.instance.client_secret = self.cleaned_data["new_client_secret"]
        return super().save(commit=commit)


@admin.register(EbayConnection)
class EbayConnectionAdmin(
    ConnectAdminMixin,
    ConnectionWarningsMixin,
    SecretFieldsAdminMixin,
    RunJobsPermissionMixin,
    admin.ModelAdmin,
):
    form = EbayConnectionForm
    warns_about_itself = True
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "ebay_account",
        "enabled",
        "connection_summary",
        "order_source",
        "import_cursor",
        "last_import",
    ]
    list_filter = ["enabled", "status", "environment", "order_source"]
    search_fields = ["ebay_account__name", "ebay_account__site_code"]
    list_select_related = ["ebay_account"]
    actions = ["import_orders_now", "report_shipments_now"]
    fieldsets = [
        (None, {"fields": ["ebay_account", "enabled", "order_source"]}),
        (
            "eBay application and consent",
            {
                "fields": [
                    "connection_summary",
                    "environment",
                    "client_id",
                    "new_client_secret",
                    "client_secret_stored",
                    "ru_name",
                    "scopes",
                    "connected_at",
                ]
            },
        ),
        ("Pasted token (quick start)", {"fields": ["new_user_token", "token_stored"]}),
        ("Trading API", {"fields": ["api_url"]}),
        ("Runs", {"fields": ["import_cursor", "last_import", "last_shipping"]}),
        ("Alerts", {"fields": ["alert_recipients"]}),
        ("Record", {"fields": ["created", "updated"]}),
    ]

    secret_fields = ("new_user_token", "new_client_secret")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = ["connection_summary", "client_secret_stored", "connected_at", "token_stored"]
        fixed += ["import_cursor", "last_import", "last_shipping"]
        fixed += ["created", "updated"]
        return [*fixed, "ebay_account"] if obj is not None else fixed

    @admin.display(description="Token stored")
    def token_stored(self, obj: EbayConnection) -> str:
        # Says whether one is set; the value itself never leaves the database.
        return "Yes" if obj.pk and obj.user_token else "No"

    @admin.display(description="Cert ID stored")
    def client_secret_stored(self, obj: EbayConnection) -> str:
        return "Yes" if obj.pk and obj.client_secret else "No"

    def get_queryset(self, request: HttpRequest) -> QuerySet[EbayConnection]:
        return with_last_runs(super().get_queryset(request), "ebay_account_id")

    @admin.display(description="Last import")
    def last_import(self, obj: EbayConnection) -> str:
        return _describe(obj, "last_import") if obj.pk else "-"

    @admin.display(description="Last shipping report")
    def last_shipping(self, obj: EbayConnection) -> str:
        return _describe(obj, "last_shipping") if obj.pk else "-"

    @admin.action(description="Import orders now", permissions=["run_ebay_jobs"])
    def import_orders_now(self, request: HttpRequest, queryset: QuerySet[EbayConnection]) -> None:
        queue_job(
            request, IMPORT_JOB, [c.ebay_account for c in queryset.select_related("ebay_account")]
        )

    @admin.action(description="Send shipment reports now", permissions=["run_ebay_jobs"])
    def report_shipments_now(
        self, request: HttpRequest, queryset: QuerySet[EbayConnection]
    ) -> None:
        accounts = [c.ebay_account for c in queryset.select_related("ebay_account")]
        queue_job(request, SHIPPING_JOB, accounts)


# Extends the catalog's eBay account admin (its module stays untouched).
admin.site.unregister(EbayAccount)


@admin.register(EbayAccount)
class EbayAccountWithOrdersAdmin(ConnectionWarningsMixin, RunJobsPermissionMixin, EbayAccountAdmin):
    list_display = [*EbayAccountAdmin.list_display, "last_import", "last_shipping"]
    actions = ["import_orders_now", "report_shipments_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[EbayAccount]:
        return with_last_runs(super().get_queryset(request))

    @admin.display(description="Last import")
    def last_import(self, obj: EbayAccount) -> str:
        return _describe(obj, "last_import")

    @admin.display(description="Last shipping report")
    def last_shipping(self, obj: EbayAccount) -> str:
        return _describe(obj, "last_shipping")

    @admin.action(description="Import orders now", permissions=["run_ebay_jobs"])
    def import_orders_now(self, request: HttpRequest, queryset: QuerySet[EbayAccount]) -> None:
        queue_job(request, IMPORT_JOB, queryset)

    @admin.action(description="Send shipment reports now", permissions=["run_ebay_jobs"])
    def report_shipments_now(self, request: HttpRequest, queryset: QuerySet[EbayAccount]) -> None:
        queue_job(request, SHIPPING_JOB, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the jobs: viewable, not editable by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EbayRun)
class EbayRunAdmin(ConnectionWarningsMixin, EvidenceAdminMixin, ReadOnlyAdmin):
    list_display = ["started", "kind", "ebay_account", "trigger", "status", "finished", "summary"]
    list_filter = ["kind", "status", "trigger", "ebay_account"]
    search_fields = ["summary", "messages"]
    list_select_related = ["ebay_account"]
    date_hierarchy = "started"
    readonly_fields = [f.name for f in EbayRun._meta.fields]


@admin.register(ShipmentReport)
class ShipmentReportAdmin(ConnectionWarningsMixin, EvidenceAdminMixin, admin.ModelAdmin):
    list_display = ["order", "status", "attempts", "tracking_number", "reported_at", "updated"]
    list_filter = ["status"]
    search_fields = ["order__number", "order__ebay_order_id", "tracking_number"]
    list_select_related = ["order"]
    readonly_fields = [f.name for f in ShipmentReport._meta.fields]
    actions = ["retry", "mark_reported"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        """Whether the user may send reports again or settle them by hand."""
        return request.user.has_perm(RESEND_PERMISSION)

    @admin.action(
        description="Send again on the next run (failed, interrupted or unconfirmed)",
        permissions=["resend"],
    )
    def retry(self, request: HttpRequest, queryset: QuerySet[ShipmentReport]) -> None:
        retried = list(
            queryset.filter(
                status__in=[ReportStatus.FAILED, ReportStatus.SENDING, ReportStatus.UNCONFIRMED]
            )
        )
        record_in_history(request, retried, "Queued to be sent to eBay again.")
        count = ShipmentReport.objects.filter(pk__in=[r.pk for r in retried]).update(
            status=ReportStatus.PENDING, updated=timezone.now()
        )
        self.message_user(request, f"{count} report(s) will be sent on the next run.")

    @admin.action(description="Mark as reported (checked on eBay)", permissions=["resend"])
    def mark_reported(self, request: HttpRequest, queryset: QuerySet[ShipmentReport]) -> None:
        moment = timezone.now()
        settled = list(queryset.exclude(status=ReportStatus.REPORTED))
        record_in_history(request, settled, "Marked as reported (checked on eBay).")
        count = ShipmentReport.objects.filter(pk__in=[r.pk for r in settled]).update(
            status=ReportStatus.REPORTED, reported_at=moment, updated=moment
        )
        self.message_user(request, f"{count} report(s) marked as reported; none will be sent.")


@admin.register(OrderIssue)
class OrderIssueAdmin(ConnectionWarningsMixin, admin.ModelAdmin):
    list_display = ["ebay_order_id", "ebay_account", "kind", "resolved", "last_seen", "message"]
    list_filter = ["resolved", "kind", "ebay_account"]
    search_fields = ["ebay_order_id", "message"]
    list_select_related = ["ebay_account"]
    readonly_fields = [
        "ebay_account",
        "ebay_order_id",
        "order",
        "kind",
        "message",
        "first_seen",
        "last_seen",
    ]
    fields = [*readonly_fields[:5], "resolved", "first_seen", "last_seen"]
    actions = ["mark_resolved"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Ticking "resolved" on the form releases the order just like the action does.
        fixed = list(self.readonly_fields)
        return fixed if self.has_resolve_permission(request) else [*fixed, "resolved"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        """Whether the user may release held orders to the shipping job."""
        return request.user.has_perm(RESOLVE_PERMISSION)

    @admin.action(
        description="Mark resolved (releases a held order to the shipping job)",
        permissions=["resolve"],
    )
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[OrderIssue]) -> None:
        count = queryset.filter(resolved=False).update(resolved=True)
        self.message_user(request, f"{count} issue(s) marked resolved.")


def attach_to_order_admin(site: admin.AdminSite = admin.site) -> None:
    """Show the eBay connection warnings on Hemi's Orders list; Hemi's admin itself knows
    nothing of eBay connections."""
    order_admin = site.get_model_admin(Order)
    assert isinstance(order_admin, OrderAdmin)
    order_admin.add_notice(show_connection_warnings)


attach_to_order_admin()
