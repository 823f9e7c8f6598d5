"""How far a run on the worker has got, for the admin page that waits for it.

The worker reports ``(phase, done, total)`` as it goes; the figures live in the shared
cache (Redis in production, the file cache in the demo) under the run's key, so the web
process can show them while the run's own row is still inside the worker's transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

#: Seconds between two cache writes for the same run: often enough for a page that
#: refreshes every few seconds, rare enough to cost nothing on a 100,000-row sync.
WRITE_EVERY_SECONDS = 0.5
#: Kept this long after the last report; a page of a finished run no longer asks.
KEEP_SECONDS = 3600

#: The phases the syncs report, in the users' words.
PHASE_WORDS = {
    "download": "Fetching OC's answer",
    "compare": "Comparing with the stored rows",
    "write": "Writing the changes",
}


@dataclass(frozen=True)
class RunProgress:
    """The last figures a run reported: its phase, and done of total (0 = not known)."""

    phase: str
    done: int
    total: int

    @property
    def words(self) -> str:
        """The phase and figures as the page says them, e.g. "Writing the changes: 3 of 10"."""
        phase = PHASE_WORDS.get(self.phase, self.phase[:1].upper() + self.phase[1:])
        if self.total > 0:
            return f"{phase}: {self.done:,} of {self.total:,}"
        return f"{phase}…"

    @property
    def percent(self) -> int | None:
        """Share done, 0 to 100, or None when the total is not known."""
        if self.total <= 0:
            return None
        return max(0, min(100, round(100 * self.done / self.total)))


def progress_key(kind: str, run_id: int) -> str:
    """The cache key of one run's progress (``kind`` keeps run tables apart)."""
    return f"run-progress:{kind}:{run_id}"


def reporter(key: str, *, clock: Callable[[], float] = time.monotonic) -> Callable[..., None]:
    """A ``progress(phase, done, total)`` callback that writes to the cache, throttled.

    The last figures of a phase (done == total) are always written, so a page never
    shows a phase as unfinished when it is done.
    """
    last = [float("-inf")]

    def report(phase: str, done: int, total: int) -> None:
        now = clock()
        if now - last[0] < WRITE_EVERY_SECONDS and done != total:
            return
        last[0] = now
        cache.set(key, (phase, int(done), int(total)), KEEP_SECONDS)

    return report


def read_progress(key: str) -> RunProgress | None:
    """The last figures reported under ``key``, or None before the first report."""
    value = cache.get(key)
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    phase, done, total = value
    return RunProgress(str(phase), int(done), int(total))
