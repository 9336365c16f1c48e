"""How long a Prometheus scrape of /metrics takes with a full outbox, on SQLite and on PostgreSQL.

Seeds 10,000 outbox rows (`--small`: 500) spread over every state and kind, as a week of fan-outs
leaves them, and 3 sender heartbeats; then serves the real web app (`make_web_app`, as `serve`
does) on a local port and asks for /metrics over HTTP: once cold, then SCRAPES times. The time is
the client's, from request to the last byte; the outbox figures are read from the database on
every scrape (one GROUP BY, the oldest due row, the live senders).
"""
from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import insert

from bench.common import CREATED, analyze, chunks, database, seed_workspace
from storage.db import make_engine
from storage.models import Delivery, Sender

TARGET_MS = 250  # a scrape every 15 s must not load the database
SCRAPES = 30
STATES = ("sent",) * 14 + ("pending", "pending", "failed", "cancelled", "unsure", "sending")
KINDS = ("prompt", "prompt", "prompt", "reminder", "coffee", "recap", "welcome", "notice", "summary", "pair-intro")


@dataclass(frozen=True)
class Size:
    label: str
    rows: int


FULL, SMALL = Size("10k-rows", 10_000), Size("500-rows", 500)


def seed(url: str, size: Size) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        seed_workspace(conn, "slack", "TBENCH")
        chunks(conn, Delivery, [{
            "key": f"bench:{i}", "workspace_id": 1, "platform": "slack", "kind": KINDS[i % len(KINDS)],
            "status": STATES[i % len(STATES)], "due_at": CREATED + timedelta(seconds=i), "attempts": 0,
            "created_at": CREATED} for i in range(size.rows)])
        conn.execute(insert(Sender.__table__), [{"name": f"bench/{n}", "started_at": CREATED,
                                                 "heartbeat_at": CREATED} for n in range(3)])
    engine.dispose()


async def _measure(url: str) -> dict:
    from aiohttp import ClientSession, web

    from bot.common.config import Settings
    from bot.runtime.app import build
    from bot.runtime.clock import ManualClock
    from bot.runtime.web import make_web_app

    app = build(replace(Settings(), database_url=url), clock=ManualClock(CREATED + timedelta(days=1)),
                platform_names=[])
    runner = web.AppRunner(make_web_app(app), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    address = f"http://127.0.0.1:{runner.addresses[0][1]}/metrics"
    times, body = [], b""
    try:
        async with ClientSession() as client:
            for _ in range(SCRAPES + 1):
                began = time.perf_counter()
                async with client.get(address) as response:
                    body = await response.read()
                    assert response.status == 200, response.status
                times.append((time.perf_counter() - began) * 1000)
    finally:
        await runner.cleanup()
        app.engine.dispose()
    assert b"kipina_outbox_rows{" in body
    cold, warm = times[0], sorted(times[1:])
    return {"cold_ms": round(cold, 1), "scrape_ms_median": round(statistics.median(warm), 1),
            "scrape_ms_p90": round(warm[int(len(warm) * 0.9) - 1], 1), "body_kb": round(len(body) / 1024, 1)}


def run(backend: str, size: Size) -> dict:
    result = {"backend": backend, "size": size.label, "rows": size.rows}
    try:
        with database(backend) as url:
            seed(url, size)
            analyze(url)
            result.update(asyncio.run(_measure(url)))
    except LookupError as missing:
        return {**result, "skipped": str(missing)}
    except Exception as error:  # reported as a line of its own, like the other benchmarks
        return {**result, "error": f"{type(error).__name__}: {str(error)[-500:]}"}
    result["within_target"] = result["scrape_ms_median"] < TARGET_MS
    return result


def results(small: bool, backends: tuple[str, ...]):
    for backend in backends:
        yield run(backend, SMALL if small else FULL)
