"""Who meets whom in a round of learning coffees. A pure function: people, who met before, who
share another circle and working hours in, groups out; no database, no clock.

The rules, strongest first:
1. People whose working hours do not overlap by at least an hour are never put together.
2. Everyone is in exactly one group: pairs, and one triple when the count is odd. Someone with
   no possible partner at all (working hours) is left out and reported.
3. Nobody meets the same person again while a new partner is possible; when a repeat cannot be
   avoided, the pair that met longest ago goes first.
4. People who share no other circle go before people who already see each other elsewhere.

A large round (a "coffee" channel of thousands) is a greedy pass in random order: each person
takes the best of the next few free people (a bounded window, so no O(n²) over all pairs),
a wider search through people with compatible hours only when that window has nobody new,
then member swaps between groups to remove what repeats are left. A small circle is also offered
every round of a round-robin schedule over a stable order of its people: with the same people
each round of it is new, so ten people get nine rounds without a repeat, where greedy choices
could paint a small circle into a corner after a few rounds.
"""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

MIN_OVERLAP = 60  # minutes of working time a group must share
WINDOW = 24  # free people looked at per person before the wider search
WIDE = 4000  # at most this many looked at in the wider search
SMALL = 40  # up to this many people a round is also picked among whole round-robin rounds
SWAP_TRIES = 200  # groups tried per repeat in the repair pass
SHARED = 1  # cost of a pair who share another circle
REPEAT = 1 << 40  # cost of a pair who met before, plus when they met (later is dearer)
_KEY = 32


def overlap(start: int, end: int, other_start: int, other_end: int) -> int:
    """Minutes two working days share, on a 24-hour clock: Helsinki's day and Tokyo's overlap in
    the morning, Auckland's Tuesday and Hawaii's Monday afternoon too (the nearer of the day's turns)."""
    shift = other_start - start
    if shift > 720:
        shift -= 1440
    elif shift < -720:
        shift += 1440
    return min(end - start, shift + other_end - other_start) - max(0, shift)


def pair_key(a: int, b: int) -> int:
    """One integer for an unordered pair of person ids (ids below 2**32)."""
    return (a << _KEY) | b if a < b else (b << _KEY) | a


@dataclass(frozen=True)
class Person:
    id: int
    start: int = 0  # working hours in UTC, minutes from midnight: 08:00–17:00 in Helsinki is 360–900 in winter
    end: int = 24 * 60
    circles: frozenset = frozenset()  # their other circles (a pair sharing one is second best)


@dataclass
class Result:
    groups: list[tuple[int, ...]] = field(default_factory=list)
    left_out: list[int] = field(default_factory=list)  # nobody to meet within working hours
    pairs: int = 0  # pairs inside the groups (a triple holds three)
    repeats: int = 0  # of those, pairs who had met before
    shared: int = 0  # of those, pairs who share another circle


class _Round:
    """The people of one round by position, with the cost of putting two positions together."""

    def __init__(self, people: Sequence[Person], met: Mapping[int, int]):
        self.ids = [p.id for p in people]
        self.starts = [p.start for p in people]
        self.ends = [p.end for p in people]
        self.circles = [p.circles or None for p in people]
        self.met = met

    def cost(self, i: int, j: int) -> int | None:
        """None: they can't meet (hours); else 0, SHARED, or REPEAT + when they last met."""
        starts, ends = self.starts, self.ends
        if starts[i] == starts[j]:
            if (ends[i] if ends[i] < ends[j] else ends[j]) - starts[i] < MIN_OVERLAP:
                return None
        elif overlap(starts[i], ends[i], starts[j], ends[j]) < MIN_OVERLAP:
            return None
        a, b = self.ids[i], self.ids[j]
        last = self.met.get((a << _KEY) | b if a < b else (b << _KEY) | a)
        if last is not None:
            return REPEAT + last
        ci, cj = self.circles[i], self.circles[j]
        return SHARED if ci is not None and cj is not None and not ci.isdisjoint(cj) else 0

    def group_cost(self, group: Sequence[int]) -> int | None:
        total = 0
        for x in range(len(group)):
            for y in range(x + 1, len(group)):
                c = self.cost(group[x], group[y])
                if c is None:
                    return None
                total += c
        return total


def make_groups(people: Sequence[Person], met: Mapping[int, int], seed: int = 0, stable_seed: int = 0) -> Result:
    """Groups for one round. `met`: pair_key(a, b) → when that pair last met (any integer below
    2**32 that grows with time, e.g. a round id). `seed` varies the round; `stable_seed` (the
    circle) keeps the round-robin order the same from round to round."""
    unique = list({p.id: p for p in people}.values())
    rng = random.Random(seed)
    rng.shuffle(unique)
    state = _Round(unique, met)
    groups, left_out = _greedy(state, len(unique))
    _repair(state, groups, rng)
    if 2 <= len(unique) <= SMALL:
        groups, left_out = _best_small(state, groups, left_out, stable_seed, rng)
    return _result(state, groups, left_out)


# -- the greedy pass ------------------------------------------------------------------------------

def _greedy(state: _Round, n: int) -> tuple[list[list[int]], list[int]]:
    following = list(range(1, n + 2))  # union-find over positions: the next free one at or after

    def free_from(i: int) -> int:
        root = i
        while root < n and following[root] != root:
            root = following[root]
        while i < n and following[i] != i:
            following[i], i = root, following[i]
        return root

    for i in range(n):
        following[i] = i
    take = following.__setitem__
    buckets = _Buckets(state)
    groups: list[list[int]] = []
    alone: list[int] = []
    cost = state.cost
    for i in range(n):
        if following[i] != i:
            continue
        take(i, i + 1)
        best, best_cost, seen = -1, None, 0
        j = free_from(i + 1)
        while j < n and seen < WINDOW:
            c = cost(i, j)
            if c is not None and (best_cost is None or c < best_cost):
                best, best_cost = j, c
                if c == 0:
                    break
            seen += 1
            j = free_from(j + 1)
        if best_cost is None or best_cost >= REPEAT:
            best, best_cost = buckets.search(i, best, best_cost, lambda k: following[k] == k)
        if best < 0:
            alone.append(i)
            continue
        take(best, best + 1)
        groups.append([i, best])
    return groups, _place_alone(state, groups, alone)


class _Buckets:
    """People by working hours, for the wider search: only buckets whose hours overlap are read."""

    def __init__(self, state: _Round):
        self.state = state
        by_hours: dict[tuple[int, int], list[int]] = {}
        for i, hours in enumerate(zip(state.starts, state.ends)):
            by_hours.setdefault(hours, []).append(i)
        self.buckets = [(start, end, members, [0]) for (start, end), members in by_hours.items()]

    def search(self, i: int, best: int, best_cost, is_free) -> tuple[int, int | None]:
        start, end = self.state.starts[i], self.state.ends[i]
        looked = 0
        for b_start, b_end, members, front in self.buckets:
            if overlap(start, end, b_start, b_end) < MIN_OVERLAP:
                continue
            while front[0] < len(members) and members[front[0]] <= i:
                front[0] += 1  # everyone before i is taken already
            for k in range(front[0], len(members)):
                j = members[k]
                if not is_free(j):
                    continue
                c = self.state.cost(i, j)
                if c is not None and (best_cost is None or c < best_cost):
                    best, best_cost = j, c
                    if c < REPEAT:
                        return best, best_cost
                looked += 1
                if looked >= WIDE:
                    return best, best_cost
        return best, best_cost


def _place_alone(state: _Round, groups: list[list[int]], alone: list[int]) -> list[int]:
    """Whoever found no free partner (the odd one out, or hours that fit nobody free) joins the
    pair that suits them best as its third; returns those who fit no pair at all."""
    left = []
    for i in alone:
        best, best_cost = None, None
        for group in groups:
            if len(group) != 2:
                continue
            c = state.group_cost([*group, i])
            if c is not None and (best_cost is None or c < best_cost):
                best, best_cost = group, c
                if c == 0:
                    break
        if best is None:
            left.append(i)
        else:
            best.append(i)
    return left


# -- repair: swaps that remove repeats --------------------------------------------------------------

def _repair(state: _Round, groups: list[list[int]], rng: random.Random) -> None:
    """Swap members between groups while that removes a repeat (or, failing that, a shared circle)."""
    costs = [state.group_cost(g) for g in groups]
    for g, group in enumerate(groups):
        if not costs[g]:
            continue
        tries = range(len(groups)) if len(groups) <= SWAP_TRIES else (rng.randrange(len(groups))
                                                                        for _ in range(SWAP_TRIES))
        for h in tries:
            if not costs[g]:
                break
            if h != g:
                _try_swaps(state, groups, costs, g, h)


def _try_swaps(state: _Round, groups, costs, g: int, h: int) -> None:
    before = costs[g] + costs[h]
    for x in range(len(groups[g])):
        for y in range(len(groups[h])):
            a, b = list(groups[g]), list(groups[h])
            a[x], b[y] = b[y], a[x]
            ca, cb = state.group_cost(a), state.group_cost(b)
            if ca is not None and cb is not None and ca + cb < before:
                groups[g], groups[h], costs[g], costs[h] = a, b, ca, cb
                return


# -- small circles: whole round-robin rounds ----------------------------------------------------------

def _mix(stable_seed: int, person_id: int) -> int:
    return (person_id * 2654435761 + stable_seed * 40503 + 12345) % (1 << 32)


def _best_small(state: _Round, groups, left_out, stable_seed: int, rng: random.Random):
    """The best of the greedy result, more greedy tries and each round of a round-robin schedule
    over the people in a stable order. Fewest repeats wins; among equals a round-robin round,
    which keeps later rounds free of repeats too; then the fewest shared circles."""
    n = len(state.ids)
    candidates = [(groups, left_out, False)]
    order = sorted(range(n), key=lambda i: (_mix(stable_seed, state.ids[i]), state.ids[i]))
    slots: list[int | None] = order + ([None] if n % 2 else [])
    m = len(slots)
    for r in range(m - 1):
        pairs = [(slots[m - 1], slots[r])] + [(slots[(r + k) % (m - 1)], slots[(r - k) % (m - 1)])
                                             for k in range(1, m // 2)]
        made = [[a, b] for a, b in pairs if a is not None and b is not None]
        extra = [a if b is None else b for a, b in pairs if a is None or b is None]
        left = _place_alone(state, made, extra)
        if all(state.group_cost(g) is not None for g in made):
            candidates.append((made, left, True))
    for _ in range(8):
        shuffled = list(range(n))
        rng.shuffle(shuffled)
        tried, alone = _greedy_positions(state, shuffled)
        _repair(state, tried, rng)
        candidates.append((tried, alone, False))

    def rank(candidate):
        made, left, round_robin = candidate
        costs = [state.group_cost(g) for g in made]
        if any(c is None for c in costs):
            return (len(left) + n, 1, 0, 0)
        repeats = sum(1 for g in made for x in range(len(g)) for y in range(x + 1, len(g))
                      if state.cost(g[x], g[y]) >= REPEAT)
        return (len(left), repeats, 0 if round_robin else 1, sum(costs))

    best = min(candidates, key=rank)
    return best[0], best[1]


def _greedy_positions(state: _Round, order: list[int]) -> tuple[list[list[int]], list[int]]:
    """The greedy pass over a given order of positions (small circles: everyone is in the window)."""
    free = list(order)
    groups, alone = [], []
    while free:
        i = free.pop(0)
        scored = [(c, k) for k, j in enumerate(free) if (c := state.cost(i, j)) is not None]
        if not scored:
            alone.append(i)
            continue
        _, k = min(scored)
        groups.append([i, free.pop(k)])
    return groups, _place_alone(state, groups, alone)


def _result(state: _Round, groups: list[list[int]], left_out: list[int]) -> Result:
    out = Result(groups=[tuple(state.ids[i] for i in g) for g in groups], left_out=[state.ids[i] for i in left_out])
    for g in groups:
        for x in range(len(g)):
            for y in range(x + 1, len(g)):
                c = state.cost(g[x], g[y])
                out.pairs += 1
                out.repeats += c is not None and c >= REPEAT
                out.shared += c == SHARED
    return out
