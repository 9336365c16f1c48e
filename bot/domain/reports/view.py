"""The weekly summary as a chat message in the reader's language, and as JSON for operators.

The summary arrives as plain data (see bot/domain/reports/summary.py); nothing here reads the database.
Headline figures are a facts block and the trend and circles are tables, which each platform
draws its own way; trends are text sparklines (▁▂▃▅▇), which every platform shows the same way.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

from bot.common.i18n import date_range, listing, t, week_number
from bot.ports import Attachment, Block, Message, facts, table
from bot.domain.pulses import summary as pulses
from bot.domain.shared.rhythm import zone

SPARKS = "▁▂▃▄▅▆▇█"
GAP = "·"
MAX_CIRCLES = 10  # a chat message stays readable; the CSV has every circle
MAX_NAMES = 8
TREND_ROWS = ("answers", "response_rate", "active_circles", "members", "thread_people")
RATES = ("response_rate", "shared_share")


def sparkline(values: list, rate: bool = False) -> str:
    """Counts from zero to the highest week, rates on the whole 0–100 % scale, so that a flat line
    at 3 answers or at 20 % does not look like a peak; a week without figures is a gap."""
    known = [v for v in values if v is not None]
    high = 1.0 if rate else max(known, default=0)
    out = []
    for v in values:
        if v is None:
            out.append(GAP)
        elif high <= 0:
            out.append(SPARKS[0])
        else:
            out.append(SPARKS[round(max(0, min(v, high)) / high * (len(SPARKS) - 1))])
    return "".join(out)


def percent(lang: str, value) -> str:
    return t(lang, "summary.na") if value is None else t(lang, "summary.percent", value=round(value * 100))


def number(lang: str, value) -> str:
    return t(lang, "summary.na") if value is None else str(value)


def people(lang: str, value) -> str:
    """'1 ihminen', '5 ihmistä', '5 personer', '5 people'."""
    return t(lang, "summary.na") if value is None else t(lang, "summary.count_people", count=value)


def _period(summary: dict, lang: str) -> str:
    tz = zone(summary.get("timezone"))
    start = datetime.fromisoformat(summary["start"]).astimezone(tz).date()
    end = (datetime.fromisoformat(summary["end"]).astimezone(tz) - timedelta(days=1)).date()
    text = date_range(lang, start, end)
    return text if summary.get("complete") else f"{text} · {t(lang, 'summary.so_far')}"


def render(summary: dict, lang: str) -> Message:
    n = summary["min_group_size"]
    key = "summary.heading_mentor" if summary.get("scope") == "mentor" else "summary.heading"
    heading = t(lang, key, week=week_number(summary["week"]))
    blocks = [Block("heading", heading), Block("context", _period(summary, lang))]
    if summary.get("too_small"):
        blocks.append(Block("text", t(lang, "summary.too_small", min=n)))
        return Message(blocks=tuple(blocks), summary=heading)
    blocks += _figures(summary["totals"], lang, n)
    blocks += _trend(summary["trend"], lang)
    blocks += _breakdown(summary, lang, n)
    blocks += _themes(summary.get("themes") or {}, lang, n)
    blocks += _coffees(summary.get("coffees"), summary["trend"]["weeks"], lang, n)
    blocks += pulses.blocks(summary.get("pulses"), lang)
    blocks.append(Block("context", t(lang, "summary.privacy", min=n)))
    return Message(blocks=tuple(blocks), summary=heading)


def _figures(f: dict, lang: str, n: int) -> list[Block]:
    """The headline figures; when few people were asked, no answer figures but a sentence why."""
    circles = t(lang, "summary.fact_circles_value", circles=f["circles"],
                active=t(lang, "summary.count_active", count=f["active_circles"]),
                new=t(lang, "summary.count_new", count=f["new_circles"]))
    rows = [(t(lang, "summary.fact_circles"), circles), (t(lang, "summary.fact_members"), number(lang, f["members"])),
            (t(lang, "summary.fact_answering"), number(lang, f["answering"]))]
    if not f["withheld"]:
        shared = t(lang, "summary.fact_shared_value", shared=f["shared"], share=percent(lang, f["shared_share"]))
        rows += [(t(lang, "summary.fact_prompts"), number(lang, f["prompts"])),
                 (t(lang, "summary.trend_answers"), number(lang, f["answers"])),
                 (t(lang, "summary.trend_response_rate"), percent(lang, f["response_rate"])),
                 (t(lang, "summary.fact_shared"), shared), (t(lang, "summary.fact_private"), number(lang, f["private"]))]
    rows.append((t(lang, "summary.fact_threads"), t(
        lang, "summary.fact_threads_value", replies=t(lang, "summary.count_replies", count=f["thread_replies"]),
        people=t(lang, "summary.from_people", count=f["thread_people"]))))
    lines = [t(lang, "summary.withheld", min=n)] if f["withheld"] else []
    if f.get("unreachable"):  # only when someone was not reached (and not in summaries planned before it was counted)
        lines.append(t(lang, "summary.unreachable", count=f["unreachable"]))
    return [facts(rows)] + [Block("text", line) for line in lines]


def _trend_table(weeks: list[str], rows: list[tuple[str, list, bool]], lang: str) -> Block:
    """label | sparkline | the latest week's figure, one row per (label, values, is a rate)."""
    header = (t(lang, "summary.col_measure"), t(lang, "summary.col_trend"),
              t(lang, "summary.col_week", week=week_number(weeks[-1])))
    return table(header, [(label, sparkline(values, rate), percent(lang, values[-1]) if rate
                           else number(lang, values[-1])) for label, values, rate in rows])


def _trend(trend: dict, lang: str) -> list[Block]:
    rows = [(t(lang, f"summary.trend_{key}"), trend[key], key in RATES) for key in TREND_ROWS]
    return [Block("context", t(lang, "summary.trend", count=len(trend["weeks"]), first=week_number(trend["weeks"][0]))),
            _trend_table(trend["weeks"], rows, lang)]


def _circle_row(c: dict, lang: str) -> tuple[str, ...]:
    flags = [t(lang, "summary.flag_new")] if c.get("new") else []
    flags += [t(lang, "summary.flag_quiet")] if c.get("quiet") else []
    name = f"{c['name']} ({', '.join(flags)})" if flags else c["name"]
    return (name, number(lang, c["members"]), f"{number(lang, c['answers'])}/{number(lang, c['prompts'])}",
            percent(lang, c["response_rate"]), number(lang, c["thread_people"]))


def _other_row(other: dict, lang: str) -> tuple[str, ...]:
    """The folded small circles together; answer figures only when enough of them were asked."""
    na = t(lang, "summary.na")
    withheld = other.get("withheld")
    answered = na if withheld else f"{number(lang, other.get('answers'))}/{number(lang, other.get('prompts'))}"
    return (t(lang, "summary.other_circles", count=other["circles"]), number(lang, other["members"]), answered,
            na if withheld else percent(lang, other.get("response_rate")), number(lang, other.get("thread_people")))


def _names(names: list[str]) -> list[str]:
    return names[:MAX_NAMES] + ([f"+{len(names) - MAX_NAMES}"] if len(names) > MAX_NAMES else [])


def _breakdown(summary: dict, lang: str, n: int) -> list[Block]:
    circles, other = summary["circles"], summary.get("other")
    rows = [_circle_row(c, lang) for c in circles[:MAX_CIRCLES]]
    lines = []
    if len(circles) > MAX_CIRCLES:
        lines.append(t(lang, "summary.more_circles", count=len(circles) - MAX_CIRCLES))
    if other and other.get("members") is not None:
        rows.append(_other_row(other, lang))
        lines.append(t(lang, "summary.other_note", min=n))
    elif other:
        lines.append(t(lang, "summary.other_empty", count=other["circles"], min=n))
    if not circles:
        rows, lines = [], [t(lang, "summary.no_breakdown", min=n)]
    for key in ("quiet", "new"):
        group = summary[key]
        parts = _names(group["named"]) + ([t(lang, "summary.other_circles", count=group["other"])] if group["other"] else [])
        if parts:
            lines.append(t(lang, f"summary.{key}", circles=listing(lang, parts)))
    header = (t(lang, "summary.col_circle"), t(lang, "summary.trend_members"), t(lang, "summary.col_answered"),
              t(lang, "summary.trend_response_rate"), t(lang, "summary.trend_thread_people"))
    blocks = [Block("heading", t(lang, "summary.by_circle"))]
    blocks += [table(header, rows)] if rows else []
    return blocks + ([Block("text", "\n".join(lines))] if lines else [])


def _themes(themes: dict, lang: str, n: int) -> list[Block]:
    method = themes.get("method")
    blocks = [Block("heading", t(lang, "summary.themes"))]
    if method == "failed":
        return blocks + [Block("text", t(lang, "summary.themes_failed"))]
    if method == "llm":
        by_language = themes.get("by_language") or {}
        items = by_language.get(lang) or by_language.get("en") or next(iter(by_language.values()), [])
        if items:
            lines = [f"• {i['title']}: {i['summary']}" if i.get("summary") else f"• {i['title']}" for i in items]
            return blocks + [Block("text", "\n".join(lines)), Block("context", t(lang, "summary.themes_llm"))]
    if method == "offline" and themes.get("items"):
        lines = ["• " + t(lang, "summary.theme_line", keywords=", ".join(i["keywords"]),
                          people=people(lang, i["people"])) for i in themes["items"]]
        return blocks + [Block("text", "\n".join(lines)), Block("context", t(lang, "summary.themes_offline", min=n))]
    return blocks + [Block("text", t(lang, "summary.themes_none", min=n))]


def _coffees(coffees: dict | None, weeks: list[str], lang: str, n: int) -> list[Block]:
    """Learning coffees, when there were rounds: groups, people, the share that met, the trend."""
    if not coffees:
        return []
    if coffees["withheld"]:
        lines = [t(lang, "summary.coffees_withheld", min=n)]
    else:
        lines = [t(lang, "summary.coffees", count=coffees["groups"], people=people(lang, coffees["people"]))]
        if coffees["met_share"] is not None:
            lines.append(t(lang, "summary.coffees_met", share=percent(lang, coffees["met_share"])))
        elif coffees["groups"]:
            lines.append(t(lang, "summary.coffees_met_withheld", min=n))
    trend = coffees["trend"]
    rows = [(t(lang, "summary.trend_coffee_groups"), trend["groups"], False),
            (t(lang, "summary.trend_coffee_met"), trend["met_share"], True)]
    return [Block("heading", t(lang, "summary.coffees_heading")), Block("text", "\n".join(lines)),
            _trend_table(weeks, rows, lang)]


def to_json(summary: dict) -> str:
    return json.dumps(summary, ensure_ascii=False, indent=2)


def delivery_message(settings, ws, person, payload: dict | None, lang: str) -> Message | None:
    """A planned summary, checked again at send time: only someone still in HR_USERS gets it."""
    if person is None or not payload or f"{ws.platform}:{person.platform_user_id}" not in settings.hr_users:
        return None
    from bot.domain.reports.chart import chart_png

    summary = render(payload, lang)
    png = chart_png(payload, lang)
    if png is None:
        return summary
    weeks = payload["trend"]["weeks"]
    title = t(lang, "summary.chart_title", first=week_number(weeks[0]), last=week_number(weeks[-1]))
    chart = Attachment(f"kipina-summary-{payload['week']}.png", png, "image/png", title=title)  # also its alt text
    return replace(summary, attachment=chart)  # where the platform takes files or pictures, the trend as one
