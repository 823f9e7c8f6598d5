"""Django error reports (debug page, emails to ADMINS) that carry no OAuth code or token.

Django hides POST fields marked sensitive and settings with secret-looking names, but it
shows the query string as it came: the OAuth callbacks bring the authorization code and
state there. These classes hide them in the GET list, the request URL and ``META``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from hemi_fulfilment.apilog.redaction import FORM_ONLY_SENSITIVE, SENSITIVE_NAMES

#: Query parameters never shown: OAuth's code and state, and anything named like a secret.
SENSITIVE_QUERY_PARAMETERS = frozenset({*SENSITIVE_NAMES, *FORM_ONLY_SENSITIVE, "state"})


def _is_sensitive(name: str) -> bool:
    return name.lower() in SENSITIVE_QUERY_PARAMETERS


class RedactingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Also hides the raw query string and the URIs that carry it in ``META``."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|QUERY_STRING|REQUEST_URI|RAW_URI",
        flags=re.IGNORECASE,
    )


class RedactingExceptionReporter(ExceptionReporter):
    """Shows the request's query parameters with the sensitive ones' values hidden."""

    def get_traceback_data(self) -> dict[str, Any]:
        """Django's report data, with sensitive query values replaced."""
        data: dict[str, Any] = super().get_traceback_data()
        if self.request is None:
            return data
        hidden = SafeExceptionReporterFilter.cleansed_substitute
        data["request_GET_items"] = [
            (name, hidden if _is_sensitive(name) else value)
            for name, value in self.request.GET.items()
        ]
        uri = str(data.get("request_insecure_uri", ""))
        if "?" in uri:
            base, query = uri.split("?", 1)
            pairs = [
                (name, hidden if _is_sensitive(name) else value)
                for name, value in parse_qsl(query, keep_blank_values=True)
            ]
            data["request_insecure_uri"] = f"{base}?{urlencode(pairs)}"
        return data
