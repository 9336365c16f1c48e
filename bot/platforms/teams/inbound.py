"""Teams activities (as JSON, the way Teams sends them) → who, where and what for the core.

Plain dictionaries on purpose: botbuilder's schema drops `conversation.tenantId` (it reads
`tenantID`), so the tenant and everything else needed for proactive messages is taken from
the wire JSON here. Nothing in this module depends on the Bot Framework SDK.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.ports import (ActionRequest, Actor, CommandRequest, DeleteRequest, EditRequest, FormRequest, MessageRequest,
                       Place)
from bot.platforms.shapes import TEXT, fits
from bot.platforms.teams.attachments import with_files

PLATFORM = "teams"
REVISIONS = ("messageUpdate", "messageDelete")  # a person edited or deleted a message (same `id`)
HANDLED = ("message", "conversationUpdate", "installationUpdate", *REVISIONS)  # what classify() reads
CARD_ACTION = "adaptiveCard/action"  # an Action.Execute button was pressed (Universal Actions)
FILE_CONSENT = "fileConsent/invoke"  # a person accepted or declined a file we offered
INVOKES = (CARD_ACTION, FILE_CONSENT)  # the invoke names classify() reads; others get a quiet 200
FORM_FLAG = "kipina_form"  # set on the card action that submits a form's inputs
TAGS = re.compile(r"</?at>", re.IGNORECASE)
SPAN = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
CHANNEL_ID = re.compile(r"19:[^;]*@thread\.(skype|tacv2)", re.IGNORECASE)  # a team's channel (not a group chat)


@dataclass(frozen=True)
class Turn:
    """What one activity asks for: `request` for the core, or only `actor` to remember (install)."""

    intent: str  # command | message | action | form | edit | delete | install | file | ignore
    actor: Actor | None = None
    place: Place = Place()
    request: object = None
    welcome: bool = False  # the bot was just added here: say hello


ACCOUNT = {"id": TEXT, "name?": TEXT, "aadObjectId?": TEXT, "type?": TEXT}
ACTIVITY = {
    "type": TEXT, "id?": TEXT, "serviceUrl?": TEXT, "channelId?": TEXT, "text?": TEXT, "locale?": TEXT,
    "localTimezone?": TEXT, "replyToId?": TEXT, "action?": TEXT, "from?": ACCOUNT, "recipient?": ACCOUNT,
    "conversation?": {"id?": TEXT, "conversationType?": TEXT, "tenantId?": TEXT, "isGroup?": bool, "name?": TEXT},
    "channelData?": {"tenant?": {"id?": TEXT}, "team?": {"id?": TEXT}, "channel?": {"id?": TEXT, "name?": TEXT}},
    "entities?": [{"type?": TEXT, "text?": TEXT, "mentioned?": ACCOUNT, "locale?": TEXT, "timezone?": TEXT}],
    "membersAdded?": [ACCOUNT],
    "attachments?": [{"contentType?": TEXT, "name?": TEXT, "contentUrl?": TEXT}],
}


def well_formed(activity) -> bool:
    """Only what the handlers read is checked (see bot/platforms/shapes.py)."""
    return fits(activity, ACTIVITY)


def dig(data, *keys):
    """data[k1][k2]… or None when any level is missing or not an object (input is untrusted)."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def tenant_of(activity: dict) -> str:
    tenant = dig(activity, "channelData", "tenant", "id") or dig(activity, "conversation", "tenantId")
    return tenant if isinstance(tenant, str) else ""


def conversation_type(activity: dict) -> str:
    """personal | channel | groupChat. Teams says so in conversationType; older payloads (Microsoft's
    own samples among them) only in channelData or the id: a channel is `19:…@thread.skype` or
    `19:…@thread.tacv2` (`;messageid=…` added in a thread), a personal chat `a:…` or `8:orgid:…`."""
    conversation = activity.get("conversation") or {}
    kind = conversation.get("conversationType")
    if kind in ("personal", "channel", "groupChat"):
        return kind
    ident = base_conversation(conversation.get("id") or "")
    if dig(activity, "channelData", "channel") or dig(activity, "channelData", "team") or CHANNEL_ID.fullmatch(ident):
        return "channel"
    return "groupChat" if conversation.get("isGroup") or ident.startswith("19:") else "personal"


def base_conversation(conversation_id: str) -> str:
    """A channel thread is `19:…@thread.tacv2;messageid=123`; the channel is the part before `;`."""
    return conversation_id.split(";", 1)[0]


def lane_of(activity: dict) -> tuple:
    """One person in one conversation: their activities are served in the order they came."""
    return (PLATFORM, tenant_of(activity), dig(activity, "from", "id") or "",
            base_conversation(dig(activity, "conversation", "id") or ""))


def thread_root(activity: dict) -> str | None:
    """The root post of the thread this message is in (channels), else the message it replies to."""
    conversation_id = dig(activity, "conversation", "id") or ""
    match = re.search(r";messageid=([^;]+)", conversation_id)
    if match and match.group(1) != activity.get("id"):
        return match.group(1)
    return activity.get("replyToId") or None


def bot_account(activity: dict) -> dict:
    recipient = activity.get("recipient") or {}
    return {"id": recipient.get("id") or "", "name": recipient.get("name") or "Kipinä"}


def _reference(activity: dict) -> dict:
    bot = bot_account(activity)
    return {"service_url": activity.get("serviceUrl") or "", "tenant_id": tenant_of(activity),
            "bot_id": bot["id"], "bot_name": bot["name"]}


def person_address(activity: dict, account: dict, personal_conversation: str | None = None) -> dict:
    """What a proactive 1:1 message to this person needs."""
    address = {**_reference(activity), "user_id": account.get("id") or ""}
    if account.get("aadObjectId"):
        address["aad_object_id"] = account["aadObjectId"]
    if personal_conversation:
        address["conversation_id"] = personal_conversation
    return address


def channel_address(activity: dict) -> dict:
    conversation = activity.get("conversation") or {}
    address = {**_reference(activity), "conversation_id": base_conversation(conversation.get("id") or ""),
               "conversation_type": conversation_type(activity)}
    team = dig(activity, "channelData", "team", "id")
    if team:
        address["team_id"] = team
    return address


def client_info(activity: dict) -> dict:
    for entity in activity.get("entities") or []:
        if isinstance(entity, dict) and entity.get("type") == "clientInfo":
            return entity
    return {}


def actor_of(activity: dict, personal_conversation: str | None = None) -> Actor:
    sender = activity.get("from") or {}
    if conversation_type(activity) == "personal":
        personal_conversation = dig(activity, "conversation", "id") or personal_conversation
    info = client_info(activity)
    return Actor(
        PLATFORM, tenant_of(activity), sender.get("id") or "", (sender.get("name") or "").strip(),
        locale=activity.get("locale") or info.get("locale"),
        timezone=activity.get("localTimezone") or info.get("timezone"),
        address=person_address(activity, sender, personal_conversation),
    )


def place_of(activity: dict) -> Place:
    if conversation_type(activity) == "personal":
        return Place()
    address = channel_address(activity)
    name = dig(activity, "channelData", "channel", "name") or dig(activity, "conversation", "name") or ""
    return Place(channel_id=address["conversation_id"], is_direct=False, address=address, name=name)


def _text(activity: dict) -> str:
    text = activity.get("text")
    return text if isinstance(text, str) else ""


def _mentions(activity: dict) -> list[dict]:
    return [e for e in activity.get("entities") or []
            if isinstance(e, dict) and e.get("type") == "mention" and isinstance(e.get("mentioned"), dict)]


def mentions_bot(activity: dict) -> bool:
    bot = bot_account(activity)["id"]
    return any(m["mentioned"].get("id") == bot for m in _mentions(activity))


def _is_person(account: dict) -> bool:
    """Users are 29:…/8:orgid:…; tags, channels and teams (19:…) cannot join a circle."""
    ident = account.get("id") or ""
    return bool(ident) and account.get("type") not in ("tag", "team", "channel") and not ident.startswith("19:")


def _label(text: str) -> str:
    """A mention's visible name, for matching: without tags, a leading @, case or extra spaces."""
    return " ".join(TAGS.sub("", text).lstrip("@").split()).casefold()


def _spans(text: str, mentions: list[dict]) -> list[tuple[re.Match | None, dict]]:
    """Each mention entity with the `<at>…</at>` of the text it stands for. Teams' own samples
    have an entity text that is not in the message (`<at>@Pranav Smith</at>` for `<at>Pranav
    Smith</at>`), so the entity's text is tried first, then its name, then the order; the id is
    what counts. An entity with no span left still names a person (None: it is added at the end)."""
    spans = list(SPAN.finditer(text))
    free = list(range(len(spans)))
    found: list[tuple[re.Match | None, dict]] = []
    for mention in mentions:
        account = mention["mentioned"]
        wanted = [str(mention.get("text") or ""), f"<at>{account.get('name') or ''}</at>"]
        index = next((i for i in free if spans[i].group(0) in wanted), None)
        if index is None:
            labels = {_label(w) for w in wanted} - {""}
            index = next((i for i in free if _label(spans[i].group(1)) in labels), None)
        if index is None and free and len(mentions) - len(found) == len(free):
            index = free[0]  # as many mentions left as spans: take them in order
        if index is not None:
            free.remove(index)
        found.append((spans[index] if index is not None else None, mention))
    return found


def command_text(activity: dict) -> tuple[str, tuple[dict, ...]]:
    """The text with the bot's mention removed and people's mentions as `<@id|name>` for the grammar."""
    text = _text(activity)
    bot = bot_account(activity)["id"]
    seen: set[str] = set()
    people: list[dict] = []
    edits: list[tuple[int, int, str]] = []
    for span, mention in _spans(text, _mentions(activity)):
        account = mention["mentioned"]
        ident = account.get("id") or ""
        if ident == bot or ident in seen:
            replacement = " "  # Teams splits some names into two mention entities of one person
        elif _is_person(account):
            name = re.sub(r"[<>|\s]+", " ", account.get("name") or "").strip()
            replacement = f" <@{ident}|{name}> " if name else f" <@{ident}> "
            people.append(account)
            seen.add(ident)
        else:
            replacement = " " + (span.group(1) if span else "") + " "
        if span is not None:
            edits.append((span.start(), span.end(), replacement))
        elif replacement.strip().startswith("<@"):
            edits.append((len(text), len(text), replacement))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return " ".join(TAGS.sub("", text).split()), tuple(people)


def plain_text(activity: dict) -> str:
    """A chat message as typed: the bot's mention dropped, other mentions reduced to the name shown."""
    text = _text(activity)
    bot = bot_account(activity)["id"]
    spans = [span for span, mention in _spans(text, _mentions(activity))
             if span is not None and mention["mentioned"].get("id") == bot]
    for span in sorted(spans, key=lambda s: s.start(), reverse=True):
        text = text[:span.start()] + text[span.end():]
    return TAGS.sub("", text).strip()


def message_text(activity: dict) -> str:
    """What a person wrote, with a line for each file that came with it (attachments.py)."""
    return with_files(plain_text(activity), activity.get("attachments"))


def card_data(activity: dict) -> dict | None:
    """What a pressed card button sends with it, inputs included: an Action.Submit puts it in the
    message's `value`, an Action.Execute (adaptiveCard/action invoke) in value.action.data."""
    data = dig(activity, "value", "action", "data") if activity.get("type") == "invoke" else activity.get("value")
    return data if isinstance(data, dict) else None


def _submitted(activity: dict, actor: Actor, place: Place):
    value = card_data(activity)
    if not isinstance(value, dict) or not isinstance(value.get("kipina"), str):
        return None
    action, ref = value["kipina"], str(value.get("value") or "")
    if value.get(FORM_FLAG):
        fields = {k: v for k, v in value.items() if k not in ("kipina", "value", FORM_FLAG)}
        return "form", FormRequest(actor, action, ref, fields, source_id=str(activity.get("id") or ""))
    return "action", ActionRequest(actor, action, ref, place)


def classify(activity: dict, personal_conversation: str | None = None) -> Turn:
    """Decide what an activity is; anything unexpected is ignored, never an error."""
    kind = activity.get("type")
    sender = activity.get("from") or {}
    if not sender.get("id") or not tenant_of(activity) or not activity.get("serviceUrl"):
        return Turn("ignore")
    actor = actor_of(activity, personal_conversation)
    place = place_of(activity)
    if kind == "installationUpdate":
        if str(activity.get("action") or "").startswith("add"):
            return Turn("install", actor, place)
        return Turn("ignore")
    if kind == "conversationUpdate":
        bot = bot_account(activity)["id"]
        added = [m for m in activity.get("membersAdded") or [] if isinstance(m, dict)]
        if any(m.get("id") == bot for m in added):
            return Turn("install", actor, place, welcome=True)
        return Turn("ignore")
    if sender.get("id") == bot_account(activity)["id"]:
        return Turn("ignore")
    if kind in REVISIONS and activity.get("id"):  # the stored answer follows; the core stays quiet
        source = str(activity["id"])
        if kind == "messageUpdate":
            return Turn("edit", actor, place, EditRequest(actor, source, message_text(activity)))
        return Turn("delete", actor, place, DeleteRequest(actor, source))
    if kind == "invoke" and activity.get("name") == FILE_CONSENT and isinstance(activity.get("value"), dict):
        return Turn("file", actor, place, activity["value"])
    if kind == "invoke" and activity.get("name") == CARD_ACTION:
        submitted = _submitted(activity, actor, place)
        return Turn(submitted[0], actor, place, submitted[1]) if submitted else Turn("ignore")
    if kind != "message":
        return Turn("ignore")
    submitted = _submitted(activity, actor, place)
    if submitted is not None:
        return Turn(submitted[0], actor, place, submitted[1])
    source = str(activity.get("id") or "")
    if place.is_direct:
        request = MessageRequest(actor, message_text(activity), source, place,
                                 thread_of=activity.get("replyToId") or None)
        return Turn("message", actor, place, request)
    if mentions_bot(activity):
        text, people = command_text(activity)
        mentioned = tuple(Actor(PLATFORM, actor.workspace, p["id"], (p.get("name") or "").strip(),
                                address=person_address(activity, p)) for p in people)
        return Turn("command", actor, place, CommandRequest(actor, text, place, people=mentioned))
    root = thread_root(activity)
    if root:
        request = MessageRequest(actor, message_text(activity), source, place, thread_of=root)
        return Turn("message", actor, place, request)
    return Turn("ignore")
