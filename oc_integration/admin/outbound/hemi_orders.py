"""What the OC integration adds to Hemi's Orders admin: push, and links both ways."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join

from hemi_fulfilment.audit import record_in_history
from hemi_fulfilment.orders.admin import OrderAdmin
from hemi_fulfilment.orders.models import Order
from oc_integration.admin.costs.push_preview import confirmed, push_preview_page
from oc_integration.admin.outbound.orders import PUSH_PERMISSION, status_badge
from oc_integration.admin.warnings import show_account_warnings
from oc_integration.auth.accounts import authorized_accounts
from oc_integration.costs.preview import preview_hemi_orders
from oc_integration.models import AccountOrangeConnex, OutboundOrder
from oc_integration.outbound.orders import prepare_outbound_orders
from oc_integration.tasks import push_outbound


class ChooseAccountForm(forms.Form):
    account = forms.ModelChoiceField(
        queryset=AccountOrangeConnex.objects.none(), label="Send to OC account"
    )

    def __init__(self, data: QueryDict | None, *, accounts: list[AccountOrangeConnex]) -> None:
        super().__init__(data)
        field = self.fields["account"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = AccountOrangeConnex.objects.filter(pk__in=[a.pk for a in accounts])


def may_push(request: HttpRequest) -> bool:
    """Whether the user may send orders to OC (the Orders admin asks before offering it)."""
    return request.user.has_perm(PUSH_PERMISSION)


@admin.action(description="Push to Orange Connex", permissions=["push_to_orange_connex"])
def push_to_orange_connex(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Order]
) -> HttpResponse | None:
    """Show what will be sent to OC, with OC's cost estimates; once confirmed, make
    outbound orders from the selected Hemi orders, validate, and queue the push."""
    # The choose-account page is a view of its own: it checks too, not only the action list.
    if not may_push(request):
        raise PermissionDenied("You may not push orders to Orange Connex.")
    accounts = authorized_accounts()
    if not accounts:
        messages.error(request, "No OC account is authorized yet: authorize one first.")
        return None
    account = accounts[0] if len(accounts) == 1 else None
    if account is None:
        form = ChooseAccountForm(
            request.POST if "account" in request.POST else None, accounts=accounts
        )
        if not (form.is_bound and form.is_valid()):
            return TemplateResponse(
                request,
                "admin/oc_integration/choose_account.html",
                {
                    **model_admin.admin_site.each_context(request),
                    "title": "Push orders to Orange Connex",
                    "orders": queryset,
                    "form": form,
                    "opts": model_admin.model._meta,
                    "action_checkbox_name": ACTION_CHECKBOX_NAME,
                },
            )
        account = form.cleaned_data["account"]
    assert account is not None
    if not confirmed(request):
        # Nothing is written or queued before the user has seen what will be sent.
        ids = list(queryset.values_list("pk", flat=True))
        return push_preview_page(
            model_admin,
            request,
            preview=preview_hemi_orders(account, ids),
            action="push_to_orange_connex",
            selected=ids,
            account=account,
            send_account_choice=len(accounts) > 1,
        )
    result = prepare_outbound_orders(account, queryset.values_list("pk", flat=True))
    if result.queued:
        transaction.on_commit(partial(push_outbound.delay, account.pk))
        record_in_history(
            request,
            OutboundOrder.objects.filter(account=account, reference_number__in=result.queued),
            "Pushed to Orange Connex (queued for the worker).",
        )
        messages.success(
            request,
            f"{len(result.queued)} order(s) queued for {account}; the worker sends them "
            f"in calls of at most 50: {', '.join(result.queued)}.",
        )
    for number, errors in result.invalid.items():
        words = " ".join(m for msgs in errors.values() for m in msgs)
        messages.error(request, f"{number} was not sent. {words}")
    for line in result.skipped:
        messages.warning(request, line)
    for line in result.warnings:
        messages.warning(request, f"Warning (sent anyway): {line}")
    return None


@admin.display(description="Orange Connex")
def orange_connex(order: Order) -> str:
    """The order's outbound orders with their status (needs prefetch of outbound_orders)."""
    outbounds = list(order.outbound_orders.all())
    if not outbounds:
        return "-"
    return format_html_join(
        " ",
        '<a href="{}">{}</a> {}',
        (
            (
                reverse("admin:oc_integration_outboundorder_change", args=[o.pk]),
                o.oc_order_number or o.reference_number,
                status_badge(o.status, o.get_status_display()),
            )
            for o in outbounds
        ),
    )


def attach_to_order_admin(site: admin.AdminSite = admin.site) -> None:
    """Give Hemi's Orders admin the push action, the Orange Connex column and the OC
    account warnings; Hemi's admin itself knows nothing of OC."""
    order_admin = site.get_model_admin(Order)
    assert isinstance(order_admin, OrderAdmin)
    order_admin.extend(
        action=push_to_orange_connex,
        column=orange_connex,
        prefetch="outbound_orders",
        notice=show_account_warnings,
        permission_checks={"push_to_orange_connex": may_push},
    )
