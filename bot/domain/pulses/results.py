"""What a pulse shows: per statement the distribution (1–5), mean and respondents, "rather not say"
apart, and the change since the previous pulse; counted at read time from the per-person rows.

The group-size rule, as everywhere: a group is shown only with at least `n` respondents. A circle
with fewer is merged into "other circles"; when "other circles" would itself be too small, the
smallest named circles join it, so no circle's figures can be worked out by subtracting the others
from the whole (with a single large circle left, that circle is shown and the whole is not). The same again per statement: one group's distribution is withheld only together
with enough others that what is withheld adds up to at least `n` answers. A change is given only
where both pulses were shown for that group. Only counts leave the database here.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select

from storage.models import Circle
from storage.pulses import PulseAnswer, PulseInvite, PulseRound

ALL, CIRCLE, OTHER = "all", "circle", "other"


@dataclass(frozen=True)
class StatementResult:
    round_id: int
    scheduled_for: datetime
    scope: str  # the round's: "all" (the workspace's pulse) or "c<id>" (one circle's)
    group: str  # ALL | CIRCLE | OTHER
    circle: str  # the circle's name for CIRCLE, else ""
    circles: int  # how many circles the group holds
    statement: str  # the statement's id
    position: int
    respondents: int  # people in the group who answered the pulse
    answered: int | None  # of them, gave this statement 1–5 (None: withheld)
    rather_not_say: int | None
    distribution: tuple[int, int, int, int, int] | None  # how many chose 1, 2, 3, 4, 5; None: withheld
    mean: float | None
    change: float | None  # mean minus the previous pulse's, for the same scope, group and statement


def pulse_results(conn, workspace_id: int, start: datetime, end: datetime, min_group_size: int = 5,
                  circle_ids: set[int] | None = None) -> list[StatementResult]:
    """Every pulse of the workspace scheduled in [start, end), already under the group-size rule:
    what is returned may be shown to anyone entitled to the workspace's figures. `conn`: a SQLAlchemy
    Session or Connection. `circle_ids`: keep only these circles' own groups (a mentor's view;
    the whole and "other circles" are then left out)."""
    n = min_group_size
    rounds = conn.execute(select(PulseRound.id, PulseRound.scheduled_for, PulseRound.scope, PulseRound.statements)
                          .where(PulseRound.workspace_id == workspace_id, PulseRound.scheduled_for >= start,
                                 PulseRound.scheduled_for < end).order_by(PulseRound.scheduled_for)).all()
    if not rounds:
        return []
    ids = [r[0] for r in rounds]
    names = dict(conn.execute(select(Circle.id, Circle.name).where(Circle.workspace_id == workspace_id)).all())
    respondents: dict[int, dict[int, int]] = {}
    for round_id, circle_id, count in conn.execute(
            select(PulseInvite.round_id, PulseInvite.circle_id, func.count())
            .where(PulseInvite.round_id.in_(ids), PulseInvite.answered_at.is_not(None))
            .group_by(PulseInvite.round_id, PulseInvite.circle_id)):
        respondents.setdefault(round_id, {})[circle_id] = count
    counts: dict[tuple[int, int, int], list[int]] = {}  # (round, circle, position) → counts of 0..5
    for round_id, circle_id, position, value, count in conn.execute(
            select(PulseAnswer.round_id, PulseAnswer.circle_id, PulseAnswer.position, PulseAnswer.value, func.count())
            .where(PulseAnswer.round_id.in_(ids))
            .group_by(PulseAnswer.round_id, PulseAnswer.circle_id, PulseAnswer.position, PulseAnswer.value)):
        if 0 <= value <= 5:
            counts.setdefault((round_id, circle_id, position), [0] * 6)[value] += count
    out: list[StatementResult] = []
    previous: dict[tuple, float | None] = {}
    for round_id, when, scope, keys in rounds:
        per_circle = respondents.get(round_id, {})
        for group, circle_id, members in _groups(per_circle, n, scope):
            for position, key in enumerate(keys or []):
                out.append(_result(round_id, when, scope, group, circle_id, members, names, key, position, counts,
                                   per_circle))
        out = _suppress_statements(out, round_id, n)
        for i, found in enumerate(out):
            if found.round_id != round_id:
                continue
            ident = (scope, found.group, found.circle, found.statement)
            before = previous.get(ident)
            change = round(found.mean - before, 2) if found.mean is not None and before is not None else None
            out[i] = replace(found, change=change)
            previous[ident] = found.mean
    if circle_ids is not None:
        wanted = {names.get(c) for c in circle_ids}
        out = [r for r in out if r.group == CIRCLE and r.circle in wanted]
    return out


def _groups(per_circle: dict[int, int], n: int, scope: str) -> list[tuple[str, int | None, list[int]]]:
    """(group, circle id, the circles in it): the whole, named circles and "other circles", each of at
    least n respondents; nothing at all when the whole has fewer."""
    total = sum(per_circle.values())
    if total < n:
        return []
    if scope != ALL:  # one circle's pulse: that circle is the whole
        return [(CIRCLE, circle_id, [circle_id]) for circle_id in per_circle]
    named = sorted((c for c, k in per_circle.items() if k >= n), key=lambda c: (per_circle[c], c))
    small = [c for c, k in per_circle.items() if k < n]
    while small and len(named) > 1 and sum(per_circle[c] for c in small) < n:
        small.append(named.pop(0))  # the smallest named circle joins the rest
    if small and sum(per_circle[c] for c in small) < n:
        # One circle big enough and a rest too small: the whole minus that circle would give the rest
        # away, so the circle is shown and neither the whole nor the rest.
        return [(CIRCLE, c, [c]) for c in named]
    groups = [(ALL, None, list(per_circle))]
    if len(named) > 1 or small:  # a single circle with nothing else is the whole already
        groups += [(CIRCLE, c, [c]) for c in named]
    if small and named:
        groups.append((OTHER, None, small))
    return groups


def _result(round_id, when, scope, group, circle_id, members, names, key, position, counts, per_circle):
    values = [0] * 6
    for c in members:
        for value, count in enumerate(counts.get((round_id, c, position), ())):
            values[value] += count
    answered = sum(values[1:])
    distribution = tuple(values[1:])
    mean = round(sum(v * k for v, k in enumerate(values) if v) / answered, 2) if answered else None
    return StatementResult(round_id, when, scope, group, names.get(circle_id, "") if group == CIRCLE else "",
                           len(members), key, position, sum(per_circle.get(c, 0) for c in members), answered,
                           values[0], distribution, mean, None)


def _withheld(found: StatementResult) -> StatementResult:
    return replace(found, answered=None, rather_not_say=None, distribution=None, mean=None)


def _suppress_statements(out: list[StatementResult], round_id: int, n: int) -> list[StatementResult]:
    """Per statement of a round: distributions from fewer than n answers are withheld, and with them
    the smallest of the others until what is withheld adds up to n (or everything is)."""
    mine = [i for i, r in enumerate(out) if r.round_id == round_id]
    for position in {out[i].position for i in mine}:
        parts = [i for i in mine if out[i].position == position and out[i].group != ALL]
        whole = [i for i in mine if out[i].position == position and out[i].group == ALL]
        hidden = [i for i in parts if out[i].answered < n]
        shown = sorted((i for i in parts if out[i].answered >= n), key=lambda i: out[i].answered)
        while hidden and shown and sum(out[i].answered for i in hidden) < n:
            hidden.append(shown.pop(0))
        for i in hidden:
            out[i] = _withheld(out[i])
        for i in whole:
            if out[i].answered < n:
                out[i] = _withheld(out[i])
    return out
