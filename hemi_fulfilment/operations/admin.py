"""The alert log (read-only evidence) and the alert recipients of integration records."""

from __future__ import annotations

import threading
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html

from hemi_fulfilment.evidence_admin import EvidenceAdminMixin
from hemi_fulfilment.operations.models import AlertRecipients, Incident
from hemi_fulfilment.operations.registry import parse_addresses, registry


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Incident)
class IncidentAdmin(EvidenceAdminMixin, admin.ModelAdmin):
    """Every alert sent: when it opened, whom it reached, when it cleared. Read-only."""

    list_display = ["opened_at", "state", "kind", "subject", "message", "where", "resolved_at"]
    list_filter = [OpenFilter, "kind"]
    search_fields = ["subject", "message", "subject_key"]
    date_hierarchy = "opened_at"
    readonly_fields = [f.name for f in Incident._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="state")
    def state(self, obj: Incident) -> str:
        return "Open" if obj.is_open else "Resolved"

    @admin.display(description="where to fix it")
    def where(self, obj: Incident) -> str:
        return format_html('<a href="{}">open</a>', obj.link) if obj.link else "-"


def subject_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The records staff can set recipients for, grouped by kind of record."""
    groups = []
    for (app_label, model_name), subjects in sorted(registry.recipient_subjects.items()):
        options = [(f"{app_label}.{model_name}:{pk}", name) for pk, name in subjects.choices()]
        groups.append((subjects.label, options))
    return groups


class AlertRecipientsForm(forms.ModelForm):
    record = forms.ChoiceField(label="alerts about", choices=())

    class Meta:
        model = AlertRecipients
        fields = ["emails"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        record = self.fields["record"]
        assert isinstance(record, forms.ChoiceField)
        record.choices = subject_choices()
        if self.instance.pk:
            self.fields["record"].initial = self.instance.subject_key

    def clean_emails(self) -> str:
        addresses = parse_addresses(self.cleaned_data["emails"])
        if not addresses:
            raise ValidationError("Give at least one email address.")
        bad = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad:
            raise ValidationError(f"Not an email address: {', '.join(bad)}.")
        return "\n".join(addresses)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        record = cleaned.get("record", "")
        label, _, object_id = str(record).partition(":")
        app_label, _, model_name = label.partition(".")
        self.instance.app_label, self.instance.model_name = app_label, model_name
        self.instance.object_id = object_id
        duplicate = AlertRecipients.objects.filter(
            app_label=app_label, model_name=model_name, object_id=object_id
        ).exclude(pk=self.instance.pk)
        if duplicate.exists():
            self.add_error("record", "This record has its recipients already: change those.")
        return cleaned


@admin.register(AlertRecipients)
class AlertRecipientsAdmin(admin.ModelAdmin):
    """Who is emailed about one record's alerts (ADMINS always are)."""

    form = AlertRecipientsForm
    list_display = ["record", "addresses"]
    fields = ["record", "emails"]
    # The records' names, read once per list page (not once per row).
    _names = threading.local()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._names.by_kind = {}
        try:
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()
            return response
        finally:
            self._names.by_kind = {}

    def _record_names(self, key: tuple[str, str]) -> dict[str, str]:
        by_kind: dict[tuple[str, str], dict[str, str]] = getattr(self._names, "by_kind", {})
        if key not in by_kind:
            subjects = registry.recipient_subjects[key]
            by_kind[key] = {str(pk): name for pk, name in subjects.choices()}
        return by_kind[key]

    @admin.display(description="alerts about")
    def record(self, obj: AlertRecipients) -> str:
        key = (obj.app_label, obj.model_name)
        subjects = registry.recipient_subjects.get(key)
        if subjects is None:
            return str(obj)
        name = self._record_names(key).get(obj.object_id, f"#{obj.object_id} (gone)")
        return f"{subjects.label} {name}"

    @admin.display(description="email addresses")
    def addresses(self, obj: AlertRecipients) -> str:
        return ", ".join(parse_addresses(obj.emails))
