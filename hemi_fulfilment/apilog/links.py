"""Links from a run or an order to the API calls it made, as a filtered call log."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.urls import reverse

#: Calls are logged as they end: a little margin keeps the first and last call in view.
MARGIN = timedelta(seconds=2)


def calls_url(
    provider: str,
    account_id: int | None,
    since: datetime,
    until: datetime | None = None,
    *,
    mentioning: str = "",
) -> str:
    """The call log filtered to one account's calls between two moments.

    ``mentioning`` narrows it to calls whose request carried that text (an order's
    reference number); the account and time filters keep that search to a few rows.
    """
    query: dict[str, str] = {"provider": provider, "created__gte": (since - MARGIN).isoformat()}
    if account_id is not None:
        query["account_id"] = str(account_id)
    if until is not None:
        query["created__lte"] = (until + MARGIN).isoformat()
    if mentioning:
        query["request_body__contains"] = mentioning
    return reverse("admin:apilog_apicalllog_changelist") + "?" + urlencode(query)
