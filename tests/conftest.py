"""Test session set-up shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command

from hemi_fulfilment.celery import app as celery_app


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which database and broker the session runs on (CI must show PostgreSQL and Redis)."""
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    vendor = {"postgresql": "PostgreSQL", "sqlite3": "SQLite"}.get(engine, engine)
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return [f"hemi-fulfilment: database={vendor} broker={broker} cache={cache}"]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in pytest_report_header(terminalreporter.config):
        terminalreporter.write_line(line)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture
def demo_data(db: None) -> None:
    """The demo data set, as ``seed_demo`` makes it."""
    call_command("seed_demo", "--username", "demo-admin", stdout=_Null())


class _Null:
    def write(self, *_: Any) -> None:
        return None

    def flush(self) -> None:
        return None


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # Every test starts from an empty cache: a token or lock one test cached must not
    # make the next one pass (or fail). The session's cache is its own (tests.var_isolation).
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2 is deliberately slow; tests log in and seed admins many times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def celery_worker() -> Iterator[None]:
    """A real Celery worker, in a thread of this process, on the broker in settings.

    Messages other tests left on the broker are purged first: this worker runs only what
    its own test queues.
    """
    with celery_app.connection_for_write() as connection:
        celery_app.control.purge(connection=connection)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield
