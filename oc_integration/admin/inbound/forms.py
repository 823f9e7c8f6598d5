"""The inbound order's forms: cartons and lines (SKUs approved in the order's region),
the tracking numbers form and the customs file form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from oc_integration.client.inbound import (
    CARRIER_MAX_LENGTH,
    CLEARANCE_FILE_ENDINGS,
    CLEARANCE_MAX_BYTES,
    TRACKING_NUMBER_MAX_LENGTH,
    ClearanceFile,
    TrackingNumber,
    clearance_problems,
)
from oc_integration.inbound.validation import skus_approved_in_region
from oc_integration.models import (
    Approval,
    InboundCarton,
    InboundLine,
    InboundOrder,
    InboundStatusChange,
    OCSku,
)
from oc_integration.models.inbound import CLEARANCE_TYPE_CHOICES

#: What staff edit on a draft inbound order (read-only once it is placed).
ORDER_FIELDS = (
    "account",
    "seller_inbound_number",
    "region",
    "shipping_from",
    "shipping_method",
    "transport_method",
    "eta",
    "vat",
)


class InboundOrderForm(forms.ModelForm):
    class Meta:
        model = InboundOrder
        fields = ORDER_FIELDS

    def clean_shipping_from(self) -> str:
        return str(self.cleaned_data.get("shipping_from") or "").strip().upper()

    def clean_region(self) -> str:
        return str(self.cleaned_data.get("region") or "").strip()


class EditableWhileDraft:
    """Inlines that may change only while their order is a draft (or was refused)."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        editable = obj is None or obj.is_editable
        return editable and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        editable = obj is None or obj.is_editable
        return editable and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        editable = obj is None or obj.is_editable
        return editable and super().has_delete_permission(request, obj)  # type: ignore[misc]


class CartonInline(EditableWhileDraft, admin.TabularInline):
    """The order's cartons; a line naming a carton not listed here adds it."""

    model = InboundCarton
    extra = 0
    fields = ["seller_carton_number", "origin_country"]


class LineForm(forms.ModelForm):
    carton_number = forms.CharField(
        label="carton", max_length=50, help_text="The seller carton number, e.g. C001."
    )
    quantity = forms.IntegerField(min_value=1, label="units")

    class Meta:
        model = InboundLine
        fields = ["carton_number", "sku", "quantity"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.carton_id:
            self.fields["carton_number"].initial = self.instance.carton.seller_carton_number


class LineFormSet(forms.BaseInlineFormSet):
    """Every line's SKU must be approved at OC in the order's region; a SKU once a carton."""

    def clean(self) -> None:
        super().clean()
        order: InboundOrder = self.instance
        region = (order.region or "").strip()
        chosen = [
            form.cleaned_data
            for form in self.forms
            if hasattr(form, "cleaned_data")
            and form.cleaned_data.get("sku")
            and not form.cleaned_data.get("DELETE")
        ]
        if not chosen or not region or not order.account_id:
            return
        approved = set(
            skus_approved_in_region(order.account, region)
            .filter(pk__in=[data["sku"].pk for data in chosen])
            .values_list("pk", flat=True)
        )
        problems = [
            f"OC SKU {data['sku'].oc_sku} is not approved at OC for the fulfilment centre {region}."
            for data in chosen
            if data["sku"].pk not in approved
        ]
        seen: set[tuple[str, int]] = set()
        for data in chosen:
            key = (data["carton_number"].strip(), data["sku"].pk)
            if key in seen:
                problems.append(
                    f"OC SKU {data['sku'].oc_sku} is listed twice in carton {key[0]}: "
                    "add the units to one line."
                )
            seen.add(key)
        if problems:
            raise forms.ValidationError(problems)


class LineInline(EditableWhileDraft, admin.TabularInline):
    """The order's lines: carton, OC SKU (approved in the region) and units."""

    model = InboundLine
    form = LineForm
    formset = LineFormSet
    extra = 0
    fields = ["carton_number", "sku", "quantity"]
    verbose_name = "line (OC SKU in a carton)"
    verbose_name_plural = "lines (OC SKUs approved in the order's region, per carton)"

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("carton", "sku")

    @admin.display(description="carton")
    def carton_number(self, obj: InboundLine) -> str:
        # Shown when the line is read-only (placed orders, view-only staff).
        return obj.carton.seller_carton_number if obj.carton_id else "-"

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("sku")
        if isinstance(field, forms.ModelChoiceField):
            if obj is not None and obj.region:
                field.queryset = skus_approved_in_region(obj.account, obj.region)
            else:
                # A new order's region is not known yet: its save checks each line.
                field.queryset = OCSku.objects.filter(approval=Approval.APPROVED)
        return formset


class StatusHistoryInline(admin.TabularInline):
    """Every status the order reached (evidence: read-only, never deleted)."""

    model = InboundStatusChange
    extra = 0
    can_delete = False
    fields = ("status", "oc_status", "changed_at", "recorded", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TrackingForm(forms.Form):
    """One tracking number per carton, or one for the whole order."""

    carrier = forms.CharField(max_length=CARRIER_MAX_LENGTH, help_text="e.g. DHL, UPS, FedEx")
    whole_order = forms.CharField(
        label="Tracking number for the whole order",
        max_length=TRACKING_NUMBER_MAX_LENGTH,
        required=False,
        help_text="Or one per carton below.",
    )

    def __init__(self, *args: Any, cartons: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cartons = cartons
        for number in cartons:
            self.fields[f"carton_{number}"] = forms.CharField(
                label=f"Carton {number}", max_length=TRACKING_NUMBER_MAX_LENGTH, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        per_carton = [n for n in self.cartons if (data.get(f"carton_{n}") or "").strip()]
        if data.get("whole_order", "").strip() and per_carton:
            raise forms.ValidationError("Enter one number for the whole order, or one per carton.")
        if not data.get("whole_order", "").strip() and not per_carton:
            raise forms.ValidationError("Enter at least one tracking number.")
        return data

    def entries(self) -> list[TrackingNumber]:
        carrier = self.cleaned_data["carrier"].strip()
        whole = self.cleaned_data["whole_order"].strip()
        if whole:
            return [TrackingNumber(carrier, whole)]
        return [
            TrackingNumber(carrier, self.cleaned_data[f"carton_{n}"].strip(), n)
            for n in self.cartons
            if self.cleaned_data[f"carton_{n}"].strip()
        ]


class ClearanceForm(forms.Form):
    """One customs-clearance file: its type, name ending and size checked before sending."""

    file_type = forms.ChoiceField(label="document", choices=CLEARANCE_TYPE_CHOICES)
    file = forms.FileField(
        help_text=f"{', '.join(CLEARANCE_FILE_ENDINGS)}; at most "
        f"{CLEARANCE_MAX_BYTES // (1024 * 1024)} MB."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is None or not data.get("file_type"):
            return data
        if upload.size > CLEARANCE_MAX_BYTES:  # checked before reading it into memory
            self.add_error("file", f"The file is larger than {CLEARANCE_MAX_BYTES // 2**20} MB.")
            return data
        document = ClearanceFile(upload.name or "", data["file_type"], upload.read())
        for field, problem in clearance_problems(document):
            self.add_error(field if field in self.fields else None, problem)
        data["document"] = document
        return data
