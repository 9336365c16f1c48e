"""What a pulse shows: per statement the distribution (1–5), mean and respondents, "rather not say"
apart, and the change since the previous pulse; counted at read time from the per-person rows.

The group-size rule, as everywhere: a group is shown only with at least `n` respondents. A circle
with fewer is merged into "other circles"; when "other circles" would itself be too small, the
smallest named circles join it, so no circle's figures can be worked out by subtracting the others
from the whole (with a single large circle left, that circle is shown and the whole is not). The
same again per statement: one group's distribution is withheld only together with enough others
that what is withheld adds up to at least `n` answers. A change is given only where both pulses
were shown for that group. Only counts leave the database here.
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import BigInteger, cast, func, literal, select
from sqlalchemy.orm import Session

from storage.models import Circle
from storage.pulses import ANSWERS, PulseInvite, PulseRound

ALL, CIRCLE, OTHER = "all", "circle", "other"
VALUES = range(6)  # 0 is "rather not say"


class StatementResult(NamedTuple):
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
                  circle_ids: set[int] | None = None, circles: bool = True,
                  scope: str | None = None) -> list[StatementResult]:
    """Every pulse of the workspace scheduled in [start, end), already under the group-size rule:
    what is returned may be shown to anyone entitled to the workspace's figures. `conn`: a SQLAlchemy
    Session or Connection. `circle_ids`: only these circles' own groups (a mentor's view; the whole
    and "other circles" left out). `circles=False`: only the whole of each pulse (a trend, the
    programme's figures). `scope`: only the workspace's pulses ("all") or one circle's ("c<id>")."""
    n = min_group_size
    if isinstance(conn, Session):  # plain rows: the ORM's row objects cost more than the counting
        conn = conn.connection()
    query = (select(PulseRound.id, PulseRound.scheduled_for, PulseRound.scope, PulseRound.statements)
             .where(PulseRound.workspace_id == workspace_id, PulseRound.scheduled_for >= start,
                    PulseRound.scheduled_for < end).order_by(PulseRound.scheduled_for))
    rounds = conn.execute(query.where(PulseRound.scope == scope) if scope else query).all()
    if not rounds:
        return []
    width = max(len(keys or []) for _, _, _, keys in rounds)
    names = dict(conn.execute(select(Circle.id, Circle.name).where(Circle.workspace_id == workspace_id)).all())
    ids = [r[0] for r in rounds]
    whole_only = circle_ids is None and not circles
    if whole_only:  # the whole needs one sum per pulse, and per circle only how many answered
        sizes, totals = _sizes(conn, ids), _totals(conn, ids, width)
    else:
        counts = _counts(conn, ids, width)
    out: list[StatementResult] = []
    previous: dict[tuple, float] = {}
    def wanted(group: str, circle_id: int | None) -> bool:
        if circle_ids is not None:
            return group == CIRCLE and circle_id in circle_ids
        return circles or group == ALL

    withheld = (None, None, None, None)
    for round_id, when, scope, keys in rounds:
        if whole_only:
            found = _whole(sizes.get(round_id, {}), totals.get(round_id), n, scope, len(keys or []))
        else:
            found = _round(counts.get(round_id, {}), n, scope, len(keys or []), wanted)
        for (group, circle_id, members, respondents), statements in found:
            circle = names.get(circle_id, "") if group == CIRCLE else ""
            for position, (key, figures) in enumerate(zip(keys, statements)):
                ident = (scope, group, circle, key)
                before = previous.get(ident)
                if figures is None:
                    previous[ident] = None
                    out.append(StatementResult(round_id, when, scope, group, circle, len(members), key, position,
                                               respondents, *withheld, None))
                    continue
                mean = previous[ident] = figures[3]
                out.append(StatementResult(round_id, when, scope, group, circle, len(members), key, position,
                                           respondents, *figures, None if before is None else round(mean - before, 2)))
    return out


BITS = 10  # a field of a packed sum: counts below 1024
FIELD = (1 << BITS) - 1
SHIFTS = tuple(BITS * value for value in VALUES)


def _counts(conn, round_ids: list[int], width: int) -> dict[int, dict[int, list[int]]]:
    """round → circle → [respondents, then for each statement how many gave 0, 1, … 5].

    One row per circle and pulse, and one sum per statement: 1 << (10 * answer) packs the six counts
    of a statement into one integer (a sixth of the work of six counts, for the database and the
    driver). A circle with 1,024 or more respondents in a pulse would overflow a field; those few
    are counted again value by value."""
    columns = [getattr(PulseInvite, name) for name in ANSWERS[:width]]
    one = cast(literal(1), BigInteger)
    rows = conn.execute(
        select(PulseInvite.round_id, PulseInvite.circle_id, func.count(PulseInvite.a1),
               *[func.sum(one.op("<<")(column * BITS)) for column in columns])
        .where(PulseInvite.round_id.in_(round_ids)).group_by(PulseInvite.round_id, PulseInvite.circle_id)).all()
    counts: dict[int, dict[int, list[int]]] = {}
    large = []
    for round_id, circle_id, respondents, *packed in rows:
        if respondents > FIELD:
            large.append((round_id, circle_id))
        elif respondents:
            counts.setdefault(round_id, {})[circle_id] = [respondents, *[
                (int(x) >> shift) & FIELD if x is not None else 0 for x in packed for shift in SHIFTS]]
    for round_id, circle_id in large:
        row = conn.execute(select(func.count(PulseInvite.a1),
                                  *[func.count().filter(column == value) for column in columns for value in VALUES])
                           .where(PulseInvite.round_id == round_id, PulseInvite.circle_id == circle_id)).one()
        counts.setdefault(round_id, {})[circle_id] = list(row)
    return counts


def _sizes(conn, round_ids: list[int]) -> dict[int, dict[int, int]]:
    """round → circle → respondents."""
    rows = conn.execute(select(PulseInvite.round_id, PulseInvite.circle_id, func.count(PulseInvite.a1))
                        .where(PulseInvite.round_id.in_(round_ids))
                        .group_by(PulseInvite.round_id, PulseInvite.circle_id)).all()
    sizes: dict[int, dict[int, int]] = {}
    for round_id, circle_id, respondents in rows:
        if respondents:
            sizes.setdefault(round_id, {})[circle_id] = respondents
    return sizes


WIDE = 20  # a field of a pulse's packed sums: three counts below 1,048,576 in each of two sums


def _totals(conn, round_ids: list[int], width: int) -> dict[int, list[int]]:
    """round → [respondents, then for each statement how many gave 0, 1, … 5], over every circle:
    per statement one packed sum of the counts of 0–2 and one of 3–5, as in _counts with wider fields."""
    one = cast(literal(1), BigInteger)
    sums = []
    for column in [getattr(PulseInvite, name) for name in ANSWERS[:width]]:
        sums.append(func.sum(one.op("<<")(column * WIDE)).filter(column < 3))
        sums.append(func.sum(one.op("<<")((column - 3) * WIDE)).filter(column >= 3))
    rows = conn.execute(select(PulseInvite.round_id, func.count(PulseInvite.a1), *sums)
                        .where(PulseInvite.round_id.in_(round_ids)).group_by(PulseInvite.round_id)).all()
    field = (1 << WIDE) - 1
    if any(respondents > field for _, respondents, *_ in rows):
        raise OverflowError("a pulse of a million respondents or more")
    return {round_id: [respondents, *[(int(x or 0) >> (WIDE * k)) & field for x in packed for k in range(3)]]
            for round_id, respondents, *packed in rows}


def _whole(per_circle: dict[int, int], total: list[int] | None, n: int, scope: str, width: int) -> list:
    """What _round gives for the whole alone, from the pulse's total and its circles' sizes."""
    if total is None or not any(group == ALL for group, _, _ in _groups(per_circle, n, scope)):
        return []
    head = (ALL, None, list(per_circle), total[0])
    return _figures([(head, total[1:1 + 6 * width])], n, width, lambda group, circle_id: True)


def _round(per_circle: dict[int, list[int]], n: int, scope: str, width: int, wanted) -> list:
    """[((group, circle id, its circles, respondents), [per statement (answered, rather not say,
    distribution, mean) or None when withheld])] for one pulse, for the groups `wanted` keeps.

    The groups that are not wanted are still counted when they take part in the suppression
    (whether one circle's statement is withheld depends on the others), never the whole's."""
    groups = _groups({c: row[0] for c, row in per_circle.items()}, n, scope)
    if not any(wanted(group, circle_id) and group != ALL for group, circle_id, _ in groups):
        groups = [g for g in groups if g[0] == ALL and wanted(g[0], g[1])]
    summed = []
    for group, circle_id, members in groups:
        total = per_circle[members[0]] if len(members) == 1 else [sum(column) for column in
                                                                  zip(*(per_circle[c] for c in members))]
        summed.append(((group, circle_id, members, total[0]), total[1:1 + 6 * width]))
    return _figures(summed, n, width, wanted)


def _figures(summed: list, n: int, width: int, wanted) -> list:
    """The groups' figures per statement under the size rule, for the groups `wanted` keeps."""
    answered = [[sum(counts[6 * p + 1:6 * p + 6]) for p in range(width)] for _, counts in summed]
    shown = [[True] * width for _ in summed]
    parts = [i for i, (head, _) in enumerate(summed) if head[0] != ALL]
    for position in range(width):
        hidden = [i for i in parts if answered[i][position] < n]
        if hidden:
            visible = sorted((i for i in parts if answered[i][position] >= n), key=lambda i: answered[i][position])
            while visible and sum(answered[i][position] for i in hidden) < n:
                hidden.append(visible.pop(0))  # withheld with the smallest others, so that none can be deduced
            for i in hidden:
                shown[i][position] = False
        for i, (head, _) in enumerate(summed):
            if head[0] == ALL and answered[i][position] < n:
                shown[i][position] = False
    out = []
    for (head, counts), visible, given in zip(summed, shown, answered):
        if not wanted(head[0], head[1]):
            continue
        statements = []
        for position in range(width):
            if not visible[position]:
                statements.append(None)
                continue
            zero, a, b, c, d, e = counts[6 * position:6 * position + 6]
            statements.append((given[position], zero, (a, b, c, d, e),
                               round((a + 2 * b + 3 * c + 4 * d + 5 * e) / given[position], 2)))
        out.append((head, statements))
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

