"""Progress bars for management commands: shown on a terminal, silent in logs and pipes."""

from __future__ import annotations

from typing import IO, Any

from tqdm import tqdm


def progress_bar(stream: IO[str] | Any, description: str, unit: str = "item") -> tqdm:
    """A tqdm bar on ``stream`` when it is a terminal; disabled otherwise."""
    isatty = getattr(stream, "isatty", None)
    return tqdm(
        desc=description,
        unit=f" {unit}",
        disable=not (callable(isatty) and isatty()),
        leave=False,
    )


def set_progress(bar: tqdm, done: int, total: int, description: str | None = None) -> None:
    """Move ``bar`` to ``done`` of ``total`` (totals are known only as work proceeds; 0
    means not known yet, e.g. the pages of a paged answer: the bar then counts)."""
    if description:
        bar.set_description(description)
    bar.total = total or None
    bar.n = done
    bar.refresh()
