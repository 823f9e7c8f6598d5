"""The OC sandbox in a process of its own, for the benchmark.

Its catalog (a million SKUs are a few hundred MiB) must not count in the measured phases'
memory, and the phases run in children forked from the benchmark process: so the sandbox
is forked off first, before any database connection exists, and the benchmark edits its
catalog through a pipe (generate, change a share of the figures, remove a share of the
SKUs), with the sandbox's own catalog functions.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
from dataclasses import dataclass
from typing import Any

from tests.benchmarks.forked import peak_rss_bytes, rss_bytes

TIMEOUT_SECONDS = 600


def _changed_counts(counts: list[int], statuses: tuple[str, ...], step: int) -> list[int]:
    index = statuses.index("AVL") if "AVL" in statuses else 0
    changed = list(counts)  # a new list: rows share their count lists (copy-on-write)
    changed[index] += step
    return changed


def _serve(commands: multiprocessing.connection.Connection) -> None:
    """The sandbox process: serve HTTP in threads, take catalog edits from ``commands``."""
    from oc_integration.sandbox import generate_catalog, running_sandbox

    # The benchmark's Ctrl-C is for the benchmark: it stops this process with ``stop``.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with running_sandbox() as oc:
        commands.send({"url": oc.url})
        while True:
            try:
                command, options = commands.recv()
            except EOFError:  # the benchmark went away
                return
            if command == "stop":
                commands.send({"ok": True})
                return
            try:
                with oc.sandbox.lock:
                    catalog = oc.sandbox.catalog
                    if command == "generate":
                        oc.sandbox.replace_catalog(
                            generate_catalog(
                                options["count"], tuple(options["regions"]), options["sku_prefix"]
                            )
                        )
                        answer: dict[str, Any] = {"skus": len(oc.sandbox.catalog)}
                    elif command == "change":
                        # Every n-th SKU gets one more unit available in every region.
                        changed = 0
                        for position, row in enumerate(list(catalog.rows.values())):
                            if position % options["every"] == options["offset"]:
                                row.regions = {
                                    region: _changed_counts(counts, row.statuses, options["step"])
                                    for region, counts in row.regions.items()
                                }
                                changed += 1
                        answer = {"skus": changed}
                    elif command == "remove":
                        gone = [
                            key
                            for position, key in enumerate(list(catalog.rows))
                            if position % options["every"] == options["offset"]
                        ]
                        for key in gone:
                            del catalog.rows[key]
                        answer = {"skus": len(gone)}
                    else:
                        answer = {"error": f"unknown command {command!r}"}
            except Exception as exc:  # reported to the benchmark, which stops
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            answer["rss"] = rss_bytes()
            answer["peak_rss"] = peak_rss_bytes()
            commands.send(answer)


@dataclass
class SandboxProcess:
    """The running sandbox process: its URL and the catalog edits it takes."""

    url: str
    process: Any
    commands: multiprocessing.connection.Connection

    @classmethod
    def start(cls) -> SandboxProcess:
        """Fork the sandbox process (call before any database connection is opened)."""
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs,), name="oc-sandbox", daemon=True)
        process.start()
        theirs.close()
        if not ours.poll(60):
            process.kill()
            raise SystemExit("The OC sandbox process did not start within 60 s.")
        return cls(ours.recv()["url"], process, ours)

    def _ask(self, command: str, **options: Any) -> dict[str, Any]:
        self.commands.send((command, options))
        if not self.commands.poll(TIMEOUT_SECONDS):
            raise SystemExit(f"The OC sandbox did not answer {command!r} in {TIMEOUT_SECONDS} s.")
        answer: dict[str, Any] = self.commands.recv()
        if "error" in answer:
            raise SystemExit(f"The OC sandbox refused {command!r}: {answer['error']}")
        return answer

    def generate(self, count: int, regions: tuple[str, ...], sku_prefix: str) -> int:
        """Replace the catalog with ``count`` generated SKUs x ``regions``; the SKU count."""
        return int(
            self._ask("generate", count=count, regions=list(regions), sku_prefix=sku_prefix)["skus"]
        )

    def change_figures(self, every: int, *, offset: int = 0, step: int = 1) -> int:
        """Add ``step`` to the available count of every ``every``-th SKU (all its regions);
        the number of SKUs changed."""
        return int(self._ask("change", every=every, offset=offset, step=step)["skus"])

    def remove_skus(self, every: int, *, offset: int = 0) -> int:
        """Take every ``every``-th SKU out of OC's catalog; the number removed."""
        return int(self._ask("remove", every=every, offset=offset)["skus"])

    def peak_rss(self) -> int:
        """The sandbox process's peak RSS so far."""
        return peak_rss_bytes(self.process.pid)

    def stop(self) -> None:
        """Stop the sandbox process (and wait for it)."""
        with contextlib.suppress(SystemExit, OSError, EOFError):
            self._ask("stop")
        self.process.join(10)
        if self.process.is_alive() and self.process.pid:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.join(5)
