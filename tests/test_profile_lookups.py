"""Profiles are looked up once a day per person across all web processes, not once per process:
the database remembers when the platform last told us about someone (users.info or the sweep)."""
from __future__ import annotations

from datetime import timedelta

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
