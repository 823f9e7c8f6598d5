"""Encryption at rest for secrets (OC refresh tokens and secret keys, eBay user tokens).

Fernet (from ``cryptography``) with a key ring: ``FIELD_ENCRYPTION_KEYS`` lists keys
newest first. New values are encrypted with the newest key; any key in the ring can
decrypt, so keys can be rotated without downtime (``manage.py rotate_secrets``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class SecretDecryptionError(Exception):
    """Stored ciphertext could not be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _ring(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    try:
        fernets = [Fernet(key.encode()) for key in keys]
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is invalid: expected Fernet keys (32 url-safe base64 bytes)."
        ) from exc
    return MultiFernet(fernets), fernets[0]


def key_ring() -> tuple[MultiFernet, Fernet]:
    """The configured ring and its newest key."""
    return _ring(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    """Encrypt ``plaintext`` under the newest key."""
    ring, _ = key_ring()
    return ring.encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """Decrypt with whichever configured key made ``ciphertext``."""
    ring, _ = key_ring()
    try:
        return ring.decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise SecretDecryptionError(
            "A stored secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS; "
            "was a key removed from the ring before `rotate_secrets` ran?"
        ) from None


def needs_rotation(ciphertext: str) -> bool:
    """True when ``ciphertext`` was not made with the newest key."""
    _, newest = key_ring()
    try:
        newest.decrypt(ciphertext.encode())
    except InvalidToken:
        return True
    return False


def rotate(ciphertext: str) -> str:
    """Re-encrypt ``ciphertext`` under the newest key."""
    ring, _ = key_ring()
    try:
        return ring.rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise SecretDecryptionError(
            "A stored secret cannot be decrypted with any configured key."
        ) from None


class EncryptedTextField(models.TextField):
    """A text column that holds Fernet ciphertext; Python code sees the plaintext.

    Empty values are stored as the empty string, unencrypted, so "not set" stays
    queryable. Never put this field in a form that renders its value.
    """

    description = "Text encrypted at rest with Fernet"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str:
        if not value:
            return ""
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return ""
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        # Ciphertext is randomised: only "is it set?" can be asked of the column.
        if lookup_name not in {"exact", "isnull"}:
            return None
        return super().get_lookup(lookup_name)
