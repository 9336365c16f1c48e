"""What each page shows, made from a summary of bot/domain/reports (or, on a member's own page, from their
own rows): plain values for the templates, in the reader's language.

Nothing here counts or decides what may be shown: the summary arrives with the group-size rule
already applied (small circles folded into "other circles", withheld figures as None), exactly
as the weekly summary has it. Pages add layout, charts and sorting.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from babel.numbers import format_decimal, get_group_symbol
from markupsafe import Markup
from sqlmodel import Session, select

from bot.domain.shared import rotation
from bot.domain.shared.context import format_when
from bot.dashboard import charts, pulses
from bot.common.i18n import date_range, t, week_number
from bot.domain.shared.rhythm import zone
from storage.models import Circle, Membership, Person, Reply

MAX_ROWS = 100  # circles in the table; the CSV has them all
JOURNAL_ROWS = 200
LOCALES = {"fi": "fi_FI", "sv": "sv_SE", "en": "en_GB"}
SORTS = {
    "answers": lambda c: (-(c["answers"] or 0), -c["members"], c["name"].lower()),
    "rate": lambda c: (-(c["response_rate"] if c["response_rate"] is not None else -1), c["name"].lower()),
    "members": lambda c: (-c["members"], c["name"].lower()),
    "name": lambda c: c["name"].lower(),
}


@lru_cache(maxsize=None)
def _group_symbol(lang: str) -> str:
    return get_group_symbol(LOCALES.get(lang, "en_GB"))


class Words:
    """The reader's language, bound: t(), numbers with the language's digit grouping, percentages."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, key: str, **params) -> str:
        return t(self.lang, key, **params)

    def number(self, value) -> str:
        """12 345 in fi and sv (a no-break space), 12,345 in English."""
        if value is None:
            return t(self.lang, "summary.na")
        if isinstance(value, int):  # the common case, a hundred times a page: Python's own grouping
            return f"{value:,}".replace(",", _group_symbol(self.lang))
        return format_decimal(value, locale=LOCALES.get(self.lang, "en_GB"))

    def percent(self, value) -> str:
        return t(self.lang, "summary.na") if value is None else t(self.lang, "summary.percent", value=round(value * 100))


def period(summary: dict, lang: str) -> str:
    tz = zone(summary.get("timezone"))
    start = datetime.fromisoformat(summary["start"]).astimezone(tz).date()
    end = (datetime.fromisoformat(summary["end"]).astimezone(tz) - timedelta(days=1)).date()
    text = date_range(lang, start, end)
    return text if summary.get("complete") else f"{text} · {t(lang, 'summary.so_far')}"


def overview(summary: dict, w: Words, sort: str = "answers", show_all: bool = False) -> dict:
    """Everything an HR or mentor page shows of one summary."""
    n = summary["min_group_size"]
    heading_key = "summary.heading_mentor" if summary.get("scope") == "mentor" else "summary.heading"
    page = {"heading": w(heading_key, week=week_number(summary["week"])), "period": period(summary, w.lang),
            "too_small": bool(summary.get("too_small")), "min": n, "privacy": w("summary.privacy", min=n)}
    if page["too_small"]:
        page["too_small_text"] = w("summary.too_small", min=n)
        return page
    trend = summary["trend"]
    page.update(cards=_cards(summary["totals"], summary.get("coffees"), trend, w, n), trend=_trend(trend, w, n),
                circles=_circles(summary, w, n, sort, show_all), themes=_themes(summary.get("themes") or {}, w, n),
                coffees=_coffees(summary.get("coffees"), trend["weeks"], w, n),
                pulses=pulses.section(summary.get("pulses"), w))
    for key in ("quiet", "new"):
        group = summary[key]
        names = list(group["named"]) + ([w("summary.other_circles", count=group["other"])] if group["other"] else [])
        page[key] = names
    return page


def change(values: list, weeks: list[str], as_share: bool, w: Words) -> str:
    """The chosen week against the one before: '+3 from week 48', '−4 percentage points from week 48'."""
    if len(values) < 2 or values[-1] is None or values[-2] is None:
        return ""
    week = week_number(weeks[-2])
    if as_share:
        diff = round(values[-1] * 100) - round(values[-2] * 100)
        amount = w("a11y.points", count=abs(diff))
    else:
        diff = values[-1] - values[-2]
        amount = w.number(abs(diff))
    if diff == 0:
        return w("a11y.change_same", week=week)
    return w("a11y.change_up" if diff > 0 else "a11y.change_down", change=amount, week=week)


def _cards(f: dict, coffees: dict | None, trend: dict, w: Words, n: int) -> list[dict]:
    weeks = trend["weeks"]
    cards = [
        {"label": w("dashboard.card_active"), "value": w.number(f["active_circles"]),
         "detail": w("dashboard.card_of_circles", count=f["circles"]) + " · " + w("summary.count_new",
                                                                                  count=f["new_circles"]),
         "change": change(trend["active_circles"], weeks, False, w)},
        {"label": w("dashboard.card_people"), "value": w.number(f["members"]),
         "detail": w("dashboard.card_answered", count=f["answering"]) if f["answering"] is not None else "",
         "change": change(trend["members"], weeks, False, w)},
    ]
    if f["withheld"]:
        cards.append({"label": w("summary.trend_response_rate"), "value": w("summary.na"),
                      "detail": w("summary.withheld", min=n)})
    else:
        cards += [
            {"label": w("summary.trend_response_rate"), "value": w.percent(f["response_rate"]),
             "detail": w("dashboard.card_answers", answers=w.number(f["answers"]), prompts=w.number(f["prompts"])),
             "change": change(trend["response_rate"], weeks, True, w)},
            {"label": w("dashboard.card_shared"), "value": w.percent(f["shared_share"]),
             "detail": w("dashboard.card_shared_detail", shared=w.number(f["shared"]), private=w.number(f["private"]))},
        ]
    cards.append({"label": w("dashboard.card_threads"), "value": w.number(f["thread_replies"]),
                  "detail": w("summary.from_people", count=f["thread_people"])})
    if coffees and not coffees["withheld"] and coffees["groups"]:
        cards.append({"label": w("summary.coffees_heading"), "value": w.number(coffees["groups"]),
                      "detail": w("dashboard.card_coffees_met", share=w.percent(coffees["met_share"]))
                      if coffees["met_share"] is not None else w("summary.count_people", count=coffees["people"]),
                      "change": change(coffees["trend"]["groups"], weeks, False, w)})
    if f.get("unreachable"):  # people the bot could not reach this week: a count, only when there are any
        cards.append({"label": w("dashboard.card_unreachable"), "value": w.number(f["unreachable"]),
                      "detail": w("dashboard.card_unreachable_detail")})
    return cards


def _latest(values: list, as_share: bool, w: Words) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return w("summary.na")
    return w.percent(known[-1]) if as_share else w.number(known[-1])


def movement(what: str, weeks: list[str], values: list, as_share: bool, w: Words) -> str:
    """How a series went over the weeks, for a chart's description: first and last figures, the
    direction, and the highest when it was neither."""
    shown = w.percent if as_share else w.number
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if not known:
        return w("a11y.moved_none", what=what)
    (i0, v0), (i1, v1) = known[0], known[-1]
    span = {"what": what, "start": week_number(weeks[i0]), "end": week_number(weeks[i1]),
            "first": shown(v0), "last": shown(v1)}
    if len(known) == 1:
        return w("a11y.moved_one", **span)
    key = "a11y.moved_flat" if shown(v0) == shown(v1) else "a11y.moved_up" if v1 > v0 else "a11y.moved_down"
    text = w(key, **span)
    top_i, top = max(known, key=lambda p: (p[1], p[0]))
    if shown(top) not in (shown(v0), shown(v1)):
        text += " " + w("a11y.peak", value=shown(top), week=week_number(weeks[top_i]))
    return text


def _both(weeks: list[str], bars: list, line: list, title: str, desc: str, axes: charts.Axes) -> Markup:
    """The chart twice, for a wide screen and for a phone; the stylesheet shows one of them."""
    return Markup("").join(charts.trend(weeks, bars, line, title, desc, axes, shape)
                           for shape in (charts.WIDE, charts.NARROW))


def _axes(w: Words, left: str, right: str = "") -> charts.Axes:
    return charts.Axes(w(left), w(right) if right else "", w("a11y.axis_week"), w.number,
                       lambda value: w("summary.percent", value=value))


SMALLS = (("active_circles", "a11y.axis_circles"), ("members", "a11y.axis_people"),
          ("thread_people", "a11y.axis_people"))


def _trend(trend: dict, w: Words, n: int) -> dict:
    weeks = trend["weeks"]
    first, last = week_number(weeks[0]), week_number(weeks[-1])
    span = {"first": first, "last": last}
    title = w("summary.chart_title", **span)
    desc = " ".join([movement(w("summary.trend_answers"), weeks, trend["answers"], False, w),
                     movement(w("summary.trend_response_rate"), weeks, trend["response_rate"], True, w)])
    main = _both(weeks, trend["answers"], trend["response_rate"], title, desc,
                 _axes(w, "a11y.axis_answers", "a11y.axis_rate"))
    smalls = []
    for key, axis in SMALLS:
        title = w(f"summary.trend_{key}")
        desc = movement(title, weeks, trend[key], False, w)
        smalls.append({"title": title, "latest": _latest(trend[key], False, w),
                       "svg": charts.small(weeks, trend[key], title, desc, _axes(w, axis))})
    rows = [{"week": w("dashboard.week_option", week=week_number(week)), "answers": w.number(trend["answers"][i]),
             "rate": w.percent(trend["response_rate"][i]), "active": w.number(trend["active_circles"][i]),
             "members": w.number(trend["members"][i]), "threads": w.number(trend["thread_people"][i])}
            for i, week in enumerate(weeks)]
    gaps = any(v is None for v in trend["members"])
    return {"main": main, "smalls": smalls, "rows": list(reversed(rows)), "span": span,
            "gaps": w("dashboard.gaps", min=n) if gaps else ""}


def _circles(summary: dict, w: Words, n: int, sort: str, show_all: bool) -> dict:
    named = sorted(summary["circles"], key=SORTS.get(sort, SORTS["answers"]))
    shown = named if show_all else named[:MAX_ROWS]
    rows = [{"name": c["name"], "members": w.number(c["members"]), "prompts": w.number(c["prompts"]),
             "answers": w.number(c["answers"]), "rate": w.percent(c["response_rate"]),
             "meter": charts.meter(c["response_rate"]), "threads": w.number(c["thread_people"]),
             "flags": ", ".join([w("summary.flag_new")] * bool(c.get("new")) + [w("summary.flag_quiet")] * bool(c.get("quiet")))}
            for c in shown]
    other = summary.get("other")
    other_row = None
    if other and other.get("members") is not None:
        withheld = other.get("withheld")
        other_row = {"name": w("summary.other_circles", count=other["circles"]), "members": w.number(other["members"]),
                     "prompts": w("summary.na") if withheld else w.number(other.get("prompts")),
                     "answers": w("summary.na") if withheld else w.number(other.get("answers")),
                     "rate": w("summary.na") if withheld else w.percent(other.get("response_rate")),
                     "meter": charts.meter(None if withheld else other.get("response_rate")),
                     "threads": w.number(other.get("thread_people"))}
    notes = []
    if other and other_row is None:
        notes.append(w("summary.other_empty", count=other["circles"], min=n))
    elif other_row is not None:
        notes.append(w("dashboard.other_note", min=n))
    if not named:
        notes = [w("summary.no_breakdown", min=n)]
    return {"rows": rows, "other": other_row, "notes": notes, "sort": sort if sort in SORTS else "answers",
            "hidden": len(named) - len(shown), "total": len(named)}


def _themes(themes: dict, w: Words, n: int) -> dict:
    method = themes.get("method")
    if method == "llm":
        by_language = themes.get("by_language") or {}
        items = by_language.get(w.lang) or by_language.get("en") or next(iter(by_language.values()), [])
        if items:
            return {"items": [f"{i['title']}: {i['summary']}" if i.get("summary") else i["title"] for i in items],
                    "note": w("summary.themes_llm")}
    if method == "offline" and themes.get("items"):
        return {"items": [w("summary.theme_line", keywords=", ".join(i["keywords"]),
                            people=w("summary.count_people", count=i["people"])) for i in themes["items"]],
                "note": w("summary.themes_offline", min=n)}
    if method == "failed":
        return {"items": [], "note": w("summary.themes_failed")}
    return {"items": [], "note": w("summary.themes_none", min=n)}


def _coffees(coffees: dict | None, weeks: list[str], w: Words, n: int) -> dict | None:
    """Learning coffees once bot/domain/reports counts them (None: no round in these weeks)."""
    if not coffees:
        return None
    if coffees["withheld"]:
        lines = [w("summary.coffees_withheld", min=n)]
    else:
        lines = [w("summary.coffees", count=coffees["groups"], people=w("summary.count_people", count=coffees["people"]))]
        if coffees["met_share"] is not None:
            lines.append(w("summary.coffees_met", share=w.percent(coffees["met_share"])))
        elif coffees["groups"]:
            lines.append(w("summary.coffees_met_withheld", min=n))
    trend = coffees["trend"]
    span = {"first": week_number(weeks[0]), "last": week_number(weeks[-1])}
    title = w("dashboard.chart_coffees", **span)
    desc = " ".join([movement(w("summary.trend_coffee_groups"), weeks, trend["groups"], False, w),
                     movement(w("summary.trend_coffee_met"), weeks, trend["met_share"], True, w)])
    chart = _both(weeks, trend["groups"], trend["met_share"], title, desc,
                  _axes(w, "a11y.axis_groups", "a11y.axis_met"))
    rows = [{"week": w("dashboard.week_option", week=week_number(week)), "groups": w.number(trend["groups"][i]),
             "met": w.percent(trend["met_share"][i])} for i, week in enumerate(weeks)]
    return {"lines": lines, "chart": chart, "title": title, "rows": list(reversed(rows))}


def journal(session: Session, person: Person, library, lang: str, tz: str) -> dict:
    """A member's own page: their answers (private ones too: the page is theirs alone) and circles."""
    rows = session.exec(
        select(Reply, Circle).join(Circle, Circle.id == Reply.circle_id)
        .where(Reply.person_id == person.id, Reply.text != "").order_by(Reply.created_at.desc()).limit(JOURNAL_ROWS)
    ).all()
    entries = [{"when": format_when(lang, reply.created_at, tz), "circle": circle.name,
                "visibility": t(lang, "dashboard.shared" if reply.visibility == "circle" else "dashboard.private"),
                "private": reply.visibility != "circle",
                "question": rotation.prompt_text(session, library, reply.prompt_key, lang), "text": reply.text}
               for reply, circle in rows]
    circles = session.exec(select(Circle.name).join(Membership, Membership.circle_id == Circle.id).where(
        Membership.person_id == person.id, Circle.archived_at.is_(None)).order_by(Circle.name)).all()
    return {"entries": entries, "circles": list(circles)}


def led_circles(session: Session, person: Person) -> list[str]:
    """The names of the circles a mentor leads (their own: named to them whatever their size)."""
    return list(session.exec(select(Circle.name).where(Circle.mentor_id == person.id, Circle.archived_at.is_(None))
                             .order_by(Circle.name)).all())
