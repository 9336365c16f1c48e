"""The pulse section of the HR and mentor pages: the latest pulse group by group, and each
statement's mean across pulses as a small line chart with the same figures in a table. Made
from the summary's "pulses" part (bot/domain/pulses/summary.py), which arrives with the
group-size rule already applied."""
from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

from bot.dashboard.charts import _f, _line, _open
from bot.domain.pulses.summary import change, group_name, number, statement_text


def _date(w, iso: str) -> str:
    day = datetime.fromisoformat(iso)
    return w("pulse.date", day=day.day, month=day.month, year=day.year)


def chart(dates: list[str], means: list, title: str, desc: str) -> Markup:
    """One statement's mean (1–5) pulse by pulse; a pulse withheld by the size rule is a gap."""
    width, height = 320, 150
    left, right, top, bottom = 28, 10, 10, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    parts, _ = _open(width, height, title, desc, "chart chart-small chart-pulse")
    base = top + plot_h
    parts.append('<g class="grid">')
    parts += [f'<line x1="{left}" x2="{width - right}" y1="{_f(base - plot_h * (v - 1) / 4)}" '
              f'y2="{_f(base - plot_h * (v - 1) / 4)}"/>' for v in (1, 3, 5)]
    parts.append("</g><g>")
    parts += [f'<text class="tick" x="{left - 5}" y="{_f(base - plot_h * (v - 1) / 4 + 5)}" '
              f'text-anchor="end">{v}</text>' for v in (1, 3, 5)]
    parts.append("</g>")
    slot = plot_w / max(len(dates), 1)
    xs = [left + slot * (i + 0.5) for i in range(len(dates))]
    parts += _line(xs, [None if v is None else base - plot_h * (min(max(v, 1), 5) - 1) / 4 for v in means])
    every = max(1, -(-len(dates) // 4))
    for i in range(len(dates) - 1, -1, -every):  # the latest pulse always has its label
        day = datetime.fromisoformat(dates[i])
        parts.append(f'<text class="tick" x="{_f(xs[i])}" y="{height - 8}" text-anchor="middle">'
                     f'{day.day}.{day.month}.</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def section(found: dict | None, w) -> dict | None:
    """Plain values for templates/_pulses.html, in the reader's language; None without pulses."""
    if not found:
        return None
    lang, n = w.lang, found["min_group_size"]
    groups = []
    for group in found["groups"]:
        rows = []
        for s in group["statements"]:
            row = {"statement": statement_text(found["set"], s["key"], lang), "withheld": s["distribution"] is None}
            if not row["withheld"]:
                row.update(mean=number(lang, s["mean"]), change=change(lang, s["change"]) or "–",
                           counts=[w.number(v) for v in s["distribution"]], rather_not=w.number(s["rather_not_say"]))
            rows.append(row)
        groups.append({"name": group_name(lang, group), "line": w("pulse.group_line", group=group_name(lang, group),
                                                                    count=group["respondents"]), "rows": rows})
    trend = found["trend"]
    dates = [_date(w, d) for d in trend["dates"]]
    charts = []
    for key, values in trend["statements"].items():
        text = statement_text(found["set"], key, lang)
        latest = next((v for v in reversed(values) if v is not None), None)
        charts.append({"title": text, "latest": number(lang, latest),
                       "svg": chart(trend["dates"], values, text, w("pulse.chart_desc", count=len(values),
                                                                    latest=number(lang, latest)))})
    return {"heading": w("pulse.results_heading", date=_date(w, found["date"])), "groups": groups,
            "withheld": w("pulse.results_withheld", min=n) if not groups else "",
            "charts": charts if len(dates) > 1 else [], "dates": dates,
            "trend_rows": [{"statement": statement_text(found["set"], key, lang),
                            "means": [number(lang, v) for v in values]}
                           for key, values in trend["statements"].items()],
            "privacy": w("pulse.results_privacy", min=n)}
