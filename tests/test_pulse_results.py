"""The group-size rule of pulse results, case by case: which groups are shown, the secondary
suppression of one statement, and exact counts for a circle too large for a packed sum."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

from bot.domain.pulses.results import ALL, CIRCLE, OTHER, _groups, _round, pulse_results
from storage.models import Circle, Membership, Person, Workspace
from storage.pulses import PulseInvite, PulseRound

N = 5


def shown(groups) -> list[tuple[str, int | None, list[int]]]:
    return [(g, c, sorted(m)) for g, c, m in groups]


def test_small_circles_are_merged_and_a_lone_large_circle_hides_the_whole():
    assert shown(_groups({1: 8, 2: 3}, N, ALL)) == [(CIRCLE, 1, [1])]  # 11 - 8 would be the three
    assert shown(_groups({1: 8, 2: 6, 3: 3}, N, ALL)) == [(ALL, None, [1, 2, 3]), (CIRCLE, 1, [1]),
                                                          (OTHER, None, [2, 3])]
    assert shown(_groups({1: 8, 2: 3, 3: 4}, N, ALL)) == [(ALL, None, [1, 2, 3]), (CIRCLE, 1, [1]),
                                                          (OTHER, None, [2, 3])]
    assert shown(_groups({1: 3, 2: 2}, N, ALL)) == [(ALL, None, [1, 2])]
    assert _groups({1: 2, 2: 2}, N, ALL) == []
    assert _groups({1: 4}, N, "c1") == [] and _groups({1: 5}, N, "c1") == [(CIRCLE, 1, [1])]


def row(respondents: int, *statements: tuple[int, ...]) -> list[int]:
    """[respondents, then per statement how many gave 0…5]."""
    return [respondents, *[count for counts in statements for count in counts]]


def test_a_statement_withheld_in_one_circle_is_withheld_in_the_next_smallest_too():
    every = lambda g, c: True  # noqa: E731
    per_circle = {1: row(8, (0, 0, 0, 2, 3, 3)), 2: row(6, (4, 0, 0, 1, 1, 0)), 3: row(7, (0, 1, 1, 1, 2, 2))}
    found = {(head[0], head[1]): statements[0] for head, statements in _round(per_circle, N, ALL, 1, every)}
    assert found[(CIRCLE, 2)] is None  # 2 answers
    assert found[(CIRCLE, 3)] is None  # else the whole minus circles 1 and 3 would give circle 2's
    assert found[(CIRCLE, 1)] == (8, 0, (0, 0, 2, 3, 3), 4.12)
    assert found[(ALL, None)] == (17, 4, (1, 1, 4, 6, 5), 3.76)


def test_counts_are_exact_for_a_circle_of_more_than_a_thousand(engine):
    when = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
    people = range(1, 1101)
    with engine.begin() as conn:
        conn.execute(insert(Workspace.__table__), [{"id": 1, "platform": "test", "external_id": "T1", "name": "T",
                                                    "created_at": when}])
        conn.execute(insert(Person.__table__), [{"id": p, "workspace_id": 1, "platform_user_id": f"U{p}",
                                                 "name": f"P{p}", "is_hr": False, "is_admin": False, "is_bot": False,
                                                 "is_active": True, "created_at": when} for p in people])
        conn.execute(insert(Circle.__table__), [{"id": 1, "workspace_id": 1, "name": "Coffee", "mentor_id": 1,
                                                 "timezone": "Europe/Helsinki", "default_visibility": "circle",
                                                 "store_coffee_text": False, "created_at": when}])
        conn.execute(insert(Membership.__table__), [{"circle_id": 1, "person_id": p, "role": "member",
                                                     "joined_at": when} for p in people])
        conn.execute(insert(PulseRound.__table__), [{"id": 1, "workspace_id": 1, "scope": "all",
                                                     "statement_set": "default", "statements": ["a", "b", "c"],
                                                     "trigger": "manual", "scheduled_for": when,
                                                     "closes_at": when + timedelta(days=2), "created_at": when}])
        conn.execute(insert(PulseInvite.__table__), [{"round_id": 1, "person_id": p, "circle_id": 1,
                                                      "answered_at": when, "a1": 4, "a2": p % 6, "a3": 5}
                                                     for p in people])
    with engine.connect() as conn:
        found = pulse_results(conn, 1, when, when + timedelta(days=1), N)
    assert [(r.group, r.respondents, r.distribution, r.rather_not_say) for r in found] == [
        (ALL, 1100, (0, 0, 0, 1100, 0), 0), (ALL, 1100, (184, 184, 183, 183, 183), 183),
        (ALL, 1100, (0, 0, 0, 0, 1100), 0)]  # one circle alone is the whole


def test_the_whole_alone_is_counted_as_the_whole_among_every_group(engine):
    """The trend and the programme read the whole of each pulse by a shorter way (one sum per pulse,
    circles only counted); it must give what the whole is among every group, withheld ones included."""
    import random
    rng = random.Random(7)
    when = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
    sizes = [1, 2, 3, 4, 6, 9, 12, 2, 1]
    people = range(1, sum(sizes) + 1)
    circle_of = [c for c, size in enumerate(sizes, 1) for _ in range(size)]
    with engine.begin() as conn:
        conn.execute(insert(Workspace.__table__), [{"id": 1, "platform": "test", "external_id": "T1", "name": "T",
                                                    "created_at": when}])
        conn.execute(insert(Person.__table__), [{"id": p, "workspace_id": 1, "platform_user_id": f"U{p}",
                                                 "name": f"P{p}", "is_hr": False, "is_admin": False, "is_bot": False,
                                                 "is_active": True, "created_at": when} for p in people])
        conn.execute(insert(Circle.__table__), [{"id": c, "workspace_id": 1, "name": f"C{c}", "mentor_id": 1,
                                                 "timezone": "Europe/Helsinki", "default_visibility": "circle",
                                                 "store_coffee_text": False, "created_at": when}
                                                for c in range(1, len(sizes) + 1)])
        for r in range(1, 5):  # the last pulse: too few answered to show the whole
            at = when + timedelta(weeks=4 * r)
            conn.execute(insert(PulseRound.__table__), [{"id": r, "workspace_id": 1, "scope": "all",
                                                         "statement_set": "default", "statements": ["a", "b", "c"],
                                                         "trigger": "manual", "scheduled_for": at,
                                                         "closes_at": at + timedelta(days=2), "created_at": at}])
            conn.execute(insert(PulseInvite.__table__), [
                {"round_id": r, "person_id": p, "circle_id": circle_of[p - 1], "answered_at": at,
                 **({"a1": rng.randint(0, 5), "a2": rng.choice([0, 0, 0, 4]), "a3": rng.randint(1, 5)}
                    if (rng.random() < 0.8 if r < 4 else p <= 3) else {"answered_at": None, "a1": None, "a2": None, "a3": None})}
                for p in people])
    with engine.connect() as conn:
        start, end = when, when + timedelta(weeks=20)
        whole = pulse_results(conn, 1, start, end, N, circles=False)
        every = pulse_results(conn, 1, start, end, N)
    assert {r.round_id for r in whole} == {1, 2, 3}
    assert any(r.distribution is None for r in whole) and any(r.distribution for r in whole)
    assert whole == [r for r in every if r.group == ALL]
