"""Measuring one phase of the benchmark in a forked child process.

Each measured phase (the project's sync, the reference, the naive comparison) runs in a
child of the benchmark process, so its peak RSS is its own: a phase that freed its memory
still leaves a high-water mark (and a bigger heap) behind in the process that ran it, and
the next phase would inherit both. The child starts as a copy of the parent (Django loaded,
no snapshot), which is what a Celery worker looks like before it runs the sync; that
starting RSS is reported next to the peak.

The child counts the SQL statements it sends (see ``CountingCursor``), times the work, reads
its ``VmHWM`` and hands the figures back through a pipe.
"""

from __future__ import annotations

import os
import pickle
import resource
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg2.extensions  # type: ignore[import-untyped]

T = TypeVar("T")
MIB = 1024 * 1024


def status_kib(field_name: str, pid: int | str = "self") -> int | None:
    """A ``/proc/<pid>/status`` figure in KiB (Linux), e.g. VmRSS or VmHWM."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_bytes(pid: int | str = "self") -> int | None:
    """The resident set size of a process now."""
    kib = status_kib("VmRSS", pid)
    return kib * 1024 if kib is not None else None


def peak_rss_bytes(pid: int | str = "self") -> int:
    """The peak RSS of a process: ``VmHWM`` on Linux, else ``ru_maxrss`` of this process."""
    kib = status_kib("VmHWM", pid)
    if kib is not None:
        return kib * 1024
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value if sys.platform == "darwin" else value * 1024


def mib(value: int | None) -> str:
    """Bytes as MiB, or n/a."""
    return "n/a" if value is None else f"{value / MIB:,.0f} MiB"


class StatementCount:
    """The statements the child's cursors sent, by kind (the class is the counter)."""

    by_kind: dict[str, int] = {}

    @classmethod
    def add(cls, kind: str, n: int = 1) -> None:
        cls.by_kind[kind] = cls.by_kind.get(kind, 0) + n


class StatementTimer:
    """The time the child's cursors spent in chosen statements (the class is the timer).

    ``watched`` maps a name to the start of the statements it times (e.g. ``"history"`` to
    ``INSERT INTO "oc_integration_stockhistory"``): set it in the parent before the fork;
    the child fills ``seconds`` and ``counts``.
    """

    watched: dict[str, str] = {}
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}

    @classmethod
    def matching(cls, sql: Any) -> str | None:
        """The name watching ``sql``, if any."""
        if not cls.watched:
            return None
        text = sql.decode(errors="replace") if isinstance(sql, bytes) else str(sql)
        text = text.lstrip()
        return next((name for name, start in cls.watched.items() if text.startswith(start)), None)

    @classmethod
    def add(cls, name: str, seconds: float) -> None:
        cls.seconds[name] = cls.seconds.get(name, 0.0) + seconds
        cls.counts[name] = cls.counts.get(name, 0) + 1


def watch_statements(name: str, start: str) -> None:
    """Time, under ``name``, every statement starting with ``start`` in the phases measured
    from now on (call before ``in_child``)."""
    StatementTimer.watched = {**StatementTimer.watched, name: start}


def statement_kind(sql: Any) -> str:
    """SELECT, INSERT, UPDATE, COPY, … (the first word of a statement)."""
    text = sql.decode(errors="replace") if isinstance(sql, bytes) else str(sql)
    words = text.lstrip().split(None, 1)
    return words[0].upper() if words else "?"


class CountingCursor(psycopg2.extensions.cursor):
    """A psycopg2 cursor that counts what it sends to the server.

    Installed as the connection's ``cursor_factory``, it sees every statement whatever sends
    it (the ORM, raw cursors, ``copy_expert``), at the cost of one Python call each, unlike
    Django's query log, which also formats and keeps every statement. ``executemany`` counts
    one statement per parameter set (psycopg2 sends them one by one); a server-side cursor
    counts a FETCH per ``fetchmany``. BEGIN and COMMIT are not counted.
    """

    def execute(self, query: Any, vars: Any = None) -> Any:
        StatementCount.add(statement_kind(query))
        watched = StatementTimer.matching(query)
        if watched is None:
            return super().execute(query, vars)
        started = time.perf_counter()
        try:
            return super().execute(query, vars)
        finally:
            StatementTimer.add(watched, time.perf_counter() - started)

    def executemany(self, query: Any, vars_list: Any) -> Any:
        params = list(vars_list)
        StatementCount.add(statement_kind(query), len(params))
        return super().executemany(query, params)

    def copy_expert(self, sql: Any, file: Any, size: int = 8192) -> Any:
        StatementCount.add("COPY")
        return super().copy_expert(sql, file, size)

    def copy_from(self, *args: Any, **kwargs: Any) -> Any:
        StatementCount.add("COPY")
        return super().copy_from(*args, **kwargs)

    def copy_to(self, *args: Any, **kwargs: Any) -> Any:
        StatementCount.add("COPY")
        return super().copy_to(*args, **kwargs)

    def fetchmany(self, size: Any = None) -> Any:
        if self.name is not None:
            StatementCount.add("FETCH")
        return super().fetchmany(size) if size is not None else super().fetchmany()


def _count_executed(execute: Any, sql: Any, params: Any, many: bool, context: Any) -> Any:
    """A Django execute wrapper that counts (other databases than PostgreSQL)."""
    StatementCount.add(statement_kind(sql))
    return execute(sql, params, many, context)


def _counting(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "postgresql":
        connection.connection.cursor_factory = CountingCursor
    elif _count_executed not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count_executed)


def count_statements() -> None:
    """From now on, count the statements of this process's PostgreSQL connections (those
    open now and any opened later)."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    connection_created.connect(_counting, dispatch_uid="bench-count-statements")
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _counting(None, connection)
    StatementCount.by_kind = {}
    StatementTimer.seconds, StatementTimer.counts = {}, {}


@dataclass
class Measured:
    """What one phase in a child process did and cost."""

    label: str
    seconds: float = 0.0
    rss_start: int | None = None
    peak_rss: int = 0
    statements: dict[str, int] = field(default_factory=dict)
    # Time spent in the statements ``watch_statements`` named: name -> (statements, seconds).
    timed_statements: dict[str, tuple[int, float]] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def statement_total(self) -> int:
        return sum(self.statements.values())

    def statement_line(self) -> str:
        kinds = ", ".join(
            f"{kind} {n:,}" for kind, n in sorted(self.statements.items(), key=lambda kv: -kv[1])
        )
        return f"{self.statement_total:,} ({kinds})" if kinds else "0"


def in_child(
    label: str,
    prepare: Callable[[], T],
    work: Callable[[T], dict[str, Any]],
    *,
    around: Callable[[Callable[[], dict[str, Any]]], dict[str, Any]] | None = None,
) -> Measured:
    """Run ``work(prepare())`` in a forked child and return its figures.

    ``prepare`` is neither timed nor counted (fetching the account, say); ``work`` is, from
    its first statement to its return (for a sync: HTTP request to commit). ``around``, if
    given, wraps the timed call (e.g. a profiler) and returns its result. A failure in the
    child is reported in ``Measured.error`` with its traceback; the parent carries on.
    """
    from django.db import connections

    connections.close_all()  # the child must not share the parent's server connection
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        result = Measured(label, rss_start=rss_bytes())
        code = 0
        try:
            prepared = prepare()
            count_statements()
            started = time.perf_counter()

            def timed() -> dict[str, Any]:
                return work(prepared)

            result.details = around(timed) if around is not None else timed()
            result.seconds = time.perf_counter() - started
            result.statements = dict(StatementCount.by_kind)
            result.timed_statements = {
                name: (StatementTimer.counts[name], seconds)
                for name, seconds in StatementTimer.seconds.items()
            }
            result.peak_rss = peak_rss_bytes()
        except BaseException:  # everything goes back to the parent, which reports it
            result.error = traceback.format_exc()
            code = 1
        finally:
            try:
                connections.close_all()
            finally:
                with os.fdopen(write_end, "wb") as out:
                    pickle.dump(result, out)
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        data = answer.read()
    os.waitpid(pid, 0)
    if not data:
        return Measured(label, error=f"the child process {pid} died without an answer")
    measured: Measured = pickle.loads(data)  # noqa: S301 - our own child's answer
    return measured
