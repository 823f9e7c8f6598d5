"""The seller's own label on the outbound order page: show it, attach it, remove it.

Attached from this side to the outbound order admin (``attach_to_outbound_admin``): an
"Own label" section on the order's page and a page of its own to upload the label file
with its carrier and tracking number. Attaching and removing need the named permission
``attach_ownlabel``, checked on the server; view-only staff see the label, never the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from hemi_fulfilment.audit import record_in_history
from oc_integration.models import OutboundOrder, OwnLabel
from oc_integration.outbound.own_label import (
    ATTACHABLE,
    LabelRefused,
    allowed_types,
    attach_label,
    check_label,
    remove_label,
)

ATTACH_PERMISSION = "oc_integration.attach_ownlabel"
SUMMARY, MANAGE = "own_label_summary", "own_label_manage"
TEMPLATE = "admin/oc_integration/outboundorder/own_label.html"


def may_attach(request: HttpRequest) -> bool:
    """Whether the user may attach or remove the seller's own label."""
    return request.user.has_perm(ATTACH_PERMISSION)


class OwnLabelForm(forms.Form):
    """The label file with its carrier and tracking number."""

    label_file = forms.FileField(
        required=False, allow_empty_file=True, help_text="The label as the carrier issued it."
    )
    carrier = forms.CharField(max_length=200, required=False)
    tracking_number = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = allowed_types()
        self.fields["label_file"].help_text = f"Allowed: {', '.join(types)}."
        self.fields["label_file"].widget.attrs["accept"] = ",".join(f".{t.lower()}" for t in types)
        self.content = b""

    def clean(self) -> dict[str, Any]:
        """Check the file (type, size, content) and the details with the service's rules."""
        cleaned = super().clean() or {}
        upload = cleaned.get("label_file")
        name = upload.name if upload else ""
        # A file far above the limit is not read whole: its start and size suffice.
        self.content = upload.read(settings.OC_OWN_LABEL_MAX_BYTES + 1) if upload else b""
        check = check_label(
            name or "",
            self.content,
            cleaned.get("carrier") or "",
            cleaned.get("tracking_number") or "",
            size=upload.size if upload else 0,
        )
        for field_name, errors in check.errors.items():
            for message in errors:
                self.add_error(field_name, message)
        return cleaned


class OwnLabelFilter(admin.SimpleListFilter):
    """Orders with or without the seller's own label (one join, no per-row query)."""

    title = "own label"
    parameter_name = "own_label"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "With own label"), ("no", "OC's label")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(own_label__isnull=self.value() == "no")
        return queryset


def _summary(outbound: OutboundOrder) -> str:
    label = getattr(outbound, "own_label", None)
    if label is None:
        return "None: OC prints its own label (Place Outbound Order)."
    return format_html(
        '<span id="own-label">{} {} &middot; {} ({}, {} bytes)</span>'
        "<br>Sent with OC's placeThirdPartyLabelOrder.",
        label.carrier,
        label.tracking_number,
        label.file_name,
        label.file_type,
        label.size,
    )


def _manage_link(outbound: OutboundOrder) -> str:
    if outbound.status not in ATTACHABLE:
        return "OC has this order: its label can no longer change."
    url = reverse("admin:oc_integration_outboundorder_own_label", args=[outbound.pk])
    verb = "Change or remove" if hasattr(outbound, "own_label") else "Attach"
    return format_html('<a href="{}" id="attach-own-label">{} own label</a>', url, verb)


def _page(
    request: HttpRequest, model_admin: admin.ModelAdmin, outbound: OutboundOrder, form: Any
) -> TemplateResponse:
    return TemplateResponse(
        request,
        TEMPLATE,
        {
            **model_admin.admin_site.each_context(request),
            "title": f"Own label for {outbound.reference_number}",
            "outbound": outbound,
            "label": OwnLabel.objects.filter(outbound_order=outbound).defer("content").first(),
            "form": form,
            "opts": OutboundOrder._meta,
            "original": outbound,
        },
    )


def own_label_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: int
) -> HttpResponse:
    """Upload (GET: the form; POST: attach or remove) the seller's label of one order."""
    if not may_attach(request):
        raise PermissionDenied("You may not attach own labels to outbound orders.")
    outbound = get_object_or_404(OutboundOrder, pk=object_id)
    back = reverse("admin:oc_integration_outboundorder_change", args=[outbound.pk])
    if request.method != "POST":
        return _page(request, model_admin, outbound, OwnLabelForm())
    if "remove" in request.POST:
        try:
            removed = remove_label(outbound_id=outbound.pk)
        except LabelRefused as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(back)
        if removed:
            record_in_history(request, [outbound], "Own label removed.")
            messages.success(request, f"Own label removed: {outbound} goes as a normal order.")
        return HttpResponseRedirect(back)
    form = OwnLabelForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Nothing was attached: correct the fields marked below.")
        return _page(request, model_admin, outbound, form)
    try:
        label = attach_label(
            outbound_id=outbound.pk,
            file_name=form.cleaned_data["label_file"].name,
            content=form.content,
            carrier=form.cleaned_data["carrier"],
            tracking_number=form.cleaned_data["tracking_number"],
            user=request.user,
        )
    except LabelRefused as exc:
        for field_name, errors in exc.errors.items():
            for message in errors:
                form.add_error(field_name if field_name in form.fields else None, message)
        messages.error(request, "Nothing was attached: correct the fields marked below.")
        return _page(request, model_admin, outbound, form)
    record_in_history(request, [outbound], f"Own label attached: {label}.")
    messages.success(
        request,
        f"Own label attached to {outbound}: {label.carrier} {label.tracking_number} "
        f"({label.file_type}). The next push sends it with OC's placeThirdPartyLabelOrder.",
    )
    return HttpResponseRedirect(back)


def attach_to_outbound_admin(site: admin.AdminSite = admin.site) -> None:
    """Give the outbound order admin its "Own label" section and upload page."""
    outbound_admin = site.get_model_admin(OutboundOrder)
    fieldsets_of: Callable[..., Any] = outbound_admin.get_fieldsets
    readonly_of: Callable[..., Any] = outbound_admin.get_readonly_fields
    urls_of: Callable[[], list[URLPattern]] = outbound_admin.get_urls

    def get_fieldsets(request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = [SUMMARY, MANAGE] if obj is not None and may_attach(request) else [SUMMARY]
        return [*fieldsets_of(request, obj), ("Own label", {"fields": fields})]

    def get_readonly_fields(request: HttpRequest, obj: Any = None) -> list[str]:
        return [*readonly_of(request, obj), SUMMARY, MANAGE]

    def get_urls() -> list[URLPattern]:
        view = outbound_admin.admin_site.admin_view(
            lambda request, object_id: own_label_view(outbound_admin, request, object_id)
        )
        own = path(
            "<int:object_id>/own-label/", view, name="oc_integration_outboundorder_own_label"
        )
        return [own, *urls_of()]

    summary = admin.display(description="own label")(_summary)
    manage = admin.display(description="")(_manage_link)
    outbound_admin.get_fieldsets = get_fieldsets  # type: ignore[method-assign]
    outbound_admin.get_readonly_fields = get_readonly_fields  # type: ignore[method-assign]
    outbound_admin.get_urls = get_urls  # type: ignore[method-assign]
    setattr(outbound_admin, SUMMARY, summary)
    setattr(outbound_admin, MANAGE, manage)
    # An instance attribute: the admin class stays as its module defines it.
    setattr(outbound_admin, "list_filter", [*outbound_admin.list_filter, OwnLabelFilter])  # noqa: B010
