"""A database restart under a running bot: requests fail politely meanwhile, then everything carries on."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlmodel import Session, select

from bot.ports import CommandRequest, Place
from conftest import PG_URL
from fakes.tcp_proxy import RestartableProxy
from harness import make_world
from storage.db import make_engine
from storage.models import Delivery

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL); CI sets it")


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
