"""How long the weekly summary takes for a large organisation, on SQLite and on PostgreSQL.

Builds 1,000 circles, 10,000 people and 100,000 answers over 12 weeks (with prompt runs,
assignments, private answers and coffee-thread replies) by bulk inserts, then computes one
workspace summary (figures and offline themes) in a fresh process and reports its time and
peak memory as one JSON line per backend.
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

from sqlalchemy import insert

from bench.common import analyze, chunks, database, peak_rss_mb
from storage.db import make_engine
from storage.models import (Assignment, Circle, Membership, Participation, Person, PromptRun, Reply, Schedule,
                            Workspace)

REPORT_WEEK = "2026-W48"
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)  # Monday 09:00 in Helsinki, after the week
TARGET_SECONDS, TARGET_MB = 2.0, 200

FIRST = "Aino Eero Ilona Juho Kaisa Lauri Mikko Noora Otto Pia Sanna Teemu Ulla Veera Anna Erik Sofia Lars Karin " \
        "Johan Emma Oliver Grace Henry Chloe Daniel".split()
LAST = "Virtanen Korhonen Nieminen Mäkinen Hämäläinen Laine Lindqvist Andersson Holm Berg Smith Jones Taylor " \
       "Brown Wilson Evans".split()
TOPICS = {
    "en": "feedback onboarding deployment pipeline customer meetings remote documentation mentoring testing "
          "planning budget priorities workshop presentation".split(),
    "fi": "palautetta perehdytys asiakas palaveri etätyö dokumentointi testaus suunnittelu budjetti työpaja "
          "esitys".split(),
    "sv": "återkoppling introduktion kunden mötet distansarbete dokumentation planering budget workshop "
          "presentationen".split(),
}
TEMPLATES = {
    "en": "This week I learned that {a} works better when we talk about {b} early. Next time I will ask about {c}.",
    "fi": "Tällä viikolla opin, että {a} sujuu paremmin, kun puhumme ajoissa aiheesta {b}. Ensi kerralla kysyn {c}.",
    "sv": "Den här veckan lärde jag mig att {a} går bättre när vi pratar om {b} tidigt. Nästa gång frågar jag om {c}.",
}


@dataclass(frozen=True)
class Size:
    circles: int
    people: int
    answers: int
    weeks: int = 12

    @property
    def label(self) -> str:
        return f"{self.circles} circles, {self.people} people, {self.answers} answers, {self.weeks} weeks"


FULL = Size(1000, 10_000, 100_000)
SMALL = Size(30, 300, 3_000)


def seed(engine, size: Size, rng: random.Random) -> dict:
    """Bulk-insert a whole organisation; ids are chosen here so no row needs a round trip."""
    start = time.perf_counter()
    last_monday = datetime(2026, 11, 22, 22, 0, tzinfo=timezone.utc)  # 2026-11-23 00:00 Helsinki
    first_monday = last_monday - timedelta(weeks=size.weeks - 1)
    with engine.begin() as conn:
        conn.execute(insert(Workspace.__table__), [{"id": 1, "platform": "bench", "external_id": "B1",
                                                    "name": "Bench", "created_at": first_monday}])
        conn.execute(insert(Person.__table__), [{
            "id": i, "workspace_id": 1, "platform_user_id": f"U{i:06d}", "name": f"{rng.choice(FIRST)} "
            f"{rng.choice(LAST)}", "is_hr": False, "is_admin": False, "is_bot": False, "is_active": True,
            "created_at": first_monday} for i in range(1, size.people + 1)])
        members, memberships, circles, schedules = {}, [], [], []
        for c in range(1, size.circles + 1):
            group = rng.sample(range(1, size.people + 1), rng.randint(3, 17))
            created = first_monday - timedelta(weeks=8) if c % 50 else last_monday + timedelta(days=1)
            circles.append({"id": c, "workspace_id": 1, "name": f"Circle {c:04d}", "channel_id": f"C{c:05d}",
                            "mentor_id": group[0], "language": "en", "timezone": "Europe/Helsinki",
                            "default_visibility": "circle", "store_coffee_text": False, "created_at": created,
                            "archived_at": last_monday - timedelta(weeks=3) if c % 97 == 0 else None})
            members[c] = group
            memberships += [{"circle_id": c, "person_id": p, "role": "mentor" if k == 0 else "member",
                             "joined_at": created} for k, p in enumerate(group)]
            if c % 5:
                schedules.append({"circle_id": c, "kind": "reflection", "days": "mon,thu" if c % 3 else "thu",
                                  "time": "14:00", "timezone": "Europe/Helsinki", "created_at": created})
        chunks(conn, Circle, circles)
        chunks(conn, Membership, memberships)
        chunks(conn, Schedule, schedules)
        runs, assignments = [], []
        for c in range(1, size.circles + 1):
            circle = circles[c - 1]
            for week in range(size.weeks):
                when = first_monday + timedelta(weeks=week, days=3, hours=12, minutes=c % 60)
                if when < circle["created_at"] or (circle["archived_at"] and when >= circle["archived_at"]):
                    continue
                runs.append({"id": len(runs) + 1, "circle_id": c, "kind": "reflection", "prompt_key": "trust-r01",
                             "trigger": "schedule", "scheduled_for": when, "closes_at": when + timedelta(days=2),
                             "created_at": when})
                assignments += [{"run_id": len(runs), "person_id": p, "prompt_key": "trust-r01", "offered": "",
                                 "snoozes": 0, "created_at": when} for p in members[c]]
                if week % 2 == 0:
                    runs.append({"id": len(runs) + 1, "circle_id": c, "kind": "coffee", "prompt_key": "coffee",
                                 "trigger": "schedule", "scheduled_for": when + timedelta(hours=1),
                                 "closes_at": None, "created_at": when})
        chunks(conn, PromptRun, runs)
        chunks(conn, Assignment, assignments)
        circle_of = {r["id"]: r["circle_id"] for r in runs}
        picked = rng.sample(assignments, min(size.answers, len(assignments)))
        replies = [_reply(i, a, circle_of[a["run_id"]], rng) for i, a in enumerate(picked, 1)]
        chunks(conn, Reply, replies)
        threads = [{"run_id": r["id"], "person_id": p, "source_id": f"t{r['id']}-{p}",
                    "created_at": r["scheduled_for"] + timedelta(hours=2)}
                   for r in runs if r["kind"] == "coffee" for p in rng.sample(members[r["circle_id"]], 2)]
        chunks(conn, Participation, threads)
    return {"seed_seconds": round(time.perf_counter() - start, 1), "assignments": len(assignments),
            "answers": len(replies), "runs": len(runs), "memberships": len(memberships), "threads": len(threads)}


def _reply(i: int, assignment: dict, circle_id: int, rng: random.Random) -> dict:
    lang = rng.choice(("en", "en", "fi", "sv"))
    words = rng.sample(TOPICS[lang], 3)
    private = rng.random() < 0.25
    body = TEMPLATES[lang].format(a=words[0], b=words[1], c=words[2])
    return {"id": i, "run_id": assignment["run_id"], "person_id": assignment["person_id"], "circle_id": circle_id,
            "prompt_key": "trust-r01", "text": f"PRIVATE-BENCH {body}" if private else body,
            "visibility": "private" if private else "circle", "source_id": f"b{i}",
            "created_at": assignment["created_at"] + timedelta(hours=3), "updated_at": assignment["created_at"]}


def measure(url: str) -> dict:
    """In a fresh process: the time to compute the summary, and the memory it took."""
    from bot.common.config import Settings
    from bot.domain.reports.summary import compute
    from bot.domain.reports.figures import parse_week
    from prompts import default_library
    from storage.models import Workspace as WorkspaceRow
    from storage.db import unit_of_work

    engine = make_engine(url)
    settings, library = replace(Settings(), database_url=url), default_library()
    week = parse_week(REPORT_WEEK, settings.timezone)
    times = []
    for _ in range(3):
        began = time.perf_counter()
        with unit_of_work(engine) as session:
            summary = compute(session, session.get(WorkspaceRow, 1), settings, week, NOW, library=library)
        times.append(time.perf_counter() - began)
    rss = peak_rss_mb()  # before tracing, which costs memory of its own
    tracemalloc.start()
    with unit_of_work(engine) as session:
        compute(session, session.get(WorkspaceRow, 1), settings, week, NOW, library=library)
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    engine.dispose()
    return {"seconds_first": round(times[0], 3), "seconds": round(sorted(times)[1], 3),
            "python_peak_mb": round(traced / 2 ** 20, 1), "process_peak_rss_mb": round(rss, 1),
            "answers_in_week": summary.get("totals", {}).get("answers"), "themes": len(summary["themes"]["items"])}


def _measure_in_child(url: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.summary_bench", url], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.getcwd()}, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(backend: str, size: Size) -> dict:
    result = {"bench": "summary", "backend": backend, "size": size.label}
    try:
        with database(backend) as url:
            engine = make_engine(url)
            result.update(seed(engine, size, random.Random(48)))
            engine.dispose()
            analyze(url)
            result.update(_measure_in_child(url))
    except LookupError as missing:
        return {**result, "skipped": str(missing)}
    result["within_target"] = result["seconds"] < TARGET_SECONDS and result["process_peak_rss_mb"] < TARGET_MB
    return result


def results(small: bool, backends: tuple[str, ...]):
    for backend in backends:
        yield run(backend, SMALL if small else FULL)


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
