"""``manage.py rotate_secrets``: re-encrypt every stored secret under the newest key."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from hemi_fulfilment import crypto
from hemi_fulfilment.crypto import EncryptedTextField


def encrypted_columns() -> list[tuple[str, str, str]]:
    """(table, primary key column, encrypted column) for every encrypted field."""
    columns = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue  # its table is its concrete model's, rotated once there
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                columns.append((model._meta.db_table, model._meta.pk.column, field.column))
    return columns


def rotate_all(*, dry_run: bool = False) -> dict[str, int]:
    """Re-encrypt values not made with the newest key; return the count per table.column.

    Idempotent: values already under the newest key are left exactly as they are.
    """
    counts: dict[str, int] = {}
    quote = connection.ops.quote_name
    with transaction.atomic():
        for table, pk, column in encrypted_columns():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "  # noqa: S608 - names from the model registry
                    f"WHERE {quote(column)} <> ''"
                )
                rows = cursor.fetchall()
            changes = [
                (crypto.rotate(value), key, value)
                for key, value in rows
                if crypto.needs_rotation(value)
            ]
            if changes and not dry_run:
                with connection.cursor() as cursor:
                    # Only if the value is still the one read: a token refreshed meanwhile
                    # (already under the newest key) must not be overwritten with the old one.
                    cursor.executemany(
                        f"UPDATE {quote(table)} SET {quote(column)} = %s "  # noqa: S608
                        f"WHERE {quote(pk)} = %s AND {quote(column)} = %s",
                        changes,
                    )
            counts[f"{table}.{column}"] = len(changes)
    return counts


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret (OC secret keys and refresh tokens, eBay tokens) "
        "under the newest key of FIELD_ENCRYPTION_KEYS. Run after putting a new key first; "
        "remove the old key only afterwards. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = rotate_all(dry_run=options["dry_run"])
        except crypto.SecretDecryptionError as exc:
            raise CommandError(str(exc)) from exc
        verb = "would re-encrypt" if options["dry_run"] else "re-encrypted"
        for column, count in counts.items():
            self.stdout.write(f"{column}: {verb} {count}")
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"Done: {verb} {total} value(s)."))
