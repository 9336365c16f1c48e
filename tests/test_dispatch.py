"""The dispatcher: pacing, retries, rate limits, permanent failures and crash recovery."""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from bot.domain.shared import outbox
from bot.domain.shared.outbox import DeliveryKind, Outbound
from bot.runtime.sending import claims, senders
from bot.runtime.sending.pacing import Pacer
from bot.ports import Limits, PermanentFailure, RateLimited, TemporaryFailure
from harness import at, make_world
from storage.db import unit_of_work
from storage.models import Delivery

C1 = "C1"


@pytest.fixture
def world(settings, engine):
    w = make_world(settings, engine, start=at("2026-12-03 13:00"))
    w.command("Mia", "new Learners <@ann|Ann> <@bob|Bob>", channel=C1)
    return w


def rows(engine, kind="prompt"):
    with Session(engine) as s:
        return s.exec(select(Delivery).where(Delivery.kind == kind).order_by(Delivery.id)).all()


def test_temporary_failure_is_retried_and_sent_once(world, engine):
    world.platform.fail_next = [TemporaryFailure("connection reset")]
    world.command("Mia", "prompt now", channel=C1)
    failed = [r for r in rows(engine) if r.status == "pending"]
    assert len(failed) == 1 and "connection reset" in failed[0].error
    world.tick(world.now + timedelta(minutes=1))
    assert [r.status for r in rows(engine)] == ["sent"] * 3
    assert sum(len(world.prompts(n)) for n in ("mia", "ann", "bob")) == 3


def test_rate_limit_waits_retry_after_without_counting_an_attempt(world, engine):
    world.platform.fail_next = [RateLimited(0.2)]
    world.command("Mia", "prompt now", channel=C1)
    asyncio.run(world.app.dispatcher.drain(world.app.clock.now, settle=2))
    assert [r.status for r in rows(engine)] == ["sent"] * 3
    assert max(r.attempts for r in rows(engine)) == 1


def test_permanent_failure_stops_with_the_error_stored(world, engine):
    world.platform.fail_next = [PermanentFailure("channel_not_found")]
    world.command("Mia", "prompt now", channel=C1)
    statuses = sorted(r.status for r in rows(engine))
    assert statuses == ["failed", "sent", "sent"]
    assert any(r.error == "channel_not_found" for r in rows(engine))


def test_gives_up_after_bounded_tries(world, engine):
    world.platform.fail_next = [TemporaryFailure("down")] * 50
    world.command("Mia", "prompt now", channel=C1)
    for minutes in range(1, 60, 5):
        world.tick(world.now + timedelta(minutes=minutes))
    failed = [r for r in rows(engine) if r.status == "failed"]
    assert failed and all(r.attempts == claims.MAX_ATTEMPTS for r in failed)


def test_rows_of_a_sender_whose_heartbeat_went_stale_are_taken_over(world, engine):
    from sqlalchemy import update

    from bot.runtime.sending import senders
    from storage.models import Sender
    from storage.types import utcnow

    before = len(world.platform.posted)
    with unit_of_work(engine) as s:
        outbox.enqueue(s, [Outbound(DeliveryKind.WELCOME, "crash-test", 1, "test", world.now,
                                    person_id=2, circle_id=1, payload={"by": "Mia"})])
    with unit_of_work(engine) as s:  # a process registers, claims the row, then dies before sending
        senders.beat(s, "dead-worker")
        claimed = claims.claim(s, ["test"], world.now, "dead-worker")
    assert [d.key for d in claimed] == ["crash-test"]
    world.drain()
    assert len(world.platform.posted) == before  # its heartbeat is fresh: still its row
    with unit_of_work(engine) as s:
        s.execute(update(Sender).values(heartbeat_at=utcnow() - timedelta(seconds=senders.TIMEOUT + 1)))
    heartbeat = world.app.dispatcher.heartbeat
    if engine.dialect.name != "sqlite":
        # A sender takes others' rows only once its own beats have been stored for a whole timeout:
        # one just back from a database outage cannot tell a dead sender from one cut off like itself.
        heartbeat.healthy_since = time.monotonic()
        world.drain()
        assert len(world.platform.posted) == before
        heartbeat.healthy_since = time.monotonic() - senders.TIMEOUT
    world.drain()
    assert len(world.platform.posted) == before + 1


def test_rows_of_a_sender_that_never_registered_are_taken_at_once(world, engine):
    """Rows claimed before senders heartbeated (an upgrade), or by a sender removed long dead."""
    before = len(world.platform.posted)
    with unit_of_work(engine) as s:
        outbox.enqueue(s, [Outbound(DeliveryKind.WELCOME, "old-claim", 1, "test", world.now,
                                    person_id=2, circle_id=1, payload={"by": "Mia"})])
    with unit_of_work(engine) as s:
        assert len(claims.claim(s, ["test"], world.now, "pid4242")) == 1
    world.app.dispatcher.heartbeat.healthy_since = time.monotonic() - senders.TIMEOUT  # well for a while
    world.drain()
    assert len(world.platform.posted) == before + 1


def test_rows_whose_reason_has_gone_are_cancelled(world, engine):
    world.command("Ann", "pause")
    world.command("Mia", "prompt now", channel=C1)
    ann = [r for r in rows(engine) if r.person_id == 2]
    assert ann == []  # paused people are not even planned
    world.command("Bob", "pause 1d")
    with unit_of_work(engine) as s:
        outbox.enqueue(s, [Outbound(DeliveryKind.PROMPT, "late", 1, "test", world.now, person_id=3,
                                    circle_id=1, run_id=1, assignment_id=1)])
    world.drain()
    late = [r for r in rows(engine) if r.key == "late"][0]
    assert late.status == "cancelled" and late.error == "person paused"


def test_pacer_keeps_per_target_rate_and_honours_back_off():
    async def scenario():
        pacer = Pacer(Limits(per_target_rate=20, per_target_burst=1, global_rate=1000, global_burst=1000))
        start = time.monotonic()
        for _ in range(5):
            await pacer.wait("C1")
        spaced = time.monotonic() - start
        pacer.back_off("C1", 0.3)
        start = time.monotonic()
        await pacer.wait("C2")  # another channel is not held up
        other = time.monotonic() - start
        await pacer.wait("C1")
        held = time.monotonic() - start
        return spaced, other, held

    spaced, other, held = asyncio.run(scenario())
    assert spaced >= 0.19  # 5 messages at 20/s with no burst: 4 gaps of 50 ms
    assert other < 0.05
    assert held >= 0.29


def test_unreachable_member_is_reported_to_the_mentor_once(world, engine):
    from bot.ports import Unreachable

    world.platform.fail_next = [None, Unreachable("app not installed")]  # Mia's DM goes, Ann's fails
    world.command("Mia", "prompt now", channel=C1)
    world.platform.fail_next = [None, Unreachable("app not installed")]
    world.command("Mia", "prompt now", channel=C1)
    notices = [p for p in world.inbox("mia") if "can't reach" in p.message.plain_text]
    assert len(notices) == 1
    assert [r.status for r in rows(engine, "notice")] == ["sent"]


def test_a_slow_but_living_sender_keeps_its_claims(settings, engine):
    """Rows waiting in a busy sender longer than SENDER_TIMEOUT_SECONDS are not taken over by another sender."""
    from dataclasses import replace

    from bot.runtime.sending.dispatch import Dispatcher
    from harness import RecordingPlatform

    class Slow(RecordingPlatform):
        limits = Limits(per_target_rate=1000, per_target_burst=1000, global_rate=1000, global_burst=1000,
                        concurrency=1)

        async def send(self, target, message, key=""):
            await asyncio.sleep(0.6)
            return await super().send(target, message)

    world = make_world(replace(settings, sender_timeout_seconds=1), engine, start=at("2026-12-03 13:00"))
    world.command("Mia", "new Learners <@ann|Ann> <@bob|Bob>", channel=C1)
    slow = Slow(world.app)
    services = world.app.services
    first = Dispatcher(engine, services, {"test": slow}, worker="a")
    second = Dispatcher(engine, services, {"test": world.platform}, worker="b")
    with unit_of_work(engine) as s:
        from bot.domain.circles.runs import start_run
        from storage.models import Circle

        start_run(s, services, s.get(Circle, 1), "reflection", world.now, "manual")

    async def both():
        busy = asyncio.create_task(first.drain(world.app.clock.now))
        await asyncio.sleep(1.3)  # longer than the timeout: without heartbeats the rows would look abandoned
        await second.drain(world.app.clock.now)
        await busy

    before = len(world.platform.posted)
    asyncio.run(both())
    assert len(slow.posted) == 3 and len(world.platform.posted) == before


def test_every_delivery_kind_has_its_composer_and_nothing_else_does():
    from bot.domain.compose import COMPOSERS

    assert len(DeliveryKind) >= 10
    assert set(COMPOSERS) == set(DeliveryKind)


def test_an_outbox_row_is_keyed_by_its_kind_and_ids():
    from storage.models import Workspace

    ws = Workspace(id=7, platform="test", external_id="T7")
    made = outbox.row(DeliveryKind.PROMPT, ws, datetime(2026, 12, 3, 12, tzinfo=timezone.utc), 4, 9, person_id=9)
    assert (made.key, made.workspace_id, made.platform, made.person_id) == ("prompt:4:9", 7, "test", 9)
    assert outbox.row(DeliveryKind.NOTICE, ws, made.due_at, 1, 2, topic="unreachable").key == "unreachable:1:2"
