"""Whether an account's redirect URI brings OC's OAuth answer back to this installation."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from oc_integration.models import AccountOrangeConnex


def redirect_uri_problem(account: AccountOrangeConnex) -> str | None:
    """Why the account's redirect URI would not bring OC's answer back here, if it would not."""
    parts = urlsplit(account.redirect_uri or "")
    try:
        callback = reverse("oc_integration:oauth-callback")
    except NoReverseMatch:  # pragma: no cover - the URLconf always has it
        return "This installation has no OAuth callback route."
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        match = None
    if match is None or match.view_name != "oc_integration:oauth-callback":
        return (
            f"The redirect URI does not route to this installation's callback view "
            f"({settings.PUBLIC_BASE_URL.rstrip('/')}{callback}): OC's answer would not "
            "arrive here. Use the paste path, or correct the redirect URI (and register it "
            "with OC)."
        )
    public = urlsplit(settings.PUBLIC_BASE_URL)
    if (parts.scheme, parts.netloc) != (public.scheme, public.netloc):
        return (
            f"The redirect URI points at {parts.scheme}://{parts.netloc}, but this "
            f"installation is reached at {public.scheme}://{public.netloc} (PUBLIC_BASE_URL)."
        )
    return None
