"""What the integrations tell operations: health sections, incident checks, metrics.

Operations knows no integration; each one registers its sources from its own
``AppConfig.ready``. Every source takes "now" and must cost a constant number of queries
(it is called on every view of the health page and every scrape of ``/metrics``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from prometheus_client.metrics_core import Metric

#: How a line of the health page reads: fine, worth a look, broken, or just a fact.
State = Literal["ok", "warning", "problem", "info"]


@dataclass(frozen=True)
class Line:
    """One figure of the health page, and the admin page where it is dealt with."""

    label: str
    value: str
    state: State = "info"
    link: str = ""


@dataclass(frozen=True)
class Section:
    """A block of the health page: one account, one connection, the jobs, …"""

    title: str
    lines: tuple[Line, ...]
    link: str = ""

    @property
    def attention(self) -> int:
        """How many lines are not fine."""
        return sum(1 for line in self.lines if line.state in ("warning", "problem"))


@dataclass(frozen=True)
class Subject:
    """What an incident is about.

    ``key`` identifies it across evaluations; a record of an integration also gives its
    app label, model name and primary key, which is how its alert recipients are found.
    """

    key: str
    label: str
    app_label: str = ""
    model_name: str = ""
    object_id: str = ""

    @classmethod
    def record(cls, app_label: str, model_name: str, object_id: object, label: str) -> Subject:
        """The subject for one model row."""
        return cls(
            key=f"{app_label}.{model_name}:{object_id}",
            label=label,
            app_label=app_label,
            model_name=model_name,
            object_id=str(object_id),
        )


@dataclass(frozen=True)
class Problem:
    """A problem a check finds now; the alert engine opens an incident for it once."""

    kind: str
    subject: Subject
    message: str
    link: str = ""
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class IncidentCheck:
    """A check owns ``kinds``: an open incident of one of them is resolved when the check
    ran and did not find it again (a check that fails resolves nothing)."""

    name: str
    kinds: frozenset[str]
    find: Callable[[datetime], list[Problem]]


@dataclass(frozen=True)
class RecipientSubjects:
    """Records whose alert recipients are kept by operations (:class:`AlertRecipients`)."""

    app_label: str
    model_name: str
    label: str
    choices: Callable[[], list[tuple[str, str]]]  # (primary key, name) of every record


HealthSource = Callable[[datetime], list[Section]]
MetricsSource = Callable[[datetime], Iterable[Metric]]


@dataclass
class Registry:
    """Everything registered, by name (registering a name again replaces it)."""

    health_sources: dict[str, tuple[int, HealthSource]] = field(default_factory=dict)
    checks: dict[str, IncidentCheck] = field(default_factory=dict)
    metrics_sources: dict[str, MetricsSource] = field(default_factory=dict)
    recipient_subjects: dict[tuple[str, str], RecipientSubjects] = field(default_factory=dict)

    def ordered_health_sources(self) -> list[HealthSource]:
        return [source for _, source in sorted(self.health_sources.values(), key=lambda s: s[0])]


registry = Registry()


def register_health_source(name: str, source: HealthSource, *, order: int = 100) -> None:
    """Add ``source``'s sections to the health page (lower ``order`` first)."""
    registry.health_sources[name] = (order, source)


def register_check(check: IncidentCheck) -> None:
    """Evaluate ``check`` on every run of the alert job."""
    registry.checks[check.name] = check


def register_metrics(name: str, source: MetricsSource) -> None:
    """Add ``source``'s metric families to ``/metrics``."""
    registry.metrics_sources[name] = source


def register_recipient_subjects(subjects: RecipientSubjects) -> None:
    """Let staff choose alert recipients for these records in the admin."""
    registry.recipient_subjects[(subjects.app_label, subjects.model_name)] = subjects


_SEPARATORS = re.compile(r"[,;\s]+")


def parse_addresses(text: str) -> tuple[str, ...]:
    """Email addresses written one per line or separated by commas, in order, once each."""
    seen: dict[str, None] = {}
    for address in _SEPARATORS.split(text or ""):
        if address.strip():
            seen.setdefault(address.strip(), None)
    return tuple(seen)
