"""The learning-coffee matching as a pure function: no database, no clock."""
from __future__ import annotations

import random

import pytest

from bot.domain.pairs.matching import Person, make_groups, overlap, pair_key

HELSINKI = (360, 900)  # 8.00–17.00 in UTC+2, as UTC minutes
HONOLULU = (1080, 1620)  # 8.00–17.00 in UTC−10
TOKYO = (1380, 1920)  # 8.00–17.00 in UTC+9


def everyone_once(result, ids) -> bool:
    placed = [p for g in result.groups for p in g] + result.left_out
    return sorted(placed) == sorted(ids) and len(placed) == len(set(placed))


def remember(met: dict, result, when: int) -> None:
    for group in result.groups:
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                met[pair_key(a, b)] = when


@pytest.mark.parametrize("size", [2, 4, 10, 12, 16, 20, 30, 40])
def test_an_even_circle_gets_size_minus_one_rounds_without_a_repeat(size):
    for circle in range(25 if size <= 20 else 3):  # 25 different circles (orders) of each small size
        ids = list(range(circle * 100 + 1, circle * 100 + size + 1))
        people = [Person(i, *HELSINKI) for i in ids]
        met: dict = {}
        for r in range(1, size):
            result = make_groups(people, met, seed=r * 17 + circle, stable_seed=circle)
            assert everyone_once(result, ids) and not result.left_out
            assert sorted(map(len, result.groups)) == [2] * (size // 2)
            assert result.repeats == 0, (size, circle, r)
            remember(met, result, r)


@pytest.mark.parametrize("size", [3, 5, 9, 11, 25])
def test_an_odd_count_makes_pairs_and_one_triple(size):
    people = [Person(i, *HELSINKI) for i in range(1, size + 1)]
    result = make_groups(people, {}, seed=5)
    assert everyone_once(result, range(1, size + 1))
    assert sorted(map(len, result.groups)) == [2] * ((size - 3) // 2) + [3]


def test_nobody_to_meet_means_no_group():
    assert make_groups([], {}).groups == []
    alone = make_groups([Person(7, *HELSINKI)], {})
    assert alone.groups == [] and alone.left_out == [7]


def test_working_hours_must_overlap_by_an_hour():
    assert overlap(*HELSINKI, *HELSINKI) == 540
    assert overlap(*HELSINKI, *TOKYO) == 120  # Tokyo's afternoon is Helsinki's morning
    assert overlap(*HELSINKI, *HONOLULU) < 60
    people = [Person(1, *HELSINKI), Person(2, *HELSINKI), Person(3, *HONOLULU), Person(4, *HONOLULU)]
    for seed in range(20):
        result = make_groups(people, {}, seed=seed)
        assert sorted(tuple(sorted(g)) for g in result.groups) == [(1, 2), (3, 4)]
    lonely = make_groups([Person(1, *HELSINKI), Person(2, *HELSINKI), Person(3, *HONOLULU)], {}, seed=1)
    assert lonely.groups and lonely.left_out == [3]  # no triple with someone who can't meet them


def test_a_repeat_only_when_unavoidable_and_then_the_oldest():
    people = [Person(i, *HELSINKI) for i in (1, 2, 3, 4)]
    met = {pair_key(1, 2): 5, pair_key(3, 4): 5, pair_key(1, 3): 6, pair_key(2, 4): 6}
    result = make_groups(people, met, seed=3)
    assert sorted(tuple(sorted(g)) for g in result.groups) == [(1, 4), (2, 3)] and result.repeats == 0
    met.update({pair_key(1, 4): 9, pair_key(2, 3): 9})  # everyone met everyone: the oldest pairs again
    result = make_groups(people, met, seed=3)
    assert sorted(tuple(sorted(g)) for g in result.groups) == [(1, 2), (3, 4)] and result.repeats == 2


def test_people_who_share_no_other_circle_go_first():
    people = [Person(1, *HELSINKI, frozenset({7})), Person(2, *HELSINKI, frozenset({7})),
              Person(3, *HELSINKI, frozenset({8})), Person(4, *HELSINKI, frozenset({8}))]
    for seed in range(20):
        result = make_groups(people, {}, seed=seed)
        assert result.shared == 0 and all(not {1, 2} <= set(g) and not {3, 4} <= set(g) for g in result.groups)


def test_a_large_round_with_a_year_of_history_has_no_repeats_and_is_quick():
    import time

    rng = random.Random(4)
    zones = [HELSINKI] * 18 + [(420, 960), TOKYO]
    people = [Person(i, *rng.choice(zones), frozenset({i % 300})) for i in range(1, 3001)]
    met: dict = {}
    for r in range(1, 27):
        remember(met, make_groups(people, met, seed=r, stable_seed=1), r)
    started = time.perf_counter()
    result = make_groups(people, met, seed=99, stable_seed=1)
    assert time.perf_counter() - started < 2.0
    assert everyone_once(result, range(1, 3001)) and result.repeats == 0 and not result.left_out
    assert result.shared <= result.pairs * 0.01
