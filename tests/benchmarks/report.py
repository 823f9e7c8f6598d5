"""The benchmark's output: one measured phase's figures, the results of a run, and issue 10's
goals table in Markdown (figure | measured | goal)."""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.benchmarks import database as db
from tests.benchmarks.forked import Measured, mib

REGIONS = ("UK", "DE")
MIB = 1024 * 1024
MAX_SKUS = 1_000_000  # what the sandbox's control API generates at most
GOAL_RATIO = 1.3
GOAL_REPEAT_RATIO = 0.25
GOAL_RSS_100K = 200 * MIB
GOAL_RSS_1M = 300 * MIB
GOAL_SECONDS_1M = 60.0
GOAL_REVIEW_MS = 100.0
GOAL_HISTORY_SHARE = 0.10  # the history's share of a sync's wall time
RUNS_PER_DAY = 48  # the stock sync's 30-minute schedule
HISTORY = "history"  # the name the history INSERT is timed under (forked.watch_statements)


@dataclass
class Phase:
    """One measured sync: the child's figures and what it wrote to the stock table."""

    measured: Measured
    written: int | None = None  # stock rows with a new row version (None: not PostgreSQL)
    stats: db.TableStats | None = None

    @property
    def seconds(self) -> float:
        return self.measured.seconds

    @property
    def details(self) -> dict[str, Any]:
        return self.measured.details

    @property
    def rows_written(self) -> int:
        """Rows written: from the table when known, else what the run reported."""
        if self.written is not None:
            return self.written
        d = self.details
        return int(d.get("created", 0) + d.get("updated", 0) + d.get("flipped", 0))


@dataclass
class Results:
    """Every figure the summary needs."""

    skus: int
    reference_first: Phase | None = None
    project_first: Phase | None = None
    same_first: db.RowComparison | None = None
    project_repeat: Phase | None = None
    reference_repeat: Phase | None = None
    # The snapshot downloaded and nothing else: the floor of any repeat sync.
    answer_alone: Phase | None = None
    changed_skus: int = 0
    project_changed: Phase | None = None
    reference_changed: Phase | None = None
    same_changed: db.RowComparison | None = None
    gone_skus: int = 0
    project_gone: Phase | None = None
    same_gone: db.RowComparison | None = None
    naive: dict[str, Any] | None = None
    review: list[tuple[str, float, int]] | None = None
    review_rows: int = 0
    review_note: str = ""
    sandbox_peak: int = 0
    # Stock history lines the project's runs appended (None: not counted).
    history_first: int | None = None
    history_repeat: int | None = None
    history_changed: int | None = None
    # The 10%-changed sync's wall times with and without its history INSERT ("with",
    # "without"), in turns from the same table.
    history_timings: dict[str, list[float]] = field(default_factory=dict)


def history_seconds(phase: Phase) -> float | None:
    """The time ``phase`` spent appending stock history (None: no history statement ran)."""
    timed = phase.measured.timed_statements.get(HISTORY)
    return timed[1] if timed else None


def history_rows_per_day(rows_per_run: int) -> int:
    """History lines a day at the sync's schedule, each run changing as many rows."""
    return rows_per_run * RUNS_PER_DAY


def history_at(skus: int, changed_every: int, regions: int = len(REGIONS)) -> int:
    """History lines one run appends for ``skus`` SKUs when every ``changed_every``-th
    SKU changes in each region."""
    return skus // changed_every * regions


def same_rows(comparison: db.RowComparison, *, saved_is_project: bool = True) -> str:
    """``yes (n rows)`` or what differs between the project's and the reference's tables."""
    project, reference = "the project's table", "the reference's table"
    if saved_is_project:
        return comparison.describe(project, reference)
    return comparison.describe(reference, project)


def print_phase(phase: Phase) -> None:
    """The figures of one measured phase."""
    m, d = phase.measured, phase.details
    print(f"\n{m.label}")
    if m.error:
        print("  FAILED in the child process:")
        print("    " + m.error.strip().replace("\n", "\n    "))
        return
    if d.get("status") not in ("succeeded", None):
        print(f"  (warning: the run ended {d.get('status')}: {d.get('error')})")
    skus = int(d.get("skus", 0))
    rate = f" ({skus / m.seconds:,.0f} SKUs/s)" if m.seconds and skus else ""
    print(f"  wall time        {m.seconds:8.2f} s{rate}")
    for name, seconds in d.get("steps", {}).items():
        print(f"    {name:<50}{seconds:6.2f} s")
    print(f"  peak RSS         {mib(m.peak_rss):>10}  (the child started at {mib(m.rss_start)})")
    print(f"  SQL statements   {m.statement_line()}")
    for name, (count, seconds) in m.timed_statements.items():
        print(
            f"    {name}: {count:,} statement(s), {seconds:.2f} s "
            f"({ratio(seconds, m.seconds):.1%} of the wall time)"
        )
    reported = ", ".join(
        f"{key.replace('_', ' ')} {int(d[key]):,}"
        for key in (
            "created",
            "updated",
            "unchanged",
            "flipped",
            "staged",
            "unknown_skus",
            "missing_item_accounts",
        )
        if key in d
    )
    written = f"{phase.written:,}" if phase.written is not None else "n/a"
    print(f"  rows written     {written:>10}  (reported: {reported})")
    if phase.stats is not None:
        s = phase.stats
        print(
            f"  table counters   inserted {s.inserted:,}, updated {s.updated:,} "
            f"(HOT {s.hot_updated:,}), deleted {s.deleted:,}"
        )


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


@contextmanager
def step(label: str) -> Iterator[None]:
    """Print ``label … 1.2 s``."""
    print(f"  {label} …", end="", flush=True)
    started = time.perf_counter()
    yield
    print(f" {time.perf_counter() - started:.1f} s", flush=True)


def profiled(top: int) -> Callable[[Callable[[], dict[str, Any]]], dict[str, Any]]:
    """An ``around`` for ``measure``: run under cProfile and print the top functions."""

    def around(call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            return call()
        finally:
            profiler.disable()
            for order in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
                print(f"\n  cProfile, top {top} by {order} (main thread only):")
                lines = out.getvalue().splitlines()
                start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
                for line in lines[start:]:
                    if line.strip():
                        print(f"    {line}")

    return around


def _phase_ok(phase: Phase | None) -> bool:
    return phase is not None and not phase.measured.error


def _history_rows(r: Results) -> list[tuple[str, str, str]]:
    """The stock history's goal rows: lines appended per run and per day, and their time."""
    rows: list[tuple[str, str, str]] = []
    changed = r.project_changed
    if r.history_changed is not None:
        at_100k = history_at(100_000, 10)
        rows.append(
            (
                f"stock history lines appended, {r.skus:,} SKUs x {len(REGIONS)} regions, "
                "10% of SKUs changed per run",
                f"{r.history_changed:,} per run, {history_rows_per_day(r.history_changed):,} "
                f"a day at {RUNS_PER_DAY} runs (first sync {r.history_first or 0:,}, nothing "
                f"changed {r.history_repeat or 0:,}); at 100,000 SKUs: {at_100k:,} per run, "
                f"{history_rows_per_day(at_100k):,} a day",
                "only the changed rows; none when nothing changed",
            )
        )
    if changed is not None and _phase_ok(changed):
        seconds = history_seconds(changed)
        measured = (
            "written by the statement that writes the rows (not timed apart)"
            if seconds is None
            else f"{seconds:.2f} s of {changed.seconds:.1f} s "
            f"({ratio(seconds, changed.seconds):.1%}), the history INSERT timed alone"
        )
        timings = r.history_timings
        if timings.get("with") and timings.get("without"):
            with_it, without = min(timings["with"]), min(timings["without"])
            measured += (
                f"; fastest of {len(timings['with'])} syncs with it {with_it:.1f} s, without "
                f"{without:.1f} s ({with_it - without:+.2f} s, "
                f"{ratio(with_it - without, without):+.1%})"
            )
        rows.append(
            (
                "time the history adds to the sync, 10% of SKUs changed",
                measured,
                f"< {GOAL_HISTORY_SHARE:.0%} of the sync",
            )
        )
    return rows


def _answer_alone(alone: Phase | None, first: Phase) -> str:
    """What downloading the answer alone took, beside the repeat sync's figure."""
    if alone is None or not _phase_ok(alone):
        return ""
    return (
        f"; downloading the answer alone {alone.seconds:.1f} s "
        f"({ratio(alone.seconds, first.seconds):.2f}x first)"
    )


def goals_table(r: Results) -> str:
    """Issue 10's goals as a Markdown table: figure | measured | goal."""
    rows: list[tuple[str, str, str]] = []
    p, ref = r.project_first, r.reference_first
    if _phase_ok(p) and p is not None:
        if _phase_ok(ref) and ref is not None:
            measured = (
                f"{p.seconds:.1f} s; reference {ref.seconds:.1f} s; "
                f"ratio {ratio(p.seconds, ref.seconds):.2f}"
            )
        else:
            measured = f"{p.seconds:.1f} s (no reference on this database)"
        rows.append(
            (
                f"full sync, {r.skus:,} SKUs x {len(REGIONS)} regions, HTTP → committed",
                measured,
                f"≤ {GOAL_RATIO}x the reference implementation, measured in the same run",
            )
        )
        goal_rss = GOAL_RSS_100K if r.skus <= 100_000 else GOAL_RSS_1M
        reference_rss = (
            f" (reference {mib(ref.measured.peak_rss)})" if ref and _phase_ok(ref) else ""
        )
        rows.append(
            (
                f"peak RSS, {r.skus:,} SKUs",
                f"{mib(p.measured.peak_rss)}{reference_rss}; the process started at "
                f"{mib(p.measured.rss_start)}",
                f"≤ {mib(goal_rss)}"
                + (" (at 100k SKUs)" if goal_rss == GOAL_RSS_100K else " (at 1,000,000 SKUs)"),
            )
        )
        rows.append(
            (
                "full sync, 1,000,000 SKUs",
                f"{p.seconds:.1f} s" if r.skus == MAX_SKUS else "not measured (--skus 1000000)",
                f"≤ {GOAL_SECONDS_1M:.0f} s",
            )
        )
        statements = f"{p.measured.statement_total:,}"
        if ref is not None and _phase_ok(ref):
            statements += f" (reference {ref.measured.statement_total:,})"
        rows.append((f"SQL statements, full sync of {r.skus:,} SKUs", statements, "constant in N"))
    if r.same_first is not None:
        rows.append(
            (
                "same rows as the reference, first sync",
                same_rows(r.same_first, saved_is_project=False),
                "yes",
            )
        )
    repeat = r.project_repeat
    if p is not None and repeat is not None and _phase_ok(repeat):
        rows.append(
            (
                "repeat sync, no figure changed",
                f"{ratio(repeat.seconds, p.seconds):.2f}x first ({repeat.seconds:.1f} s), "
                f"{repeat.rows_written:,} stock rows written{_answer_alone(r.answer_alone, p)}",
                f"≤ {GOAL_REPEAT_RATIO}x first, 0 stock rows written",
            )
        )
    changed = r.project_changed
    if p is not None and changed is not None and _phase_ok(changed):
        expected = r.changed_skus * len(REGIONS)
        same = (
            f"; same rows as the reference: {same_rows(r.same_changed)}" if r.same_changed else ""
        )
        rows.append(
            (
                "repeat sync, 10% of SKUs changed",
                f"{changed.rows_written:,} rows written for {expected:,} changed "
                f"({ratio(changed.seconds, p.seconds):.2f}x first){same}",
                "writes only those rows",
            )
        )
    gone = r.project_gone
    if gone is not None and _phase_ok(gone):
        same = f"; same rows as the reference: {same_rows(r.same_gone)}" if r.same_gone else ""
        rows.append(
            (
                "repeat sync, 1% of SKUs gone from OC",
                f"{gone.rows_written:,} rows written for {r.gone_skus * len(REGIONS):,} gone{same}",
                "writes only those rows (Created in OC = No)",
            )
        )
    rows += _history_rows(r)
    if r.review:
        for case, ms, queries in r.review:
            rows.append(
                (
                    f"stock review at {r.review_rows:,} rows: {case}",
                    f"{ms:.0f} ms, {queries} queries",
                    f"≤ {GOAL_REVIEW_MS:.0f} ms, query count unchanged",
                )
            )
    elif r.review_note:
        rows.append(("stock review at 200k rows", r.review_note, f"each ≤ {GOAL_REVIEW_MS:.0f} ms"))
    if r.naive:
        from tests.benchmarks.naive import Comparison

        c = Comparison(**r.naive)
        rows.append(
            (
                f"Python planner vs naive per row ({c.skus:,} SKUs)",
                f"{c.ratio:,.0f}x faster ({c.bulk_ms_per_row:.3f} vs {c.naive_ms_per_row:.3f} "
                "ms per row)",
                "(kept for SQLite)",
            )
        )
    lines = ["| figure | measured | goal |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)
