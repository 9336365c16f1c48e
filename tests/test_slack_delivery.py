"""The dispatcher's Slack sender: pacing, 429 storms, retries, unreachable and deactivated people, recaps."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.runtime.sending.dispatch import Dispatcher
from conftest import PG_URL
from fakes.slack_api import Failure
from fakes.slack_checks import assert_valid_payload, parsed_text
from fakes.slack_world import close_world, open_world
from harness import at
from storage.models import Delivery

MEMBERS = [f"UM{i:02d}" for i in range(24)]


@pytest.fixture
async def slack(settings, engine):
    world, api = await open_world(settings, engine, at("2026-11-30 09:00"))
    api.add_user("UMIA", "Mia")
    for n, uid in enumerate(MEMBERS):
        api.add_user(uid, f"Jäsen {n} 🌼")
    yield world
    await close_world(world)


def deliveries(engine, kind: str) -> list[Delivery]:
    with Session(engine) as session:
        return list(session.exec(select(Delivery).where(Delivery.kind == kind)))


async def start(slack, members) -> None:
    mentions = " ".join(f"<@{m}>" for m in members)
    await slack.command("UMIA", f"new Learners {mentions}")
    await slack.drain()


async def test_a_429_storm_delivers_every_dm_exactly_once(slack, engine):
    await start(slack, MEMBERS)
    limited, seen = [], []

    def storm(call, n):
        # Slack refuses every other message of the opening burst, as a busy workspace does
        seen.append(call)
        if len(seen) <= 16 and len(seen) % 2 == 0:
            limited.append(call.params["channel"])
            return Failure(status=429, retry_after=1)
        return None

    await asyncio.sleep(2)  # the welcomes used up the burst allowance; let it refill
    slack.api.rules["chat.postMessage"] = storm
    await slack.command("UMIA", "prompt now")
    stats = await slack.drain(settle=30)

    assert len(limited) == 8 and stats.retried >= 8
    for user in MEMBERS + ["UMIA"]:
        assert len(slack.prompts(user)) == 1, user
    assert {d.status for d in deliveries(engine, "prompt")} == {"sent"}


async def test_network_trouble_is_retried_with_backoff_then_given_up_with_the_error_kept(slack, engine):
    await start(slack, MEMBERS[:1])
    before = len(slack.api.of("chat.postMessage"))
    slack.api.fail("chat.postMessage", status=503, times=100)
    await slack.command("UMIA", "prompt now")
    for _ in range(12):
        await slack.drain()
        slack.app.clock.set(slack.app.clock.now() + timedelta(minutes=15))
    attempts = len(slack.api.of("chat.postMessage")) - before
    rows = deliveries(engine, "prompt")

    assert {r.status for r in rows} == {"failed"}
    assert all(r.attempts == 6 and "chat.postMessage: HTTP 503" in r.error for r in rows)
    assert attempts == 6 * len(rows)  # bounded: no more tries after giving up


async def test_a_deactivated_person_is_never_prompted(slack, engine):
    slack.api.users["UM01"]["deleted"] = True  # deactivated before being added
    await start(slack, MEMBERS[:3])
    await slack.command("UMIA", "prompt now")
    await slack.drain()

    assert slack.dms("UM01") == []
    assert len(slack.prompts("UM00")) == 1 and len(slack.prompts("UM02")) == 1

    # deactivated later: the clock's daily directory sweep stops the prompt
    slack.api.users["UM02"]["deleted"] = True
    await slack.tick(at("2026-12-03 10:00"))  # the window closed
    slack.app.clock.set(at("2026-12-04 09:00"))
    await slack.platform.upkeep()
    await slack.command("UMIA", "prompt now")
    await slack.drain()
    assert len(slack.prompts("UM02")) == 1 and len(slack.prompts("UM00")) == 2


async def test_the_daily_sweep_pages_through_users_list_and_updates_known_people_only(slack, engine):
    from storage.models import Person

    await start(slack, MEMBERS[:5])
    for n in range(300):
        slack.api.add_user(f"UX{n:03d}", f"Stranger {n}")  # in the workspace, never in a circle
    slack.api.users["UM03"]["tz"] = "America/New_York"
    slack.api.users["UM04"]["locale"] = "fi-FI"
    slack.api.calls.clear()
    await slack.platform.upkeep()
    pages = slack.api.of("users.list")
    assert len(pages) == 2 and slack.api.of("users.info") == []  # 330 people in pages of 200
    with Session(engine) as session:
        people = {p.platform_user_id: p for p in session.exec(select(Person))}
    assert not any(uid.startswith("UX") for uid in people)
    assert people["UM03"].timezone == "America/New_York" and people["UM04"].locale == "fi-FI"
    assert people["UM00"].profile_checked_at is not None


async def test_a_sweep_that_stays_rate_limited_gives_up_until_the_next_day(slack, engine, caplog):
    from bot.platforms.slack.people import SWEEP_LIMITED
    from storage.models import Person

    await start(slack, MEMBERS[:2])
    slack.api.users["UM00"]["tz"] = "America/New_York"
    slack.api.fail("users.list", status=429, retry_after=0, times=1000)
    slack.api.calls.clear()
    with caplog.at_level("WARNING", logger="kipina.slack"):
        await asyncio.wait_for(slack.platform.upkeep(), 10)  # it used to retry forever
    assert len(slack.api.of("users.list")) == SWEEP_LIMITED
    assert "next daily sweep tries again" in caplog.text

    slack.api.failures.clear()  # the next day Slack answers again
    await slack.platform.upkeep()
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.platform_user_id == "UM00")).one()
    assert person.timezone == "America/New_York"


async def test_a_person_slack_cannot_reach_is_not_retried_and_the_mentor_hears_once(slack, engine):
    await start(slack, MEMBERS[:2])
    slack.api.fail("chat.postMessage", error="user_not_found", when=lambda call: call.params["channel"] == "UM01")
    await slack.command("UMIA", "prompt now")
    await slack.drain()

    failed = [r for r in deliveries(engine, "prompt") if r.status == "failed"]
    assert len(failed) == 1 and "user_not_found" in failed[0].error
    notices = [c for c in slack.dms("UMIA") if "reach" in c.text]
    assert len(notices) == 1 and "Jäsen 1" in notices[0].text


async def test_a_long_recap_is_split_into_posts_in_one_thread_each_within_slack_limits(slack, engine):
    await start(slack, MEMBERS[:12])
    await slack.command("UMIA", "prompt now")
    await slack.drain()
    long_answer = ("Opin tällä viikolla, että kun kysyy ääneen, muutkin uskaltavat kysyä 🙌 — "
                   "ja että virheistä puhuminen <!here> & avoimesti rakentaa luottamusta. ") * 20
    assert 2500 < len(long_answer) < 3000
    for user in MEMBERS[:12]:
        prompt = slack.prompts(user)[0]
        await slack.event(slack.dm_event(user, long_answer.replace("&", "&amp;").replace("<", "&lt;")
                                         .replace(">", "&gt;"), thread_ts=prompt.result["ts"]))
    await slack.tick(at("2026-12-02 09:30"))  # the answer window has closed

    recap = [c for c in slack.api.posts("CLEARN") if "Recap" in c.text or c.params.get("thread_ts")]
    top = [c for c in recap if not c.params.get("thread_ts")]
    assert len(top) == 1
    thread = [c for c in recap if c.params.get("thread_ts") == top[0].result["ts"]]
    assert len(thread) >= 2  # the rest of the answers, then the discussion starter
    assert "Which of these" in thread[-1].text
    for post in recap:
        assert_valid_payload(post.params)
    shown = "\n".join(c.text for c in recap)
    # the answers as typed, in rich text, which Slack does not parse: nothing it parses says <!here>
    assert shown.count("Jäsen") >= 12 and "puhuminen <!here> & avoimesti" in shown
    assert not any("<!here>" in parsed_text(c.params) for c in recap)


async def test_an_archived_channel_fails_for_good_without_retries(slack, engine):
    await start(slack, MEMBERS[:1])
    slack.api.fail("chat.postMessage", error="is_archived", when=lambda call: call.params["channel"] == "CLEARN")
    await slack.command("UMIA", "coffee now")
    await slack.drain()
    slack.app.clock.set(slack.app.clock.now() + timedelta(hours=1))
    await slack.drain()

    coffee = deliveries(engine, "coffee")
    assert [(d.status, d.attempts) for d in coffee] == [("failed", 1)] and "is_archived" in coffee[0].error


async def test_profiles_are_looked_up_at_most_once_a_day(slack, engine):
    await slack.command("UMIA", "list")
    await slack.command("UMIA", "help")
    assert len([c for c in slack.api.of("users.info") if c.params["user"] == "UMIA"]) == 1

    slack.api.users["UMIA"]["tz"] = "America/New_York"
    slack.app.clock.set(slack.app.clock.now() + timedelta(days=1, minutes=1))
    await slack.command("UMIA", "list")

    assert len([c for c in slack.api.of("users.info") if c.params["user"] == "UMIA"]) == 2
    with Session(engine) as session:
        from storage.models import Person

        mia = session.exec(select(Person).where(Person.platform_user_id == "UMIA")).one()
    assert mia.timezone == "America/New_York" and mia.name == "Mia"


async def test_a_rate_limited_reply_to_a_person_is_tried_again(slack, engine):
    await start(slack, MEMBERS[:1])
    await slack.command("UMIA", "prompt now")
    await slack.drain()
    slack.api.fail("chat.update", status=429, retry_after=1)

    await slack.press("UM00", slack.prompts("UM00")[0], "prompt.skip")

    updates = slack.api.of("chat.update")
    assert [u.status for u in updates] == [429, 200] and "Skipped" in updates[-1].text


async def test_a_429_holds_every_send_to_the_workspace_for_its_retry_after(slack, engine, caplog):
    await start(slack, MEMBERS[:8])
    await asyncio.sleep(1.5)  # the welcomes used up the burst allowance; let it refill
    limited: list[float] = []

    def once(call, n):
        if not limited:
            limited.append(call.at)
            return Failure(status=429, retry_after=1)
        return None

    slack.api.rules["chat.postMessage"] = once
    await slack.command("UMIA", "prompt now")
    await slack.drain(settle=5)

    after = [c.at - limited[0] for c in slack.api.of("chat.postMessage") if c.at > limited[0]]
    assert limited and after  # the 429 came, and sending went on after it
    assert min(after) >= 1.0  # nothing to the workspace inside Retry-After (the ones on their way aside)
    for user in MEMBERS[:8] + ["UMIA"]:
        assert len(slack.prompts(user)) == 1, user
    assert len([r for r in caplog.records if "asked to wait 1 s (429)" in r.getMessage()]) == 1  # told once


@pytest.mark.skipif(not PG_URL, reason="two sender processes share holds through PostgreSQL")
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_senders_keep_to_a_429_either_of_them_got(slack, engine):
    await start(slack, MEMBERS)
    await asyncio.sleep(1.5)
    other = Dispatcher(engine, slack.app.services, slack.app.platforms, worker="other", batch=3,
                       clock=slack.app.clock.now)
    slack.app.dispatcher.batch = 3  # a few rows each at a time: both send all along
    limited: list[float] = []
    earlier = len(slack.api.of("chat.postMessage"))

    def once(call, n):
        if n == earlier + 5:  # a few prompts in, both senders under way
            limited.append(call.at)
            return Failure(status=429, retry_after=2)
        return None

    slack.api.rules["chat.postMessage"] = once
    await slack.command("UMIA", "prompt now")
    await asyncio.gather(slack.app.dispatcher.drain(slack.app.clock.now, settle=5),
                         other.drain(slack.app.clock.now, settle=5))

    calls = [c.at - limited[0] for c in slack.api.of("chat.postMessage") if c.at > limited[0]]
    assert limited and len(calls) >= 20  # the 429 came, and both senders went on after it
    # Only calls already on their way when the 429 came (0.15 s: the other sender reads the hold
    # as it records its next send) come before its Retry-After is over, whoever booked their slots.
    assert [after for after in calls if 0.15 < after < 2.0] == []
    for user in MEMBERS + ["UMIA"]:
        assert len(slack.prompts(user)) == 1, user


async def test_a_storm_of_server_errors_opens_the_circuit_then_everyone_is_reached_once(slack, engine, caplog):
    caplog.set_level(logging.INFO, logger="kipina.dispatch")
    await start(slack, MEMBERS[:12])
    await asyncio.sleep(1.5)
    storm_until: list[float] = []

    def storm(call, n):  # Slack answers 503 to everything for three seconds
        if not storm_until:
            storm_until.append(call.at + 3.0)
        return Failure(status=503) if call.at < storm_until[0] else None

    slack.api.rules["chat.postMessage"] = storm
    await slack.command("UMIA", "prompt now")
    for _ in range(10):
        await slack.drain(settle=3)
        slack.app.clock.set(slack.app.clock.now() + timedelta(seconds=30))  # row backoffs pass

    storms = [r for r in caplog.records if r.name == "kipina.dispatch" and "calls failed" in r.getMessage()]
    assert len(storms) == 1 and "answers again" in " ".join(r.getMessage() for r in caplog.records)
    opened = storms[0].created
    refused = [c.at for c in slack.api.of("chat.postMessage") if opened + 0.2 < c.at < storm_until[0]]
    assert len(refused) <= 2  # once open, only a probe now and then, not every row's retry
    for user in MEMBERS[:12] + ["UMIA"]:
        assert len(slack.prompts(user)) == 1, user
