"""Pages of one record beside its change page (labels, uploads, OC actions): each checks
its permission on the server, goes back to the record, and turns OC's answer into words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from hemi_fulfilment.integration_errors import NoUsableToken
from hemi_fulfilment.pdf_download import pdf_download
from oc_integration.client import OCError


class RecordPagesMixin:
    """For the ModelAdmin of records of an OC account (inbound orders, return orders)."""

    model: Any

    def guarded_record(self, request: HttpRequest, pk: int, permission: str, what: str) -> Any:
        """The record, for a user who has ``permission`` (else 403: "You may not <what>.")."""
        if not request.user.has_perm(permission):
            raise PermissionDenied(f"You may not {what}.")
        return get_object_or_404(self.model._default_manager.select_related("account"), pk=pk)

    def back_to_record(self, record: Any) -> HttpResponseRedirect:
        """Back to the record's change page (where the messages show)."""
        opts = record._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        )

    def label_download(
        self,
        request: HttpRequest,
        record: Any,
        fetch: Callable[[], bytes],
        *,
        name: str,
        refused: tuple[type[Exception], ...],
        missing: str,
    ) -> HttpResponse:
        """OC's label PDF as a download, or back to the record saying why there is none:
        ``refused`` are Hemi's own reasons (shown as they are), ``missing`` begins OC's."""
        try:
            pdf = fetch()
        except refused as exc:
            messages.error(request, str(exc))
        except OCError as exc:
            messages.error(request, f"{missing}: {exc.message}")
        except NoUsableToken as exc:
            messages.error(request, f"{exc} Nothing was asked of OC.")
        else:
            return pdf_download(pdf, name)
        return self.back_to_record(record)
