"""The summary's trend as a PNG chart: answers per week as bars, the response rate as a line.

Only figures that the summary already shows go in (weeks hidden by the group-size rule stay
gaps), so the picture can be shared wherever the text can.
"""
from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

from bot.common.i18n import t, week_number

WIDTH, HEIGHT = 800, 360
LEFT, RIGHT, TOP, BOTTOM = 60, 60, 50, 50
BAR, LINE, TEXT, GRID = (94, 129, 172), (208, 135, 112), (46, 52, 64), (216, 222, 233)
COLORS = 16  # the four above, white and the shades of their anti-aliased edges


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the bitmap font has one size
        return ImageFont.load_default()


def _nice(value: float, rounded: bool) -> float:
    """The nice number (1, 2 or 5 times a power of ten) near `value` (Heckbert, Graphics Gems, 1990):
    rounded to the nearest, or the smallest one at least as large."""
    power = 10 ** math.floor(math.log10(value))
    fraction = value / power
    if rounded:
        nice = 1 if fraction < 1.5 else 2 if fraction < 3 else 5 if fraction < 7 else 10
    else:
        nice = 1 if fraction <= 1 else 2 if fraction <= 2 else 5 if fraction <= 5 else 10
    return nice * power


def nice_ticks(high: float, count: int = 5) -> list[int]:
    """Evenly spaced whole-number ticks from 0 to at least `high`, about `count` of them, at a step of
    1, 2 or 5 times a power of ten: 6 → 0, 2, 4, 6; 13 → 0, 5, 10, 15."""
    step = max(1, int(_nice(_nice(max(high, 1), False) / (count - 1), True)))
    last = max(1, math.ceil(high / step))
    return [step * i for i in range(last + 1)]


def answer_ticks(summary: dict) -> list[int]:
    """The left axis of the chart: answers per week, from 0 past the highest week."""
    return nice_ticks(max([a for a in summary["trend"]["answers"] if a is not None] or [0]))


def chart_png(summary: dict, lang: str) -> bytes | None:
    """None when the summary has no trend to draw (below the group-size threshold)."""
    if summary.get("too_small"):
        return None
    trend = summary["trend"]
    weeks, answers, rates = trend["weeks"], trend["answers"], trend["response_rate"]
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    small, title = _font(13), _font(16)
    heading = t(lang, "summary.chart_title", first=week_number(weeks[0]), last=week_number(weeks[-1]))
    heading = heading.replace("–", "-")  # the built-in font has no en dash
    draw.text((LEFT, 15), heading, fill=TEXT, font=title)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    ticks = answer_ticks(summary)
    top = ticks[-1]
    for value in ticks:  # grid lines at the answers' ticks, the rate's quarters beside them
        y = TOP + plot_h - plot_h * value / top
        draw.line((LEFT, y, WIDTH - RIGHT, y), fill=GRID)
        draw.text((8, y - 7), str(value), fill=BAR, font=small)
    for step in range(5):
        y = TOP + plot_h - plot_h * step / 4
        draw.text((WIDTH - RIGHT + 8, y - 7), t(lang, "summary.percent", value=25 * step), fill=LINE, font=small)
    slot = plot_w / len(weeks)
    points = []
    for i, week in enumerate(weeks):
        x = LEFT + slot * i + slot / 2
        if answers[i] is not None:
            height = plot_h * answers[i] / top
            draw.rectangle((x - slot * 0.3, TOP + plot_h - height, x + slot * 0.3, TOP + plot_h), fill=BAR)
        points.append(None if rates[i] is None else (x, TOP + plot_h - plot_h * min(rates[i], 1.0)))
        draw.text((x - 8, TOP + plot_h + 8), str(week_number(week)), fill=TEXT, font=small)
    for a, b in zip(points, points[1:]):
        if a and b:
            draw.line((*a, *b), fill=LINE, width=3)
    for p in filter(None, points):
        draw.ellipse((p[0] - 4, p[1] - 4, p[0] + 4, p[1] + 4), fill=LINE)
    draw.rectangle((LEFT, HEIGHT - 17, LEFT + 10, HEIGHT - 7), fill=BAR)
    draw.text((LEFT + 16, HEIGHT - 20), t(lang, "summary.trend_answers"), fill=TEXT, font=small)
    draw.ellipse((LEFT + 160, HEIGHT - 17, LEFT + 170, HEIGHT - 7), fill=LINE)
    draw.text((LEFT + 176, HEIGHT - 20), t(lang, "summary.trend_response_rate"), fill=TEXT, font=small)
    # A few flat colours: as a 16-colour palette PNG the chart is about a third of its RGB size,
    # small enough to travel inside a Teams card (as a data URL) next to the summary's text.
    out = io.BytesIO()
    image.quantize(colors=COLORS, dither=Image.Dither.NONE).save(out, format="PNG", optimize=True)
    return out.getvalue()
