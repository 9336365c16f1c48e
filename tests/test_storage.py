"""Storage on SQLite and PostgreSQL: migrations, aware UTC times, Unicode, unique keys, claims."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from bot.domain.shared import outbox
from bot.domain.shared.outbox import DeliveryKind, Outbound
from bot.runtime.sending import claims
from bot.runtime.sending import senders
from storage.db import normalise_url, unit_of_work
from storage.models import Circle, Delivery, Person, Reply, Sender, Workspace
from storage.ops import insert_ignore


def seed(session: Session) -> tuple[Workspace, Person]:
    ws = Workspace(platform="test", external_id="T1")
    session.add(ws)
    session.flush()
    person = Person(workspace_id=ws.id, platform_user_id="U1", name="Äijä 😀 Åsa")
    session.add(person)
    session.flush()
    return ws, person


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_times_come_back_aware_utc_and_text_full_unicode(engine):
    helsinki = timezone(timedelta(hours=2))
    with unit_of_work(engine) as s:
        _, person = seed(s)
        person.paused_until = datetime(2026, 12, 3, 14, 0, tzinfo=helsinki)
    with Session(engine) as s:
        stored = s.exec(select(Person)).one()
    assert stored.paused_until == datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
    assert stored.paused_until.tzinfo is not None
    assert stored.name == "Äijä 😀 Åsa"


def test_naive_datetimes_are_refused(engine):
    with pytest.raises(Exception, match="naive"):
        with unit_of_work(engine) as s:
            _, person = seed(s)
            person.paused_until = datetime(2026, 12, 3, 14, 0)


def test_one_live_circle_per_channel_but_archived_ones_may_share(engine):
    with unit_of_work(engine) as s:
        ws, person = seed(s)
        s.add(Circle(workspace_id=ws.id, name="A", channel_id="C1", mentor_id=person.id,
                     archived_at=datetime.now(timezone.utc)))
        s.add(Circle(workspace_id=ws.id, name="B", channel_id="C1", mentor_id=person.id))
    with pytest.raises(IntegrityError):
        with unit_of_work(engine) as s:
            s.add(Circle(workspace_id=1, name="C", channel_id="C1", mentor_id=1))


def test_outbox_key_is_unique_and_enqueue_is_idempotent(engine):
    now = datetime.now(timezone.utc)
    with unit_of_work(engine) as s:
        ws, person = seed(s)
        row = Outbound(DeliveryKind.NOTICE, "prompt:1:1", ws.id, "test", now, person_id=person.id)
        assert outbox.enqueue(s, [row, dataclasses.replace(row, key="prompt:1:2")]) == 2
        assert outbox.enqueue(s, [row]) == 0
    with Session(engine) as s:
        assert len(s.exec(select(Delivery)).all()) == 2


def claim_as(engine, worker: str, now: datetime, **options) -> list[Delivery]:
    """A claim as the dispatcher makes it: the sender heartbeats in the same transaction."""
    with unit_of_work(engine) as s:
        senders.beat(s, worker)
        return claims.claim(s, ["test"], now, worker, **options)


def go_stale(engine, worker: str) -> None:
    with unit_of_work(engine) as s:
        s.get(Sender, worker).heartbeat_at = datetime.now(timezone.utc) - timedelta(seconds=senders.TIMEOUT + 1)


def test_claim_marks_rows_and_a_dead_senders_rows_are_taken_over(engine):
    now = datetime.now(timezone.utc)
    with unit_of_work(engine) as s:
        ws, person = seed(s)
        outbox.enqueue(s, [Outbound(DeliveryKind.NOTICE, f"k{i}", ws.id, "test", now,
                                    person_id=person.id) for i in range(5)])
        outbox.enqueue(s, [Outbound(DeliveryKind.NOTICE, "later", ws.id, "test", now + timedelta(hours=1))])
    first = claim_as(engine, "w1", now, limit=3)
    second = claim_as(engine, "w2", now, limit=10)
    assert len(first) == 3 and len(second) == 2
    assert not {d.id for d in first} & {d.id for d in second}
    assert claim_as(engine, "w3", now) == []  # both heartbeat: their rows are theirs
    go_stale(engine, "w1")
    assert {d.id for d in claim_as(engine, "w3", now)} == {d.id for d in first}  # w1 died mid-send
    with unit_of_work(engine) as s:
        senders.leave(s, "w2")  # gone without a trace: never registered counts as dead
    again = claim_as(engine, "w4", now)
    assert {d.id for d in again} == {d.id for d in second}  # the later row is not yet due


def test_a_worker_never_reclaims_rows_it_is_still_sending(engine):
    """Its own rows come back to a sender only when it no longer holds them (a mark that failed);
    rows it is still sending never, however old the claim."""
    now = datetime.now(timezone.utc)
    with unit_of_work(engine) as s:
        ws, person = seed(s)
        outbox.enqueue(s, [Outbound(DeliveryKind.NOTICE, f"k{i}", ws.id, "test", now,
                                    person_id=person.id) for i in range(3)])
    held = [d.id for d in claim_as(engine, "w1", now)]
    later = now + timedelta(hours=1)
    assert [d.id for d in claim_as(engine, "w1", later, holding=held[:2])] == held[2:]
    assert claim_as(engine, "w1", later + timedelta(days=1), holding=held) == []
    assert claim_as(engine, "w2", later + timedelta(days=1)) == []  # w1 heartbeats


def test_a_stopping_sender_releases_its_rows_without_counting_a_try(engine):
    now = datetime.now(timezone.utc)
    with unit_of_work(engine) as s:
        ws, person = seed(s)
        outbox.enqueue(s, [Outbound(DeliveryKind.NOTICE, f"k{i}", ws.id, "test", now,
                                    person_id=person.id) for i in range(3)])
    claim_as(engine, "w1", now, limit=2)
    with unit_of_work(engine) as s:
        assert claims.release(s, "w1") == 2
        senders.leave(s, "w1")
    with Session(engine) as s:
        rows = s.exec(select(Delivery)).all()
        assert [(d.status, d.attempts) for d in rows] == [("pending", 0)] * 3
        assert s.get(Sender, "w1") is None


def test_senders_dead_for_long_are_removed(engine):
    for name in ("alive", "dead"):
        with unit_of_work(engine) as s:
            senders.beat(s, name)
    with unit_of_work(engine) as s:
        s.get(Sender, "dead").heartbeat_at = datetime.now(timezone.utc) - timedelta(hours=1)
    with unit_of_work(engine) as s:
        assert senders.remove_dead(s) == 1
    with Session(engine) as s:
        assert [x.name for x in s.exec(select(Sender)).all()] == ["alive"]


def test_concurrent_claims_never_share_a_row(engine):
    """Several workers claim at once: SKIP LOCKED on PostgreSQL, the write lock on SQLite."""
    from concurrent.futures import ThreadPoolExecutor

    now = datetime.now(timezone.utc)
    with unit_of_work(engine) as s:
        ws, _ = seed(s)
        outbox.enqueue(s, [Outbound(DeliveryKind.NOTICE, f"k{i}", ws.id, "test", now) for i in range(300)])

    def worker(name: str) -> list[int]:
        taken = []
        while True:
            with unit_of_work(engine) as s:
                senders.beat(s, name)
                rows = claims.claim(s, ["test"], now, name, limit=7, holding=taken)
            if not rows:
                return taken
            taken += [r.id for r in rows]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(worker, ["a", "b", "c", "d"]))
    claimed = [i for r in results for i in r]
    assert len(claimed) == 300 and len(set(claimed)) == 300


def test_insert_ignore_skips_duplicate_source_ids(engine):
    with unit_of_work(engine) as s:
        ws, person = seed(s)
        circle = Circle(workspace_id=ws.id, name="A", mentor_id=person.id)
        s.add(circle)
        s.flush()
        from storage.models import PromptRun

        run = PromptRun(circle_id=circle.id, kind="reflection", prompt_key="x",
                        scheduled_for=datetime.now(timezone.utc))
        s.add(run)
        s.flush()
        row = {"run_id": run.id, "person_id": person.id, "circle_id": circle.id, "prompt_key": "x",
               "text": "t", "visibility": "circle", "source_id": "ev1",
               "created_at": datetime.now(timezone.utc), "updated_at": datetime.now(timezone.utc)}
        assert insert_ignore(s, Reply, [row], None) == 1
        assert insert_ignore(s, Reply, [row], None) == 0


def test_heroku_style_urls_use_psycopg():
    assert normalise_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgresql://h/db") == "postgresql+psycopg://h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
