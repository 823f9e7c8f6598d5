"""Stock-sync benchmark: the real sync over HTTP against the OC sandbox, and a naive baseline.

Run it on a dedicated PostgreSQL database (created if missing; its catalog and OC tables are
emptied at the start, so never point it at data you want to keep)::

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/hemi_bench \\
        .venv/bin/python -m tests.benchmarks.stock_sync [--skus 100000] [--naive-skus 5000]

What it does, in order:

1. setup (timed on its own): migrate, empty the tables, start the OC sandbox in a thread,
   generate ``--skus`` SKUs x regions UK and DE there, create the matching Hemi products and
   eBay UK / DE item accounts, create an OC account and authorize it through the code flow;
2. the real sync (``queue_stock_sync`` + ``run_stock_sync``, snapshot downloaded over HTTP):
   a first run on an empty table (every row created) and a repeat run (rows exist), with
   wall time, SKUs/s, rows written, the time of each phase and the process's RSS;
3. the same full write under ``tracemalloc`` (Python allocations; tracing slows it down, so
   its time is not the headline) and under ``CaptureQueriesContext`` (SQL statement count);
4. a naive per-row version (``get`` / ``get_or_create`` / ``save``) on ``--naive-skus`` rows of
   the same snapshot, against ``plan_stock_sync`` + ``apply_stock_plan`` on the same rows;
5. a Markdown table of the figures, for the README.

It prints figures and asserts nothing; pytest does not collect it (``norecursedirs``).
``DEBUG=true`` only supplies development defaults (secret key, encryption key): the timed runs
switch Django's query log off, as in production.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import logging
import os
import platform
import pstats
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from oc_integration.client.stock import SnapshotRow
    from oc_integration.models import AccountOrangeConnex, SyncRun

SKU_PREFIX = "BENCH"
REGIONS = ("UK", "DE")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hemi_bench"
MIB = 1024 * 1024
TARGET_SECONDS = 60.0
TARGET_PEAK_BYTES = 1024 * MIB
TARGET_RATIO = 50.0


# --- command line and database ---------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.stock_sync",
        description=(
            "Benchmark the OC stock sync over HTTP against the in-process OC sandbox. "
            f"Needs DATABASE_URL naming a dedicated database, e.g. {DEFAULT_DATABASE_URL} "
            "(created if missing; its catalog and OC tables are emptied)."
        ),
    )
    parser.add_argument("--skus", type=int, default=100_000, help="SKUs in the snapshot (x UK, DE)")
    parser.add_argument(
        "--naive-skus", type=int, default=5_000, help="SKUs for the naive per-row comparison"
    )
    parser.add_argument(
        "--allow-sqlite",
        action="store_true",
        help="run on SQLite (figures are not comparable); without DATABASE_URL it uses "
        "a hemi_bench.sqlite3 file in the temporary directory",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also run one full write under cProfile and print its top N functions",
    )
    args = parser.parse_args(argv)
    if args.skus < 1 or args.naive_skus < 1:
        parser.error("--skus and --naive-skus must be at least 1")
    args.naive_skus = min(args.naive_skus, args.skus)
    return args


def setup_django(args: argparse.Namespace) -> None:
    """Configure and start Django (before any project import)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemi_fulfilment.settings")
    if args.allow_sqlite and "DATABASE_URL" not in os.environ:
        # Never the demo's var/hemi.sqlite3: a file of the benchmark's own.
        os.environ["DATABASE_URL"] = (
            f"sqlite:///{Path(tempfile.gettempdir()) / 'hemi_bench.sqlite3'}"
        )
    import django

    django.setup()


def database_refusal(args: argparse.Namespace) -> str | None:
    """Why the configured database must not be used, or None when it may."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    engine, name = str(db["ENGINE"]), str(db["NAME"])
    if engine.endswith("postgresql"):
        if "bench" not in name.lower():
            return (
                f"DATABASE_URL names the database {name!r}. The benchmark empties the catalog and "
                "OC tables of its database, so it only runs on a dedicated one whose name "
                f"contains 'bench', e.g. DATABASE_URL={DEFAULT_DATABASE_URL}"
            )
        return None
    if engine.endswith("sqlite3"):
        if not args.allow_sqlite:
            return (
                "The database is SQLite. The figures are meant for PostgreSQL (the production "
                "database: bulk upserts, row locks, a real server round trip per statement), so "
                f"set DATABASE_URL={DEFAULT_DATABASE_URL}; pass --allow-sqlite to run on SQLite "
                "anyway."
            )
        if "bench" not in Path(name).name.lower():
            return (
                f"The SQLite file {name} is not a benchmark database (its name must contain "
                "'bench'); the benchmark empties its tables."
            )
        return None
    return f"Unsupported database engine {engine}: use PostgreSQL."


def ensure_postgres_database() -> bool:
    """Create the configured PostgreSQL database if it does not exist; True if created."""
    import psycopg2  # type: ignore[import-untyped]
    from django.conf import settings
    from psycopg2 import sql

    db = settings.DATABASES["default"]
    params = {
        key: db.get(option)
        for key, option in (
            ("user", "USER"),
            ("password", "PASSWORD"),
            ("host", "HOST"),
            ("port", "PORT"),
        )
        if db.get(option)
    }
    conn = psycopg2.connect(dbname="postgres", **params)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            return True
    finally:
        conn.close()


def bench_models() -> list[Any]:
    """The tables the benchmark empties, children first."""
    from hemi_fulfilment.apilog.models import ApiCallLog
    from hemi_fulfilment.catalog.models import ItemAccount, Product
    from oc_integration.models import (
        AccountOrangeConnex,
        OAuthAuthorizationRequest,
        ProductAccountOrangeConnex,
        SyncRun,
    )

    return [
        ProductAccountOrangeConnex,
        SyncRun,
        OAuthAuthorizationRequest,
        AccountOrangeConnex,
        ItemAccount,
        Product,
        ApiCallLog,
    ]


def empty_tables(models: Sequence[Any]) -> None:
    """Delete every row of ``models`` (TRUNCATE on PostgreSQL: fast, and no dead rows left
    behind to slow the next run down)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    else:
        for model in models:
            model.objects.all().delete()


def analyze(models: Sequence[Any]) -> None:
    """Refresh the planner statistics after a bulk load (PostgreSQL), as autovacuum would."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def clear_oc_rows() -> None:
    """Remove every Product Account Orange Connex row, so the next sync writes them all."""
    from oc_integration.models import ProductAccountOrangeConnex

    empty_tables([ProductAccountOrangeConnex])
    gc.collect()


def database_label() -> str:
    """``PostgreSQL 16.4, database hemi_bench`` or the SQLite file."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        version = connection.pg_version  # type: ignore[attr-defined]
        return f"PostgreSQL {version // 10000}.{version % 10000}, database {name}"
    return f"{connection.vendor} {name}"


# --- memory and time measurements ------------------------------------------------------------


def _status_kib(field_name: str) -> int | None:
    """A ``/proc/self/status`` figure in KiB (Linux), e.g. VmRSS or VmHWM."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_bytes() -> int | None:
    """The process's resident set size now."""
    kib = _status_kib("VmRSS")
    return kib * 1024 if kib is not None else None


def max_rss_bytes() -> int:
    """``getrusage(RUSAGE_SELF).ru_maxrss`` in bytes (KiB on Linux, bytes on macOS)."""
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value if sys.platform == "darwin" else value * 1024


def process_peak_rss() -> int:
    """The process's peak RSS since it started: ``ru_maxrss``, and the high-water marks
    ``RssMeter`` read before it reset them."""
    return max(max_rss_bytes(), RssMeter.lifetime_peak)


class PeakMeter(Protocol):
    """Something with a resettable high-water mark."""

    def peak(self) -> int:
        """The highest figure since the last reset, in bytes."""
        ...

    def reset(self) -> None:
        """Start a new high-water mark from the current figure."""
        ...


class RssMeter:
    """Peak RSS through Linux's VmHWM, reset by writing 5 to ``/proc/self/clear_refs``.

    The reset also lowers the high-water mark ``getrusage`` reports as ``ru_maxrss``, so the
    marks seen before each reset are kept in ``lifetime_peak`` (see ``process_peak_rss``).
    """

    lifetime_peak = 0

    @staticmethod
    def available() -> bool:
        """True when the kernel lets the process reset its RSS high-water mark."""
        meter = RssMeter()
        try:
            meter.reset()
        except OSError:
            return False
        return _status_kib("VmHWM") is not None

    def peak(self) -> int:
        return (_status_kib("VmHWM") or 0) * 1024

    def reset(self) -> None:
        RssMeter.lifetime_peak = max(RssMeter.lifetime_peak, self.peak(), max_rss_bytes())
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")


class TracemallocMeter:
    """Peak of the memory allocated by Python since ``tracemalloc.start()``."""

    def peak(self) -> int:
        return tracemalloc.get_traced_memory()[1]

    def reset(self) -> None:
        tracemalloc.reset_peak()


@dataclass
class PhaseStats:
    """Time and memory high-water mark of one phase."""

    seconds: float = 0.0
    peak: int = 0
    calls: int = 0


class Phases:
    """Times named, possibly nested, phases and attributes the meter's peaks to them.

    At every phase boundary the peak since the last boundary is credited to every open
    phase and the meter is reset, so each phase gets its own high-water mark.
    """

    def __init__(self, meter: PeakMeter | None = None) -> None:
        self.meter = meter
        self.stats: dict[str, PhaseStats] = {}
        self._open: list[str] = []
        if meter is not None:
            meter.reset()

    def _fold_peak(self) -> None:
        if self.meter is None:
            return
        peak = self.meter.peak()
        for name in self._open:
            self.stats[name].peak = max(self.stats[name].peak, peak)
        self.meter.reset()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as ``name``."""
        self.stats.setdefault(name, PhaseStats())
        self._fold_peak()
        self._open.append(name)
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self._fold_peak()
            self._open.remove(name)
            self.stats[name].seconds += elapsed
            self.stats[name].calls += 1

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func``, timed as ``name``."""

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name):
                return func(*args, **kwargs)

        return timed

    def seconds(self, name: str) -> float:
        """Total time of ``name`` (0 if it never ran)."""
        stats = self.stats.get(name)
        return stats.seconds if stats else 0.0


# The phases of one sync, by the function that does each. They are looked up through the
# modules that call them, so wrapping them there times the real code path unchanged.
DOWNLOAD = "download + parse (fetch_stock_snapshot)"
PARSE = "JSON -> rows (parse_response, object hook)"
CALL_LOG = "API call log (record_call: redact + store)"
PLAN = "plan (plan_stock_sync)"
APPLY = "apply (apply_stock_plan)"
TOTAL = "run_stock_sync"
NESTED = (PARSE, CALL_LOG)  # inside DOWNLOAD
INSTRUMENTED = [
    ("oc_integration.stock.runs", "fetch_stock_snapshot", DOWNLOAD),
    ("oc_integration.client.api", "parse_response", PARSE),
    ("oc_integration.auth.connection", "record_call", CALL_LOG),
    ("oc_integration.stock.runs", "plan_stock_sync", PLAN),
    ("oc_integration.stock.runs", "apply_stock_plan", APPLY),
]


@contextmanager
def instrumented(phases: Phases) -> Iterator[None]:
    """Time the sync's phases (see ``INSTRUMENTED``) for the ``with`` block."""
    import importlib

    originals = []
    for module_name, attribute, phase in INSTRUMENTED:
        module = importlib.import_module(module_name)
        original = getattr(module, attribute, None)
        if original is None:  # the code moved on: time the rest, say what is missing
            print(f"  (cannot time {phase}: {module_name}.{attribute} is gone)")
            continue
        originals.append((module, attribute, original))
        setattr(module, attribute, phases.wrap(phase, original))
    try:
        yield
    finally:
        for module, attribute, original in originals:
            setattr(module, attribute, original)


# --- the real sync ---------------------------------------------------------------------------


@dataclass
class SyncResult:
    """One measured ``run_stock_sync``."""

    label: str
    run: SyncRun
    seconds: float
    phases: Phases
    rss_before: int | None = None
    statements: Counter[str] = field(default_factory=Counter)

    @property
    def rows_written(self) -> int:
        return self.run.rows_created + self.run.rows_updated + self.run.flipped_to_no

    @property
    def skus_per_second(self) -> float:
        return self.run.skus_seen / self.seconds if self.seconds else 0.0

    @property
    def peak(self) -> int:
        return self.phases.stats[TOTAL].peak


def statement_kind(sql: str) -> str:
    """SELECT, INSERT, UPDATE, SAVEPOINT, … (the first word of a statement)."""
    words = sql.lstrip().split(None, 1)
    return words[0].upper() if words else "?"


def measured_sync(
    account: AccountOrangeConnex,
    label: str,
    *,
    meter: PeakMeter | None = None,
    count_statements: bool = False,
    profiler: cProfile.Profile | None = None,
) -> SyncResult:
    """Queue a stock sync of ``account`` and run it as the worker does, measuring it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oc_integration.models import SyncRun
    from oc_integration.stock.runs import queue_stock_sync, run_stock_sync

    run = queue_stock_sync(account, trigger=SyncRun.Trigger.COMMAND)
    gc.collect()
    rss_before = rss_bytes()
    phases = Phases(meter)
    capture = CaptureQueriesContext(connection) if count_statements else None
    with instrumented(phases), capture if capture is not None else nullcontext():
        started = time.perf_counter()
        with phases.phase(TOTAL):
            if profiler is not None:
                profiler.enable()
            try:
                finished = run_stock_sync(run.pk)
            finally:
                if profiler is not None:
                    profiler.disable()
        seconds = time.perf_counter() - started
    result = SyncResult(label, finished, seconds, phases, rss_before)
    if capture is not None:
        if len(capture) >= (connection.queries_log.maxlen or sys.maxsize):
            print(
                f"  (warning: more than {connection.queries_log.maxlen} statements; count capped)"
            )
        result.statements = Counter(statement_kind(q["sql"]) for q in capture.captured_queries)
    if finished.status != SyncRun.Status.SUCCEEDED:
        print(f"  (warning: run #{finished.pk} ended {finished.status}: {finished.error})")
    return result


# --- the naive baseline ----------------------------------------------------------------------


def naive_sync(account: AccountOrangeConnex, rows: Sequence[SnapshotRow]) -> int:
    """The baseline the bulk path replaces: per row and region, look everything up one at a
    time and write one row at a time (autocommit). Returns the number of rows written.

    It writes what ``apply_stock_plan`` writes (same fields, same values), without the
    review, the unknown-SKU messages or the flips to No, so it does less than the real path.
    """
    from django.conf import settings

    from hemi_fulfilment.catalog.models import ItemAccount, Product
    from oc_integration.models import ProductAccountOrangeConnex
    from oc_integration.stock.plan import AVAILABLE, IN_TRANSIT

    sites: dict[str, str] = settings.OC_REGION_EBAY_SITES
    written = 0
    for row in rows:
        try:
            product = Product.objects.get(sku=row.seller_sku)
        except Product.DoesNotExist:
            continue
        for stock in row.regions:
            site_code = sites.get(stock.region)
            if site_code is None:
                continue
            try:
                item_account = ItemAccount.objects.get(
                    product=product, ebay_account__site_code=site_code
                )
            except ItemAccount.DoesNotExist:
                continue
            oc_row, _ = ProductAccountOrangeConnex.objects.get_or_create(
                account=account, item_account=item_account, defaults={"region": stock.region}
            )
            oc_row.region = stock.region
            oc_row.oc_sku = row.oc_sku
            oc_row.available_stock = stock.counts.get(AVAILABLE, 0)
            oc_row.intransit_stock = stock.counts.get(IN_TRANSIT, 0)
            oc_row.other_stock = {
                k: v for k, v in stock.counts.items() if k not in (AVAILABLE, IN_TRANSIT)
            }
            oc_row.stock_updated = row.snapshot_time
            oc_row.created_in_oc = True
            oc_row.stale = False
            oc_row.save()
            written += 1
    return written


def bulk_sync(account: AccountOrangeConnex, rows: Sequence[SnapshotRow]) -> int:
    """The real path without the download: ``plan_stock_sync`` + ``apply_stock_plan``."""
    from oc_integration.stock.plan import apply_stock_plan, plan_stock_sync

    plan = plan_stock_sync(account, rows)
    apply_stock_plan(account, plan)
    return len(plan.upserts) + len(plan.flips)


@dataclass
class Comparison:
    """Naive and bulk on the same rows."""

    skus: int
    naive_rows: int
    naive_seconds: float
    naive_statements_per_sku: float
    bulk_rows: int
    bulk_seconds: float
    bulk_statements: int

    @property
    def naive_ms_per_row(self) -> float:
        return 1000 * self.naive_seconds / max(self.naive_rows, 1)

    @property
    def bulk_ms_per_row(self) -> float:
        return 1000 * self.bulk_seconds / max(self.bulk_rows, 1)

    @property
    def ratio(self) -> float:
        return self.naive_ms_per_row / self.bulk_ms_per_row if self.bulk_ms_per_row else 0.0


def compare_naive_and_bulk(account: AccountOrangeConnex, skus: int) -> Comparison:
    """Download the snapshot once, then write its first ``skus`` rows both ways, each time
    into an empty table (so both create every row); the download is not timed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oc_integration.auth.api_client import api_client
    from oc_integration.client.stock import fetch_stock_snapshot

    rows = fetch_stock_snapshot(api_client(account))[:skus]
    gc.collect()

    sample = rows[: min(100, len(rows))]
    clear_oc_rows()
    with CaptureQueriesContext(connection) as naive_queries:
        naive_sync(account, sample)
    naive_statements_per_sku = len(naive_queries) / len(sample)

    clear_oc_rows()
    started = time.perf_counter()
    naive_rows = naive_sync(account, rows)
    naive_seconds = time.perf_counter() - started

    clear_oc_rows()
    with CaptureQueriesContext(connection) as bulk_queries:
        bulk_sync(account, rows)
    bulk_statements = len(bulk_queries)

    clear_oc_rows()
    started = time.perf_counter()
    bulk_rows = bulk_sync(account, rows)
    bulk_seconds = time.perf_counter() - started
    return Comparison(
        len(rows),
        naive_rows,
        naive_seconds,
        naive_statements_per_sku,
        bulk_rows,
        bulk_seconds,
        bulk_statements,
    )


# --- setup -----------------------------------------------------------------------------------


def authorized_account(sandbox_url: str) -> AccountOrangeConnex:
    """An OC account pointing at the sandbox, authorized through the code flow over HTTP."""
    from django.conf import settings

    from hemi_fulfilment.demo.data import DEMO_OC_ACCOUNT
    from oc_integration.auth.authorization import exchange_code
    from oc_integration.client.codes import decode_until_stable
    from oc_integration.models import AccountOrangeConnex, AuthorizationStatus, Environment
    from tests.oc_integration.conftest import CALLBACK_PATH, Sandbox

    account = AccountOrangeConnex(
        name="OC benchmark (sandbox)",
        environment=Environment.SANDBOX,
        api_base_url=f"{sandbox_url}/openapi",
        oauth_base_url=sandbox_url,
        client_key=DEMO_OC_ACCOUNT.client_key,
        redirect_uri=f"{settings.PUBLIC_BASE_URL.rstrip('/')}{CALLBACK_PATH}",
    )
    account.secret_key = DEMO_OC_ACCOUNT.secret_key
    account.save()
    # Approve on the sandbox's consent page, then trade the code for tokens.
    exchange_code(account, decode_until_stable(Sandbox(sandbox_url).fresh_code(account)))
    account.refresh_from_db()
    if account.authorization_status != AuthorizationStatus.AUTHORIZED:
        raise SystemExit(f"The sandbox did not authorize the account: {account.last_error}")
    return account


@contextmanager
def step(label: str) -> Iterator[None]:
    """Print ``label … 1.2 s``."""
    print(f"  {label} …", end="", flush=True)
    started = time.perf_counter()
    yield
    print(f" {time.perf_counter() - started:.1f} s", flush=True)


# --- output ----------------------------------------------------------------------------------


def mib(value: int | None) -> str:
    """Bytes as MiB, or n/a."""
    return "n/a" if value is None else f"{value / MIB:,.0f} MiB"


def verdict(ok: bool) -> str:
    return "meets the target" if ok else "MISSES the target"


def print_sync(result: SyncResult, *, memory_label: str) -> None:
    """The figures of one measured sync."""
    run = result.run
    print(f"\n{result.label}")
    print(f"  wall time        {result.seconds:8.1f} s  ({result.skus_per_second:,.0f} SKUs/s)")
    print(
        f"  rows written     {result.rows_written:8,}  (created {run.rows_created:,}, updated "
        f"{run.rows_updated:,}, unchanged {run.rows_unchanged:,}, flipped to No "
        f"{run.flipped_to_no:,}; SKUs seen {run.skus_seen:,}, unknown {run.unknown_skus:,}, "
        f"missing item accounts {run.missing_item_accounts:,})"
    )
    print("  phases (wall time; memory high-water mark during the phase):")
    stats = result.phases.stats
    accounted = 0.0

    def line(label: str, seconds: float, peak: int | None = None, *, nested: bool = False) -> None:
        memory = f"  {memory_label} {mib(peak)}" if peak is not None else ""
        indent = "      " if nested else "    "
        print(f"{indent}{label:<{52 - len(indent)}}{seconds:7.2f} s{memory}")

    for name in (DOWNLOAD, *NESTED, PLAN, APPLY):
        phase = stats.get(name)
        if phase is None:
            continue
        nested = name in NESTED
        if not nested:
            accounted += phase.seconds
        line(name, phase.seconds, phase.peak if result.phases.meter else None, nested=nested)
        if name == NESTED[-1] and DOWNLOAD in stats:
            rest = stats[DOWNLOAD].seconds - sum(result.phases.seconds(n) for n in NESTED)
            line("HTTP request and transfer, signing (rest)", rest, nested=True)
    line("other (lock, run record, commit of the run)", result.seconds - accounted)
    if result.statements:
        kinds = ", ".join(f"{kind} {n:,}" for kind, n in result.statements.most_common())
        print(f"  SQL statements   {sum(result.statements.values()):8,}  ({kinds})")


def print_profile(profiler: cProfile.Profile, top: int) -> None:
    """The profiler's top functions by cumulative and by own time."""
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(top)
        print(f"\n  cProfile, top {top} by {order} (main thread only):")
        lines = out.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        for line in lines[start:]:
            if line.strip():
                print(f"    {line}")


def summary_table(
    skus: int,
    first: SyncResult,
    repeat: SyncResult,
    traced: SyncResult,
    counted: SyncResult,
    comparison: Comparison,
    max_rss: int,
) -> str:
    """The figures as a Markdown table for the README."""
    stats = first.phases
    statements = sum(counted.statements.values())
    rows = [
        (
            "SKUs in the snapshot (x UK, DE)",
            f"{skus:,} ({first.run.skus_seen * len(REGIONS):,} rows)",
        ),
        (
            "first sync, wall time (HTTP download to rows committed)",
            f"{first.seconds:.1f} s ({first.skus_per_second:,.0f} SKUs/s)",
        ),
        (
            "of which download + parse (API call log) / plan / apply",
            f"{stats.seconds(DOWNLOAD):.1f} ({stats.seconds(CALL_LOG):.1f}) / "
            f"{stats.seconds(PLAN):.1f} / {stats.seconds(APPLY):.1f} s",
        ),
        (
            "rows written by the first sync",
            f"{first.rows_written:,} ({first.run.rows_created:,} created)",
        ),
        (
            "repeat sync, wall time (rows exist)",
            f"{repeat.seconds:.1f} s ({repeat.run.rows_updated:,} updated, "
            f"{repeat.run.rows_unchanged:,} unchanged)",
        ),
        (
            "peak RSS during the first sync (whole process, sandbox included)",
            f"{mib(first.peak or None)} (RSS before it: {mib(first.rss_before)})",
        ),
        ("peak RSS of the process through setup and both untraced syncs (ru_maxrss)", mib(max_rss)),
        ("tracemalloc peak during a full sync (Python allocations)", mib(traced.peak)),
        (
            f"SQL statements for a full sync ({counted.rows_written:,} rows)",
            f"{statements:,}",
        ),
        (
            f"naive per row ({comparison.skus:,} SKUs: get / get_or_create / save)",
            f"{comparison.naive_ms_per_row:.3f} ms ({comparison.naive_statements_per_sku:.0f} "
            "statements per SKU)",
        ),
        (
            f"bulk per row (same {comparison.skus:,} SKUs: plan + apply)",
            f"{comparison.bulk_ms_per_row:.3f} ms ({comparison.bulk_statements:,} statements)",
        ),
        ("bulk vs naive", f"{comparison.ratio:,.0f}x faster per row"),
    ]
    lines = ["| figure | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 2 when the database is refused."""
    args = parse_args(argv)
    setup_django(args)
    # Keep the output to the figures: "registered recurring job", "account authorized", …
    # (warnings and errors of the sync still show).
    logging.disable(logging.INFO)
    refusal = database_refusal(args)
    if refusal:
        print(f"Not running: {refusal}", file=sys.stderr)
        return 2

    import requests
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product
    from oc_integration.sandbox import running_sandbox
    from tests.oc_integration.factories import hemi_catalog

    print("Stock sync benchmark")
    print("Setup")
    if connection.vendor == "postgresql":
        with step("database: create if missing"):
            created = ensure_postgres_database()
        if created:
            print(f"  created database {settings.DATABASES['default']['NAME']}")
    setup_started = time.perf_counter()
    with step("database: migrate, empty the catalog and OC tables"):
        call_command("migrate", verbosity=0)
        empty_tables(bench_models())
    # Development defaults only: no query log in the timed runs (production has DEBUG off).
    settings.DEBUG = False
    print(
        f"  {database_label()}; Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}"
    )
    rss_meter = RssMeter() if RssMeter.available() else None
    if rss_meter is None:
        print("  (this system cannot reset the RSS high-water mark: only ru_maxrss is shown)")

    with running_sandbox() as oc:
        with step(f"OC sandbox at {oc.url}: generate {args.skus:,} SKUs x {', '.join(REGIONS)}"):
            response = requests.post(
                f"{oc.url}/_sandbox/catalog/generate",
                json={"count": args.skus, "sku_prefix": SKU_PREFIX, "regions": list(REGIONS)},
                timeout=120,
            )
            response.raise_for_status()
        catalog_started = time.perf_counter()
        with step(f"Hemi catalog: {args.skus:,} products with eBay UK and DE item accounts"):
            hemi_catalog(args.skus, SKU_PREFIX)
            analyze([Product, ItemAccount, EbayAccount])
        catalog_seconds = time.perf_counter() - catalog_started
        print(
            f"  ({Product.objects.count():,} products, {ItemAccount.objects.count():,} item "
            "accounts)"
        )
        with step("OC account: authorize through the code flow over HTTP"):
            account = authorized_account(oc.url)
        setup_seconds = time.perf_counter() - setup_started
        print(f"  setup total {setup_seconds:.1f} s (Hemi catalog {catalog_seconds:.1f} s)")

        first = measured_sync(
            account, "1. First sync: empty table, every row created", meter=rss_meter
        )
        print_sync(first, memory_label="peak RSS")
        print(
            f"  RSS              before {mib(first.rss_before)}, peak during the sync "
            f"{mib(first.peak if rss_meter else None)}; process peak (ru_maxrss) "
            f"{mib(process_peak_rss())}"
        )

        repeat = measured_sync(account, "2. Repeat sync: the rows exist", meter=rss_meter)
        print_sync(repeat, memory_label="peak RSS")
        print(
            f"  repeat / first wall time {repeat.seconds / first.seconds:.2f} "
            "(goal <= 0.25, 0 stock rows written; unchanged rows keep the run's snapshot time)"
        )

        # A tenth of the figures drift in Hemi's copy: the next sync must write only those.
        from django.db.models import F

        from oc_integration.models import ProductAccountOrangeConnex

        drifted = ProductAccountOrangeConnex.objects.annotate(tenth=F("id") % 10).filter(tenth=0)
        drifted_rows = drifted.update(available_stock=-1)
        changed = measured_sync(account, "2b. Sync after 10% of the rows changed", meter=None)
        print(
            f"  rows written {changed.rows_written:,} of {drifted_rows:,} changed "
            f"({changed.seconds / first.seconds:.2f} x first)"
        )
        # Before tracemalloc: its own bookkeeping would inflate the process's RSS.
        untraced_max_rss = process_peak_rss()
        print(f"  process peak RSS so far (ru_maxrss) {mib(untraced_max_rss)}")

        clear_oc_rows()
        tracemalloc.start()
        try:
            traced = measured_sync(
                account,
                "3. Full sync under tracemalloc (memory only: tracing slows Python down)",
                meter=TracemallocMeter(),
            )
        finally:
            tracemalloc.stop()
        print_sync(traced, memory_label="tracemalloc peak")
        print(f"  tracemalloc peak {mib(traced.peak)} (Python allocations made during the sync)")

        clear_oc_rows()
        counted = measured_sync(
            account,
            "4. Full sync under CaptureQueriesContext (statement count)",
            count_statements=True,
        )
        print_sync(counted, memory_label="")
        print(
            "  (Django logs the BEGIN / COMMIT of atomic blocks too; DECLARE is the server-side "
            "cursor over the existing rows; the API call log insert is included)"
        )

        if args.profile:
            clear_oc_rows()
            profiler = cProfile.Profile()
            profiled = measured_sync(account, "Profiled full sync (cProfile)", profiler=profiler)
            print_sync(profiled, memory_label="")
            print_profile(profiler, args.profile)

        print(f"\n5. Naive vs bulk on the first {args.naive_skus:,} SKUs of the same snapshot")
        print("  (download not timed; each starts from an empty table, so both create every row)")
        comparison = compare_naive_and_bulk(account, args.naive_skus)
        print(
            f"  naive  {comparison.naive_rows:8,} rows  {comparison.naive_seconds:8.2f} s  "
            f"{comparison.naive_ms_per_row:8.3f} ms/row  "
            f"({comparison.naive_statements_per_sku:.0f} statements per SKU, autocommit)"
        )
        print(
            f"  bulk   {comparison.bulk_rows:8,} rows  {comparison.bulk_seconds:8.2f} s  "
            f"{comparison.bulk_ms_per_row:8.3f} ms/row  "
            f"({comparison.bulk_statements:,} statements, one transaction)"
        )
        print(f"  bulk is {comparison.ratio:,.0f}x faster per row")

    print(
        f"\n(process peak RSS at the end, tracemalloc run included: {mib(process_peak_rss())}; "
        "tracemalloc keeps a record of every allocation, so that figure is not the sync's)"
    )
    print("\nTargets")
    print(f"  100,000 SKUs in under {TARGET_SECONDS:.0f} s: {first.seconds:.1f} s, ", end="")
    print(
        verdict(first.seconds < TARGET_SECONDS)
        if args.skus >= 100_000
        else "(run with --skus 100000)"
    )
    peak = max(first.peak, repeat.peak) if rss_meter else untraced_max_rss
    print(
        f"  peak memory under {mib(TARGET_PEAK_BYTES)}: RSS {mib(peak)}, {verdict(peak < TARGET_PEAK_BYTES)}"
    )
    print(
        f"  at least {TARGET_RATIO:.0f}x faster per row than naive: {comparison.ratio:,.0f}x, "
        f"{verdict(comparison.ratio >= TARGET_RATIO)}"
    )

    print("\nSummary (Markdown)\n")
    print(summary_table(args.skus, first, repeat, traced, counted, comparison, untraced_max_rss))
    return 0


if __name__ == "__main__":
    sys.exit(main())
