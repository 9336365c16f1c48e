"""Profiles are looked up once a day per person across all web processes, not once per process:
the database remembers when the platform last told us about someone (users.info or the sweep)."""
from __future__ import annotations

import logging
import socket
from datetime import timedelta

import pytest
from sqlalchemy import event

from fakes.slack_world import close_world, open_world
from harness import at


def looked_up(api, user: str) -> int:
    return len([c for c in api.of("users.info") if c.params["user"] == user])


async def test_a_second_process_trusts_a_profile_checked_today(settings, engine):
    first, first_api = await open_world(settings, engine, at("2026-11-30 09:00"))
    first_api.add_user("UMIA", "Mia", tz="America/New_York")
    await first.command("UMIA", "list")
    assert looked_up(first_api, "UMIA") == 1
    await close_world(first)

    # Another web process, which has not met Mia: the stored check is an hour old.
    second, second_api = await open_world(settings, engine, at("2026-11-30 10:00"))
    second_api.add_user("UMIA", "Mia", tz="Europe/Stockholm")
    reply = await second.command("UMIA", "list")
    assert reply.status == 200 and looked_up(second_api, "UMIA") == 0

    second.app.clock.set(second.app.clock.now() + timedelta(days=1))  # a day later it asks again
    await second.command("UMIA", "list")
    assert looked_up(second_api, "UMIA") == 1
    await close_world(second)


@pytest.fixture
def outage(engine, tmp_path):
    """cut(): from now on every connection of `engine` goes where no database answers (a
    directory for SQLite, a closed port for PostgreSQL), as in an outage."""
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]

    def unreachable(dialect, record, cargs, cparams) -> None:
        if engine.dialect.name == "sqlite":
            cargs[:] = [str(tmp_path)]  # "unable to open database file"
        else:
            cparams.update(host="127.0.0.1", port=closed)  # "connection refused"

    def cut() -> None:
        event.listen(engine, "do_connect", unreachable)
        engine.dispose()  # pooled connections too

    return cut


async def test_a_command_during_a_database_outage_gets_the_database_answer(settings, engine, outage, caplog):
    world, api = await open_world(settings, engine, at("2026-11-30 09:00"))
    api.add_user("UMIA", "Mia")
    api.add_user("UANN", "Ann")
    outage()
    caplog.set_level(logging.INFO)
    try:
        # Nobody is known yet: the profile look-ups read the database first, and it is gone.
        reply = await world.command("UMIA", "new Learners <@UANN|ann>")
        await world.settle()  # the look-ups after the answer too
    finally:
        await close_world(world)
    assert reply.status == 200 and "can't reach my database" in reply.json["text"]
    ours = [r for r in caplog.records if r.name.startswith("kipina.slack") or r.name == "kipina.platforms"]
    assert not [r.getMessage() for r in ours if r.levelno >= logging.ERROR]
    assert not [r.getMessage() for r in ours if r.exc_info]
    assert any("profile" in r.getMessage() and r.levelno == logging.WARNING for r in ours)


async def test_an_id_slack_does_not_know_is_asked_about_once_in_ten_minutes(settings, engine, caplog):
    world, api = await open_world(settings, engine, at("2026-11-30 09:00"))
    api.add_user("UMIA", "Mia")
    api.fail("users.info", status=500, times=10 ** 6, when=lambda call: call.params.get("user") == "UFLAKY")
    caplog.set_level(logging.INFO)

    def lines_about(*users: str) -> int:
        return len([r for r in caplog.records if r.name.startswith("kipina") and any(u in r.getMessage() for u in users)])

    try:
        for _ in range(30):  # user_not_found for one, a 500 for the other, every time
            reply = await world.command("UMIA", "info <@UGHOST|ghost> <@UFLAKY|flaky>")
            assert reply.status == 200
        assert (looked_up(api, "UGHOST"), looked_up(api, "UFLAKY"), looked_up(api, "UMIA")) == (1, 1, 1)
        assert lines_about("UGHOST", "UFLAKY") == 2

        world.app.clock.set(world.app.clock.now() + timedelta(minutes=11))  # the window has passed
        for _ in range(3):
            await world.command("UMIA", "info <@UGHOST|ghost> <@UFLAKY|flaky>")
        assert (looked_up(api, "UGHOST"), looked_up(api, "UFLAKY")) == (2, 2)
        assert lines_about("UGHOST", "UFLAKY") == 4
    finally:
        await close_world(world)
