"""A database restart under a running bot: requests fail politely meanwhile, then everything carries on."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlmodel import Session, select

from datetime import time as time_of_day

from bot.domain.circles.runs import start_run
from bot.domain.shared.rhythm import Calendar
from bot.ports import CommandRequest, Limits, Place
from bot.runtime.app import build
from bot.runtime.clock import ManualClock
from conftest import PG_URL
from bench.tcp_proxy import RestartableProxy
from harness import RecordingPlatform, make_world
from storage.db import make_engine, unit_of_work
from storage.models import Circle, Delivery

pytestmark = [pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL); CI sets it"), pytest.mark.alone]


@pytest.fixture
def proxied(pg_schema_url, database_url):
    parts = urlsplit(pg_schema_url)
    proxy = RestartableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    port = proxy.start()
    netloc = f"{parts.username}@127.0.0.1:{port}" if parts.username else f"127.0.0.1:{port}"
    yield proxy, urlunsplit(parts._replace(netloc=netloc))
    proxy.stop()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_bot_reconnects_after_the_database_restarts(proxied, settings):
    proxy, url = proxied
    engine = make_engine(url)
    world = make_world(replace(settings, database_url=url), engine)
    world.command("Mia", "new Learners <@ann|Ann> <@bob|Bob>", channel="C1")

    proxy.restart(down_for=0.5)
    world.command("Mia", "prompt now", channel="C1")  # the pool notices dead connections and reconnects
    assert len(world.prompts("ann")) == 1

    async def scenario():
        stop = asyncio.Event()
        dispatcher = asyncio.create_task(world.app.dispatcher.run(world.app.clock.now, stop, idle=0.2))
        restart = asyncio.create_task(asyncio.to_thread(proxy.restart, 2.0))
        await asyncio.sleep(0.5)
        during = await asyncio.to_thread(coffee)  # the database is down right now
        await restart
        after = await asyncio.to_thread(coffee)
        for _ in range(50):
            if world.channel("C1"):
                break
            await asyncio.sleep(0.1)
        stop.set()
        await dispatcher
        return during, after

    def coffee():
        request = CommandRequest(world.actor("Mia"), "coffee now", Place("C1", False))
        return world.app.core.command(request, world.now)

    during, after = asyncio.run(scenario())
    assert "can't reach my database" in during.to_caller[0].plain_text
    assert "Coffee-room question posted" in after.to_caller[0].plain_text
    with Session(engine) as s:
        assert [d.status for d in s.exec(select(Delivery).where(Delivery.kind == "coffee"))] == ["sent"]
    assert len(world.channel("C1")) == 1
    engine.dispose()


class Paced(RecordingPlatform):
    """The recording platform at a rate where a fan-out takes seconds, as a real workspace's does."""

    limits = Limits(per_target_rate=10, per_target_burst=1, global_rate=60, global_burst=1, concurrency=8)


def fan_out_world(url: str, settings, people: int):
    """A circle of `people` and a prompt to each of them in the outbox, the platform paced."""
    from bench.common import seed_circles, seed_people, seed_workspace

    engine = make_engine(url)
    calendar = Calendar(time_of_day(0, 0), time_of_day(23, 59), tuple(range(7)), "")  # due whenever it runs
    app = build(replace(settings, database_url=url), clock=ManualClock(), platform_names=[], engine=engine)
    app.services.calendar = calendar
    platform = Paced(app)
    app.add_platform(platform)
    with engine.begin() as conn:
        ws = seed_workspace(conn, "test", "T1")
        seed_circles(conn, ws, [seed_people(conn, ws, people, lambda i: f"u{i}")])
    with unit_of_work(engine) as session:
        start_run(session, app.services, session.get(Circle, 1), "reflection", app.clock.now(), "manual")
    return app, platform, engine


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_database_cut_mid_fan_out_sends_nobody_twice_and_nobody_missed(proxied, settings):
    """The sender cannot record what it sent: it stops sending, records what it sent as soon as the
    database answers again, and goes on."""
    proxy, url = proxied
    app, platform, engine = fan_out_world(url, settings, 300)

    async def scenario():
        stop = asyncio.Event()
        sender = asyncio.create_task(app.dispatcher.run(app.clock.now, stop, idle=0.2))
        while len(platform.posted) < 60:
            await asyncio.sleep(0.05)
        cut = asyncio.create_task(asyncio.to_thread(proxy.restart, 5.0))
        await asyncio.sleep(0.5)
        during_start = len(platform.posted)
        await asyncio.sleep(4.0)
        during = len(platform.posted) - during_start  # sent while nothing could be recorded
        await cut
        for _ in range(300):
            if len(platform.posted) >= 300:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        stop.set()
        await sender
        return during

    during = asyncio.run(scenario())
    people = [p.target.user_id for p in platform.posted]
    assert len(set(people)) == 300 and len(people) == 300  # everyone once
    assert during == 0  # nothing more went out while sends could not be recorded
    with Session(engine) as session:
        assert {d.status for d in session.exec(select(Delivery))} == {"sent"}
    engine.dispose()
