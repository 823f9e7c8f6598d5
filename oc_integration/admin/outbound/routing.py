"""Automatic routing in the admin: the switch per OC account, and the preview.

Anyone who may view sees the preview ("these orders would be routed, these would not,
and why"). Turning routing on or off and starting a run need ``manage_routing``, checked
on the server; turning it on asks for confirmation on a page that shows the preview.
The rules and the routing checks have their admin in :mod:`.routing_rules`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from hemi_fulfilment.audit import record_in_history
from oc_integration.admin.outbound.routing_rules import may_manage_routing
from oc_integration.models import AccountOrangeConnex, AutomaticRouting, RoutingAccount
from oc_integration.outbound.routing.evaluate import Evaluation, preview
from oc_integration.outbound.routing.run import turn_off, turn_on
from oc_integration.tasks import route_orders

#: Rows per table of the preview page (the counts are always complete).
PREVIEW_ROWS = 200


# --- the switch, per account, and the preview -------------------------------------------
@admin.register(RoutingAccount)
class RoutingAccountAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "state",
        "rules",
        "window",
        "last_run_at",
        "last_run_outcome",
        "preview_link",
    ]
    list_display_links = None
    actions = ["turn_routing_on", "turn_routing_off", "route_orders_now"]
    ordering = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoutingAccount]:
        return (
            super()
            .get_queryset(request)
            .select_related("automatic_routing__turned_on_by")
            .annotate(
                enabled_rules=Count("routing_rules", filter=Q(routing_rules__enabled=True)),
                all_rules=Count("routing_rules"),
            )
        )

    @admin.display(description="automatic routing")
    def state(self, account: RoutingAccount) -> str:
        routing = getattr(account, "automatic_routing", None)
        if routing is None or not routing.is_on:
            return format_html('<strong class="routing-off">{}</strong>', "Off")
        by = f" by {routing.turned_on_by}" if routing.turned_on_by_id else ""
        return format_html(
            '<strong class="routing-on" style="color:#2f7d32">On</strong> since {}{}',
            routing.turned_on_at.strftime("%Y-%m-%d %H:%M") if routing.turned_on_at else "-",
            by,
        )

    @admin.display(description="rules")
    def rules(self, account: RoutingAccount) -> str:
        url = reverse("admin:oc_integration_routingrule_changelist")
        return format_html(
            '<a href="{}?account__id__exact={}">{} enabled of {}</a>',
            url,
            account.pk,
            getattr(account, "enabled_rules", 0),
            getattr(account, "all_rules", 0),
        )

    @admin.display(description="orders of the last")
    def window(self, account: RoutingAccount) -> str:
        routing = getattr(account, "automatic_routing", None)
        days = routing.max_order_age_days if routing else AutomaticRouting().max_order_age_days
        if routing is None:
            return f"{days} days"
        url = reverse("admin:oc_integration_automaticrouting_change", args=[routing.pk])
        return format_html('<a href="{}">{} days</a>', url, days)

    @admin.display(description="last run")
    def last_run_at(self, account: RoutingAccount) -> Any:
        routing = getattr(account, "automatic_routing", None)
        return routing.last_run_at if routing and routing.last_run_at else "-"

    @admin.display(description="last run's outcome")
    def last_run_outcome(self, account: RoutingAccount) -> str:
        routing = getattr(account, "automatic_routing", None)
        return routing.last_run_outcome if routing and routing.last_run_outcome else "-"

    @admin.display(description="preview")
    def preview_link(self, account: RoutingAccount) -> str:
        url = reverse("admin:oc_integration_routingaccount_preview", args=[account.pk])
        return format_html('<a href="{}">What would be routed now</a>', url)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_manage_permission(self, request: HttpRequest) -> bool:
        """Whether the user may turn routing on or off, or start a run."""
        return may_manage_routing(request)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:account_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="oc_integration_routingaccount_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, account_id: int) -> HttpResponse:
        """The preview of one account: view-only; a manager may turn routing on from it."""
        if not self.has_view_permission(request):
            raise PermissionDenied("You may not view automatic routing.")
        account = get_object_or_404(RoutingAccount, pk=account_id)
        return self._preview_page(request, [account], confirming=False)

    def _preview_page(
        self, request: HttpRequest, accounts: list[RoutingAccount], *, confirming: bool
    ) -> TemplateResponse:
        evaluations = [preview(account) for account in accounts]
        may_turn_on = may_manage_routing(request) and any(not e.routing.is_on for e in evaluations)
        return TemplateResponse(
            request,
            "admin/oc_integration/routing/preview.html",
            {
                **self.admin_site.each_context(request),
                "title": (
                    "Turn automatic routing on?" if confirming else "What automatic routing does"
                ),
                "evaluations": [_shown(e) for e in evaluations],
                "confirming": confirming,
                "may_turn_on": may_turn_on,
                "accounts": accounts,
                "changelist": reverse("admin:oc_integration_routingaccount_changelist"),
                "opts": self.model._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Turn automatic routing on…", permissions=["manage"])
    def turn_routing_on(
        self, request: HttpRequest, queryset: QuerySet[RoutingAccount]
    ) -> HttpResponse | None:
        # The confirmation page is a view of its own: it checks too, not only the list.
        if not self.has_manage_permission(request):
            raise PermissionDenied("You may not turn automatic routing on.")
        accounts = list(queryset.order_by("name"))
        if request.POST.get("post") != "yes":
            return self._preview_page(request, accounts, confirming=True)
        for account in accounts:
            turn_on(account, by=request.user if request.user.is_authenticated else None)
            record_in_history(request, [account], "Automatic routing turned on.")
        messages.success(
            request,
            f"Automatic routing is now on for {', '.join(map(str, accounts))}: the next run "
            "(within 5 minutes) routes the orders the preview showed, and new paid orders "
            "after them.",
        )
        return None

    @admin.action(description="Turn automatic routing off", permissions=["manage"])
    def turn_routing_off(self, request: HttpRequest, queryset: QuerySet[RoutingAccount]) -> None:
        if not self.has_manage_permission(request):
            raise PermissionDenied("You may not turn automatic routing off.")
        accounts = list(queryset.order_by("name"))
        for account in accounts:
            turn_off(account)
            record_in_history(request, [account], "Automatic routing turned off.")
        messages.success(
            request,
            f"Automatic routing is now off for {', '.join(map(str, accounts))}: no order is "
            "routed until a manager turns it on again. Orders already routed stay queued.",
        )

    @admin.action(description="Route new orders now", permissions=["manage"])
    def route_orders_now(self, request: HttpRequest, queryset: QuerySet[RoutingAccount]) -> None:
        if not self.has_manage_permission(request):
            raise PermissionDenied("You may not start automatic routing.")
        accounts = list(queryset.select_related("automatic_routing").order_by("name"))
        off = [a for a in accounts if not _is_on(a)]
        for account in accounts:
            if account not in off:
                transaction.on_commit(partial(route_orders.delay, account.pk))
        if off:
            messages.warning(
                request,
                f"Automatic routing is off for {', '.join(map(str, off))}: turn it on first.",
            )
        started = [a for a in accounts if a not in off]
        if started:
            messages.success(
                request,
                f"Routing run queued for {', '.join(map(str, started))}; the worker routes "
                "their new paid orders and queues the push.",
            )


@admin.register(AutomaticRouting)
class AutomaticRoutingAdmin(admin.ModelAdmin):
    """One account's routing settings: only how far back it looks can be edited here;
    it is turned on and off from the automatic routing page (with its confirmation)."""

    readonly_fields = [
        "account",
        "is_on",
        "turned_on_by",
        "turned_on_at",
        "turned_off_at",
        "rules_changed_at",
        "last_run_at",
        "last_run_outcome",
    ]
    fields = [*readonly_fields[:2], "max_order_age_days", *readonly_fields[2:]]
    list_display = ["account", "is_on", "max_order_age_days", "last_run_at"]
    list_select_related = ["account"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False  # listed on the automatic routing page, per account

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_manage_routing(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _is_on(account: AccountOrangeConnex) -> bool:
    routing = getattr(account, "automatic_routing", None)
    return bool(routing and routing.is_on)


def _shown(evaluation: Evaluation) -> dict[str, Any]:
    """The preview of one account as the page shows it (long lists cut to PREVIEW_ROWS)."""
    return {
        "account": evaluation.account,
        "routing": evaluation.routing,
        "routed": evaluation.routed[:PREVIEW_ROWS],
        "routed_count": len(evaluation.routed),
        "not_routed": evaluation.not_routed[:PREVIEW_ROWS],
        "not_routed_count": len(evaluation.not_routed),
        "already_at_oc": evaluation.already_at_oc,
        "cut": max(len(evaluation.routed), len(evaluation.not_routed)) > PREVIEW_ROWS,
        "rows": PREVIEW_ROWS,
    }
