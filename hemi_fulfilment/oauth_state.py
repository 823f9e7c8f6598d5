"""The ``state`` of an OAuth code flow, for every provider a person authorizes in the admin.

A state is 256 random bits, single use, bound to the admin's browser session and to the
record being authorized (an OC account, an eBay connection), and short-lived. Only
SHA-256 digests are stored, so a database reader cannot forge a callback. A state is
used up (committed) before any token request, so a replayed callback finds it used.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone


class AuthorizationRejected(Exception):
    """The callback or pasted code cannot be used; ``str()`` is a message for people."""


class AuthorizationRequest(models.Model):
    """One press of an "authorize" button: the state sent to the provider.

    Concrete models add the foreign key to what is being authorized.
    """

    state_digest = models.CharField(max_length=64, unique=True)
    session_digest = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created"]


Request = TypeVar("Request", bound=AuthorizationRequest)


def digest(value: str) -> str:
    """The SHA-256 hex digest that stands for ``value`` in the database."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def issue_state(
    model: type[AuthorizationRequest],
    *,
    session_key: str,
    user_id: int | None,
    lifetime: timedelta,
    **binding: Any,
) -> str:
    """A fresh state for the record in ``binding`` (e.g. ``account=...``), stored as digests."""
    if not session_key:
        raise AuthorizationRejected("Your browser session has no key; sign in again.")
    state = secrets.token_urlsafe(32)
    model._default_manager.create(
        state_digest=digest(state),
        session_digest=digest(session_key),
        user_id=user_id,
        expires_at=timezone.now() + lifetime,
        **binding,
    )
    return state


def consume_state(
    model: type[Request],
    state: str,
    *,
    session_key: str,
    provider: str,
    bound_to: str,
    start_again: str,
    lifetime: timedelta,
) -> Request:
    """Check and use up ``state``; return its request with ``bound_to`` loaded.

    ``provider`` ("Orange Connex") and ``start_again`` ("the account page") make the
    messages; each refusal says what happened and what to do.
    """
    if not state:
        raise AuthorizationRejected(
            f"The answer from {provider} carries no state, so it cannot be matched to an "
            f"authorization started here. Start again from {start_again}."
        )
    with transaction.atomic():
        request = (
            model._default_manager.select_for_update(of=("self",))
            .select_related(bound_to)
            .filter(state_digest=digest(state))
            .first()
        )
        if request is None:
            raise AuthorizationRejected(
                "This authorization answer is unknown here: it was not started from this "
                f"installation. Start again from {start_again}."
            )
        if request.used_at is not None:
            raise AuthorizationRejected(
                "This authorization answer was already used. If it did not complete, start "
                f"again from {start_again}."
            )
        if request.session_digest != digest(session_key or ""):
            raise AuthorizationRejected(
                "This authorization was started in another browser session. Start again "
                f"from {start_again} in this browser."
            )
        if request.expires_at <= timezone.now():
            request.used_at = timezone.now()
            request.outcome = "expired"
            request.save(update_fields=["used_at", "outcome"])
            raise AuthorizationRejected(
                f"This authorization took longer than {int(lifetime.total_seconds()) // 60} "
                f"minutes and expired. Start again from {start_again}."
            )
        request.used_at = timezone.now()
        request.outcome = "callback received"
        request.save(update_fields=["used_at", "outcome"])
    return request
