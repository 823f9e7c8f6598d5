"""How an alert reaches people: email (the record's recipients and ``ADMINS``) and an
optional webhook (JSON, for chat tools)."""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from django.core.mail import EmailMessage

from hemi_fulfilment.operations.models import Incident

logger = logging.getLogger(__name__)


def absolute(link: str) -> str:
    """An admin path as an address people can open from an email."""
    if not link or "://" in link:
        return link
    return settings.PUBLIC_BASE_URL.rstrip("/") + link


def admin_addresses() -> list[str]:
    return [address for _, address in settings.ADMINS]


def _opening(incident: Incident) -> tuple[str, str]:
    subject = f"Problem: {incident.subject}: {_first_line(incident.message)}"
    body = "\n\n".join(
        part
        for part in (
            incident.message,
            f"Where to fix it: {absolute(incident.link)}" if incident.link else "",
            f"Noticed at {incident.opened_at:%Y-%m-%d %H:%M:%S} UTC. You get one more message "
            "when it clears; none in between.",
        )
        if part
    )
    return subject, body


def _recovery(incident: Incident) -> tuple[str, str]:
    resolved = incident.resolved_at or incident.opened_at
    subject = f"Recovered: {incident.subject}: {_first_line(incident.message)}"
    body = (
        f"This has cleared:\n\n{incident.message}\n\n"
        f"Open from {incident.opened_at:%Y-%m-%d %H:%M:%S} to {resolved:%Y-%m-%d %H:%M:%S} UTC."
    )
    return subject, body


def _first_line(message: str) -> str:
    first = message.split(". ", 1)[0].strip().rstrip(".")
    return first if len(first) <= 120 else first[:119] + "…"


def send_email(incident: Incident, recipients: list[str], *, recovered: bool) -> None:
    """One email about ``incident`` (raises when the mail server refuses it)."""
    subject, body = _recovery(incident) if recovered else _opening(incident)
    EmailMessage(
        subject=settings.EMAIL_SUBJECT_PREFIX + subject,
        body=body,
        from_email=settings.SERVER_EMAIL,
        to=recipients,
    ).send(fail_silently=False)


def webhook_payload(incident: Incident, *, recovered: bool) -> dict[str, Any]:
    """The JSON the webhook receives; ``text`` is what chat tools show as the message."""
    subject, _ = _recovery(incident) if recovered else _opening(incident)
    return {
        "event": "resolved" if recovered else "opened",
        "text": subject + (f" {absolute(incident.link)}" if incident.link else ""),
        "kind": incident.kind,
        "subject": incident.subject,
        "message": incident.message,
        "link": absolute(incident.link),
        "opened_at": incident.opened_at.isoformat(),
        "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
    }


def post_webhook(incident: Incident, *, recovered: bool) -> bool:
    """POST the incident to ``ALERT_WEBHOOK_URL`` when one is set; never raises.

    The URL is not logged: chat tools put their secret in it.
    """
    url = settings.ALERT_WEBHOOK_URL
    if not url:
        return False
    try:
        response = requests.post(
            url,
            json=webhook_payload(incident, recovered=recovered),
            timeout=settings.ALERT_WEBHOOK_TIMEOUT_SECONDS,
        )
        response.raise_for_status()
    except requests.RequestException as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        logger.warning(
            "Alert webhook failed for incident %s (%s%s)",
            incident.pk,
            type(exc).__name__,
            f", HTTP {status}" if status else "",
        )
        return False
    return True
