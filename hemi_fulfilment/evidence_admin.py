"""Admin for records that are evidence: what was sent, what ran, what was called."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class EvidenceAdminMixin:
    """Nobody deletes these from the admin, superusers included.

    Outbound orders sent, sync and eBay runs, callbacks received, shipment reports, stock
    rows (OC's figures as last confirmed) and the API call log answer "what happened?"
    long after the fact; only their own purge jobs remove them, after the retention the
    settings give.
    """

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Never: evidence is kept."""
        return False
