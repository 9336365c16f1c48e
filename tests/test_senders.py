"""Senders: stopping finishes what is under way and releases the rest; a sender that could not
heartbeat sends nothing it held (another may have it); a restarted SQLite sender takes over at once.
The same with real processes and SIGKILL/SIGTERM: tests/test_crash.py, tests/test_processes.py."""
from __future__ import annotations

import asyncio
import time

import pytest
from sqlmodel import Session, select

from bot.domain.circles.runs import start_run
from bot.ports import Limits
from bot.runtime.sending import claims
from bot.runtime.sending import senders
from bot.runtime.sending.dispatch import Dispatcher
from harness import RecordingPlatform, at, make_world
from storage.db import unit_of_work
from storage.models import Circle, Delivery, Sender

PEOPLE = 6


class Slow(RecordingPlatform):
    limits = Limits(per_target_rate=1000, per_target_burst=1000, global_rate=1000, global_burst=1000,
                    concurrency=2)
    delay = 0.4

    async def send(self, target, message, key=""):
        await asyncio.sleep(self.delay)
        return await super().send(target, message)


@pytest.fixture
def world(settings, engine):
    w = make_world(settings, engine, start=at("2026-12-03 13:00"))
    w.command("Mia", "new Learners <@ann|Ann> <@bob|Bob> <@cy|Cy> <@di|Di> <@ed|Ed>", channel="C1")
    return w


def plan(world) -> int:
    with unit_of_work(world.app.engine) as s:
        return len(start_run(s, world.app.services, s.get(Circle, 1), "reflection", world.now, "manual").due)


def prompts(engine) -> list[Delivery]:
    with Session(engine) as s:
        return s.exec(select(Delivery).where(Delivery.kind == "prompt").order_by(Delivery.id)).all()


async def until(check, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)


def test_stopping_finishes_the_sends_under_way_and_releases_the_rest(world, engine):
    slow = Slow(world.app)
    dispatcher = Dispatcher(engine, world.app.services, {"test": slow})
    assert plan(world) == PEOPLE

    async def scenario():
        stop = asyncio.Event()
        running = asyncio.create_task(dispatcher.run(world.app.clock.now, stop))
        await until(lambda: len(dispatcher.on_the_wire) == 2)  # the others wait for a slot
        stop.set()
        began = time.monotonic()
        await running
        return time.monotonic() - began

    took = asyncio.run(scenario())
    assert len(slow.posted) == 2 and took < dispatcher.grace
    rows = prompts(engine)
    assert sorted(r.status for r in rows) == ["pending"] * 4 + ["sent"] * 2
    assert all(r.attempts == 0 for r in rows if r.status == "pending")  # the try is not counted
    with Session(engine) as s:
        assert s.get(Sender, dispatcher.worker) is None  # it left
    world.drain()  # whoever sends next: the rest, once
    assert [r.status for r in prompts(engine)] == ["sent"] * PEOPLE
    reached = [p.target.user_id for p in slow.posted + world.platform.posted if p.message.buttons
               and p.message.buttons[0].action == "prompt.answer"]
    assert sorted(reached) == ["ann", "bob", "cy", "di", "ed", "mia"]


def test_a_sender_that_could_not_heartbeat_sends_nothing_it_held(world, engine):
    slow = Slow(world.app)
    dispatcher = Dispatcher(engine, world.app.services, {"test": slow})
    assert plan(world) == PEOPLE

    async def scenario():
        draining = asyncio.create_task(dispatcher.drain(world.app.clock.now))
        await until(lambda: len(dispatcher.on_the_wire) == 2)
        dispatcher.heartbeat.last -= dispatcher.heartbeat.timeout  # as if no beat was stored for that long
        await draining

    asyncio.run(scenario())
    assert dispatcher.heartbeat.lapses == 1
    rows = prompts(engine)
    assert [r.status for r in rows] == ["sent"] * PEOPLE
    assert sorted(p.target.user_id for p in slow.posted) == ["ann", "bob", "cy", "di", "ed", "mia"]  # once each
    assert sorted(r.attempts for r in rows) == [1, 1, 2, 2, 2, 2]  # the four held were claimed again


def test_a_restarted_sqlite_sender_takes_over_at_once(world, engine):
    """SQLite has one sender: a process starting takes its predecessor's rows at once. On
    PostgreSQL another process may still be sending them: they wait until its heartbeat is stale."""
    assert plan(world) == PEOPLE
    with unit_of_work(engine) as s:  # the predecessor, killed a moment ago: its heartbeat still fresh
        senders.beat(s, "before-restart")
        assert len(claims.claim(s, ["test"], world.now, "before-restart")) == PEOPLE
    before = len(world.platform.posted)

    async def scenario():
        stop = asyncio.Event()
        running = asyncio.create_task(world.app.dispatcher.run(world.app.clock.now, stop, idle=0.1))
        await asyncio.sleep(1.0)
        stop.set()
        await running

    asyncio.run(scenario())
    assert len(world.platform.posted) - before == (PEOPLE if engine.dialect.name == "sqlite" else 0)
