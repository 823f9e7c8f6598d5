"""Stock-sync benchmark: the project's sync against a plain reference implementation, over
HTTP against the OC sandbox, on the same snapshot, in the same run (issue 10's goals).

Run it on a dedicated PostgreSQL database (created if missing; its catalog and OC tables are
emptied at the start, so never point it at data you want to keep)::

    make bench-stock BENCH_ARGS="--skus 20000"
    # or: DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/hemi_bench \\
    #     .venv/bin/python -m tests.benchmarks.stock_sync [--skus 100000] [--naive-skus 5000]

What it does, in order:

1. setup (not measured): migrate, empty the tables, start the OC sandbox in a process of its
   own (its catalog is not the sync's memory), generate ``--skus`` SKUs x regions UK and DE
   there, create the matching Hemi products and eBay UK / DE item accounts, create an OC
   account and authorize it through the code flow;
2. first sync on an empty table, by the reference implementation (``reference_sync.py``)
   and by the project (``queue_stock_sync`` + ``run_stock_sync``), then "same rows" between
   the two tables;
3. repeat syncs: nothing changed (project and reference, and the answer alone: downloaded,
   nothing parsed or written, the floor of any sync); 10% of the SKUs changed in the
   sandbox; 1% of the SKUs gone from OC (the flips to Created in OC = No). The last two run
   the project and then the reference from the same saved table and compare the results;
   after each project sync, the stock history lines its run appended; for the 10% changed,
   the time of the history INSERT alone (``forked.watch_statements``) and the same sync
   with and without it, in turns from the same table (the history left out by patching the
   forked child only);
4. the naive per-row version against the project's Python planner (``--naive-skus``);
5. the stock review's timings (``--review-rows``, from ``stock_review.measure_review``);
6. the goals table of issue 10 in Markdown, for the README.

Every measured phase runs in a forked child process (``forked.py``): its wall time (HTTP
request to commit), its own peak RSS (``VmHWM``; the child starts as a copy of this process,
Django loaded, and that starting RSS is shown too) and its SQL statements (counted at the
driver). Rows written are the stock rows with a new row version after the phase (``xmin``),
next to PostgreSQL's ``n_tup_ins`` / ``n_tup_upd`` (HOT) counters.

The pieces: ``reference_sync.py`` (the reference), ``forked.py`` (a phase in a child process),
``sandbox_process.py`` (the OC sandbox's process), ``database.py`` (saving, restoring and
comparing the stock table), ``naive.py`` (the per-row baseline), ``report.py`` (the output).

It prints figures and asserts nothing; pytest does not collect it (``norecursedirs``). The
machine may be shared: repeat a run before trusting a ratio. ``DEBUG=true`` only supplies
development defaults (secret key, encryption key): the measured phases run with Django's
query log off, as in production.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tests.benchmarks import database as db
from tests.benchmarks.forked import in_child, mib, watch_statements
from tests.benchmarks.report import (
    GOAL_HISTORY_SHARE,
    GOAL_RATIO,
    GOAL_REPEAT_RATIO,
    GOAL_REVIEW_MS,
    HISTORY,
    MAX_SKUS,
    REGIONS,
    Phase,
    Results,
    goals_table,
    history_rows_per_day,
    history_seconds,
    print_phase,
    profiled,
    ratio,
    same_rows,
    step,
)

if TYPE_CHECKING:
    from oc_integration.models import AccountOrangeConnex
    from tests.benchmarks.sandbox_process import SandboxProcess

SKU_PREFIX = "BENCH"
CHANGED_EVERY = 10  # 10% of the SKUs change
GONE_EVERY = 100  # 1% of the SKUs leave OC
HISTORY_REPEATS = 3  # syncs with and without the history, to compare the fastest of each


# --- command line --------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.stock_sync",
        description=(
            "Benchmark the OC stock sync against a plain reference implementation, over HTTP "
            "against the OC sandbox. Needs DATABASE_URL naming a dedicated database, e.g. "
            f"{db.DEFAULT_DATABASE_URL} (created if missing; its catalog and OC tables are "
            "emptied)."
        ),
    )
    parser.add_argument(
        "--skus",
        type=int,
        default=100_000,
        help=f"SKUs in the snapshot (x UK, DE), 1..{MAX_SKUS:,}",
    )
    parser.add_argument(
        "--naive-skus",
        type=int,
        default=5_000,
        help="SKUs for the naive per-row comparison (0 skips it)",
    )
    parser.add_argument(
        "--review-rows",
        type=int,
        default=200_000,
        help="stock rows for the review timings (stock_review.measure_review; 0 skips them)",
    )
    parser.add_argument(
        "--allow-sqlite",
        action="store_true",
        help="run on SQLite (figures are not comparable; no reference, no table figures); "
        "without DATABASE_URL it uses a hemi_bench.sqlite3 file in the temporary directory",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also run one full project sync under cProfile and print its top N functions",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.skus <= MAX_SKUS:
        parser.error(f"--skus must be from 1 to {MAX_SKUS:,}")
    if args.naive_skus < 0 or args.review_rows < 0:
        parser.error("--naive-skus and --review-rows must be 0 (skip) or more")
    args.naive_skus = min(args.naive_skus, args.skus)
    return args


def _account(account_id: int) -> AccountOrangeConnex:
    from oc_integration.models import AccountOrangeConnex

    return AccountOrangeConnex.objects.get(pk=account_id)


def _project_sync(account: AccountOrangeConnex) -> dict[str, Any]:
    """The project's sync as the worker runs it: queue a run, run it."""
    from oc_integration.models import SyncRun
    from oc_integration.stock.runs import queue_stock_sync, run_stock_sync

    run = run_stock_sync(queue_stock_sync(account, trigger=SyncRun.Trigger.COMMAND).pk)
    return {
        "status": str(run.status),
        "error": run.error,
        "skus": run.skus_seen,
        "created": run.rows_created,
        "updated": run.rows_updated,
        "unchanged": run.rows_unchanged,
        "flipped": run.flipped_to_no,
        "unknown_skus": run.unknown_skus,
        "missing_item_accounts": run.missing_item_accounts,
    }


def _project_sync_without_history(account: AccountOrangeConnex) -> dict[str, Any]:
    """The project's sync with its history left out: the same run minus the history lines
    (their part of the write statement, and the foreign-key checks their rows cost at
    commit). Only the forked child is patched; it exits after the phase."""
    from django.db import connection

    from oc_integration.models import StockHistory
    from oc_integration.stock.sql_plan import StagedPlan

    head = "WITH w AS ("
    history = (
        " RETURNING id, product_id, region, stock_updated, available_stock, intransit_stock,"
        f" other_stock) INSERT INTO {connection.ops.quote_name(StockHistory._meta.db_table)}"
    )
    run_statement = StagedPlan._run
    removed = []

    def without_history(plan: StagedPlan, sql: str, params: Any = ()) -> None:
        if sql.startswith(head) and history in sql:
            # The upsert alone, with its own parameters (all but the history's run).
            sql, params = sql[len(head) : sql.index(history)], list(params)[:-1]
            removed.append(sql)
        run_statement(plan, sql, params)

    StagedPlan._run = without_history  # type: ignore[method-assign,assignment]
    result = _project_sync(account)
    if not removed:
        raise RuntimeError("the sync ran no statement writing history lines: nothing left out")
    return result


def _reference_sync(account: AccountOrangeConnex) -> dict[str, Any]:
    from dataclasses import asdict

    from tests.benchmarks.reference_sync import reference_sync

    return {"status": "succeeded", **asdict(reference_sync(account))}


def _answer_alone(account: AccountOrangeConnex) -> dict[str, Any]:
    """The snapshot request and its answer read to the end, nothing parsed or stored: the
    least any sync of this snapshot waits for (the sandbox rendering it shares the cores)."""
    from oc_integration.auth.api_client import api_client
    from oc_integration.client.envelope import OCResponse
    from oc_integration.client.stock import READ_CHUNK, SNAPSHOT_PATH
    from oc_integration.client.transport import LOG_CAPTURE_BYTES

    def read_to_the_end(response: Any, correlation_id: str) -> OCResponse:
        prefix, size = b"", 0
        for chunk in response.iter_content(READ_CHUNK):
            prefix, size = prefix or chunk[:LOG_CAPTURE_BYTES], size + len(chunk)
        # What the call log keeps of a streamed answer, as the snapshot reader leaves it.
        response.streamed_prefix = (prefix, size)
        return OCResponse(data=size, message="", message_id=correlation_id, raw={})

    answer = api_client(account).call(
        "stock snapshot (benchmark: the answer alone)",
        SNAPSHOT_PATH,
        [{"MFSKUID": None}],
        body_reader=read_to_the_end,
    )
    return {"status": "succeeded", "bytes": int(answer.data)}


def measure(
    label: str,
    account_id: int,
    work: Callable[[AccountOrangeConnex], dict[str, Any]],
    *,
    around: Callable[[Callable[[], dict[str, Any]]], dict[str, Any]] | None = None,
) -> Phase:
    """Run one sync in a child process and read what it wrote."""
    from django.db import connections

    postgres = db.is_postgres()
    marker, before = None, None
    if postgres:
        # PostgreSQL reports a backend's table counters when it exits: close ours, so the
        # setup's writes (a restored table) are counted before the phase, not in it.
        connections.close_all()
        before = db.table_stats(settle=True)
        marker = db.write_marker()
    if around is not None:  # what it prints comes before the figures
        print(f"\n{label}: running …", flush=True)
    measured = in_child(label, lambda: _account(account_id), work, around=around)
    phase = Phase(measured)
    if postgres and marker is not None and before is not None:
        phase.written = db.rows_written_since(marker)
        phase.stats = db.table_stats(settle=True).minus(before)
        db.analyze_stock()  # not measured: what autovacuum does between two syncs
    print_phase(phase)
    return phase


def history_of_last_run() -> int:
    """Stock history lines the latest project run appended (read after its phase, so the
    count is not part of it)."""
    from oc_integration.models import StockHistory, SyncRun

    run = SyncRun.objects.filter(kind=SyncRun.Kind.STOCK).order_by("-pk").first()
    return StockHistory.objects.filter(run=run).count() if run else 0


def watch_history() -> None:
    """Time a separate history INSERT of every measured sync on its own (the sync writes
    its history lines in the statement that writes the rows; this finds nothing then)."""
    from django.db import connection

    from oc_integration.models import StockHistory

    watch_statements(
        HISTORY, f"INSERT INTO {connection.ops.quote_name(StockHistory._meta.db_table)}"
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
    if hasattr(account, "stock_snapshot_version"):
        # StockSnapshot v1, the answer the reference reads: on "automatic" the project moves
        # to the paged v2 from OC_STOCK_V2_FROM_SKUS SKUs, whose rows carry no seller SKU
        # and need the account's OC SKU catalogue, which the benchmark does not sync.
        account.stock_snapshot_version = "v1"
    account.save()
    # Approve on the sandbox's consent page, then trade the code for tokens.
    exchange_code(account, decode_until_stable(Sandbox(sandbox_url).fresh_code(account)))
    account.refresh_from_db()
    if account.authorization_status != AuthorizationStatus.AUTHORIZED:
        raise SystemExit(f"The sandbox did not authorize the account: {account.last_error}")
    map_regions(account)
    return account


def map_regions(account: AccountOrangeConnex) -> None:
    """The account's regions -> eBay accounts, as the admin starts them for a new account:
    ``OC_REGION_EBAY_SITES`` (region -> eBay site), the first eBay account of each site."""
    from django.conf import settings

    from hemi_fulfilment.catalog.models import EbayAccount
    from oc_integration.models import RegionMapping

    by_site: dict[str, int] = {}
    for pk, site in EbayAccount.objects.order_by("pk").values_list("pk", "site_code"):
        by_site.setdefault(site, pk)
    RegionMapping.objects.bulk_create(
        RegionMapping(account=account, region=region, ebay_account_id=by_site.get(site))
        for region, site in settings.OC_REGION_EBAY_SITES.items()
    )


def make_catalog(skus: int) -> dict[str, Any]:
    """The Hemi products and item accounts the generated snapshot names."""
    from tests.oc_integration.factories import hemi_catalog

    hemi_catalog(skus, SKU_PREFIX)
    return {}


def setup(args: argparse.Namespace, sandbox: SandboxProcess) -> int:
    """Database, sandbox catalog, Hemi catalog and an authorized account; its id."""
    from django.conf import settings
    from django.core.management import call_command

    from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product

    print("Setup")
    if db.is_postgres():
        with step("database: create if missing"):
            created = db.ensure_postgres_database()
        if created:
            print(f"  created database {settings.DATABASES['default']['NAME']}")
    started = time.perf_counter()
    with step("database: migrate, empty the catalog and OC tables"):
        call_command("migrate", verbosity=0)
        db.empty_tables(db.bench_models())
    # Development defaults only: no query log in the measured phases (production has DEBUG off).
    settings.DEBUG = False
    print(
        f"  {db.database_label()}; Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}"
    )
    with step(f"OC sandbox at {sandbox.url}: generate {args.skus:,} SKUs x {', '.join(REGIONS)}"):
        sandbox.generate(args.skus, REGIONS, SKU_PREFIX)
    with step(f"Hemi catalog: {args.skus:,} products with eBay UK and DE item accounts"):
        # In a child, so the benchmark process stays as small as a fresh worker.
        made = in_child("catalog", lambda: None, lambda _: make_catalog(args.skus))
        if made.error:
            raise SystemExit(f"Creating the Hemi catalog failed:\n{made.error}")
        db.analyze([Product, ItemAccount, EbayAccount])
    print(
        f"  ({Product.objects.count():,} products, {ItemAccount.objects.count():,} item accounts)"
    )
    with step("OC account: authorize through the code flow over HTTP"):
        account = authorized_account(sandbox.url)
    print(f"  setup total {time.perf_counter() - started:.1f} s")
    return account.pk


# --- the scenarios ---------------------------------------------------------------------------


def first_syncs(account_id: int, results: Results) -> None:
    """The reference and the project each write the snapshot into an empty table."""
    postgres = db.is_postgres()
    if postgres:
        db.clear_stock_rows()
        results.reference_first = measure(
            "1a. Reference implementation, first sync (empty table, every row created)",
            account_id,
            _reference_sync,
        )
        db.save_figures("bench_reference_rows")
    db.clear_stock_rows()
    results.project_first = measure(
        "1b. Project, first sync (empty table, every row created)", account_id, _project_sync
    )
    results.history_first = history_of_last_run()
    print(f"  stock history lines appended: {results.history_first:,}")
    reference, project = results.reference_first, results.project_first
    if reference is not None and (reference.measured.error or project.measured.error):
        print("\n  same rows: not compared (a sync failed)")
    elif reference is not None:
        results.same_first = db.compare_figures("bench_reference_rows")
        print(f"\n  same rows: {same_rows(results.same_first, saved_is_project=False)}")
        print(
            f"  project / reference: wall time {ratio(project.seconds, reference.seconds):.2f} "
            f"(goal <= {GOAL_RATIO}), peak RSS "
            f"{ratio(project.measured.peak_rss, reference.measured.peak_rss):.2f}, statements "
            f"{project.measured.statement_total:,} / {reference.measured.statement_total:,}"
        )


def project_then_reference(
    label: str, account_id: int
) -> tuple[Phase, Phase | None, db.RowComparison | None]:
    """The project's sync and, from the same table, the reference's; the two results are
    compared, and the table is left as the project wrote it."""
    if not db.is_postgres():
        return measure(f"{label}: project", account_id, _project_sync), None, None
    db.save_state("bench_state_before")
    project = measure(f"{label}: project", account_id, _project_sync)
    db.save_state("bench_state_project")
    db.restore_state("bench_state_before")
    reference = measure(f"{label}: reference (from the same table)", account_id, _reference_sync)
    comparison = None
    if project.measured.error or reference.measured.error:
        print("\n  same rows: not compared (a sync failed)")
    else:
        comparison = db.compare_figures(db.saved_stock("bench_state_project"))
        print(f"\n  same rows: {same_rows(comparison)}")
    db.restore_state("bench_state_project")
    return project, reference, comparison


def repeat_syncs(account_id: int, sandbox: SandboxProcess, results: Results) -> None:
    """Nothing changed; 10% of the SKUs changed; 1% of the SKUs gone."""
    first = results.project_first
    assert first is not None
    results.project_repeat = repeat = measure(
        "2a. Project, repeat sync: nothing changed at OC", account_id, _project_sync
    )
    results.history_repeat = history_of_last_run()
    print(f"  stock history lines appended: {results.history_repeat:,} (goal 0)")
    print(
        f"  repeat / first wall time {ratio(repeat.seconds, first.seconds):.2f} "
        f"(goal <= {GOAL_REPEAT_RATIO}, 0 stock rows written: {repeat.rows_written:,} written)"
    )
    results.answer_alone = alone = measure(
        "2c. The answer alone: the snapshot downloaded, nothing parsed or written",
        account_id,
        _answer_alone,
    )
    print(
        f"  {alone.details.get('bytes', 0) / 1e6:,.0f} MB; "
        f"{ratio(alone.seconds, first.seconds):.2f} x the first sync, "
        f"{ratio(alone.seconds, repeat.seconds):.2f} x the repeat"
    )
    if db.is_postgres():
        db.save_state("bench_state_project")
        results.reference_repeat = measure(
            "2b. Reference, repeat sync: nothing changed at OC", account_id, _reference_sync
        )
        if results.reference_repeat.rows_written:
            db.restore_state("bench_state_project")

    results.changed_skus = sandbox.change_figures(CHANGED_EVERY)
    expected = results.changed_skus * len(REGIONS)
    print(
        f"\n(OC sandbox: {results.changed_skus:,} SKUs, every {CHANGED_EVERY}th, have one more "
        f"unit available in each region: {expected:,} rows to write)"
    )
    project, reference, comparison = project_then_reference(
        "3. Repeat sync, 10% of the SKUs changed", account_id
    )
    results.project_changed, results.reference_changed = project, reference
    results.same_changed = comparison
    print(
        f"  project: {project.rows_written:,} rows written for {expected:,} changed rows, "
        f"{ratio(project.seconds, first.seconds):.2f} x the first sync"
    )
    results.history_changed = appended = history_of_last_run()
    print(
        f"  stock history: {appended:,} lines appended for {expected:,} changed rows; "
        f"{history_rows_per_day(appended):,} a day at the 30-minute schedule"
    )
    seconds = history_seconds(project)
    if seconds is not None:
        print(
            f"  the history INSERT took {seconds:.2f} s of the sync's {project.seconds:.2f} s "
            f"({ratio(seconds, project.seconds):.1%}; goal < {GOAL_HISTORY_SHARE:.0%})"
        )
    if db.is_postgres():
        history_cost(account_id, results)

    results.gone_skus = sandbox.remove_skus(GONE_EVERY, offset=GONE_EVERY - 1)
    gone_rows = results.gone_skus * len(REGIONS)
    print(
        f"\n(OC sandbox: {results.gone_skus:,} SKUs, every {GONE_EVERY}th, are gone from OC: "
        f"{gone_rows:,} rows to set Created in OC = No)"
    )
    project, _reference, comparison = project_then_reference(
        "4. Repeat sync, 1% of the SKUs gone from OC", account_id
    )
    results.project_gone, results.same_gone = project, comparison
    print(
        f"  project: {project.rows_written:,} rows written for {gone_rows:,} rows gone "
        f"(flipped {project.details.get('flipped', 0):,})"
    )


def history_cost(account_id: int, results: Results) -> None:
    """The 10%-changed sync from the same table with and without its history lines, in
    turns, ``HISTORY_REPEATS`` times each: the fastest of each is compared (one pair alone
    is mostly the noise of a shared machine). Leaves the table as the project wrote it."""
    print(
        f"\n3c. The same sync with and without the history lines, {HISTORY_REPEATS} times "
        "each, in turns, from the same table (fastest of each compared)"
    )
    runs = {"with": _project_sync, "without": _project_sync_without_history}
    for attempt in range(1, HISTORY_REPEATS + 1):
        for name, work in runs.items():
            db.restore_state("bench_state_before")
            measured = in_child(f"history {name} {attempt}", lambda: _account(account_id), work)
            if measured.error:
                print("  FAILED in the child process:\n    " + measured.error.strip())
                db.restore_state("bench_state_project")
                return
            results.history_timings.setdefault(name, []).append(measured.seconds)
            print(f"  {attempt}. {name:<8} the history {measured.seconds:6.2f} s")
    db.restore_state("bench_state_project")
    with_it, without = min(results.history_timings["with"]), min(results.history_timings["without"])
    extra = with_it - without
    print(
        f"  fastest with the history {with_it:.2f} s, without {without:.2f} s: {extra:+.2f} s "
        f"({ratio(extra, without):+.1%} of the sync; goal < {GOAL_HISTORY_SHARE:.0%})"
    )


def naive_comparison(account_id: int, skus: int) -> dict[str, Any] | None:
    """The naive per-row version against the project's Python planner, in a child."""
    from tests.benchmarks.naive import Comparison, compare_naive_and_bulk

    print(f"\n5. Naive vs the Python planner on the first {skus:,} SKUs of the same snapshot")
    print(
        "  (plan_stock_sync + apply_stock_plan, the path SQLite keeps; download not timed; "
        "each starts from an empty table, so both create every row)"
    )
    measured = in_child(
        "naive", lambda: _account(account_id), lambda a: compare_naive_and_bulk(a, skus)
    )
    if measured.error:
        print(
            "  FAILED in the child process:\n    " + measured.error.strip().replace("\n", "\n    ")
        )
        return None
    c = Comparison(**measured.details)
    print(
        f"  naive  {c.naive_rows:8,} rows  {c.naive_seconds:8.2f} s  {c.naive_ms_per_row:8.3f} "
        f"ms/row  ({c.naive_statements_per_sku:.0f} statements per SKU, autocommit)"
    )
    print(
        f"  bulk   {c.bulk_rows:8,} rows  {c.bulk_seconds:8.2f} s  {c.bulk_ms_per_row:8.3f} "
        f"ms/row  ({c.bulk_statements:,} statements, one transaction)"
    )
    print(f"  bulk is {c.ratio:,.0f}x faster per row")
    return measured.details


def review_timings(rows: int) -> tuple[list[tuple[str, float, int]] | None, str]:
    """``stock_review.measure_review(rows)`` if that module is there: (table, note)."""
    print(f"\n6. Stock review at {rows:,} rows (tests/benchmarks/stock_review.py)")
    try:
        from tests.benchmarks.stock_review import measure_review  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        note = f"not measured: tests.benchmarks.stock_review.measure_review is missing ({exc})"
        print(f"  {note}")
        return None, note
    try:
        table: list[tuple[str, float, int]] = measure_review(rows=rows)
    except Exception as exc:  # its own failure must not cost the figures above
        note = f"not measured: measure_review({rows}) failed: {type(exc).__name__}: {exc}"
        print(f"  {note}")
        return None, note
    print(f"  {'case':<44}{'ms':>9}{'queries':>9}")
    for case, ms, queries in table:
        mark = "" if ms <= GOAL_REVIEW_MS else f"  (goal <= {GOAL_REVIEW_MS:.0f} ms)"
        print(f"  {case:<44}{ms:9.1f}{queries:9,}{mark}")
    return table, ""


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 2 when the database is refused."""
    args = parse_args(argv)
    db.setup_django(args.allow_sqlite)
    # Keep the output to the figures: "registered recurring job", "account authorized", …
    # (warnings and errors of the syncs still show).
    logging.disable(logging.INFO)
    refusal = db.database_refusal(args.allow_sqlite)
    if refusal:
        print(f"Not running: {refusal}", file=sys.stderr)
        return 2

    # Loaded once here, so every phase (each a fork of this process) runs the same code
    # even when the files change during a long run.
    import oc_integration.client.stock
    import oc_integration.stock.plan
    import oc_integration.stock.runs  # noqa: F401
    from tests.benchmarks import naive, reference_sync  # noqa: F401
    from tests.benchmarks.sandbox_process import SandboxProcess

    print("Stock sync benchmark: the project against a reference implementation")
    # Before any database connection: the sandbox process must not share one.
    from django.db import connections

    connections.close_all()
    sandbox = SandboxProcess.start()
    watch_history()
    results = Results(skus=args.skus, review_rows=args.review_rows)
    try:
        account_id = setup(args, sandbox)
        first_syncs(account_id, results)
        repeat_syncs(account_id, sandbox, results)
        if args.profile:
            db.clear_stock_rows()
            measure(
                "Profiled project first sync (cProfile; slower than the figures above)",
                account_id,
                _project_sync,
                around=profiled(args.profile),
            )
        if args.naive_skus:
            results.naive = naive_comparison(account_id, args.naive_skus)
        results.sandbox_peak = sandbox.peak_rss()
    finally:
        sandbox.stop()
    print(
        f"\n(the OC sandbox process peaked at {mib(results.sandbox_peak)} serving "
        f"{args.skus:,} SKUs; it is not counted in any phase)"
    )
    if args.review_rows:
        results.review, results.review_note = review_timings(args.review_rows)
    if db.is_postgres():
        db.drop_tables("bench_reference_rows")
        db.drop_state("bench_state_before")
        db.drop_state("bench_state_project")
    print("\nGoals of issue 10 (Markdown; the machine is shared, so figures are noisy)\n")
    print(goals_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
