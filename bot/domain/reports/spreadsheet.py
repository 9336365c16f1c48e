"""The weekly summary as a CSV file that a spreadsheet opens as it is, in the reader's language.

Excel reads a CSV with the separator and decimal mark of the computer's regional settings and
takes a file without a byte-order mark for the legacy code page. Finnish and Swedish settings
use a decimal comma and so a `;` between fields; English keeps `,` and `.`. The file starts with
a UTF-8 BOM in every language. Four sections follow one another, separated by an empty row:
the figures (weeks of the trend, then each named circle and the folded rest), learning coffees,
the week's themes and the latest pulse. Only what already passed the group-size rule is in the summary; what it
withheld stays an empty cell here.
"""
from __future__ import annotations

import csv
import io

from babel.numbers import get_decimal_symbol

from bot.common.i18n import t
from bot.domain.pulses.summary import group_name, pulse_date, statement_text

BOM = "\ufeff"
COLUMNS = ("week", "group", "circles", "active_circles", "new_circles", "members", "prompts", "answers",
           "response_rate", "shared", "private", "shared_share", "answering", "thread_replies", "thread_people",
           "quiet", "new")
RATES = ("response_rate", "shared_share")  # written as percentages with one decimal
LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}


def decimal_mark(lang: str) -> str:
    return get_decimal_symbol(LOCALES.get(lang, "en_GB"))


def separator(lang: str) -> str:
    """Excel's list separator is ';' wherever the decimal mark is a comma."""
    return ";" if decimal_mark(lang) == "," else ","


def _cell(text: str) -> str:
    """A circle name must not become a spreadsheet formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Writer:
    def __init__(self, lang: str):
        self.lang, self.mark = lang, decimal_mark(lang)
        self.out = io.StringIO()
        self.csv = csv.writer(self.out, delimiter=separator(lang), lineterminator="\r\n")

    def value(self, key: str, value):
        if value is None:
            return ""
        if key in RATES or key == "met_share":
            return f"{value * 100:.1f}".replace(".", self.mark)
        if isinstance(value, float):
            return str(value).replace(".", self.mark)
        return value

    def figures(self, row: dict) -> None:
        self.csv.writerow([self.value(key, row.get(key)) for key in COLUMNS])

    def row(self, *cells) -> None:
        self.csv.writerow(cells)


def to_csv(summary: dict, lang: str = "en") -> str:
    w = _Writer(lang)
    w.row(*(t(lang, f"csv.col_{key}") for key in COLUMNS))
    if summary.get("too_small"):
        w.row(t(lang, "summary.too_small", min=summary["min_group_size"]))
        return BOM + w.out.getvalue()
    everyone = t(lang, "csv.all_circles")
    trend = summary["trend"]
    for index, week in enumerate(trend["weeks"][:-1]):
        w.figures({**{k: v[index] for k, v in trend.items() if k != "weeks"}, "week": week, "group": everyone})
    week, quiet, new = summary["week"], summary["quiet"], summary["new"]
    w.figures({**summary["totals"], "week": week, "group": everyone,
               "quiet": len(quiet["named"]) + quiet["other"], "new": len(new["named"]) + new["other"]})
    for circle in summary["circles"]:
        w.figures({**circle, "week": week, "group": _cell(circle["name"]), "quiet": int(circle.get("quiet", False)),
                   "new": int(circle.get("new", False))})
    if summary.get("other"):
        other = summary["other"]
        w.figures({**other, "week": week, "group": t(lang, "summary.other_circles", count=other["circles"]),
                   "quiet": quiet["other"], "new": new["other"]})
    _coffees(w, summary.get("coffees"), trend["weeks"], summary["min_group_size"])
    _themes(w, summary.get("themes") or {}, summary["min_group_size"])
    _pulses(w, summary.get("pulses"))
    return BOM + w.out.getvalue()


def _coffees(w: _Writer, coffees: dict | None, weeks: list[str], n: int) -> None:
    """Week by week: groups and the share of groups that met; the latest week also the people paired."""
    if not coffees:
        return
    lang = w.lang
    w.row()
    w.row(t(lang, "summary.coffees_heading"))
    w.row(t(lang, "csv.col_week"), t(lang, "csv.col_coffee_groups"), t(lang, "csv.col_coffee_people"),
          t(lang, "csv.col_coffee_met"))
    trend = coffees["trend"]
    for index, week in enumerate(weeks):
        latest = index == len(weeks) - 1
        w.row(week, w.value("groups", trend["groups"][index]),
              w.value("people", coffees["people"] if latest else None),
              w.value("met_share", trend["met_share"][index]))
    if coffees["withheld"]:
        w.row(t(lang, "summary.coffees_withheld", min=n))


def _themes(w: _Writer, themes: dict, n: int) -> None:
    lang, method = w.lang, themes.get("method")
    if method in (None, "none"):
        return
    w.row()
    w.row(t(lang, "summary.themes"))
    w.row(t(lang, "csv.col_theme"), t(lang, "csv.col_theme_summary"), t(lang, "csv.col_theme_people"))
    rows = []
    if method == "llm":
        by_language = themes.get("by_language") or {}
        items = by_language.get(lang) or by_language.get("en") or next(iter(by_language.values()), [])
        rows = [(_cell(i["title"]), _cell(i.get("summary") or ""), "") for i in items]
    elif method == "offline":
        rows = [(_cell(", ".join(i["keywords"])), "", i["people"]) for i in themes.get("items") or []]
    for row in rows:
        w.row(*row)
    if method == "failed":
        w.row(t(lang, "summary.themes_failed"))
    elif not rows:
        w.row(t(lang, "summary.themes_none", min=n))


def _pulses(w: _Writer, found: dict | None) -> None:
    """The latest pulse: one row per group and statement, as the chat shows it (groups under the
    group-size rule only; a statement too few answered has empty cells)."""
    if not found:
        return
    lang = w.lang
    w.row()
    w.row(t(lang, "pulse.results_heading", date=pulse_date(lang, found["date"])))
    w.row(t(lang, "csv.col_group"), t(lang, "pulse.col_statement"), t(lang, "csv.col_pulse_respondents"),
          t(lang, "pulse.col_mean"), t(lang, "pulse.col_change"), "1", "2", "3", "4", "5", t(lang, "pulse.rather_not"))
    if not found["groups"]:
        w.row(t(lang, "pulse.results_withheld", min=found["min_group_size"]))
    for group in found["groups"]:
        for s in group["statements"]:
            counts = s["distribution"] or [None] * 5
            w.row(_cell(group_name(lang, group)), statement_text(found["set"], s["key"], lang),
                  group["respondents"], w.value("mean", s["mean"]), w.value("change", s["change"]),
                  *(w.value("count", c) for c in counts), w.value("count", s["rather_not_say"]))
