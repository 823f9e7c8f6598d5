"""OC's time formats and the sandbox clock.

OC writes ``yyyy-MM-dd'T'HH:mm:ssZ`` with a colon-less offset (``2021-10-22T09:56:41+0800``)
and sometimes milliseconds after a colon (``2018-11-28T20:09:57:001+0800``); queries may
also take a bare date with an offset (``2022-10-31+0800``). OC's servers run on +0800.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

OC_TZ = timezone(timedelta(hours=8))

_OC_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})(?:[:.](?P<ms>\d{3}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})$"
)


class SandboxClock:
    """Wall-clock time plus an adjustable offset, so tests can expire tokens without sleeping."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Epoch seconds as the sandbox sees them."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move the sandbox's time forward (or back, if negative); returns the new now()."""
        with self._lock:
            self._offset += seconds
        return self.now()

    def reset(self) -> None:
        """Back to real time."""
        with self._lock:
            self._offset = 0.0


def format_oc_time(epoch: float, *, millis: bool = False) -> str:
    """``2021-10-22T09:56:41+0800``, or ``2021-10-22T09:56:41:123+0800`` when ``millis``."""
    moment = datetime.fromtimestamp(epoch, OC_TZ)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if millis:
        text += f":{moment.microsecond // 1000:03d}"
    return text + "+0800"


def parse_oc_time(text: str) -> datetime:
    """Parse any of OC's time spellings into an aware datetime; ValueError when it is none."""
    match = _OC_TIME.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{text!r} is not in yyyy-MM-dd'T'HH:mm:ssZ format")
    tz_text = match["tz"]
    if tz_text == "Z":
        tz: timezone = UTC
    else:
        sign = -1 if tz_text[0] == "-" else 1
        digits = tz_text[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    year, month, day = (int(part) for part in match["date"].split("-"))
    return datetime(
        year,
        month,
        day,
        int(match["h"] or 0),
        int(match["m"] or 0),
        int(match["s"] or 0),
        int(match["ms"] or 0) * 1000,
        tzinfo=tz,
    )


def iso_utc(epoch: float) -> str:
    """An ISO 8601 UTC time with milliseconds, for the call journal."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")
