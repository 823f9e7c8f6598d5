"""Form pieces the admins share: write-only secrets and https-by-default URL fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models


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
