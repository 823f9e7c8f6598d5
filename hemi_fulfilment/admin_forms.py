"""Form pieces the admins share: write-only secrets kept out of error reports, and
https-by-default URL fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse


def https_url_fields(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """A ModelForm ``formfield_callback``: a URL typed without a scheme means https
    (Django 6's default, adopted now)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def write_only_secret(label: str, help_text: str, **kwargs: Any) -> forms.CharField:
    """A password-style field that never renders the stored value (not even masked)."""
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=help_text,
        **kwargs,
    )


class SecretFieldsAdminMixin:
    """For a ModelAdmin whose form takes secrets: they never appear in an error report.

    ``secret_fields`` names the form fields; this is what ``sensitive_post_parameters``
    does, with the names each admin declares.
    """

    secret_fields: tuple[str, ...] = ()

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The add and change pages, with :attr:`secret_fields` hidden from error reports."""
        request.sensitive_post_parameters = list(self.secret_fields)  # type: ignore[attr-defined]
        return super().changeform_view(  # type: ignore[misc]
            request, object_id, form_url, extra_context
        )


class WarningsAdminMixin:
    """For a ModelAdmin whose list and change pages show an integration's warnings.

    Subclasses say which warnings in :meth:`show_warnings`; a change page of the record a
    warning is about leaves that one out when ``warns_about_itself`` (the page says it).
    """

    #: True on the admin of the records the warnings are about.
    warns_about_itself = False

    def show_warnings(self, request: HttpRequest, *, on_list: bool, except_id: int | None) -> None:
        """Add the warnings to the page's messages (each subclass says which: an abstract
        method, kept without ABCMeta because ModelAdmin has a metaclass of its own)."""
        raise NotImplementedError

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        """The list, with the warnings."""
        self.show_warnings(request, on_list=True, except_id=None)
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> Any:
        """The add and change pages, with the warnings."""
        own = None
        if self.warns_about_itself and object_id and object_id.isdigit():
            own = int(object_id)
        self.show_warnings(request, on_list=False, except_id=own)
        return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
