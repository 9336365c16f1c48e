"""What platforms hand to the core: who did what, where. No SDK types cross this line."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Actor:
    platform: str  # slack | teams | console
    workspace: str  # Slack team id, Teams tenant id, "local"
    user_id: str
    name: str = ""
    locale: str | None = None
    timezone: str | None = None
    address: dict | None = None  # how to reach this person by DM, when the platform knows
    is_bot: bool = False
    active: bool = True  # False for deactivated accounts: they are never nudged
    name_is_fallback: bool = False  # a handle given until the profile is known: never overwrites a name


@dataclass(frozen=True)
class Place:
    channel_id: str | None = None  # None or a DM: no circle channel here
    is_direct: bool = True
    address: dict | None = None  # what a platform needs to post here later
    name: str = ""


@dataclass(frozen=True)
class CommandRequest:
    actor: Actor
    text: str
    place: Place = field(default_factory=Place)
    people: tuple[Actor, ...] = ()  # mentioned people as the platform knows them (name, address)
    prefix: str = ""  # the command word as typed ('/piiri' on a Slack that has it): replies name it too


@dataclass(frozen=True)
class ActionRequest:
    actor: Actor
    action: str
    value: str
    place: Place = field(default_factory=Place)


@dataclass(frozen=True)
class FormRequest:
    actor: Actor
    action: str
    value: str
    fields: dict
    source_id: str = ""  # unique per submission, so a retried submission stores once


@dataclass(frozen=True)
class MessageRequest:
    """A plain message: a DM to the bot, or a reply in a thread the bot started."""

    actor: Actor
    text: str
    source_id: str  # platform's unique id of this message
    place: Place = field(default_factory=Place)
    thread_of: str | None = None  # platform id of the message this replies to


@dataclass(frozen=True)
class EditRequest:
    """A person changed a message they sent earlier: `source_id` as in its MessageRequest."""

    actor: Actor
    source_id: str
    text: str


@dataclass(frozen=True)
class DeleteRequest:
    """A person deleted a message they sent earlier."""

    actor: Actor
    source_id: str


# Everything a person can do that the core answers (bot.ports.Runtime.handle).
Request = CommandRequest | ActionRequest | FormRequest | MessageRequest | EditRequest | DeleteRequest


@dataclass(frozen=True)
class Profile:
    """What the database knows of a person, and when a platform last told us (None: never)."""

    actor: Actor
    checked_at: datetime | None = None
