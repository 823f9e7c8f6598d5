"""Reading settings from the environment with one clear line per mistake.

django-environ does the parsing; this module only turns its exceptions (and its
silent fallbacks, such as ``DEBUG=maybe`` meaning False) into a
:class:`ConfigurationError` that names the variable and what it expects. The
value itself is never echoed: it may be a password or a key.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from email.utils import parseaddr
from typing import Any, TypeVar

import environ
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

NOT_SET: Any = environ.Env.NOTSET


class ConfigurationError(ImproperlyConfigured):
    """A missing or malformed environment variable."""


class Settings:
    """Typed readers over ``os.environ`` (or a given mapping, for tests)."""

    def __init__(self, environ_mapping: dict[str, str] | None = None) -> None:
        self._env = environ.Env()
        if environ_mapping is not None:
            self._env.ENVIRON = environ_mapping

    def is_set(self, name: str) -> bool:
        return name in self._env.ENVIRON

    def _read(self, name: str, expects: str, parse: Callable[[], T]) -> T:
        try:
            return parse()
        except ConfigurationError:
            raise
        except Exception as exc:  # every parse failure becomes one line
            if isinstance(exc, ImproperlyConfigured) and not self.is_set(name):
                raise ConfigurationError(f"{name} is not set: expected {expects}.") from None
            raise ConfigurationError(f"{name} is invalid: expected {expects}.") from None

    def text(self, name: str, default: Any = NOT_SET, expects: str = "a text value") -> Any:
        return self._read(name, expects, lambda: self._env.str(name, default=default))

    def flag(self, name: str, default: bool) -> bool:
        raw = self._env.ENVIRON.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ConfigurationError(f"{name} is invalid: expected true or false.")

    def integer(self, name: str, default: int, minimum: int | None = None) -> int:
        expects = "a whole number" + (f" of at least {minimum}" if minimum is not None else "")
        value = self._read(name, expects, lambda: int(self._env.str(name, default=str(default))))
        if minimum is not None and value < minimum:
            raise ConfigurationError(f"{name} is invalid: expected {expects}.")
        return value

    def number(self, name: str, default: float) -> float:
        return self._read(
            name, "a number", lambda: float(self._env.str(name, default=str(default)))
        )

    def items(self, name: str, default: list[str] | None = None) -> list[str]:
        return self._read(
            name,
            "a comma-separated list",
            lambda: [v.strip() for v in self._env.list(name, default=default or []) if v.strip()],
        )

    def mapping(self, name: str, default: dict[str, str]) -> dict[str, str]:
        """``KEY=value,KEY=value`` pairs, e.g. ``OC_REGION_EBAY_SITES=UK=UK,DE=DE``."""
        if not self.is_set(name):
            return dict(default)
        result = {}
        for pair in self.items(name):
            key, sep, value = pair.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise ConfigurationError(
                    f"{name} is invalid: expected comma-separated KEY=value pairs."
                )
            result[key.strip()] = value.strip()
        return result

    def db(self, name: str, default: str) -> dict[str, Any]:
        expects = "a database URL such as postgres://user@127.0.0.1:5432/name or sqlite:///path"

        def parse() -> dict[str, Any]:
            url = self._env.str(name, default=default)
            if "://" not in url:
                raise ValueError(url)
            config = environ.Env.db_url_config(url)
            if not config.get("ENGINE"):
                raise ValueError(url)
            return config

        return self._read(name, expects, parse)

    def cache(self, name: str, default: str) -> dict[str, Any]:
        expects = "a cache URL such as redis://127.0.0.1:6379/1 or filecache:///path"

        def parse() -> dict[str, Any]:
            url = self._env.str(name, default=default)
            if "://" not in url:
                raise ValueError(url)
            return environ.Env.cache_url_config(url)

        return self._read(name, expects, parse)

    def email(self, name: str, default: str) -> dict[str, Any]:
        expects = (
            "an email URL such as smtp+tls://user:password@mail.example.com:587 or consolemail://"
        )

        def parse() -> dict[str, Any]:
            url = self._env.str(name, default=default)
            if "://" not in url:
                raise ValueError(url)
            return environ.Env.email_url_config(url)

        return self._read(name, expects, parse)

    def url(self, name: str, default: str, schemes: tuple[str, ...]) -> str:
        expects = "a URL starting with " + " or ".join(f"{s}://" for s in schemes)
        value = self.text(name, default=default, expects=expects)
        if value.split("://", 1)[0] not in schemes or "://" not in value:
            raise ConfigurationError(f"{name} is invalid: expected {expects}.")
        return str(value)

    def people(self, name: str) -> list[tuple[str, str]]:
        """``ADMINS``-style list: ``Name <a@example.com>, b@example.com``."""
        people = []
        for entry in self.items(name):
            display, address = parseaddr(entry)
            if "@" not in address:
                raise ConfigurationError(
                    f"{name} is invalid: expected comma-separated 'Name <address>' entries."
                )
            people.append((display or address, address))
        return people


def exit_on_configuration_error(load: Callable[[], object]) -> None:
    """Run ``load``; a configuration mistake becomes one line on stderr and exit code 2."""
    try:
        load()
    except ConfigurationError as exc:
        sys.stderr.write(f"Configuration error: {exc}\n")
        raise SystemExit(2) from None
