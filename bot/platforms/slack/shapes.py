"""The shapes of Slack payloads Kipinä handles, checked before any handler reads them.

Three outcomes: HANDLE (a handler reads it), IGNORE (a valid payload of a kind Kipinä does not act
on, such as channel_created, a bot's post or a shortcut: a quiet 200, so that Slack does not
retry it) and MALFORMED (not something Slack sends: a 400).
"""
from __future__ import annotations

from bot.platforms.shapes import ANY_KEY, MAYBE_TEXT, TEXT, fits
from bot.platforms.slack.blocks import FORM_CALLBACK
from bot.platforms.slack.inbound import PERSON_SUBTYPES, REVISED_IN, REVISIONS

HANDLE, IGNORE, MALFORMED = "handle", "ignore", "malformed"
EVENTS = ("message", "app_home_opened")  # event types a handler reads

SHAPES = {
    "block_actions": {
        "user": {"id": TEXT}, "actions": [{"action_id": TEXT, "value?": MAYBE_TEXT}],
        "team?": {"id?": TEXT}, "container?": {"channel_id?": TEXT, "message_ts?": TEXT, "is_ephemeral?": bool},
        "channel?": {"id?": TEXT, "name?": TEXT}, "message?": {"ts?": TEXT}, "view?": {"type?": TEXT, "id?": TEXT},
        "response_url?": TEXT, "trigger_id?": TEXT,
    },
    "view_submission": {
        "user": {"id": TEXT}, "team?": {"id?": TEXT},
        # A modal without inputs comes with "state": {} (no values).
        "view": {"type": TEXT, "id": TEXT, "callback_id?": TEXT, "private_metadata?": TEXT, "hash?": TEXT,
                 "state": {"values?": {ANY_KEY: {ANY_KEY: {"type?": TEXT, "value?": MAYBE_TEXT,
                                                           "selected_option?": {"value?": TEXT}}}}}},
    },
    "event_callback": {"team_id?": TEXT, "event_id?": TEXT, "event": {"type": TEXT}},
    "url_verification": {"challenge": TEXT},
}
EVENT = {"type": TEXT, "user?": TEXT, "text?": TEXT, "channel?": TEXT, "ts?": TEXT, "thread_ts?": TEXT,
         "channel_type?": TEXT, "subtype?": TEXT, "bot_id?": TEXT, "tab?": TEXT, "team?": TEXT,
         "files?": [{"name?": TEXT, "title?": TEXT}]}
# An edit or deletion of a message: a DM answer or a thread reply follows it.
REVISION = {"type": TEXT, "subtype": TEXT, "channel": TEXT, "channel_type?": TEXT, "deleted_ts?": TEXT,
            "message?": {"text?": TEXT, "user?": TEXT, "ts?": TEXT, "files?": [{"name?": TEXT, "title?": TEXT}]},
            "previous_message?": {"user?": TEXT, "ts?": TEXT}}
COMMAND = {"command": TEXT, "text?": TEXT, "user_id": TEXT, "team_id?": TEXT, "channel_id?": TEXT,
           "channel_name?": TEXT, "response_url?": TEXT, "trigger_id?": TEXT, "user_name?": TEXT}


def verdict(body) -> str:
    """HANDLE, IGNORE or MALFORMED (see the module's docstring)."""
    if not isinstance(body, dict):
        return MALFORMED
    if "command" in body:
        return HANDLE if fits(body, COMMAND) else MALFORMED
    kind = body.get("type")
    if not isinstance(kind, str):
        return MALFORMED
    spec = SHAPES.get(kind)
    if spec is None:
        return IGNORE  # shortcuts, view_closed, block_suggestion, app_rate_limited, …
    if not fits(body, spec):
        return MALFORMED
    if kind == "event_callback":
        return _event(body["event"])
    if kind == "view_submission" and body["view"].get("callback_id") != FORM_CALLBACK:
        return IGNORE  # a modal that is not ours
    return HANDLE


def _event(event: dict) -> str:
    if event["type"] not in EVENTS:
        return IGNORE  # channel_created, user_change, member_joined_channel, app_mention, …
    if event["type"] == "message" and event.get("subtype") in REVISIONS and event.get("channel_type") in REVISED_IN:
        return HANDLE if fits(event, REVISION) else IGNORE  # an edit we cannot read: never a retry
    if event["type"] == "message" and event.get("subtype") not in PERSON_SUBTYPES:
        return IGNORE  # edits elsewhere, bot posts, join notices
    return HANDLE if fits(event, EVENT) else MALFORMED
