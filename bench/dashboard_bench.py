"""How fast the dashboard's HR overview is for a large organisation, on SQLite and on PostgreSQL.

Builds the summary benchmark's organisation (1,000 circles, 10,000 people, 100,000 answers over
12 weeks; `--small`: 30 circles), adds an HR user with a signed-in session, then in a fresh process
serves the real web app (`make_web_app`, as `serve` does) and asks for /dashboard/hr over HTTP:
once cold (bot/domain/reports counts the week, the page waits for it), then repeatedly as every later
view is served (the kept summary, rendered anew each time). Server time is measured around the
handler; the page weight is the HTML's size, plain and gzipped (the stylesheet is cached).
"""
from __future__ import annotations

import asyncio
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import replace

from sqlalchemy import insert

from bench.common import analyze, database
from bench.summary_bench import FULL, NOW, SMALL, seed
from storage.db import make_engine, unit_of_work
from storage.models import Person

TARGET_MS = 500
VIEWS = 15


def add_hr(url: str, people: int) -> str:
    """An HR user (an id after the seeded people) with a live session; returns the cookie."""
    from bot.dashboard import sessions

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Person.__table__), [{
            "id": people + 1, "workspace_id": 1, "platform_user_id": "hr1", "name": "Hanna HR", "locale": "fi-FI",
            "is_hr": True, "is_admin": False, "is_bot": False, "is_active": True, "created_at": NOW}])
    with unit_of_work(engine) as session:
        cookie = sessions.start(session, people + 1, NOW)
    engine.dispose()
    return cookie


async def _measure(url: str, cookie: str) -> dict:
    from aiohttp import ClientSession, web

    from bot.runtime.app import build
    from bot.runtime.clock import ManualClock
    from bot.common.config import Settings
    from bot.dashboard.frame import STATE
    from bot.runtime.web import make_web_app

    settings = replace(Settings(), database_url=url, hr_users=frozenset({"bench:hr1"}))
    app = build(settings, clock=ManualClock(NOW), platform_names=[])
    web_app = make_web_app(app)
    web_app[STATE].summaries.wait = 600.0
    handled: list[float] = []

    @web.middleware
    async def timed(request, handler):
        began = time.perf_counter()
        try:
            return await handler(request)
        finally:
            handled.append((time.perf_counter() - began) * 1000)

    web_app.middlewares.append(timed)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}/dashboard/hr"
    out = {}
    async with ClientSession(cookies={"kipina_dashboard": cookie}) as client:
        for trend in (12, 26):
            page = f"{base}?trend={trend}"
            async with client.get(page) as response:
                body = await response.read()
                assert response.status == 200 and b"week-heading" in body, response.status
            first = handled[-1]
            views = []
            for _ in range(VIEWS):
                async with client.get(page) as response:
                    await response.read()
                views.append(handled[-1])
            views.sort()
            out[f"trend{trend}"] = {"first_view_ms": round(first), "view_ms_median": round(statistics.median(views), 1),
                                    "view_ms_p90": round(views[int(len(views) * 0.9) - 1], 1),
                                    "page_kb": round(len(body) / 1024, 1),
                                    "page_kb_gzip": round(len(gzip.compress(body)) / 1024, 1)}
    await runner.cleanup()
    app.engine.dispose()
    return out


def measure(url: str, cookie: str) -> dict:
    return asyncio.run(_measure(url, cookie))


def _measure_in_child(url: str, cookie: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.dashboard_bench", url, cookie], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.getcwd()}, timeout=1200)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(backend: str, size) -> dict:
    result = {"backend": backend, "size": size.label}
    try:
        with database(backend) as url:
            engine = make_engine(url)
            result.update(seed(engine, size, random.Random(48)))
            engine.dispose()
            cookie = add_hr(url, size.people)
            analyze(url)
            result.update(_measure_in_child(url, cookie))
    except LookupError as missing:
        return {**result, "skipped": str(missing)}
    except Exception as error:  # reported as a line of its own, like the other benchmarks
        return {**result, "error": f"{type(error).__name__}: {str(error)[-500:]}"}
    result["within_target"] = all(result[t]["view_ms_median"] < TARGET_MS for t in ("trend12", "trend26"))
    return result


def results(small: bool, backends: tuple[str, ...]):
    for backend in backends:
        yield run(backend, SMALL if small else FULL)


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], sys.argv[2])))
