"""Stock charts drawn on the server as SVG: no JavaScript and nothing fetched from another
host, so the admin's charts work offline.

Pure: the functions here take figures and movements already read from the database
(:mod:`oc_integration.stock.chart_data` reads them) and return markup.

Stock figures are step functions: OC's snapshot sets a value and it holds until the next
history line. A chart starts with the last value before its window, so a figure that did
not change for weeks is still drawn across the whole window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: Line colours, one per series in turn (readable on white and for most colour blindness).
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")
WIDTH = 760
HEIGHT = 280
MARGIN_LEFT = 56
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 64
SPARK_WIDTH = 160
SPARK_HEIGHT = 32


@dataclass(frozen=True)
class Series:
    """One line: a figure's history as ``(time, value)`` lines in time order (a line
    before the window gives the value the chart starts with)."""

    label: str
    lines: Sequence[tuple[datetime, int]]
    colour: str = PALETTE[0]
    dashed: bool = False


@dataclass(frozen=True)
class Marker:
    """One stock movement, drawn on the line of ``series`` (a label) at its time."""

    moment: datetime
    quantity: int
    reason: str = ""
    order_number: str = ""
    status: str = ""
    series: str = ""


@dataclass(frozen=True)
class Chart:
    """What to draw: the window, its lines and its movements, and the words for it."""

    title: str
    description: str
    start: datetime
    end: datetime
    series: Sequence[Series] = ()
    markers: Sequence[Marker] = ()
    empty_text: str = "No stock history in this period."
    element_id: str = "stock-chart"
    extra: dict[str, str] = field(default_factory=dict)


def value_at(lines: Sequence[tuple[datetime, int]], moment: datetime) -> int | None:
    """The step function's value at ``moment``: the last line at or before it (None
    before the first line)."""
    value = None
    for recorded, figure in lines:
        if recorded > moment:
            break
        value = figure
    return value


def steps(
    lines: Sequence[tuple[datetime, int]], start: datetime, end: datetime
) -> list[tuple[datetime, int]]:
    """The corners of the step function within ``[start, end]``: the value at ``start``
    (the last line before the window, if there is one), each change in the window, and
    the last value again at ``end`` so the line reaches the window's edge."""
    points: list[tuple[datetime, int]] = []
    before = value_at([line for line in lines if line[0] <= start], start)
    if before is not None:
        points.append((start, before))
    for recorded, figure in lines:
        if start < recorded <= end:
            if points and points[-1][1] == figure:
                continue  # a repeated figure is not a change
            points.append((recorded, figure))
    if points:
        points.append((end, points[-1][1]))
    return points


def sum_lines(
    many: Sequence[Sequence[tuple[datetime, int]]],
) -> list[tuple[datetime, int]]:
    """Several step functions added up (a product's rows in one region): a row counts
    from its first line on."""
    events = sorted(
        (recorded, index, figure) for index, lines in enumerate(many) for recorded, figure in lines
    )
    current: dict[int, int] = {}
    total: list[tuple[datetime, int]] = []
    for recorded, index, figure in events:
        current[index] = figure
        value = sum(current.values())
        if total and total[-1][0] == recorded:
            total[-1] = (recorded, value)
        else:
            total.append((recorded, value))
    return total


def nice_ticks(top: int, count: int = 5) -> list[int]:
    """Round values from 0 to at least ``top`` for the value axis."""
    if top <= 0:
        return [0, 1]
    raw = top / (count - 1)
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    ticks = list(range(0, top + step, step))
    if ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return ticks


def _when(moment: datetime) -> str:
    return f"{moment:%d %b %Y %H:%M}"


def movement_tooltip(marker: Marker) -> str:
    """A movement's tooltip: time, quantity, reason, order number (unescaped text)."""
    parts = [_when(marker.moment), f"{marker.quantity:+d}"]
    if marker.status:
        parts.append(marker.status)
    parts.append(f"reason {marker.reason or '-'}")
    parts.append(f"order {marker.order_number or '-'}")
    if marker.series:
        parts.append(marker.series)
    return " · ".join(parts)


class _Frame:
    """Maps times and values to the drawing's coordinates."""

    def __init__(self, start: datetime, end: datetime, top: int, width: int, height: int):
        self.start = start
        self.span = max((end - start).total_seconds(), 1.0)
        self.top = max(top, 1)
        self.left = MARGIN_LEFT
        self.right = width - MARGIN_RIGHT
        self.upper = MARGIN_TOP
        self.lower = height - MARGIN_BOTTOM

    def x(self, moment: datetime) -> float:
        share = (moment - self.start).total_seconds() / self.span
        return round(self.left + min(max(share, 0.0), 1.0) * (self.right - self.left), 1)

    def y(self, value: float) -> float:
        share = value / self.top
        return round(self.lower - min(max(share, 0.0), 1.0) * (self.lower - self.upper), 1)


def _step_path(points: Sequence[tuple[datetime, int]], frame: _Frame) -> str:
    first_moment, first_value = points[0]
    commands = [f"M{frame.x(first_moment)},{frame.y(first_value)}"]
    for moment, value in points[1:]:
        commands.append(f"H{frame.x(moment)}")
        commands.append(f"V{frame.y(value)}")
    return " ".join(commands)


def _svg_open(chart_id: str, width: int, height: int, title: str, desc: str, css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" class="{css}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" '
        f'font-family="sans-serif" font-size="11">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
    )


def date_ticks(start: datetime, end: datetime) -> list[datetime]:
    """Midnights to label the time axis: every day for a week, fewer for longer."""
    days = max((end - start).days, 1)
    every = 1 if days <= 10 else 5 if days <= 45 else 15
    first = start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    ticks = []
    moment = first
    while moment <= end:
        ticks.append(moment)
        moment += timedelta(days=every)
    return ticks


def render_chart(chart: Chart) -> SafeString:
    """The chart as an SVG element: a stepped line per series, a marker per movement
    (with its tooltip), a point per change (its tooltip is the value), axes with dates
    and values, a legend. Every text is escaped."""
    drawn = [(s, steps(s.lines, chart.start, chart.end)) for s in chart.series]
    drawn = [(s, points) for s, points in drawn if points]
    parts = [_svg_open(chart.element_id, WIDTH, HEIGHT, chart.title, chart.description, "chart")]
    if not drawn:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#666" '
            f'class="chart-empty">{escape(chart.empty_text)}</text></svg>'
        )
        return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
    top = max(value for _, points in drawn for _, value in points)
    ticks = nice_ticks(top)
    frame = _Frame(chart.start, chart.end, ticks[-1], WIDTH, HEIGHT)
    # Axes and grid.
    parts.append('<g class="axis value-axis" stroke="#ddd">')
    for tick in ticks:
        y = frame.y(tick)
        parts.append(f'<line x1="{frame.left}" x2="{frame.right}" y1="{y}" y2="{y}"/>')
    parts.append('</g><g class="axis-labels" fill="#444">')
    for tick in ticks:
        parts.append(
            f'<text x="{frame.left - 6}" y="{frame.y(tick) + 4}" text-anchor="end">{tick}</text>'
        )
    for moment in date_ticks(chart.start, chart.end):
        x = frame.x(moment)
        parts.append(
            f'<line x1="{x}" x2="{x}" y1="{frame.lower}" y2="{frame.lower + 4}" stroke="#999"/>'
            f'<text x="{x}" y="{frame.lower + 16}" text-anchor="middle">{moment:%d %b}</text>'
        )
    parts.append(
        f'</g><line x1="{frame.left}" x2="{frame.right}" y1="{frame.lower}" '
        f'y2="{frame.lower}" stroke="#999"/>'
    )
    # The lines, and a point with its value at each change.
    by_label: dict[str, list[tuple[datetime, int]]] = {}
    for series, points in drawn:
        by_label[series.label] = points
        dash = ' stroke-dasharray="5 3"' if series.dashed else ""
        parts.append(
            f'<g class="series" data-series="{escape(series.label)}">'
            f'<path d="{_step_path(points, frame)}" fill="none" stroke="{series.colour}" '
            f'stroke-width="2"{dash}/>'
        )
        for moment, value in points[:-1]:
            parts.append(
                f'<circle class="point" cx="{frame.x(moment)}" cy="{frame.y(value)}" r="3" '
                f'fill="{series.colour}"><title>{escape(series.label)}: {value} '
                f"({escape(_when(moment))})</title></circle>"
            )
        parts.append("</g>")
    # The movements: a triangle up (stock in) or down (stock out) on their line.
    first_line = drawn[0][1]
    parts.append('<g class="movements">')
    for marker in chart.markers:
        if not chart.start <= marker.moment <= chart.end:
            continue
        points = by_label.get(marker.series, first_line)
        on_line = value_at(points, marker.moment)
        x = frame.x(marker.moment)
        y = frame.y(on_line if on_line is not None else 0)
        if marker.quantity >= 0:
            shape, colour = f"{x},{y - 9} {x - 5},{y - 2} {x + 5},{y - 2}", "#2ca02c"
        else:
            shape, colour = f"{x},{y + 9} {x - 5},{y + 2} {x + 5},{y + 2}", "#d62728"
        parts.append(
            f'<polygon class="movement" points="{shape}" fill="{colour}" stroke="#fff" '
            f'stroke-width="0.5"><title>{escape(movement_tooltip(marker))}</title></polygon>'
        )
    parts.append("</g>")
    # The legend, below the time axis.
    x = frame.left
    legend_y = HEIGHT - 18
    parts.append('<g class="legend">')
    for series, _ in drawn:
        dash = ' stroke-dasharray="5 3"' if series.dashed else ""
        parts.append(
            f'<line x1="{x}" x2="{x + 18}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{series.colour}" stroke-width="2"{dash}/>'
            f'<text x="{x + 22}" y="{legend_y}">{escape(series.label)}</text>'
        )
        x += 30 + 7 * len(series.label)
    if chart.markers:
        parts.append(
            f'<polygon points="{x + 5},{legend_y - 10} {x},{legend_y - 2} {x + 10},{legend_y - 2}" '
            f'fill="#2ca02c"/><polygon points="{x + 17},{legend_y} {x + 12},{legend_y - 8} '
            f'{x + 22},{legend_y - 8}" fill="#d62728"/>'
            f'<text x="{x + 27}" y="{legend_y}">stock movement (in / out)</text>'
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def render_sparkline(
    lines: Sequence[tuple[datetime, int]],
    start: datetime,
    end: datetime,
    *,
    label: str,
    element_id: str,
) -> SafeString:
    """A small trend line (no axes) of one figure over ``[start, end]``; its title says
    the first and last values."""
    points = steps(lines, start, end)
    if not points:
        title = f"{label}: no stock history in this period"
    else:
        title = f"{label}: {points[0][1]} on {points[0][0]:%d %b}, {points[-1][1]} now"
    parts = [
        _svg_open(element_id, SPARK_WIDTH, SPARK_HEIGHT, title, title, "sparkline").replace(
            'font-size="11"', 'font-size="10"'
        )
    ]
    if not points:
        parts.append(f'<text x="4" y="{SPARK_HEIGHT / 2 + 3}" fill="#666">no history</text></svg>')
        return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
    low = min(value for _, value in points)
    high = max(value for _, value in points)
    span = max((end - start).total_seconds(), 1.0)
    spread = max(high - low, 1)

    def xy(moment: datetime, value: int) -> str:
        x = 2 + (moment - start).total_seconds() / span * (SPARK_WIDTH - 4)
        y = SPARK_HEIGHT - 3 - (value - low) / spread * (SPARK_HEIGHT - 6)
        return f"{round(x, 1)},{round(y, 1)}"

    corners = [xy(points[0][0], points[0][1])]
    for (moment, value), (_, previous) in zip(points[1:], points, strict=False):
        corners.append(xy(moment, previous))
        corners.append(xy(moment, value))
    parts.append(
        f'<polyline points="{" ".join(corners)}" fill="none" stroke="{PALETTE[0]}" '
        'stroke-width="1.5"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
