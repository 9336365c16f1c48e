"""How long pulse results take for a large organisation, on SQLite and on PostgreSQL.

Builds 1,000 circles of 10,000 people and 12 monthly workspace pulses that everyone answered
(120,000 rows of a person's answers, 600,000 answers) by bulk inserts, then counts every pulse's results under the
group-size rule (pulse_results: per statement, per circle, "other circles", change) and the report
the weekly summary and the dashboard show (the latest pulse and the trend), three times each.
"""
from __future__ import annotations

import random
import time
from datetime import datetime, timedelta, timezone

from bench.common import analyze, chunks, database, seed_circles, seed_people, seed_workspace
from storage.db import make_engine
from storage.pulses import PulseInvite, PulseRound

TARGET_SECONDS = 0.5
FIRST = datetime(2026, 1, 6, 8, 0, tzinfo=timezone.utc)
SCALE = (0, 1, 2, 3, 3, 4, 4, 4, 5, 5)  # 0: "rather not say"
STATEMENTS = ["learned-from-colleague", "trust-in-circle", "motivation", "uncertainty", "own-learning"]


def seed(url: str, people: int, pulses: int, rng: random.Random) -> dict:
    began = time.perf_counter()
    engine = make_engine(url)
    with engine.begin() as conn:
        seed_workspace(conn, "bench", "B1")
        seed_people(conn, 1, people, lambda i: f"U{i:06d}")
        order = list(range(1, people + 1))
        rng.shuffle(order)
        groups, at = [], 0
        while at < people:  # circles of 3 to 17, every person in one
            size = rng.randint(3, 17)
            groups.append(order[at:at + size])
            at += size
        seed_circles(conn, 1, groups)
        circle_of = {p: c for c, group in enumerate(groups, 1) for p in group}
        rounds, invites = [], []
        for n in range(pulses):
            when = FIRST + timedelta(weeks=4 * n)
            rounds.append({"id": n + 1, "workspace_id": 1, "scope": "all", "statement_set": "default",
                           "statements": STATEMENTS, "trigger": "schedule", "scheduled_for": when,
                           "closes_at": when + timedelta(days=2), "created_at": when})
            for person in range(1, people + 1):
                invites.append({"round_id": n + 1, "person_id": person, "circle_id": circle_of[person],
                                "answered_at": when + timedelta(hours=1),
                                **{f"a{k}": rng.choice(SCALE) for k in range(1, len(STATEMENTS) + 1)},
                                **{f"a{k}": None for k in range(len(STATEMENTS) + 1, 7)}})
        chunks(conn, PulseRound, rounds)
        chunks(conn, PulseInvite, invites)
    engine.dispose()
    analyze(url)
    return {"seed_seconds": round(time.perf_counter() - began, 1), "circles": len(groups),
            "answers": len(invites) * len(STATEMENTS)}


def measure(url: str) -> dict:
    """Wall and CPU seconds (the median of three) of: the report HR reads (the latest pulse in every
    group with its change, and the trend of 12 pulses), the whole of each pulse (what a programme
    hub takes), and every group of every pulse."""
    from bot.domain.pulses import summary
    from bot.domain.pulses.results import pulse_results
    from storage.db import unit_of_work

    engine = make_engine(url)
    start, end = FIRST - timedelta(days=1), FIRST + timedelta(days=366)
    cases = {"report": lambda s: summary.compute(s, 1, 5, end),
             "whole": lambda s: pulse_results(s, 1, start, end, 5, circles=False),
             "every_group": lambda s: pulse_results(s, 1, start, end, 5)}
    out = {}
    for name, work in cases.items():
        walls, cpus = [], []
        for _ in range(3):
            wall, cpu = time.perf_counter(), time.process_time()
            with unit_of_work(engine) as session:
                found = work(session)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        out[f"{name}_seconds"] = round(sorted(walls)[1], 3)
        out[f"{name}_cpu_seconds"] = round(sorted(cpus)[1], 3)
        out[f"{name}_size"] = len(found["groups"]) if isinstance(found, dict) else len(found)
    engine.dispose()
    return out


def run(backend: str, people: int, pulses: int) -> dict:
    result = {"backend": backend, "size": f"{people} people, {pulses} pulses"}
    try:
        with database(backend) as url:
            result.update(seed(url, people, pulses, random.Random(26)))
            result.update(measure(url))
    except LookupError as missing:
        return {**result, "skipped": str(missing)}
    result["within_target"] = result["report_seconds"] < TARGET_SECONDS and result["whole_seconds"] < TARGET_SECONDS
    return result


def results(small: bool, backends: tuple[str, ...]):
    for backend in backends:
        yield run(backend, 300 if small else 10_000, 3 if small else 12)
