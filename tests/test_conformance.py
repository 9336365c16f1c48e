"""Conformance: one prompt round, the same scenario on every platform package through its own fake.

A mentor starts a circle of three in a channel and sends a prompt now; Ann shares her answer, Ben
keeps his private, Cyd does nothing. At 80 % of the two-day answer window Cyd (and the mentor, who
gets prompts too) get one reminder by DM; when it closes the channel gets a recap with Ann's answer
and nothing of Ben's. Nothing is sent twice. Adding a platform means adding a driver in
tests/conformance_drivers.py.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.common.i18n import t
from conformance_drivers import CHANNEL, DRIVERS, Seen
from harness import at
from storage.models import PromptRun, Reply

MENTOR, MEMBERS = "Mia", ["Ann", "Ben", "Cyd"]
EVERYONE = [MENTOR, *MEMBERS]
CIRCLE = "Learners"
SHARED = "I asked for help a day earlier than I usually would, and it paid off."
PRIVATE = "PRIVATE-MARKER: I still feel I am not good enough for this team."

START = at("2026-11-30 09:00")  # a Monday
# Two working days of 08–17 from Monday 09:00 close on Wednesday 09:00; the reminder is planned
# at 80 % of that, Tuesday 14:24, and is only sent if it can arrive before the window closes.
REMIND_AT, CLOSES_AT = at("2026-12-01 14:24"), at("2026-12-02 09:00")
MINUTE = timedelta(minutes=1)
REMIND_TICK = at("2026-12-01 15:00")
CLOSE_TICK = at("2026-12-02 17:30")

PROMPT_ACTIONS = ("prompt.answer", "prompt.skip", "prompt.another", "prompt.snooze")
PROMPT_LABELS = tuple(t("en", f"button.{b}") for b in ("answer", "skip", "another", "snooze"))


def kind(seen: Seen) -> str:
    """What a message means, read from its rendering (every person here reads English)."""
    if seen.actions[:4] == PROMPT_ACTIONS:
        return "reminder" if t("en", "prompt.reminder_heading", circle=CIRCLE) in seen.text else "prompt"
    for name, key in (("recap", "recap.heading"), ("welcome", "welcome.heading")):
        if t("en", key, circle=CIRCLE) in seen.text:
            return name
    if seen.in_thread and t("en", "recap.starter") in seen.text:
        return "recap starter"
    if f"started the learning circle {CIRCLE}" in seen.text:
        return "announcement"
    return "other"


def kinds(seen: list[Seen]) -> Counter:
    return Counter(kind(s) for s in seen)


def everything(driver) -> dict[str, list[Seen]]:
    return {**{name: driver.dms(name) for name in EVERYONE}, CHANNEL: driver.channel_posts()}


@pytest.fixture(params=list(DRIVERS))
async def driver(request, settings, engine):
    d = DRIVERS[request.param]()
    await d.open(settings, engine, START)
    yield d
    await d.close()


async def test_one_prompt_round_reads_the_same_on_every_platform(driver, engine):
    # 1. the circle is started in a channel; the channel hears of it, each member is welcomed once
    await driver.new_circle(MENTOR, MEMBERS, CIRCLE)
    announced = driver.channel_posts()
    assert announced and kinds(announced)["announcement"] == 1, announced
    for name in MEMBERS:
        assert kinds(driver.dms(name))["welcome"] == 1, (name, driver.dms(name))

    # 2. prompt now: everyone, the mentor too, gets one DM prompt with the four actions
    await driver.prompt_now(MENTOR)
    for name in EVERYONE:
        prompts = [s for s in driver.dms(name) if kind(s) == "prompt"]
        assert len(prompts) == 1, (name, driver.dms(name))
        assert prompts[0].buttons[:4] == PROMPT_LABELS and prompts[0].actions[:4] == PROMPT_ACTIONS
    with Session(engine) as s:
        [run] = s.exec(select(PromptRun)).all()
    assert abs(run.remind_at - REMIND_AT) < MINUTE and abs(run.closes_at - CLOSES_AT) < MINUTE  # the clock runs on

    # 3. Ann shares through the platform's form, Ben keeps his answer private, Cyd does nothing
    await driver.answer("Ann", SHARED, shared=True)
    await driver.answer("Ben", PRIVATE, shared=False)
    with Session(engine) as s:
        assert sorted((r.text, r.visibility) for r in s.exec(select(Reply))) == \
            sorted([(SHARED, "circle"), (PRIVATE, "private")])

    # 4a. at 80 % of the window: one reminder by DM to each who has not answered, no recap yet
    await driver.tick(REMIND_TICK)
    reminded = {name: kinds(driver.dms(name))["reminder"] for name in EVERYONE}
    assert reminded == {"Mia": 1, "Ann": 0, "Ben": 0, "Cyd": 1}
    [reminder] = [s for s in driver.dms("Cyd") if kind(s) == "reminder"]
    assert reminder.buttons[:4] == PROMPT_LABELS
    assert kinds(driver.channel_posts())["recap"] == 0

    # 4b. the window closes: the channel gets a recap of what was shared, with a starter in thread
    await driver.tick(CLOSE_TICK)
    posts = driver.channel_posts()
    [recap] = [p for p in posts if kind(p) == "recap"]
    assert SHARED in recap.text and "Ann" in recap.text and not recap.in_thread
    assert kinds(posts)["recap starter"] == 1
    for post in posts:
        assert PRIVATE not in post.text
        assert kind(post) not in ("prompt", "reminder")
        if kind(post) != "announcement":  # only the announcement names the members
            assert "cyd" not in post.text.lower(), post  # no public call-out of who did not answer
    for name in ("Mia", "Ann", "Cyd"):
        assert not any(PRIVATE in s.text for s in driver.dms(name)), name

    # 5. nothing twice, also when the clock ticks again at the same moment
    before = everything(driver)
    await driver.tick(CLOSE_TICK)
    assert everything(driver) == before
    expected = {
        "Mia": {"prompt": 1, "reminder": 1},
        "Ann": {"welcome": 1, "prompt": 1},
        "Ben": {"welcome": 1, "prompt": 1},
        "Cyd": {"welcome": 1, "prompt": 1, "reminder": 1},
        CHANNEL: {"announcement": 1, "recap": 1, "recap starter": 1},
    }
    for where, seen in before.items():
        assert seen, where
        counted = kinds(seen)
        assert {k: n for k, n in counted.items() if k != "other"} == expected[where], (where, counted)
        others = Counter(s.text for s in seen if kind(s) == "other")  # confirmations, thanks: each once
        assert all(n == 1 for n in others.values()), (where, others)
    driver.check_wire()
