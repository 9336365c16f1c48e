"""The weekly summary for HR (and for mentors about their own circles), as plain data.

The group-size rule lives here: a figure is shown only for a group of at least
`min_group_size` distinct people. A circle smaller than that, or one where fewer people
than that were asked this week, is folded into "other circles"; when "other circles"
would itself be too small, the smallest named circles join it, so no small group can be
worked out by subtracting. Below the threshold overall, there are no figures at all.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta

from sqlalchemy import and_, true
from sqlmodel import Session

from bot.domain.reports import coffees
from bot.domain.pulses import summary as pulses
from bot.domain.reports import figures as sql
from bot.domain.reports import themes as offline
from bot.common.config import Settings
from bot.domain.shared.rhythm import next_fire
from storage.models import Circle, Workspace

TREND_WEEKS = 8
QUIET_PERIODS = 2
UNSCHEDULED_PERIOD = timedelta(weeks=1)  # without a rhythm: quiet after two weeks without an answered prompt
VERSION = 1


@dataclass(frozen=True)
class Scope:
    workspace_id: int
    mentor_id: int | None = None

    def where(self, only: list[int] | None = None, without: list[int] | None = None):
        cond = Circle.workspace_id == self.workspace_id
        if self.mentor_id is not None:
            cond = and_(cond, Circle.mentor_id == self.mentor_id)
        if only is not None:
            cond = and_(cond, Circle.id.in_(only) if only else ~true())
        if without:
            cond = and_(cond, Circle.id.not_in(without))
        return cond


def timezone_of(workspace: Workspace, settings: Settings) -> str:
    return workspace.timezone or settings.timezone


def present(fig: dict, n: int) -> dict:
    """A group's figures under the rule; answer figures only when enough people were asked."""
    out = {"members": fig["members"], "thread_replies": fig["thread_replies"], "thread_people": fig["thread_people"]}
    if 0 < fig["asked"] < n:
        out.update(dict.fromkeys(("prompts", "answers", "shared", "private", "answering", "response_rate",
                                  "shared_share")), withheld=True)
        return out
    answers, prompts = fig["answers"], fig["prompts"]
    out.update(prompts=prompts, answers=answers, shared=fig["shared"], private=answers - fig["shared"],
               answering=fig["answering"], withheld=False,
               response_rate=round(answers / prompts, 3) if prompts else None,
               shared_share=round(fig["shared"] / answers, 3) if answers else None)
    return out


def _large_enough(fig: dict, n: int) -> bool:
    return fig["members"] >= n and not 0 < fig["asked"] < n


def _nobody(fig: dict) -> bool:
    return not any(fig[k] for k in ("members", "asked", "answers", "thread_people"))


def _live(row, start: datetime, end: datetime) -> bool:
    return row.created_at < end and (row.archived_at is None or row.archived_at >= start)


def compute(session: Session, workspace: Workspace, settings: Settings, week: sql.Week, now: datetime,
            mentor_id: int | None = None, library=None, with_themes: bool = True,
            trend_weeks: int = TREND_WEEKS) -> dict:
    """The whole summary for one week. Themes are the offline ones (the model's are added by the caller).
    `trend_weeks`: how many weeks the trend covers (the chat's 8, the dashboard's 12 or 26)."""
    n = settings.min_group_size
    tz = timezone_of(workspace, settings)
    weeks = sql.weeks_until(week, trend_weeks, tz)
    last = len(weeks) - 1
    scope = Scope(workspace.id, mentor_id)
    base = {"version": VERSION, "scope": "mentor" if mentor_id else "workspace", "workspace_id": workspace.id,
            "week": week.label, "start": week.start.isoformat(), "end": week.end.isoformat(), "timezone": tz,
            "complete": now >= week.end, "min_group_size": n}
    total = sql.figures(session, weeks, scope.where(), by_circle=False)
    this_week = total.get((None, last), sql.empty())
    if this_week["members"] < n:
        return {**base, "too_small": True}

    rows = sql.circles(session, scope.where(), weeks)
    per_circle = sql.figures(session, [week], scope.where(), by_circle=True)
    named, other = _fold(session, scope, rows, per_circle, week, n)
    ref = min(now, week.end)
    named_ids = {c["id"] for c in named}
    quiet = _quiet(session, scope, rows, ref)
    new = [r for r in rows if week.start <= r.created_at < week.end and _live(r, ref, ref)]
    for item in named:
        item["quiet"], item["new"] = item["id"] in quiet, any(r.id == item["id"] for r in new)

    active = sql.active_by_week(session, weeks, scope.where())
    totals = present(this_week, n)
    totals.update(_circle_counts(rows, active, weeks[last], last))
    # People the platform could not reach: a count over the whole scope, like the members it is part
    # of (never per circle, never who), so it needs no threshold of its own beyond the summary's.
    totals["unreachable"] = sql.unreachable(session, week, scope.where())
    return {
        **base, "too_small": False, "totals": totals,
        "trend": _trend(weeks, total, active, rows, n),
        "circles": [{k: v for k, v in c.items() if k != "id"} for c in named],
        "other": other,
        "quiet": {"named": sorted(c["name"] for c in named if c["quiet"]),
                  "other": len([cid for cid in quiet if cid not in named_ids])},
        "new": {"named": sorted(c["name"] for c in named if c["new"]),
                "other": len([r for r in new if r.id not in named_ids])},
        "themes": offline_themes(session, scope, week, n, library) if with_themes else {"method": "none"},
        "coffees": coffees.compute(session, weeks, scope.where(), n),
        "pulses": pulses.compute(session, workspace.id, n, ref, {r.id for r in rows} if mentor_id else None),
    }


def _fold(session, scope, rows, per_circle, week, n):
    """Named circles (each large enough) and the folded rest as one group, itself large enough or empty."""
    live = [r for r in rows if _live(r, week.start, week.end)]
    fig = {r.id: per_circle.get((r.id, 0), sql.empty()) for r in live}
    named = sorted((r for r in live if _large_enough(fig[r.id], n)), key=lambda r: (fig[r.id]["members"], r.id))
    folded = [r.id for r in live if not _large_enough(fig[r.id], n)]
    other = None
    while folded and named:
        ids = [r.id for r in named]
        where = scope.where(only=folded) if len(folded) <= len(ids) else scope.where(without=ids)
        group = sql.figures(session, [week], where, by_circle=False).get((None, 0), sql.empty())
        if _large_enough(group, n) or _nobody(group):
            other = {"circles": len(folded), **(present(group, n) if group["members"] >= n else {})}
            break
        folded.append(named.pop(0).id)  # the smallest named circle joins the folded ones
    out = [{"id": r.id, "name": r.name, **present(fig[r.id], n)} for r in named]
    out.sort(key=lambda c: (-(c["answers"] or 0), -c["members"], c["name"]))
    return out, other


def _quiet(session, scope, rows, ref: datetime) -> set[int]:
    """Live circles whose last two prompts (by their rhythm; two weeks without one) got no answer."""
    since = {}
    for circle_id, rhythm in sql.reflection_schedules(session, scope.where()).items():
        fires = _fires(*rhythm, ref)
        if len(fires) >= QUIET_PERIODS:
            since[circle_id] = fires[-QUIET_PERIODS]
    default = ref - UNSCHEDULED_PERIOD * QUIET_PERIODS
    earliest = min([default, *since.values()])
    answered = sql.last_answered(session, scope.where(), earliest, ref)
    quiet = set()
    for r in rows:
        start = since.get(r.id, default)
        last = answered.get(r.id)
        if _live(r, ref, ref) and r.created_at <= start and (last is None or last < start):
            quiet.add(r.id)
    return quiet


@lru_cache(maxsize=256)
def _fires(days: str, clock: str, tz: str, ref: datetime) -> tuple[datetime, ...]:
    """The rhythm's fire times in the two weeks before `ref` (a rhythm fires at least weekly)."""
    fires, at = [], ref - timedelta(days=15)
    while True:
        at = next_fire(days, clock, tz, at)
        if at >= ref:
            return tuple(fires)
        fires.append(at)


def _circle_counts(rows, active: dict[int, int], week: sql.Week, index: int) -> dict:
    live = [r for r in rows if _live(r, week.start, week.end)]
    return {"circles": len(live), "active_circles": active.get(index, 0),
            "new_circles": len([r for r in live if week.start <= r.created_at < week.end])}


def _trend(weeks, total, active, rows, n) -> dict:
    """The whole scope week by week; a week with fewer than n people stays a gap."""
    series = {k: [] for k in ("circles", "active_circles", "members", "prompts", "answers", "response_rate",
                              "thread_people")}
    for index, week in enumerate(weeks):
        fig = total.get((None, index), sql.empty())
        shown = present(fig, n) if fig["members"] >= n else None
        counts = _circle_counts(rows, active, week, index) if shown else {}
        for key, values in series.items():
            values.append((counts if key in counts else shown or {}).get(key))
    return {"weeks": [w.label for w in weeks], **series}


def offline_themes(session, scope: Scope, week: sql.Week, n: int, library=None) -> dict:
    prompts = {key: " ".join(p.texts.values()) for key, p in library.by_key.items()} if library else {}
    found = offline.extract(sql.shared_answers(session, scope.where(), week), n,
                            names=sql.names(session, scope.workspace_id), prompt_texts=prompts)
    return {"method": "offline", "items": found}
