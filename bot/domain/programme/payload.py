"""What an organisation sends the hub for a week: only what its own weekly summary may show.

Figures are counted by the same queries as the weekly summary (bot/domain/reports), over every
circle of this installation, and pass the same group-size rule here, before anything leaves:
below MIN_GROUP_SIZE people the week is `too_small` and carries no figures at all. No names of
people, no answer texts, no ids of people or circles; circle names only with
PROGRAMME_SHARE_CIRCLE_NAMES, and then only the circles the summary itself names.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import true
from sqlmodel import Session, select

from bot.common.config import Settings
from bot.domain import reports
from bot.domain.pulses.results import pulse_results as pulse_rows
from bot.domain.programme.schema import MAX_CIRCLES
from storage.models import Person, Workspace

VERSION = 1
PULSE_WEEKS = 8  # how far back the latest pulse may lie to be sent with a week
COUNTS = ("members", "asked", "prompts", "answers", "answering", "thread_replies", "thread_people", "circles",
          "active_circles")


def build(session: Session, settings: Settings, week: reports.Week, now: datetime, library=None) -> dict:
    """The week's payload (see schema.py). `week`: a full ISO week in the installation's time zone."""
    n = settings.min_group_size
    everything = true()  # every circle of this installation, whichever platform it lives on
    base = {"version": VERSION, "week": week.label, "min_group_size": n}
    fig = reports.count_figures(session, [week], everything, by_circle=False).get((None, 0), reports.no_figures())
    if fig["members"] < n:
        return {**base, "too_small": True}
    shown = reports.present(fig, n)
    rows = [r for r in reports.live_circles(session, everything, [week])
            if r.created_at < week.end and (r.archived_at is None or r.archived_at >= week.start)]
    figures = {"members": fig["members"], "asked": fig["asked"], "prompts": shown["prompts"],
               "answers": shown["answers"], "answering": shown["answering"], "response_rate": shown["response_rate"],
               "thread_replies": fig["thread_replies"], "thread_people": fig["thread_people"],
               "circles": len(rows), "active_circles": reports.active_by_week(session, [week], everything).get(0, 0)}
    out = {**base, "too_small": False, "figures": figures,
           "coffees": _coffees(session, week, n), "themes": _themes(session, week, n, library),
           "pulses": pulse_results(session, week, n)}
    if settings.programme_share_circle_names:
        out["circles"] = _named_circles(session, settings, week, now, library)[:MAX_CIRCLES]
    return out


def _coffees(session: Session, week: reports.Week, n: int) -> dict | None:
    found = reports.coffee_figures(session, [week], true(), n)
    if found is None:
        return None
    return {"groups": found["groups"], "people": found["people"], "met_share": found["met_share"]}


def _themes(session: Session, week: reports.Week, n: int, library) -> list[dict]:
    """The offline themes only (words used by at least n people, names scrubbed); a language
    model's sentences never travel."""
    prompts = {key: " ".join(p.texts.values()) for key, p in library.by_key.items()} if library else {}
    names = set()
    for name, user_id in session.exec(select(Person.name, Person.platform_user_id)):
        names.update(v for v in (name, user_id) if v)
    return reports.extract_themes(reports.shared_answers(session, true(), week), n, names=names, prompt_texts=prompts)


def pulse_results(session: Session, week: reports.Week, n: int) -> list[dict]:
    """The latest workspace-wide pulse of each workspace scheduled within PULSE_WEEKS before the
    week's end, as the whole of each workspace (no circles), one item per statement: counts for
    1..5, rather_not_say, respondents, mean. Only groups of at least n pass (pulses.results applies
    the rule); workspaces' counts add up. A pulse still open is sent again with the next weeks."""
    totals: dict[str, dict] = {}
    for workspace_id in session.exec(select(Workspace.id).order_by(Workspace.id)):
        found = pulse_rows(session, workspace_id, week.end - timedelta(weeks=PULSE_WEEKS), week.end, n,
                           circles=False, scope="all")
        latest = max((r.scheduled_for for r in found), default=None)
        for r in found:
            if r.scheduled_for != latest or r.distribution is None:
                continue
            item = totals.setdefault(r.statement, {"statement": r.statement, "counts": [0] * 5,
                                                   "rather_not_say": 0, "respondents": 0, "position": r.position})
            item["counts"] = [a + b for a, b in zip(item["counts"], r.distribution)]
            item["rather_not_say"] += r.rather_not_say or 0
            item["respondents"] += r.respondents
    out = []
    for item in sorted(totals.values(), key=lambda i: i.pop("position")):
        answered = sum(item["counts"])
        mean = sum(score * count for score, count in enumerate(item["counts"], 1)) / answered if answered else None
        out.append({**item, "mean": round(mean, 2) if mean is not None else None})
    return out


def _named_circles(session: Session, settings: Settings, week: reports.Week, now: datetime, library) -> list[dict]:
    """The circles each workspace's own summary names (large enough; the small ones folded away), most
    answers first as there; at most MAX_CIRCLES of them."""
    out = []
    for ws in session.exec(select(Workspace).order_by(Workspace.id)):
        local = reports.parse_week(week.label, reports.timezone_of(ws, settings))
        summary = reports.compute(session, ws, settings, local, now, library=library, with_themes=False, trend_weeks=1)
        for circle in summary.get("circles", []):
            out.append({"name": circle["name"], "members": circle["members"], "answers": circle["answers"],
                        "response_rate": circle["response_rate"]})
    return out
