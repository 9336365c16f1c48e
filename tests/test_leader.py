"""Leader election of the clock on PostgreSQL; SQLite always has one process, which leads."""
from __future__ import annotations

import asyncio

import pytest

from bot.runtime.leader import Leadership
from conftest import PG_URL
from storage.db import make_engine


def test_sqlite_process_always_leads(tmp_path):
    assert Leadership(make_engine(f"sqlite:///{tmp_path / 'x.db'}")).try_acquire()


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL); CI sets it")
def test_one_leader_and_a_standby_that_takes_over(pg_schema_url):
    key = 0x7E57  # a lock of this test's own, so a running clock elsewhere is not disturbed
    first, second = Leadership(make_engine(pg_schema_url), key), Leadership(make_engine(pg_schema_url), key)
    assert first.try_acquire()
    assert not second.try_acquire()
    assert first.still_held()
    first.conn.invalidate()  # the leader's session dies (process killed, connection cut)
    assert not first.still_held()
    assert second.try_acquire()
    assert not first.try_acquire()
    second.release()


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL); CI sets it")
def test_standby_waits_then_leads_within_its_poll(pg_schema_url):
    key = 0x7E58
    leader, standby = Leadership(make_engine(pg_schema_url), key), Leadership(make_engine(pg_schema_url), key)
    assert leader.try_acquire()

    async def scenario():
        stop = asyncio.Event()
        waiting = asyncio.create_task(standby.wait(stop, poll=0.1))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        leader.release()
        return await asyncio.wait_for(waiting, 5)

    assert asyncio.run(scenario()) is True
    standby.release()
