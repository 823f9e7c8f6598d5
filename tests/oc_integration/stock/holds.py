"""What the tests of a sync's holds share: an OC account to hold, the database's refusal,
and two connections to the test database, to see one transaction wait for another's lock
(a sync holding what its rows name, and a deletion in Hemi or in psql); the second
connection itself is the ``other_connection`` fixture (``conftest.py``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg2  # type: ignore[import-untyped]
import pytest
from django.db import IntegrityError, connection, transaction

from oc_integration.models import AccountOrangeConnex


def held_account(name: str = "Held") -> AccountOrangeConnex:
    """An OC account with no tokens, for a sync to hold."""
    return AccountOrangeConnex.objects.create(
        name=name,
        client_key=name.lower(),
        api_base_url="https://oc.example/openapi",
        oauth_base_url="https://oc.example",
    )


@contextmanager
def refused_by_database(match: str) -> Iterator[None]:
    """The statements inside are refused by the database with a message matching
    ``match`` (their savepoint rolled back)."""
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        yield


def dsn() -> str:
    """The test database's connection string, for a connection of one's own."""
    settings = connection.settings_dict
    return psycopg2.extensions.make_dsn(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
    )


def waits_for_a_lock(statement_start: str) -> bool:
    """Whether a statement beginning ``statement_start`` waits for a lock (up to 30 s)."""
    watcher = psycopg2.connect(dsn=dsn())
    watcher.autocommit = True
    try:
        with watcher.cursor() as look:
            for _ in range(600):
                look.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE %s",
                    [statement_start + "%"],
                )
                if look.fetchone()[0]:
                    return True
                time.sleep(0.05)
        return False
    finally:
        watcher.close()


def in_hemi(work: Callable[[], object], failed: list[BaseException]) -> Callable[[], None]:
    """``work`` as Hemi does it, on a thread's own connection; what it raised goes to
    ``failed``."""

    def run() -> None:
        try:
            work()
        except BaseException as exc:
            failed.append(exc)
        finally:
            connection.close()

    return run


def started_waiting(work: Callable[[], None], statement_start: str) -> threading.Thread:
    """``work``, started in another thread and seen waiting for a lock."""
    thread = threading.Thread(target=work)
    thread.start()
    assert waits_for_a_lock(statement_start)
    return thread


def finished(thread: threading.Thread) -> None:
    """The work went on once the lock was released, and is done."""
    thread.join(timeout=30)
    assert not thread.is_alive()
