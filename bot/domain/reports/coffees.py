"""Learning coffees in the weekly summary: groups made, the share that met and the trend, counted
by the database from rounds, groups and the members' own answers to "did you meet?".

The same group-size rule as everything else: a week's figures only when at least `n` distinct
people were paired in it, the share that met only when at least `n` of them answered. Only
counts leave the database here; who met whom never does.
"""
from __future__ import annotations

from sqlalchemy import case, distinct, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from bot.domain.reports.figures import Week, _bucket, _inside
from storage.models import Circle, PairMember, PairRound


def figures(session: Session, weeks: list[Week], scope: ColumnElement) -> dict[int, dict]:
    """week index → groups, people, answering (people who answered) and met_groups (groups in
    which someone said they met), by the week of the round."""
    inner = (select(_bucket(PairRound.scheduled_for, weeks).label("b"), PairMember.group_id.label("g"),
                    PairMember.person_id.label("p"), PairMember.met.label("m"))
             .select_from(PairMember).join(PairRound, PairRound.id == PairMember.round_id)
             .join(Circle, Circle.id == PairRound.circle_id)
             .where(scope, _inside(PairRound.scheduled_for, weeks))).subquery()
    rows = session.execute(
        select(inner.c.b, func.count(distinct(inner.c.g)), func.count(distinct(inner.c.p)),
               func.count(distinct(case((inner.c.m.is_not(None), inner.c.p), else_=None))),
               func.count(distinct(case((inner.c.m.is_(True), inner.c.g), else_=None))))
        .where(inner.c.b.is_not(None)).group_by(inner.c.b)).all()
    return {int(b): {"groups": int(groups), "people": int(people), "answering": int(answering),
                     "met_groups": int(met)} for b, groups, people, answering, met in rows}


def compute(session: Session, weeks: list[Week], scope: ColumnElement, n: int) -> dict | None:
    """The summary's learning-coffee part; None when no round was made in any of the weeks."""
    found = figures(session, weeks, scope)
    if not found:
        return None
    trend = {"groups": [], "met_share": []}
    for index in range(len(weeks)):
        week = found.get(index)
        shown = week is not None and week["people"] >= n
        trend["groups"].append(week["groups"] if shown else (0 if week is None else None))
        trend["met_share"].append(_share(week, n) if shown else None)
    last = found.get(len(weeks) - 1)
    if last is None:
        return {"groups": 0, "people": 0, "met_share": None, "withheld": False, "trend": trend}
    if last["people"] < n:
        return {"groups": None, "people": None, "met_share": None, "withheld": True, "trend": trend}
    return {"groups": last["groups"], "people": last["people"], "met_share": _share(last, n), "withheld": False,
            "trend": trend}


def _share(week: dict, n: int) -> float | None:
    if week["answering"] < n or not week["groups"]:
        return None
    return round(week["met_groups"] / week["groups"], 3)
