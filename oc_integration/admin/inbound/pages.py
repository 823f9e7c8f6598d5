"""The inbound order page's own pages: labels (PDF), tracking numbers, customs files.

Each checks its named permission itself (they are URLs, not actions), sends nothing that
Hemi can already tell is wrong, and shows OC's refusal on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from hemi_fulfilment.audit import record_in_history
from hemi_fulfilment.integration_errors import NoUsableToken
from oc_integration.admin.inbound.forms import ClearanceForm, TrackingForm
from oc_integration.admin.record_pages import RecordPagesMixin
from oc_integration.client import OCError
from oc_integration.inbound.papers import (
    NotSent,
    inbound_labels,
    send_clearance_file,
    send_tracking,
)
from oc_integration.models import InboundOrder

PLACE_PERMISSION = "oc_integration.place_inboundorder"
LABELS_PERMISSION = "oc_integration.download_inbound_labels"
UPLOAD_PERMISSION = "oc_integration.upload_inbound_documents"


class InboundPagesAdmin(RecordPagesMixin, admin.ModelAdmin):
    """The inbound order admin's buttons and the pages behind them."""

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/labels/",
                view(self.labels_view),
                name="oc_integration_inboundorder_labels",
            ),
            path(
                "<int:pk>/tracking/",
                view(self.tracking_view),
                name="oc_integration_inboundorder_tracking",
            ),
            path(
                "<int:pk>/clearance/",
                view(self.clearance_view),
                name="oc_integration_inboundorder_clearance",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        user = request.user
        extra = {
            "may_place": user.has_perm(PLACE_PERMISSION),
            "may_download_labels": user.has_perm(LABELS_PERMISSION),
            "may_upload": user.has_perm(UPLOAD_PERMISSION),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def labels_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The order's carton and SKU labels, as OC prints them (PDF)."""
        order = self.guarded_record(request, pk, LABELS_PERMISSION, "download inbound labels")
        return self.label_download(
            request,
            order,
            lambda: inbound_labels(order),
            name=f"oc-inbound-labels-{order.oc_inbound_number}",
            refused=(NotSent,),
            missing="OC returned no labels",
        )

    def _page(self, request: HttpRequest, order: InboundOrder, title: str, form: Any) -> Any:
        return TemplateResponse(
            request,
            "admin/oc_integration/inboundorder/upload.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "order": order,
                "form": form,
                "opts": self.model._meta,
                "original": order,
            },
        )

    def _upload(
        self,
        request: HttpRequest,
        order: InboundOrder,
        form: Any,
        send: Callable[[], str],
        what: str,
    ) -> HttpResponse:
        """The upload page: on a valid form, ``send`` it (returning the success message);
        Hemi's refusals and OC's are shown on the form."""
        if request.method == "POST" and form.is_valid():
            try:
                done = send()
            except NotSent as exc:
                form.add_error(None, f"{exc} Nothing was sent to OC.")
            except OCError as exc:
                form.add_error(None, f"OC refused the {what}: {exc.message}")
            except NoUsableToken as exc:
                form.add_error(None, f"{exc} Nothing was sent to OC.")
            else:
                record_in_history(request, [order], done)
                messages.success(request, done)
                return self.back_to_record(order)
        return self._page(request, order, f"Upload {what} of {order}", form)

    def tracking_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Upload the carriers' tracking numbers to OC (per carton or for the order)."""
        order = self.guarded_record(request, pk, UPLOAD_PERMISSION, "upload tracking numbers")
        cartons = list(order.cartons.values_list("seller_carton_number", flat=True))
        form = TrackingForm(request.POST if request.method == "POST" else None, cartons=cartons)

        def send() -> str:
            send_tracking(order, form.entries())
            return f"Tracking numbers sent to OC for {order}."

        return self._upload(request, order, form, send, "tracking numbers")

    def clearance_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Upload one customs-clearance file to OC (type and size checked first)."""
        order = self.guarded_record(request, pk, UPLOAD_PERMISSION, "upload customs papers")
        posted = request.method == "POST"
        form = ClearanceForm(request.POST if posted else None, request.FILES if posted else None)

        def send() -> str:
            document = send_clearance_file(order, form.cleaned_data["document"])
            return f"{document} sent to OC for {order}."

        return self._upload(request, order, form, send, "customs papers")
