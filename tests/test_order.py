"""One person's requests in one conversation are handled in the order they arrived; other people's
run side by side, and the ack never waits for them.

Several mentors at once each type `new`, `add @member` and `prompt now` back to back, every
command sent the moment the previous one was acked, through the real Slack route (signed
requests, bolt) and the real Teams route (activities, botbuilder). Each circle's `add` must be
confirmed before its prompt, and every added member must get the prompt.
"""
from __future__ import annotations

import asyncio
import time

import pytest

from bot.platforms.plumbing import Background, Lanes
from fakes.slack_world import close_world, open_world
from fakes.teams_world import TeamsWorld, User
from harness import at

MENTORS = 6


def in_order(texts: list[str], markers: list[str]) -> bool:
    """Each marker appears in `texts`, the first of each in the given order."""
    found = [next((n for n, text in enumerate(texts) if marker in text), None) for marker in markers]
    return None not in found and found == sorted(found)


# -- the lanes themselves ------------------------------------------------------------------------


async def test_one_key_waits_its_turn_while_other_keys_run():
    lanes, done, gate = Lanes(Background("test")), [], asyncio.Event()

    async def step(name: str, wait: asyncio.Event | None = None, fail: bool = False) -> None:
        if wait is not None:
            await wait.wait()
        if fail:
            raise RuntimeError("a request that fails")
        done.append(name)

    lanes.add("ann", lambda: step("ann 1", gate))
    lanes.add("ann", lambda: step("ann 2", fail=True))
    lanes.add("ann", lambda: step("ann 3"))
    lanes.add("ben", lambda: step("ben 1"))
    await asyncio.sleep(0.05)
    assert done == ["ben 1"] and lanes.busy() == 1  # Ben is not held up by Ann's first request
    gate.set()
    await lanes.background.idle(5)
    assert done == ["ben 1", "ann 1", "ann 3"] and lanes.busy() == 0  # a failure does not stop the lane


async def test_a_request_that_hangs_holds_its_lane_only_for_a_while(caplog):
    class Quick(Lanes):
        STUCK = 0.1

    lanes, done, never = Quick(Background("test")), [], asyncio.Event()

    async def step(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        done.append(name)

    lanes.add("ann", lambda: step("stuck", never))
    lanes.add("ann", lambda: step("next"))
    await asyncio.sleep(0.3)
    assert done == ["next"] and "still running" in caplog.text
    never.set()
    await lanes.background.idle(5)


# -- Slack ---------------------------------------------------------------------------------------


@pytest.fixture
async def slack(settings, engine):
    world, api = await open_world(settings, engine, at("2026-11-30 09:00"))
    for i in range(MENTORS):
        api.add_user(f"UMENTOR{i}", f"Mentor {i}")
        api.add_user(f"UMEMBER{i}", f"Member {i}")
    yield world
    await close_world(world)


async def test_slack_mentors_commands_run_in_the_order_they_were_sent(slack):
    acks: list[float] = []

    async def mentor(i: int) -> None:
        for text in (f"new Order-{i}-", f"add <@UMEMBER{i}|member{i}>", "prompt now"):
            started = time.perf_counter()
            reply = await slack.command(f"UMENTOR{i}", text, channel=f"CORDER{i}", channel_name=f"order{i}",
                                        settle=False)
            acks.append(time.perf_counter() - started)
            assert reply.status == 200 and reply.body == ""  # acked empty; the answer follows

    await asyncio.gather(*(mentor(i) for i in range(MENTORS)))
    await slack.settle()
    await slack.drain()

    answers = [call.text for call in slack.api.of("response_url")]
    for i in range(MENTORS):
        mine = [text for text in answers if f"Order-{i}-" in text]
        assert in_order(mine, [f"Circle Order-{i}- is ready", f"Added to Order-{i}-",
                               f"Reflection prompt sent to 2 members of Order-{i}-"]), mine
        assert len(slack.prompts(f"UMEMBER{i}")) == 1 and len(slack.prompts(f"UMENTOR{i}")) == 1
    assert max(acks) < 2.0  # Slack's three seconds are never at risk
    assert slack.platform.handlers.lanes.busy() == 0  # lanes are dropped once empty


# -- Teams ---------------------------------------------------------------------------------------


@pytest.fixture
async def teams(settings, engine):
    async with TeamsWorld(settings, engine, at("2026-12-03 13:00")) as world:
        yield world


def channel_command(world: TeamsWorld, user: User, text: str, channel: str, people=()) -> dict:
    """`@Kipinä <text> @people` in a channel of the mentor's own (a thread of it, as Teams sends)."""
    bot_text, bot_entity = world.mention("bot")
    parts, entities = [bot_text, text], [bot_entity]
    for person in people:
        shown, entity = world.mention(person)
        parts.append(shown)
        entities.append(entity)
    body = world.activity(user, where="channel", text=" ".join(parts), textFormat="plain")
    root = body["conversation"]["id"].split(";messageid=")[1]
    body["conversation"]["id"] = f"{channel};messageid={root}"
    body["channelData"].update(teamsChannelId=channel, channel={"id": channel, "name": channel[3:9]})
    body["entities"] = entities + body["entities"]
    return body


async def test_teams_mentors_commands_run_in_the_order_they_were_sent(teams):
    acks: list[float] = []

    async def mentor(i: int) -> None:
        me, member, channel = User(f"Mentor{i}"), User(f"Member{i}"), f"19:order{i}@thread.tacv2"
        for text, people in ((f"new Order-{i}-", ()), ("add", (member,)), ("prompt now", ())):
            started = time.perf_counter()
            response = await teams.post(channel_command(teams, me, text, channel, people), settle=False)
            acks.append(time.perf_counter() - started)
            assert response.status in (200, 201)

    await asyncio.gather(*(mentor(i) for i in range(MENTORS)))
    await teams.drain()

    for i in range(MENTORS):
        me, member = User(f"Mentor{i}"), User(f"Member{i}")
        mine = [call.text for call in teams.inbox(me)]
        assert in_order(mine, [f"Circle Order-{i}- is ready", f"Added to Order-{i}-",
                               f"Reflection prompt sent to 2 members of Order-{i}-"]), mine
        prompts = [c for c in teams.inbox(member) if "Reflection prompt" in c.body.get("summary", "")]
        assert len(prompts) == 1, [c.text for c in teams.inbox(member)]
    assert max(acks) < 2.0
    assert teams.platform.lanes.busy() == 0
