"""A PDF from OC (labels) handed to the browser as a download."""

from __future__ import annotations

from django.http import HttpResponse


def pdf_download(content: bytes, name: str) -> HttpResponse:
    """``content`` as the attachment ``<name>.pdf`` (the browser saves it, never shows it
    inside the admin page)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
