"""The pulse part of reports: the latest pulse and its trend, as plain data (JSON in a stored weekly
summary, the dashboard's cache) and as blocks and CSV rows in the reader's language."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bot.common.i18n import t
from sqlalchemy import select

from bot.domain.pulses.results import ALL, CIRCLE, OTHER, StatementResult, pulse_results
from bot.ports import Block, table
from prompts.pulses import default_sets
from storage.pulses import PulseRound

TREND = 12  # pulses in the trend
MAX_CIRCLES = 10  # circles shown in chat; the dashboard's table and the CSV have every circle
LOOK_BACK = timedelta(days=2 * 366)


def compute(conn, workspace_id: int, n: int, now: datetime, circle_ids: set[int] | None = None,
            scope: str = ALL) -> dict | None:
    """The latest pulse of `scope` with its groups, and the trend of the whole (of the circle for
    `circle_ids`) over the last TREND pulses; None without pulses."""
    found = conn.execute(select(PulseRound.scheduled_for, PulseRound.statement_set).where(
        PulseRound.workspace_id == workspace_id, PulseRound.scope == scope, PulseRound.scheduled_for < now,
        PulseRound.scheduled_for >= now - LOOK_BACK).order_by(PulseRound.scheduled_for.desc()).limit(TREND)).all()
    if not found:
        return None
    dates = [when for when, _ in found]
    latest = pulse_results(conn, workspace_id, dates[min(1, len(dates) - 1)], now, n, circle_ids, scope=scope)
    if circle_ids is None:
        trend = pulse_results(conn, workspace_id, dates[-1], now, n, circles=False, scope=scope)
    else:
        trend = pulse_results(conn, workspace_id, dates[-1], now, n, circle_ids, scope=scope)
    last = max((r.round_id for r in latest if r.scheduled_for == dates[0]), default=None)
    groups: dict[tuple[str, str], dict] = {}
    for r in latest:
        if r.round_id == last:
            group = groups.setdefault((r.group, r.circle), {"group": r.group, "circle": r.circle,
                                                             "circles": r.circles, "respondents": r.respondents,
                                                             "statements": []})
            group["statements"].append(_statement(r))
    lead = {r.circle for r in trend if r.group == CIRCLE}
    if circle_ids is not None and len(lead) > 1:  # a mentor of several circles: no one line to draw
        trend = []
    keys = sorted({r.statement: r.position for r in trend}.items(), key=lambda kv: kv[1])
    means = {(r.scheduled_for, r.statement): r.mean for r in trend}
    axis = sorted(dates) if keys else []  # a pulse withheld by the size rule stays a gap
    return {
        "set": found[0][1],  # the latest pulse's statements
        "date": dates[0].isoformat(),
        "groups": sorted(groups.values(), key=lambda g: ({ALL: 0, CIRCLE: 1, OTHER: 2}[g["group"]], g["circle"])),
        "trend": {"dates": [when.isoformat() for when in axis],
                  "statements": {key: [means.get((when, key)) for when in axis] for key, _ in keys}},
        "min_group_size": n,
    }


def _statement(r: StatementResult) -> dict:
    return {"key": r.statement, "answered": r.answered, "rather_not_say": r.rather_not_say,
            "distribution": list(r.distribution) if r.distribution else None, "mean": r.mean, "change": r.change}


def statement_text(set_name: str, key: str, lang: str) -> str:
    found = default_sets().get(set_name)
    statement = found.get(key) if found else None
    return statement.text(lang) if statement else key


def number(lang: str, value: float | None) -> str:
    if value is None:
        return "–"
    text = str(Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))  # 4.25 → 4.3, as people round
    return text.replace(".", ",") if lang in ("fi", "sv") else text


def change(lang: str, value: float | None) -> str:
    return "" if value is None else ("+" if value > 0 else "±" if value == 0 else "−") + number(lang, abs(value))


def pulse_date(lang: str, iso: str) -> str:
    day = datetime.fromisoformat(iso)
    return t(lang, "pulse.date", day=day.day, month=day.month, year=day.year)


def group_name(lang: str, group: dict) -> str:
    if group["group"] == CIRCLE:
        return group["circle"]
    if group["group"] == OTHER:
        return t(lang, "pulse.group_other", count=group["circles"])
    return t(lang, "pulse.group_all")


def blocks(found: dict | None, lang: str, heading: bool = True, most: int = MAX_CIRCLES) -> list[Block]:
    """The latest pulse per group as tables (the whole, "other circles" and the `most` circles with
    the most respondents), then the trend of the means, in the reader's language."""
    if not found:
        return []
    n = found["min_group_size"]
    out = [Block("heading", t(lang, "pulse.results_heading", date=pulse_date(lang, found["date"])))] if heading else []
    if not found["groups"]:
        return out + [Block("text", t(lang, "pulse.results_withheld", min=n))]
    header = (t(lang, "pulse.col_statement"), t(lang, "pulse.col_mean"), t(lang, "pulse.col_change"),
              "1", "2", "3", "4", "5", t(lang, "pulse.rather_not"))
    named = sorted((g for g in found["groups"] if g["group"] == CIRCLE), key=lambda g: -g["respondents"])
    left_out = len(named) - most
    if left_out > 0:
        keep = {id(g) for g in named[:most]}
        found = {**found, "groups": [g for g in found["groups"] if g["group"] != CIRCLE or id(g) in keep]}
    for group in found["groups"]:
        rows = []
        for s in group["statements"]:
            text = statement_text(found["set"], s["key"], lang)
            if s["distribution"] is None:
                rows.append((text, t(lang, "pulse.too_few"), "", "", "", "", "", "", ""))
            else:
                rows.append((text, number(lang, s["mean"]), change(lang, s["change"]),
                             *map(str, s["distribution"]), str(s["rather_not_say"])))
        out.append(Block("text", t(lang, "pulse.group_line", group=group_name(lang, group),
                                   count=group["respondents"])))
        out.append(table(header, rows))
    if left_out > 0:
        out.append(Block("context", t(lang, "pulse.more_circles", count=left_out)))
    trend = found["trend"]
    if len(trend["dates"]) > 1:
        header = (t(lang, "pulse.col_statement"), *(pulse_date(lang, d) for d in trend["dates"]))
        rows = [(statement_text(found["set"], key, lang), *(number(lang, v) for v in values))
                for key, values in trend["statements"].items()]
        out += [Block("text", t(lang, "pulse.trend")), table(header, rows)]
    out.append(Block("context", t(lang, "pulse.results_privacy", min=n)))
    return out
