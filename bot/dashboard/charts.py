"""Charts as inline SVG, drawn here on the server: no script, no library, nothing fetched.

Each chart is an `<svg role="img">` named by its <title> and described by its <desc> (what it
shows and the latest value), and the page puts the same figures in a table beside it. Only
figures the summary already shows go in: a week hidden by the group-size rule stays a gap.
Colours are the stylesheet's (classes), with at least 3:1 contrast against the background.
"""
from __future__ import annotations

import itertools
import math

from markupsafe import Markup, escape

from bot.common.i18n import week_number

_ids = itertools.count(1)


def nice_top(value: float) -> float:
    """The axis maximum: the next 1, 2, 2.5 or 5 × 10^k at or above the largest value."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


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


WIDE = {"size": (640, 280), "margins": (46, 52, 16, 34), "labels": 13, "css": "chart chart-trend chart-wide"}
NARROW = {"size": (360, 230), "margins": (38, 44, 12, 30), "labels": 7, "css": "chart chart-trend chart-narrow"}


def trend(weeks: list[str], bars: list, line: list | None, title: str, desc: str,
          percent_label=lambda v: f"{v}%", shape: dict = WIDE) -> Markup:
    """Bars (counts, left axis) and optionally a line (a share 0–1, right axis), one slot per week.
    `shape` NARROW draws the same for a phone's width, where WIDE's labels would be too small to read."""
    width, height = shape["size"]
    left, right, top, bottom = shape["margins"]
    right = right if line is not None else 14
    plot_w, plot_h = width - left - right, height - top - bottom
    parts, _ = _open(width, height, title, desc, shape["css"])
    highest = nice_top(max([v for v in bars if v is not None] or [0]))
    base = top + plot_h
    parts.append('<g class="grid">')
    for step in range(5):
        y = base - plot_h * step / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{_f(y)}" y2="{_f(y)}"/>')
    parts.append("</g><g>")
    for step in range(5):
        y = base - plot_h * step / 4
        parts.append(f'<text class="tick" x="{left - 6}" y="{_f(y + 5)}" text-anchor="end">'
                     f'{_number(highest * step / 4)}</text>')
        if line is not None:
            parts.append(f'<text class="tick tick-line" x="{width - right + 6}" y="{_f(y + 5)}">'
                         f'{escape(percent_label(25 * step))}</text>')
    parts.append("</g>")
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
    parts += _x_labels(weeks, xs, height - 10, shape["labels"])
    parts.append("</svg>")
    return Markup("".join(parts))


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


def small(weeks: list[str], values: list, title: str, desc: str, share: bool = False) -> Markup:
    """One series as small bars with its own scale (small multiples side by side)."""
    width, height = 320, 150
    left, right, top, bottom = 40, 8, 10, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    parts, _ = _open(width, height, title, desc, "chart chart-small")
    highest = 1.0 if share else nice_top(max([v for v in values if v is not None] or [0]))
    base = top + plot_h
    parts.append('<g class="grid">')
    parts += [f'<line x1="{left}" x2="{width - right}" y1="{_f(base - plot_h * s / 2)}" '
              f'y2="{_f(base - plot_h * s / 2)}"/>' for s in range(3)]
    parts.append("</g><g>")
    for s in range(3):
        label = f"{50 * s}%" if share else _number(highest * s / 2)
        parts.append(f'<text class="tick" x="{left - 5}" y="{_f(base - plot_h * s / 2 + 5)}" '
                     f'text-anchor="end">{label}</text>')
    parts.append('</g><g class="bars">')
    slot = plot_w / max(len(weeks), 1)
    xs = [left + slot * (i + 0.5) for i in range(len(weeks))]
    for x, value in zip(xs, values):
        if value is not None:
            h = plot_h * min(value, highest) / highest
            parts.append(f'<rect x="{_f(x - slot * 0.3)}" y="{_f(base - h)}" width="{_f(slot * 0.6)}" height="{_f(h)}"/>')
    parts.append("</g>")
    parts += _x_labels(weeks, xs, height - 8, 6)
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
