"""/metrics over HTTP, parsed as Prometheus parses it: a real Slack fan-out counted by outcome, the
outbox read at scrape time, 429s, the HTTP middleware's route labels, the bearer token, and no label
that names a person, a text, a conversation or a token."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from fakes.slack_api import TEAM
from fakes.slack_world import close_world, open_world
from harness import at

PEOPLE = {"UMIA": "Mia", "UANN": "Ann", "UAINO": "Aino", "UBEN": "Ben", "UEVA": "Eva", "UOLLI": "Olli"}
MEMBERS = ("UANN", "UAINO", "UBEN", "UEVA", "UOLLI")
TOKEN = "metrics-token-4f1d9a7c2b"


@pytest.fixture
async def slack(settings, engine):
    world, api = await open_world(settings, engine, at("2026-12-03 10:00"))
    for uid, name in PEOPLE.items():
        api.add_user(uid, name)
    yield world
    await close_world(world)


async def scrape(world, headers: dict | None = None) -> list:
    response = await world.client.get("/metrics", headers=headers or {})
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return list(text_string_to_metric_families(await response.text()))


def value(families, name: str, **labels) -> float:
    """The sum of the samples called `name` whose labels include `labels` (0 when none)."""
    return sum(s.value for f in families for s in f.samples
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


async def start_circle(world) -> None:
    mentions = " ".join(f"<@{m}|{PEOPLE[m].lower()}>" for m in MEMBERS)
    assert (await world.command("UMIA", f"new Learners {mentions}")).status == 200
    await world.drain()  # the announcement and the welcomes


async def test_a_fan_out_is_counted_by_outcome_and_the_outbox_by_state(slack):
    await start_circle(slack)
    before = await scrape(slack)

    reply = await slack.command("UMIA", "prompt now")
    assert f"{len(MEMBERS) + 1} member" in reply.json["text"]
    waiting = await scrape(slack)  # planned, not sent yet
    stats = await slack.drain()
    after = await scrape(slack)

    people = len(MEMBERS) + 1  # the mentor answers prompts too
    assert stats.sent == people and len([u for u in PEOPLE if slack.prompts(u)]) == people
    sent = value(after, "kipina_sends_total", platform="slack", outcome="sent")
    assert sent - value(before, "kipina_sends_total", platform="slack", outcome="sent") == people
    assert value(waiting, "kipina_outbox_rows", state="pending", kind="prompt") == people
    assert value(after, "kipina_outbox_rows", state="sent", kind="prompt") == people
    assert value(after, "kipina_outbox_rows", state="pending") == 0
    assert value(after, "kipina_outbox_rows", state="sent", kind="welcome") == len(MEMBERS)
    calls = value(after, "kipina_send_seconds_count", platform="slack")
    assert calls - value(before, "kipina_send_seconds_count", platform="slack") == people
    # the command itself, by its route's pattern and its platform
    requests = value(after, "kipina_http_requests_total", platform="slack", route="/slack/events", status="200")
    assert requests - value(before, "kipina_http_requests_total", platform="slack", route="/slack/events",
                            status="200") == 1  # (earlier tests in this process may have left 4xx ones)


async def test_no_label_names_a_person_a_text_a_conversation_or_a_token(slack):
    await start_circle(slack)
    await slack.command("UMIA", "prompt now")
    await slack.drain()
    await slack.client.get("/dashboard/s/UANN-secret-link-1234")  # ids in a path
    await slack.client.get("/no/such/page/UBEN")
    families = await scrape(slack)

    labels = {(k, v) for f in families for s in f.samples for k, v in s.labels.items()}
    values = {v for _, v in labels}
    assert {"slack", "sent", "prompt", "/slack/events", "other"} <= values
    words = [*PEOPLE, *PEOPLE.values(), "Learners", "CLEARN", TEAM, "xoxb", "secret-link", "dashboard/s/U"]
    assert [(k, v) for k, v in labels for w in words if w.lower() in v.lower()] == []
    assert value(families, "kipina_http_requests_total", route="other", status="404") >= 1


async def test_oldest_due_row_and_429s(slack):
    await start_circle(slack)
    before = await scrape(slack)
    await slack.command("UMIA", "prompt now")
    slack.app.clock.set(slack.app.clock.now() + timedelta(seconds=90))  # nobody sent them for 90 s
    waited = value(await scrape(slack), "kipina_outbox_oldest_due_seconds")
    assert 90 <= waited < 120

    slack.api.fail("chat.postMessage", status=429, retry_after=7, times=1)
    await slack.drain()
    slack.app.clock.set(slack.app.clock.now() + timedelta(seconds=10))  # the workspace's hold is over
    await slack.drain()
    after = await scrape(slack)

    def more(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert more("kipina_rate_limited_total", platform="slack") == 1
    assert more("kipina_retry_after_seconds_total", platform="slack") == 7
    assert more("kipina_sends_total", platform="slack", outcome="retried") == 1
    assert more("kipina_sends_total", platform="slack", outcome="sent") == len(MEMBERS) + 1
    assert value(after, "kipina_outbox_oldest_due_seconds") == 0


async def test_the_token_is_asked_when_set(settings, engine):
    world, _ = await open_world(replace(settings, metrics_token=TOKEN), engine, at("2026-12-03 10:00"))
    try:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                        {"Authorization": f"Bearer {TOKEN}x"}):
            response = await world.client.get("/metrics", headers=headers)
            assert response.status == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
            assert "kipina_" not in await response.text()
        families = await scrape(world, {"Authorization": f"Bearer {TOKEN}"})
        assert any(f.name == "kipina_outbox_rows" for f in families)
        assert (await world.client.get("/livez")).status == 200  # the probes ask for nothing
    finally:
        await close_world(world)
