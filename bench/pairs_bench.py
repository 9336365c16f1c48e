"""Learning coffees: one round for 10,000 people in one coffee circle with a year of weekly history
(52 rounds), `python -m bench --only pairs`.

Two results per run:
- "matching": the pure function (bot/domain/pairs/matching.py) in a fresh process: seconds for the round,
  the process's peak memory with the year of history loaded, repeats, and the share of pairs who
  share another circle (everyone is in a team of ten and a department of 500; a random pairing
  would put about 5 % of pairs in the same department);
- "round" per database: the whole round as the tick makes it (`bot.pairs.rounds.start_round`:
  reading who takes part, their history and other circles, matching, writing the groups and one
  introduction per person to the outbox), with the same history seeded as rows.

Targets (the issue): under 1 s and 200 MB for the matching, no repeats while avoidable.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import text, update

from bench.common import analyze, chunks, database, peak_rss_mb, seed_people, seed_workspace
from bot.domain.pairs.matching import Person, make_groups, pair_key
from storage.db import make_engine
from storage.models import Circle, Membership, PairGroup, PairMember, PairRound, Person as PersonRow

TARGET_SECONDS, TARGET_MB = 1.0, 200
TEAM, DEPARTMENT = 10, 500
ZONES = [(360, 900)] * 90 + [(420, 960)] * 6 + [(780, 1320)] * 2 + [(1380, 1920)] * 2  # Helsinki, Stockholm, NY, Tokyo
FIRST_ROUND = datetime(2025, 12, 1, 8, 0, tzinfo=timezone.utc)
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)  # Monday 10.00 in Helsinki, 52 weeks on


@dataclass(frozen=True)
class Size:
    label: str
    people: int
    rounds: int


FULL, SMALL = Size("full", 10_000, 52), Size("small", 1_000, 10)


def population(size: Size) -> list[Person]:
    """Everyone's hours and other circles: a team of ten and a department of 500 each (ids from 1)."""
    rng = random.Random(52)
    teams = size.people // TEAM
    return [Person(i, *rng.choice(ZONES), frozenset({i % teams, 1_000_000 + i % (size.people // DEPARTMENT or 1)}))
            for i in range(1, size.people + 1)]


def year_of_rounds(people: list[Person], rounds: int) -> tuple[dict[int, int], list[list[tuple[int, ...]]]]:
    """`rounds` weekly rounds made by the matching itself: the history a real year would leave."""
    met: dict[int, int] = {}
    made = []
    for number in range(1, rounds + 1):
        result = make_groups(people, met, seed=number, stable_seed=1)
        made.append(result.groups)
        for group in result.groups:
            for i, a in enumerate(group):
                for b in group[i + 1:]:
                    met[pair_key(a, b)] = number
    return met, made


def _shared(people: list[Person], groups) -> float:
    by_id = {p.id: p.circles for p in people}
    pairs = [(g[i], g[j]) for g in groups for i in range(len(g)) for j in range(i + 1, len(g))]
    return sum(1 for a, b in pairs if by_id[a] & by_id[b]) / len(pairs) if pairs else 0.0


def measure_matching(size: Size) -> dict:
    """In a fresh process: a year of history, then the next round timed (three times) and traced."""
    people = population(size)
    started = time.perf_counter()
    met, _ = year_of_rounds(people, size.rounds)
    history_seconds = time.perf_counter() - started
    times, result = [], None
    for attempt in range(3):
        began = time.perf_counter()
        result = make_groups(people, met, seed=1000 + attempt, stable_seed=1)
        times.append(time.perf_counter() - began)
    rss = peak_rss_mb()
    tracemalloc.start()
    make_groups(people, met, seed=1000, stable_seed=1)
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    shuffled = [p.id for p in people]
    random.Random(7).shuffle(shuffled)
    random_pairs = [tuple(shuffled[i:i + 2]) for i in range(0, len(shuffled) - 1, 2)]
    return {"history_pairs": len(met), "history_seconds": round(history_seconds, 1),
            "seconds": round(sorted(times)[1], 3), "seconds_max": round(max(times), 3),
            "process_peak_rss_mb": round(rss, 1), "round_python_peak_mb": round(traced / 2 ** 20, 1),
            "groups": len(result.groups), "triples": sum(len(g) == 3 for g in result.groups),
            "left_out": len(result.left_out), "repeats": result.repeats,
            "shared_circle_share": round(result.shared / result.pairs, 4),
            "random_shared_circle_share": round(_shared(people, random_pairs), 4)}


def seed_history(engine, size: Size, made: list[list[tuple[int, ...]]]) -> dict:
    """The workspace, people, the coffee circle, teams and departments, and the year's rounds as rows."""
    started = time.perf_counter()
    people = population(size)
    teams, departments = size.people // TEAM, max(1, size.people // DEPARTMENT)
    with engine.begin() as conn:
        seed_workspace(conn, "test", "T1")
        seed_people(conn, 1, size.people, user_id=lambda i: f"U{i:06d}")
        zones = {(420, 960): "Europe/Stockholm", (780, 1320): "America/New_York", (1380, 1920): "Asia/Tokyo"}
        for hours, tz in zones.items():
            ids = [p.id for p in people if (p.start, p.end) == hours]
            conn.execute(update(PersonRow).where(PersonRow.id.in_(ids)).values(timezone=tz))
        circles = [{"id": 1, "name": "Coffee"}] + [{"id": 2 + t, "name": f"Team {t}"} for t in range(teams)] + \
            [{"id": 2 + teams + d, "name": f"Department {d}"} for d in range(departments)]
        created = FIRST_ROUND - timedelta(days=30)
        chunks(conn, Circle, [{**c, "workspace_id": 1, "channel_id": f"C{c['id']:06d}", "mentor_id": 1,
                               "language": "fi", "timezone": "Europe/Helsinki", "default_visibility": "circle",
                               "store_coffee_text": False, "created_at": created} for c in circles])
        memberships = [{"circle_id": 1, "person_id": p.id} for p in people]
        memberships += [{"circle_id": 2 + p.id % teams, "person_id": p.id} for p in people]
        memberships += [{"circle_id": 2 + teams + p.id % departments, "person_id": p.id} for p in people]
        chunks(conn, Membership, [{**m, "role": "member", "joined_at": created} for m in memberships])
        rounds, groups, members = [], [], []
        for number, round_groups in enumerate(made, 1):
            when = FIRST_ROUND + timedelta(weeks=number - 1)
            rounds.append({"id": number, "circle_id": 1, "trigger": "schedule", "scheduled_for": when,
                           "check_in_at": when + timedelta(days=3), "checked_in_at": when + timedelta(days=3),
                           "people": size.people, "left_out": 0, "repeats": 0, "created_at": when})
            for group in round_groups:
                group_id = len(groups) + 1
                groups.append({"id": group_id, "round_id": number, "circle_id": 1, "prompt_key": "trust-p01",
                               "shared_chat": False, "created_at": when})
                members += [{"group_id": group_id, "round_id": number, "person_id": p, "met": number % 3 != 0,
                             "answered_at": when + timedelta(days=4)} for p in group]
        chunks(conn, PairRound, rounds)
        chunks(conn, PairGroup, groups)
        chunks(conn, PairMember, members)
        if conn.dialect.name == "postgresql":  # rows were given their ids: move the sequences past them
            for table in ("circle", "pairround", "pairgroup", "pairmember", "membership"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    return {"seed_seconds": round(time.perf_counter() - started, 1), "history_members": len(members)}


def measure_round(url: str) -> dict:
    """In a fresh process: the round as the tick makes it, timed, with the process's peak memory."""
    from bot.domain.shared.context import Services
    from bot.common.config import Settings
    from bot.domain.pairs.rounds import start_round
    from bot.domain.shared.rhythm import Calendar
    from prompts import default_library
    from storage.db import unit_of_work

    engine = make_engine(url)
    settings = replace(Settings(), database_url=url, holiday_country="")
    services = Services(settings, default_library(), Calendar.from_settings(settings))
    began = time.perf_counter()
    with unit_of_work(engine) as session:
        made = start_round(session, services, session.get(Circle, 1), NOW)
        rnd = made.round
        outcome = {"groups": made.groups, "people": rnd.people, "left_out": rnd.left_out, "repeats": rnd.repeats,
                   "shared_circle_pairs": made.shared, "introductions": len(made.due or [])}
    seconds = time.perf_counter() - began
    engine.dispose()
    return {"seconds": round(seconds, 3), "process_peak_rss_mb": round(peak_rss_mb(), 1), **outcome}


def _child(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.pairs_bench", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.getcwd()}, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def results(small: bool, backends: tuple[str, ...]):
    size = SMALL if small else FULL
    base = {"size": size.label, "people": size.people, "history_rounds": size.rounds}
    matching = {"part": "matching", **base, **_child("matching", size.label)}
    matching["within_target"] = (matching["seconds"] < TARGET_SECONDS and matching["process_peak_rss_mb"] < TARGET_MB
                                 and matching["repeats"] == 0)
    yield matching
    _, made = year_of_rounds(population(size), size.rounds)
    for backend in backends:
        result = {"part": "round", "backend": backend, **base}
        try:
            with database(backend) as url:
                engine = make_engine(url)
                result.update(seed_history(engine, size, made))
                engine.dispose()
                analyze(url)
                result.update(_child("round", url))
        except LookupError as missing:
            result["skipped"] = str(missing)
        yield result


if __name__ == "__main__":
    if sys.argv[1] == "matching":
        print(json.dumps(measure_matching(FULL if sys.argv[2] == "full" else SMALL)))
    else:
        print(json.dumps(measure_round(sys.argv[2])))
