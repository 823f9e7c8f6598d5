"""Where each OC figure is dealt with in the admin."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from oc_integration.models import OutboundStatus, WebhookDelivery


def account_page(account_id: int) -> str:
    return reverse("admin:oc_integration_accountorangeconnex_change", args=[account_id])


def _orders(account_id: int, status: str) -> str:
    query = urlencode({"account__id__exact": account_id, "status__in": status})
    return f"{reverse('admin:oc_integration_outboundorder_changelist')}?{query}"


def stuck_orders(account_id: int) -> str:
    return _orders(account_id, f"{OutboundStatus.SENDING},{OutboundStatus.UNKNOWN}")


def rejected_orders(account_id: int) -> str:
    return _orders(account_id, OutboundStatus.REJECTED)


def stock_run_review(run_id: int) -> str:
    return reverse("admin:oc_integration_syncrun_review", args=[run_id])


def stock_runs(account_id: int) -> str:
    query = urlencode({"account__id__exact": account_id})
    return f"{reverse('admin:oc_integration_syncrun_changelist')}?{query}"


def failed_callbacks(account_id: int) -> str:
    query = urlencode(
        {"account__id__exact": account_id, "status__exact": WebhookDelivery.Status.FAILED}
    )
    return f"{reverse('admin:oc_integration_webhookdelivery_changelist')}?{query}"
