"""Charts as inline SVG, drawn here by hand: no script, no library, nothing fetched. Each chart has a
title and a description for screen readers, and the page puts the same numbers in a table beside it.

`marks` are dated lines over a chart (setbacks someone noted): a list of (date, label), drawn where the
date falls between the weeks, never counted or joined to the figures."""
from dataclasses import dataclass
from datetime import date
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 360, 190  # drawn for a phone's width; it scales up on a wider screen
LEFT, RIGHT, TOP, BOTTOM = 28, 8, 12, 30


@dataclass(frozen=True)
class Series:
    """What a chart shows: one value (or None: nothing that week) per week starting on `starts`."""

    title: str
    description: str
    starts: list[date]
    values: list[float | None]
    top: float  # the value at the top of the chart
    bottom: float = 0


def _x(index: float, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + span * (index + 0.5) / max(count, 1)


def _y(value: float, series: Series) -> float:
    share = (value - series.bottom) / ((series.top - series.bottom) or 1)
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - max(0.0, min(1.0, share)))


def _frame(series: Series, ident: str, body: list[str], marks) -> Markup:
    """The <svg> around a chart: title, description, grid, week labels, marks."""
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{ident}-t">{escape(series.title)}</title>',
             f'<desc id="{ident}-d">{escape(series.description)}</desc>']
    parts += _grid(series)
    parts += body
    parts += _week_labels(series)
    parts += _marks(series, marks)
    parts.append("</svg>")
    return Markup("".join(parts))


def _grid(series: Series) -> list[str]:
    lines, steps = [], _steps(series)
    for value in steps:
        y = _y(value, series)
        lines.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        lines.append(f'<text class="axis" x="{LEFT - 5}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
    return lines


def _steps(series: Series) -> list[float]:
    span = series.top - series.bottom
    step = 1 if span <= 5 else max(1, round(span / 4))
    value, out = series.bottom, []
    while value <= series.top + 1e-9:
        out.append(value)
        value += step
    return out


def _week_labels(series: Series) -> list[str]:
    """At most four labels, the newest week always among them, so they never crowd."""
    count = len(series.starts)
    every = max(1, -(-count // 4))
    return [f'<text class="axis" x="{_x(i, count):.1f}" y="{HEIGHT - 10}" text-anchor="middle">'
            f'{start.strftime("%b")} {start.day}</text>'
            for i, start in enumerate(series.starts) if (count - 1 - i) % every == 0]


def _marks(series: Series, marks) -> list[str]:
    if not series.starts:
        return []
    out, count = [], len(series.starts)
    for day, label in marks or ():
        index = (day - series.starts[0]).days / 7 - 0.5
        if -0.5 <= index <= count - 0.5:
            x = _x(index, count)
            out.append(f'<line class="mark" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}">'
                       f'<title>{escape(label)} ({day.isoformat()})</title></line>')
    return out


def bars(series: Series, ident: str, marks=()) -> Markup:
    """A bar per week (0 draws a thin base line, so an empty week still shows)."""
    count, width = len(series.values), (WIDTH - LEFT - RIGHT) / max(len(series.values), 1) * 0.6
    body = []
    for i, value in enumerate(series.values):
        top, base = _y(value or 0, series), _y(series.bottom, series)
        body.append(f'<rect class="bar" x="{_x(i, count) - width / 2:.1f}" y="{top:.1f}" width="{width:.1f}" '
                    f'height="{max(base - top, 1.5):.1f}"><title>{_label(series, i)}</title></rect>')
    return _frame(series, ident, body, marks)


def line(series: Series, ident: str, marks=()) -> Markup:
    """A line through the weeks that have a value (a week without one leaves a gap), with a dot on each."""
    count, body, run = len(series.values), [], []
    for i, value in enumerate(series.values + [None]):
        if value is None:
            if len(run) > 1:
                body.append(f'<polyline class="line" fill="none" points="{" ".join(run)}"/>')
            run = []
            continue
        point = f"{_x(i, count):.1f},{_y(value, series):.1f}"
        run.append(point)
        body.append(f'<circle class="dot" cx="{point.split(",")[0]}" cy="{point.split(",")[1]}" r="4">'
                    f'<title>{_label(series, i)}</title></circle>')
    return _frame(series, ident, body, marks)


def _label(series: Series, i: int) -> str:
    start, value = series.starts[i], series.values[i]
    return escape(f"Week of {start.strftime('%b')} {start.day}: {'none' if value is None else f'{value:g}'}")
