"""The shapes of Slack payloads Kipinä handles, checked before any handler reads them."""
from __future__ import annotations

from bot.platforms.shapes import ANY_KEY, MAYBE_TEXT, TEXT, fits

SHAPES = {
    "block_actions": {
        "user": {"id": TEXT}, "actions": [{"action_id": TEXT, "value?": MAYBE_TEXT}],
        "team?": {"id?": TEXT}, "container?": {"channel_id?": TEXT, "message_ts?": TEXT, "is_ephemeral?": bool},
        "channel?": {"id?": TEXT, "name?": TEXT}, "message?": {"ts?": TEXT}, "view?": {"type?": TEXT, "id?": TEXT},
        "response_url?": TEXT, "trigger_id?": TEXT,
    },
    "view_submission": {
        "user": {"id": TEXT}, "team?": {"id?": TEXT},
        "view": {"type": TEXT, "id": TEXT, "callback_id?": TEXT, "private_metadata?": TEXT, "hash?": TEXT,
                 "state": {"values": {ANY_KEY: {ANY_KEY: {"type?": TEXT, "value?": MAYBE_TEXT,
                                                          "selected_option?": {"value?": TEXT}}}}}},
    },
    "event_callback": {
        "team_id?": TEXT, "event_id?": TEXT,
        "event": {"type": TEXT, "user?": TEXT, "text?": TEXT, "channel?": TEXT, "ts?": TEXT, "thread_ts?": TEXT,
                  "channel_type?": TEXT, "subtype?": TEXT, "bot_id?": TEXT, "tab?": TEXT, "team?": TEXT},
    },
    "url_verification": {"challenge": TEXT},
}
COMMAND = {"command": TEXT, "text?": TEXT, "user_id": TEXT, "team_id?": TEXT, "channel_id?": TEXT,
           "channel_name?": TEXT, "response_url?": TEXT, "trigger_id?": TEXT, "user_name?": TEXT}


def well_formed(body) -> bool:
    """Can the handlers read this payload? Types we don't handle only need to be an object."""
    if not isinstance(body, dict):
        return False
    if "command" in body:
        return fits(body, COMMAND)
    spec = SHAPES.get(body.get("type")) if isinstance(body.get("type"), str) else None
    return spec is None or fits(body, spec)
