"""The weekly summary as a chat message in the reader's language, and as JSON or CSV for operators.

The summary arrives as plain data (see bot/reports/summary.py); nothing here reads the database.
Trends are text sparklines (▁▂▃▅▇), which every platform shows the same way.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import datetime, timedelta

from bot.i18n import date_range, t, week_number
from bot.ports import Attachment, Block, Message
from bot.rhythm import zone

SPARKS = "▁▂▃▄▅▆▇█"
GAP = "·"
MAX_CIRCLES = 10  # a chat message stays readable; the CSV has every circle
MAX_NAMES = 8
TREND_ROWS = ("answers", "response_rate", "active_circles", "members", "thread_people")
RATES = ("response_rate", "shared_share")
CSV_COLUMNS = ("week", "group", "circles", "active_circles", "new_circles", "members", "prompts", "answers",
               "response_rate", "shared", "private", "shared_share", "answering", "thread_replies", "thread_people",
               "quiet", "new")


def sparkline(values: list) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return GAP * len(values)
    low, high = min(known), max(known)
    span = high - low
    out = []
    for v in values:
        if v is None:
            out.append(GAP)
        elif span == 0:
            out.append(SPARKS[0] if high == 0 else SPARKS[3])
        else:
            out.append(SPARKS[round((v - low) / span * (len(SPARKS) - 1))])
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
    blocks.append(Block("text", "\n".join(_figures(summary["totals"], lang, n))))
    blocks += _trend(summary["trend"], lang)
    blocks += _breakdown(summary, lang, n)
    blocks += _themes(summary.get("themes") or {}, lang, n)
    blocks += _coffees(summary.get("coffees"), lang, n)
    blocks.append(Block("context", t(lang, "summary.privacy", min=n)))
    return Message(blocks=tuple(blocks), summary=heading)


def _figures(f: dict, lang: str, n: int) -> list[str]:
    lines = [t(lang, "summary.circles", circles=f["circles"], active=t(lang, "summary.count_active",
                                                                       count=f["active_circles"]),
               new=t(lang, "summary.count_new", count=f["new_circles"])),
             t(lang, "summary.members", members=f["members"], answering=number(lang, f["answering"]))]
    if f["withheld"]:
        lines.append(t(lang, "summary.withheld", min=n))
    else:
        lines.append(t(lang, "summary.prompts", prompts=f["prompts"], answers=f["answers"],
                       rate=percent(lang, f["response_rate"])))
        lines.append(t(lang, "summary.shared", shared=f["shared"], private=f["private"],
                       share=percent(lang, f["shared_share"])))
    lines.append(t(lang, "summary.threads", replies=t(lang, "summary.count_replies", count=f["thread_replies"]),
                   people=t(lang, "summary.from_people", count=f["thread_people"])))
    return lines


def _trend(trend: dict, lang: str) -> list[Block]:
    labels = {key: t(lang, f"summary.trend_{key}") for key in TREND_ROWS}
    width = max(len(label) for label in labels.values())
    rows = []
    for key in TREND_ROWS:
        values = trend[key]
        latest = values[-1]
        shown = percent(lang, latest) if key in RATES else number(lang, latest)
        rows.append(f"{labels[key].ljust(width)}  {sparkline(values)}  {shown}")
    return [Block("context", t(lang, "summary.trend", count=len(trend["weeks"]), first=week_number(trend["weeks"][0]))),
            Block("code", "\n".join(rows))]


def _circle_line(c: dict, lang: str) -> str:
    flags = [t(lang, "summary.flag_new")] if c.get("new") else []
    flags += [t(lang, "summary.flag_quiet")] if c.get("quiet") else []
    line = t(lang, "summary.circle", circle=c["name"], members=people(lang, c["members"]), answers=c["answers"],
             prompts=c["prompts"], rate=percent(lang, c["response_rate"]), people=c["thread_people"])
    return f"{line} ({', '.join(flags)})" if flags else line


def _names(names: list[str]) -> list[str]:
    return names[:MAX_NAMES] + ([f"+{len(names) - MAX_NAMES}"] if len(names) > MAX_NAMES else [])


def _breakdown(summary: dict, lang: str, n: int) -> list[Block]:
    circles, other = summary["circles"], summary.get("other")
    lines = [_circle_line(c, lang) for c in circles[:MAX_CIRCLES]]
    if len(circles) > MAX_CIRCLES:
        lines.append(t(lang, "summary.more_circles", count=len(circles) - MAX_CIRCLES))
    if other and other.get("members") is not None:
        rate = percent(lang, other.get("response_rate")) if not other.get("withheld") else t(lang, "summary.na")
        lines.append(t(lang, "summary.other", count=other["circles"], min=n, members=people(lang, other["members"]),
                       answers=number(lang, other.get("answers")), rate=rate))
    elif other:
        lines.append(t(lang, "summary.other_empty", count=other["circles"], min=n))
    if not circles:
        lines = [t(lang, "summary.no_breakdown", min=n)]
    for key in ("quiet", "new"):
        group = summary[key]
        parts = _names(group["named"]) + ([t(lang, "summary.other_circles", count=group["other"])] if group["other"] else [])
        if parts:
            lines.append(t(lang, f"summary.{key}", circles=", ".join(parts)))
    return [Block("heading", t(lang, "summary.by_circle")), Block("text", "\n".join(lines))]


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


def _coffees(coffees: dict | None, lang: str, n: int) -> list[Block]:
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
    labels = {key: t(lang, f"summary.trend_coffee_{key}") for key in ("groups", "met")}
    width = max(map(len, labels.values()))
    rows = [f"{labels['groups'].ljust(width)}  {sparkline(trend['groups'])}  {number(lang, trend['groups'][-1])}",
            f"{labels['met'].ljust(width)}  {sparkline(trend['met_share'])}  {percent(lang, trend['met_share'][-1])}"]
    return [Block("heading", t(lang, "summary.coffees_heading")), Block("text", "\n".join(lines)),
            Block("code", "\n".join(rows))]


def _cell(text: str) -> str:
    """A circle name must not become a spreadsheet formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_json(summary: dict) -> str:
    return json.dumps(summary, ensure_ascii=False, indent=2)


def to_csv(summary: dict) -> str:
    """One row per week of the trend (all circles together), then one per named circle and the rest."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    if summary.get("too_small"):
        return out.getvalue()
    trend = summary["trend"]
    for index, week in enumerate(trend["weeks"][:-1]):
        writer.writerow({"week": week, "group": "all", **{k: v[index] for k, v in trend.items() if k != "weeks"}})
    week = summary["week"]
    writer.writerow({"week": week, "group": "all", **summary["totals"], "quiet": len(summary["quiet"]["named"])
                     + summary["quiet"]["other"], "new": len(summary["new"]["named"]) + summary["new"]["other"]})
    for circle in summary["circles"]:
        writer.writerow({"week": week, "group": _cell(circle["name"]), **circle, "quiet": int(circle.get("quiet", False)),
                         "new": int(circle.get("new", False))})
    if summary.get("other"):
        writer.writerow({"week": week, "group": "other circles", **summary["other"],
                         "circles": summary["other"]["circles"], "quiet": summary["quiet"]["other"],
                         "new": summary["new"]["other"]})
    return out.getvalue()


def delivery_message(settings, ws, person, payload: dict | None, lang: str) -> Message | None:
    """A planned summary, checked again at send time: only someone still in HR_USERS gets it."""
    if person is None or not payload or f"{ws.platform}:{person.platform_user_id}" not in settings.hr_users:
        return None
    from bot.reports.chart import chart_png

    summary = render(payload, lang)
    png = chart_png(payload, lang)
    if png is None:
        return summary
    chart = Attachment(f"kipina-summary-{payload['week']}.png", png, "image/png", title=summary.summary)
    return replace(summary, attachment=chart)  # where the platform takes files, the trend as a picture
