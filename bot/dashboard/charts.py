"""Charts as inline SVG, drawn here on the server: no script, no library, nothing fetched.

Each chart is an `<svg role="img">` named by its <title> and described by its <desc> (what it
shows and how it moved over the weeks), with its axes titled in the reader's language, and the
page puts the same figures in a table beside it. Only figures the summary already shows go in: a
week hidden by the group-size rule stays a gap. Colours are the stylesheet's (classes), with at
least 3:1 contrast against the background. Every label is placed inside the drawing's box, so
nothing is cut off however narrow the screen ("100 %" on a phone).
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from bot.common.i18n import week_number

_ids = itertools.count(1)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def nice_ticks(largest: float, intervals: int = 4) -> list[int]:
    """0 and `intervals` equal whole steps of 1, 2, 2.5 or 5 × 10^k, the last at or above `largest`:
    0, 50, 100, 150, 200 rather than 0, 45, 90, 135, 180. The same gridlines serve the share axis
    (0, 25, 50, 75, 100 %) beside it."""
    raw = max(largest, 1) / intervals
    power = 10 ** math.floor(math.log10(raw))
    step = next(s for s in (round(m * power, 9) for m in (1, 2, 2.5, 5, 10, 20))
                if s >= raw and float(s).is_integer())
    return [int(step) * i for i in range(intervals + 1)]


@dataclass(frozen=True)
class Axes:
    """What the axes say, in the reader's language: titles with their units, and how figures are written."""

    left: str = ""  # counts, e.g. "Answers (number)"
    right: str = ""  # a share 0–1 on the line's axis, e.g. "Response rate (%)"
    bottom: str = ""  # "Week"
    number: Callable[[float], str] = _number
    percent: Callable[[int], str] = lambda v: f"{v}%"


def _width(text: str, size: float) -> float:
    """About how wide a label is drawn (system sans-serif): enough to keep it inside the box."""
    return len(text) * size * 0.62


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open(width: int, height: int, title: str, desc: str, css: str) -> tuple[list[str], str]:
    ident = f"chart{next(_ids)}"
    parts = [f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="{ident}-t {ident}-d" focusable="false" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>']
    return parts, ident


def _x_labels(weeks: list[str], xs: list[float], y: float, most: int) -> list[str]:
    every = max(1, math.ceil(len(weeks) / most))
    last = len(weeks) - 1
    shown = [i for i in range(len(weeks)) if (last - i) % every == 0]  # the latest week always has its label
    return [f'<text class="tick" x="{_f(xs[i])}" y="{_f(y)}" text-anchor="middle">{week_number(weeks[i])}</text>'
            for i in shown]


WIDE = {"size": (640, 300), "margins": (46, 52, 30, 50), "labels": 13, "css": "chart chart-trend chart-wide",
        "font": 13}
NARROW = {"size": (360, 250), "margins": (38, 44, 28, 46), "labels": 7, "css": "chart chart-trend chart-narrow",
          "font": 13}


def trend(weeks: list[str], bars: list, line: list | None, title: str, desc: str, axes: Axes = Axes(),
          shape: dict = WIDE) -> Markup:
    """Bars (counts, left axis) and optionally a line (a share 0–1, right axis), one slot per week.
    `shape` NARROW draws the same for a phone's width, where WIDE's labels would be too small to read."""
    width, height = shape["size"]
    left, right, top, bottom = shape["margins"]
    font = shape["font"]
    ticks = nice_ticks(max([v for v in bars if v is not None] or [0]), 4)
    highest = ticks[-1]
    tick_labels = [axes.number(v) for v in ticks]
    left = max(left, math.ceil(max(_width(x, font) for x in tick_labels)) + 10)
    shares = [axes.percent(25 * step) for step in range(5)]
    right = max(right, math.ceil(max(_width(x, font) for x in shares)) + 10) if line is not None else 14
    plot_w, plot_h = width - left - right, height - top - bottom
    parts, _ = _open(width, height, title, desc, shape["css"])
    base = top + plot_h
    parts.append('<g class="grid">')
    for step in range(5):
        y = base - plot_h * step / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{_f(y)}" y2="{_f(y)}"/>')
    parts.append("</g><g>")
    for value, label in zip(ticks, tick_labels):
        y = base - plot_h * value / highest
        parts.append(f'<text class="tick" x="{left - 6}" y="{_f(y + 5)}" text-anchor="end">{escape(label)}</text>')
    if line is not None:
        for step, label in enumerate(shares):  # anchored at the right edge: "100 %" always fits
            y = base - plot_h * step / 4
            parts.append(f'<text class="tick tick-line" x="{width - 2}" y="{_f(y + 5)}" text-anchor="end">'
                         f'{escape(label)}</text>')
    parts.append("</g>")
    parts += _titles(axes, width, height, line is not None)
    slot = plot_w / max(len(weeks), 1)
    xs = [left + slot * (i + 0.5) for i in range(len(weeks))]
    parts.append('<g class="bars">')
    for x, value in zip(xs, bars):
        if value is not None:
            h = plot_h * value / highest
            parts.append(f'<rect x="{_f(x - slot * 0.32)}" y="{_f(base - h)}" width="{_f(slot * 0.64)}" '
                         f'height="{_f(h)}"/>')
    parts.append("</g>")
    if line is not None:
        parts += _line(xs, [None if v is None else base - plot_h * min(v, 1.0) for v in line])
    parts += _x_labels(weeks, xs, base + font + 6, shape["labels"])
    parts.append("</svg>")
    return Markup("".join(parts))


def _titles(axes: Axes, width: int, height: int, line: bool) -> list[str]:
    """Axis titles: the left one above the left axis, the right one above the right axis, the
    weeks' under the week numbers."""
    parts = ['<g class="axis-title">']
    if axes.left:
        parts.append(f'<text x="2" y="14">{escape(axes.left)}</text>')
    if line and axes.right:
        parts.append(f'<text class="axis-line" x="{width - 2}" y="14" text-anchor="end">{escape(axes.right)}</text>')
    if axes.bottom:
        parts.append(f'<text x="{_f(width / 2)}" y="{height - 4}" text-anchor="middle">{escape(axes.bottom)}</text>')
    parts.append("</g>")
    return parts


def _line(xs: list[float], ys: list) -> list[str]:
    """A polyline per unbroken run of values, and a dot on every value."""
    parts, run = ['<g class="line">'], []
    for x, y in [*zip(xs, ys), (None, None)]:
        if y is None:
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(f"{_f(a)},{_f(b)}" for a, b in run)}"/>')
            run = []
        else:
            run.append((x, y))
    parts.append("</g><g class=\"dots\">")
    parts += [f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4"/>' for x, y in zip(xs, ys) if y is not None]
    parts.append("</g>")
    return parts


def small(weeks: list[str], values: list, title: str, desc: str, axes: Axes = Axes()) -> Markup:
    """One series as small bars with its own scale (small multiples side by side)."""
    width, height = 320, 176
    left, right, top, bottom = 40, 8, 26, 44
    font = 14
    ticks = nice_ticks(max([v for v in values if v is not None] or [0]), 2)
    highest = ticks[-1]
    labels = [axes.number(v) for v in ticks]
    left = max(left, math.ceil(max(_width(x, font) for x in labels)) + 9)
    plot_w, plot_h = width - left - right, height - top - bottom
    parts, _ = _open(width, height, title, desc, "chart chart-small")
    base = top + plot_h
    parts.append('<g class="grid">')
    parts += [f'<line x1="{left}" x2="{width - right}" y1="{_f(base - plot_h * v / highest)}" '
              f'y2="{_f(base - plot_h * v / highest)}"/>' for v in ticks]
    parts.append("</g><g>")
    for value, label in zip(ticks, labels):
        parts.append(f'<text class="tick" x="{left - 5}" y="{_f(base - plot_h * value / highest + 5)}" '
                     f'text-anchor="end">{escape(label)}</text>')
    parts.append("</g>")
    parts += _titles(axes, width, height, False)
    parts.append('<g class="bars">')
    slot = plot_w / max(len(weeks), 1)
    xs = [left + slot * (i + 0.5) for i in range(len(weeks))]
    for x, value in zip(xs, values):
        if value is not None:
            h = plot_h * min(value, highest) / highest
            parts.append(f'<rect x="{_f(x - slot * 0.3)}" y="{_f(base - h)}" width="{_f(slot * 0.6)}" height="{_f(h)}"/>')
    parts.append("</g>")
    parts += _x_labels(weeks, xs, base + font + 4, 6)
    parts.append("</svg>")
    return Markup("".join(parts))


def meter(value: float | None) -> Markup:
    """A share 0–1 as a short bar beside the figure in a table cell; hidden from screen readers,
    which read the figure itself."""
    if value is None:
        return Markup("")
    w = 60 * max(0.0, min(value, 1.0))
    return Markup(f'<svg class="meter" viewBox="0 0 60 10" aria-hidden="true" focusable="false">'
                  f'<rect class="meter-track" width="60" height="10"/><rect class="meter-bar" width="{_f(w)}" '
                  f'height="10"/></svg>')
