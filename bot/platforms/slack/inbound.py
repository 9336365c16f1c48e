"""What Slack sends, read into plain values: text without Slack's markup, where it came from."""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

from bot.ports import Place

PERSON_SUBTYPES = (None, "thread_broadcast", "file_share")  # messages a person wrote
REVISIONS = ("message_changed", "message_deleted")  # a person edited or deleted a message
REVISED_IN = ("im", "channel", "group")  # where that changes what Kipinä stored (answers, thread replies)
FILE_NAME_LIMIT = 100
USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_MARKUP = re.compile(r"<([^<>]*)>")
_SPECIAL = {"!channel": "@channel", "!here": "@here", "!everyone": "@everyone"}


def plain_text(text: str, keep_user_mentions: bool = True) -> str:
    """Slack's escaped text → what the person typed; user mentions stay `<@ID|name>` for the core's parser."""
    def replace(match: re.Match) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return match.group(0) if keep_user_mentions else "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!"):
            return _SPECIAL.get(target, label or target[1:])
        return label if label and label != target else target  # a link

    # Markup first, then entities: a literal "&lt;!channel&gt;" the person typed stays text.
    return html.unescape(_MARKUP.sub(replace, text or ""))


def mentioned_users(text: str) -> list[str]:
    return list(dict.fromkeys(USER_MENTION.findall(text or "")))


def is_direct(channel_id: str | None, channel_name: str | None = None) -> bool:
    """A direct message (with the bot or between people): no circle channel there."""
    name = channel_name or ""
    return not channel_id or channel_id.startswith("D") or name == "directmessage" or name.startswith("mpdm-")


def place_of(channel_id: str | None, channel_name: str | None = None) -> Place:
    if is_direct(channel_id, channel_name):
        return Place()
    return Place(channel_id=channel_id, is_direct=False, address={"channel": channel_id},
                 name=f"#{channel_name}" if channel_name else "")


@dataclass(frozen=True)
class Origin:
    """Where a request came from, so that its answer goes back to the right place."""

    team: str
    user: str
    channel: str | None = None  # the conversation it happened in
    bot_dm: bool = False  # that conversation is the person's DM with the bot
    response_url: str | None = None
    message_ts: str | None = None  # the message a button was on
    ephemeral: bool = False  # that message is ephemeral (only its response_url can change it)
    thread_ts: str | None = None  # answer in this thread
    trigger_id: str | None = None
    home: bool = False  # the button was in the App Home tab


def command_origin(body: dict) -> Origin:
    return Origin(team=body.get("team_id", ""), user=body.get("user_id", ""), channel=body.get("channel_id"),
                  response_url=body.get("response_url"), trigger_id=body.get("trigger_id"))


def action_origin(body: dict) -> Origin:
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    message = body.get("message") or {}
    return Origin(
        team=team_of(body), user=(body.get("user") or {}).get("id", ""), channel=channel,
        bot_dm=bool(channel and channel.startswith("D")), response_url=body.get("response_url"),
        message_ts=container.get("message_ts") or message.get("ts"), ephemeral=bool(container.get("is_ephemeral")),
        trigger_id=body.get("trigger_id"), home=(body.get("view") or {}).get("type") == "home")


def view_origin(body: dict, metadata: dict) -> Origin:
    channel = metadata.get("c")
    return Origin(team=team_of(body), user=(body.get("user") or {}).get("id", ""), channel=channel,
                  bot_dm=bool(channel and channel.startswith("D")), message_ts=metadata.get("ts"),
                  ephemeral=bool(metadata.get("e")), response_url=metadata.get("r"))


def team_of(body: dict) -> str:
    return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or body.get("team_id") or ""


def form_metadata(view: dict) -> dict:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def form_fields(view: dict) -> dict:
    """The submitted values of a modal: text inputs and radio buttons by block id."""
    fields = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for state in actions.values():
            if state.get("type") == "radio_buttons":
                fields[block_id] = ((state.get("selected_option") or {}).get("value")) or ""
            else:
                fields[block_id] = state.get("value") or ""
    return fields


def message_source(event: dict) -> str:
    """A message's unique id: its channel and timestamp (the same on every redelivery)."""
    return f"slack:{event.get('channel', '')}:{event.get('ts', '')}"


def is_person_message(event: dict) -> bool:
    """A message a person wrote, files attached or not (not a bot, an edit, a join notice…)."""
    return (event.get("type") == "message" and event.get("subtype") in PERSON_SUBTYPES
            and not event.get("bot_id") and bool(event.get("user")))


def revision(event: dict) -> tuple[str, str, str | None] | None:
    """(author, source id, new text) of an edit, (author, source id, None) of a deletion: the
    source id the same as the message's own (message_source), so the stored answer is found."""
    subtype, channel = event.get("subtype"), event.get("channel") or ""
    before = event.get("previous_message") or {}
    if before.get("bot_id") or (event.get("message") or {}).get("bot_id"):
        return None  # the bot changed its own post
    if subtype == "message_changed":
        after = event.get("message") or {}
        user, ts = after.get("user") or before.get("user"), after.get("ts") or before.get("ts")
        text = with_files(plain_text(after.get("text") or ""), after.get("files"))
    elif subtype == "message_deleted":
        user, ts, text = before.get("user"), event.get("deleted_ts") or before.get("ts"), None
    else:
        return None
    if not user or not ts or not channel:
        return None
    return user, message_source({"channel": channel, "ts": ts}), text


def with_files(text: str, files) -> str:
    """The text with a line `📎 name` per attached file. The bot keeps no files: an answer with a
    photo keeps its words and says a file came with it, in no language (a Finnish answer reads on)."""
    notes = []
    for file in files if isinstance(files, list) else []:
        name = (file.get("name") or file.get("title") or "") if isinstance(file, dict) else ""
        name = " ".join(str(name).split())[:FILE_NAME_LIMIT]
        notes.append(f"📎 {name}" if name else "📎")
    return "\n".join(part for part in [text, *notes] if part)
