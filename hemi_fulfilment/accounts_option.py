"""``--account`` for the management commands of every integration: one way to name accounts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.management.base import CommandError, CommandParser
from django.db import models
from django.db.models import Q

Account = TypeVar("Account", bound=models.Model)


@dataclass(frozen=True)
class AccountOption(Generic[Account]):
    """How a command's ``--account`` names accounts of one kind.

    An account is named by its id or, case-insensitively, by any of ``fields``; without
    ``--account`` the command works for ``default()`` (the accounts its jobs work for).
    """

    model: type[Account]
    noun: str
    fields: Sequence[str]
    default: Callable[[], list[Account]]
    default_help: str
    #: Said when there is no account to work for, with what to do about it.
    none_message: str

    def add_to(self, parser: CommandParser) -> None:
        """Add ``--account`` to ``parser``."""
        named_by = " or ".join([*self.fields, "id"]).replace("_", " ")
        parser.add_argument(
            "--account", help=f"An {self.noun} by {named_by} (default: {self.default_help})."
        )

    def select(self, selector: str | None) -> list[Account]:
        """The accounts ``selector`` names, or the default ones; a clear error otherwise."""
        if not selector:
            accounts = self.default()
            if not accounts:
                raise CommandError(self.none_message)
            return accounts
        query = Q()
        for field in self.fields:
            query |= Q(**{f"{field}__iexact": selector})
        if selector.isdigit():
            query |= Q(pk=int(selector))
        manager = self.model._default_manager
        found = list(manager.filter(query).order_by("pk"))
        if not found:
            known = ", ".join(str(a) for a in manager.order_by("pk")) or "none"
            raise CommandError(f"No {self.noun} {selector!r}. Known: {known}.")
        return found
