"""Payloads as Slack really sends them, through the real route: the shapes are copied from the
fixtures of slackapi/bolt-python (tests/scenario_tests*) and python-slack-sdk
(tests/slack_sdk_fixture), with our ids.

A message with files is kept (its text, and a note per file); valid payloads Kipinä does not act on
get a quiet 2xx (Slack retries anything else, and turns off an app's events after enough failures);
only what Slack never sends gets a 4xx.
"""
from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from sqlmodel import Session, select

from fakes.slack_api import TEAM
from fakes.slack_world import close_world, open_world
from harness import at
from storage.models import Circle, Participation, Person, Reply

PEOPLE = {"UMIA": "Mia", "UANN": "Ann"}
APP = "AKIPINA"


@pytest.fixture
async def slack(settings, engine):
    world, api = await open_world(settings, engine, at("2026-11-30 09:00"))
    for uid, name in PEOPLE.items():
        api.add_user(uid, name)
    yield world
    await close_world(world)


def rows(engine, model):
    with Session(engine) as session:
        return list(session.exec(select(model)))


def envelope(event: dict, **extra) -> dict:
    """The Events API envelope around an event, as bolt's fixtures have it."""
    return {"token": "verification-token", "team_id": TEAM, "api_app_id": APP, "event": event,
            "type": "event_callback", "event_id": f"Ev{abs(hash(json.dumps(event, sort_keys=True))) % 10**8:08d}",
            "event_time": 1665102362, "authorizations": [{"enterprise_id": None, "team_id": TEAM,
                                                          "user_id": "UKIPINA", "is_bot": True,
                                                          "is_enterprise_install": False}],
            "is_ext_shared_channel": False, **extra}


def png(name: str = "sketch.png") -> dict:
    """One entry of `files`, trimmed from bolt's test_message_file_share fixture."""
    return {"id": "F111", "created": 1652227642, "timestamp": 1652227642, "name": name, "title": name,
            "mimetype": "image/png", "filetype": "png", "pretty_type": "PNG", "user": "UANN", "editable": False,
            "size": 92582, "mode": "hosted", "is_external": False, "is_public": False,
            "url_private": f"https://files.slack.com/files-pri/{TEAM}-F111/{name}", "original_w": 1134,
            "original_h": 362, "has_rich_preview": False}


def file_share(user: str, channel: str, kind: str, text: str, files: list, thread_ts: str, ts: str) -> dict:
    return {"type": "message", "subtype": "file_share", "text": text, "files": files, "upload": False,
            "user": user, "display_as_bot": False, "ts": ts, "thread_ts": thread_ts,
            "blocks": [{"type": "rich_text", "block_id": "ba4", "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}] if text else [],
            "client_msg_id": f"m-{ts}", "channel": channel, "event_ts": ts, "channel_type": kind}


async def prompted(slack) -> str:
    """Mia's circle with Ann, a prompt sent: the ts of Ann's prompt DM."""
    await slack.command("UMIA", "new Learners <@UANN|ann>")
    await slack.command("UMIA", "prompt now")
    await slack.drain()
    return slack.prompts("UANN")[0].result["ts"]


# -- files ---------------------------------------------------------------------------------------


async def test_a_dm_answer_with_a_file_keeps_its_text_and_notes_the_file(slack, engine):
    prompt = await prompted(slack)
    event = file_share("UANN", "DUANN", "im", "Here is what we drew", [png()], prompt, "1900000001.000100")

    reply = await slack.event(event)

    assert reply.status == 200
    assert [r.text for r in rows(engine, Reply)] == ["Here is what we drew\n📎 sketch.png"]


async def test_a_file_without_words_is_still_an_answer(slack, engine):
    prompt = await prompted(slack)
    hidden = {"id": "F222", "mode": "hidden_by_limit"}  # what Slack sends for a file the plan hides
    await slack.event(file_share("UANN", "DUANN", "im", "", [png("board.jpg"), hidden], prompt, "1900000002.000100"))

    assert [r.text for r in rows(engine, Reply)] == ["📎 board.jpg\n📎"]


async def test_a_thread_reply_with_a_file_counts_as_taking_part(slack, engine):
    slack.api.joined.add("CLEARN")
    await slack.command("UMIA", "new Learners <@UANN|ann>")
    await slack.command("UMIA", "coffee now")
    await slack.drain()
    starter = [c for c in slack.api.posts("CLEARN") if "Coffee" in c.text][-1]

    await slack.event(file_share("UANN", "CLEARN", "channel", "Our whiteboard", [png()], starter.result["ts"],
                                 "1900000003.000100"))

    assert len(rows(engine, Participation)) == 1


# -- valid, not for us: a quiet 2xx ----------------------------------------------------------------


USER = {"id": "UANN", "team_id": TEAM, "name": "ann", "deleted": False, "real_name": "Ann", "tz": "Europe/Helsinki",
        "tz_label": "Eastern European Time", "tz_offset": 7200, "is_admin": False, "is_bot": False,
        "is_app_user": False, "updated": 1665102362, "is_email_confirmed": True,
        "profile": {"real_name": "Ann", "display_name": "Ann", "status_text": "", "status_emoji": "",
                    "team": TEAM, "image_72": "https://avatars.slack-edge.com/ann_72.png"}}
EVENTS = {
    "channel_created": {"type": "channel_created",
                        "channel": {"id": "C024BE91L", "name": "fun", "created": 1360782804, "creator": "UMIA"}},
    "im_created": {"type": "im_created", "user": "UANN",
                   "channel": {"id": "D024BE91L", "user": "UMIA", "created": 1360782804}},
    "user_change": {"type": "user_change", "user": USER, "cache_ts": 1665102362, "event_ts": "1665102362.000100"},
    "member_joined_channel": {"type": "member_joined_channel", "user": "UANN", "channel": "CLEARN",
                              "channel_type": "C", "team": TEAM, "inviter": "UMIA"},
    "app_mention": {"client_msg_id": "9cbd4c5b-7ddf-4ede-b479-ad21fca66d63", "type": "app_mention",
                    "text": "<@UKIPINA> Hi there!", "user": "UANN", "ts": "1595926230.009600", "team": TEAM,
                    "channel": "CLEARN", "event_ts": "1595926230.009600"},
    "reaction_added": {"type": "reaction_added", "user": "UANN", "reaction": "heart_eyes", "item_user": "UKIPINA",
                       "item": {"type": "message", "channel": "DUANN", "ts": "1599529504.000400"},
                       "event_ts": "1599616881.000800"},
    "message_changed": {"type": "message", "subtype": "message_changed", "hidden": True, "channel": "DUANN",
                        "channel_type": "im", "ts": "1665102362.013600", "event_ts": "1665102362.013600",
                        "message": {"type": "message", "text": "updated message", "user": "UANN", "team": TEAM,
                                    "edited": {"user": "UANN", "ts": "1665102362.000000"}},
                        "previous_message": {"type": "message", "text": "original message", "user": "UANN",
                                             "team": TEAM, "ts": "1665102338.901939"}},
    "message_deleted": {"type": "message", "subtype": "message_deleted", "hidden": True, "channel": "DUANN",
                        "channel_type": "im", "deleted_ts": "1665368619.804829", "event_ts": "1665368629.007100",
                        "ts": "1665368629.007100",
                        "previous_message": {"type": "message", "text": "Delete this message", "user": "UANN",
                                             "team": TEAM, "ts": "1665368619.804829"}},
    "bot_message": {"type": "message", "subtype": "bot_message", "text": "Hi there! A reply using response_url.",
                    "ts": "1658282075.825129", "bot_id": "BZYBOTHED", "channel": "CLEARN",
                    "event_ts": "1658282075.825129", "channel_type": "channel"},
    "channel_join": {"type": "message", "subtype": "channel_join", "user": "UANN", "team": TEAM,
                     "inviter": "UMIA", "channel": "CLEARN", "text": "<@UANN> has joined the channel",
                     "ts": "1678455198.000200", "channel_type": "channel"},
}
TEAM_OBJECT = {"id": TEAM, "domain": "test", "enterprise_id": "E111", "enterprise_name": "Org Name"}
VIEW = {"id": "V111", "team_id": TEAM, "type": "modal", "blocks": [], "private_metadata": "This is for you!",
        "callback_id": "view-id", "state": {}, "hash": "1596530361.3wRYuk3R",
        "title": {"type": "plain_text", "text": "My App"}, "close": {"type": "plain_text", "text": "Cancel"},
        "submit": {"type": "plain_text", "text": "Submit"}, "previous_view_id": None, "root_view_id": "V111",
        "app_id": APP, "external_id": "", "app_installed_team_id": TEAM, "bot_id": "BKIPINA"}
INTERACTIONS = {
    "view_submission_of_another_modal": {
        "type": "view_submission", "team": TEAM_OBJECT, "api_app_id": APP, "token": "verification-token",
        "user": {"id": "UANN", "username": "ann", "name": "ann", "team_id": TEAM}, "trigger_id": "111.222.xxx",
        "view": VIEW, "response_urls": [], "is_enterprise_install": False},
    "view_closed": {
        "type": "view_closed", "team": TEAM_OBJECT, "api_app_id": APP, "token": "verification-token",
        "user": {"id": "UANN", "username": "ann", "name": "ann", "team_id": TEAM},
        "view": {**VIEW, "callback_id": "kipina:form", "state": {"values": {}}}, "is_cleared": False},
    "block_suggestion": {
        "type": "block_suggestion", "user": {"id": "UANN", "username": "ann", "name": "ann", "team_id": TEAM},
        "container": {"type": "view", "view_id": "V111"}, "api_app_id": APP, "token": "verification-token",
        "action_id": "es_a", "block_id": "es_b", "value": "search word", "team": TEAM_OBJECT, "view": VIEW},
    "shortcut": {
        "type": "shortcut", "token": "verification-token", "action_ts": "111.111", "team": TEAM_OBJECT,
        "user": {"id": "UANN", "username": "ann", "team_id": TEAM}, "callback_id": "test-shortcut",
        "trigger_id": "111.111.xxxxxx"},
    "message_action": {
        "type": "message_action", "token": "verification-token", "action_ts": "1583637157.207593",
        "team": TEAM_OBJECT, "user": {"id": "UANN", "name": "ann"}, "channel": {"id": "CLEARN", "name": "learners"},
        "callback_id": "test-shortcut", "trigger_id": "111.222.xxx", "message_ts": "1583636382.000300",
        "message": {"type": "message", "text": "<@UMIA> test", "user": "UANN", "ts": "1583636382.000300"},
        "response_url": "https://hooks.slack.com/app/T111/111/xxx"},
}


def loud(caplog) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records
            if r.levelno >= logging.WARNING and r.name.startswith(("kipina", "slack_bolt"))]


@pytest.mark.parametrize("name", sorted(EVENTS))
async def test_events_kipina_does_not_act_on_get_a_quiet_200(slack, engine, caplog, name):
    caplog.set_level(logging.WARNING)
    reply = await slack.event(EVENTS[name])
    assert reply.status == 200, reply.body
    assert loud(caplog) == []
    assert [c.method for c in slack.api.calls if c.method != "auth.test"] == []
    assert rows(engine, Person) == []


@pytest.mark.parametrize("name", sorted(INTERACTIONS))
async def test_interactions_kipina_does_not_act_on_get_a_quiet_200(slack, engine, caplog, name):
    caplog.set_level(logging.WARNING)
    reply = await slack.interact(INTERACTIONS[name])
    assert reply.status == 200, reply.body
    if name == "block_suggestion":
        assert reply.json == {"options": []}
    else:
        assert reply.body == ""
    assert loud(caplog) == []
    assert [c.method for c in slack.api.calls if c.method != "auth.test"] == []


async def test_our_modal_submitted_with_an_empty_state_is_answered_not_refused(slack, engine):
    prompt = await prompted(slack)
    await slack.press("UANN", [c for c in slack.prompts("UANN") if c.result["ts"] == prompt][0], "prompt.answer")
    opened = slack.api.of("views.open")[0].result["view"]
    body = {**INTERACTIONS["view_submission_of_another_modal"], "view": {**opened, "state": {}}}

    reply = await slack.interact(body)

    assert reply.status == 200
    assert rows(engine, Reply) == []  # nothing was typed: nothing stored, the person is told in the DM


# -- what Slack never sends: a 4xx ---------------------------------------------------------------


@pytest.mark.parametrize("body", [
    {"type": "event_callback", "team_id": TEAM, "event": "message"},
    {"type": "event_callback", "team_id": TEAM, "event": {"text": "no type"}},
    {"type": "event_callback", "team_id": TEAM, "event": {"type": "message", "channel_type": "im", "user": "UANN",
                                                          "text": ["not", "text"], "ts": "1.2", "channel": "DUANN"}},
    {"token": "x", "team_id": TEAM, "event": {"type": "message"}},
    ["a", "list"],
])
async def test_malformed_bodies_get_a_4xx(slack, engine, body):
    reply = await slack.post(json.dumps(body), "application/json")
    assert 400 <= reply.status < 500
    await slack.settle()
    assert rows(engine, Person) == [] and rows(engine, Circle) == []


async def test_a_malformed_submission_of_our_modal_gets_a_4xx(slack):
    payload = {**INTERACTIONS["view_submission_of_another_modal"],
               "view": {**VIEW, "callback_id": "kipina:form", "state": "broken"}}
    reply = await slack.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
    assert reply.status == 400
