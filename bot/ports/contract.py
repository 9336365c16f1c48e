"""The platform port: what the core needs from Slack, Teams or the console, and what they get.

A platform is handed a `Runtime` (never the whole app), turns what arrives into the request
types of `bot.ports.requests`, and sends `Message`s the outbox gives it to a `Target`.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.ports.messages import Message, Response
from bot.ports.requests import Actor, Profile, Request


@dataclass(frozen=True)
class Target:
    conversation: str  # dm | channel | group (one with several people; only where the spec says group_chats)
    workspace: str  # platform's workspace id (Slack team, Teams tenant, "local")
    user_id: str | None = None
    channel_id: str | None = None
    address: dict | None = None  # person's DM address or the channel's post address
    user_ids: tuple[str, ...] = ()  # group: the people in the conversation


@dataclass(frozen=True)
class Sent:
    message_id: str | None = None
    channel_id: str | None = None
    more: tuple[str, ...] = ()  # the posts a long message continued in (its thread), in order


@dataclass(frozen=True)
class Limits:
    per_target_rate: float  # messages per second to one channel / conversation
    per_target_burst: int
    global_rate: float  # messages per second across the workspace / app
    global_burst: int
    concurrency: int = 32  # requests in flight at once


class SendError(Exception):
    """Sending failed; subclasses tell the dispatcher what to do next. `code` is the platform's own
    error code (Slack's `error`, the Teams connector's `error.code`), `status` the HTTP status, as
    the platform package read them once: nothing needs to search the message for them."""

    def __init__(self, detail: str = "", *, code: str = "", status: int | None = None):
        super().__init__(detail)
        self.code, self.status = code, status


class RateLimited(SendError):
    """A 429: wait `retry_after` seconds; for every send to the workspace (Slack team, Teams tenant)
    when `whole_workspace`, else for this conversation only."""

    def __init__(self, retry_after: float, whole_workspace: bool = True, detail: str = "", *, code: str = "",
                 status: int | None = None):
        super().__init__(detail or f"rate limited for {retry_after:.1f}s", code=code, status=status)
        self.retry_after, self.whole_workspace = retry_after, whole_workspace


class TemporaryFailure(SendError):
    """Network trouble or a 5xx: try again later."""


class Unanswered(TemporaryFailure):
    """The request went out and no answer came (a time-out, a dropped connection): it may have
    arrived. Tried again later, looked up first where the platform can tell (find_sent)."""


class PermanentFailure(SendError):
    """Will never work as is (unknown channel, deleted message): stop trying."""


class Unreachable(PermanentFailure):
    """The bot cannot reach this person yet (e.g. the Teams app is not installed for them).

    The circle's mentor is told once; the row is not retried.
    """


class Runtime(Protocol):
    """What a platform may use of the running bot; the composition root (bot.runtime.app) implements
    it. Each call into the core runs it in a thread (it blocks on the database) at the runtime's
    time, then wakes the sender for what it planned (a prompt now, welcomes)."""

    default_language: str  # fi | sv | en, when a person's locale does not say
    timezone: str  # the organisation's

    def now(self) -> datetime: ...

    async def handle(self, request: Request) -> Response | None:
        """A person did something: a command, a button, a form, a message, an edit or a deletion.
        Edits and deletions are answered with None (nobody asked anything)."""

    async def home(self, actor: Actor) -> Message:
        """The person's home view (Slack App Home)."""

    async def remember(self, actor: Actor) -> None:
        """What a platform learnt about a person (a profile look-up, an install); no answer."""

    async def remember_many(self, actors: list[Actor]) -> int:
        """A platform's directory sweep: the people Kipinä knows, refreshed in bulk; how many changed."""

    async def profile(self, actor: Actor) -> Profile | None:
        """What the database knows of a person (None: never seen), so a process that has not met
        them need not ask the platform again."""

    async def tick(self, at: datetime | None = None) -> dict:
        """The scheduler's one entry: plan what is due at `at` (the clock is set there first; now
        when None), then run the platforms' daily upkeep it names. The report counts what was planned."""

    async def drain(self) -> None:
        """Send everything that is due now (the console after each line)."""


class Platform(ABC):
    name: str = ""
    limits: Limits = Limits(per_target_rate=1.0, per_target_burst=3, global_rate=20.0, global_burst=20)

    @abstractmethod
    async def send(self, target: Target, message: Message, key: str = "") -> Sent:
        """Post a message (and its follow-up in thread, if any); raise a SendError subclass on failure.
        `key` is the outbox row's unique key: a platform that can keep it with the post (Slack's
        message metadata) finds the post again with find_sent."""

    async def find_sent(self, target: Target, key: str, since: datetime) -> Sent | None:
        """The post made for outbox row `key` (at or after `since`), if this platform can tell. A row
        whose sender stopped while sending it is looked up here before it is sent again: None means
        not found, or the platform cannot tell (Teams), and it is sent."""
        return None

    async def update(self, target: Target, sent: Sent, message: Message) -> Sent:
        """Replace a post this platform sent earlier (`sent` is what send() or the last update
        returned) with `message`, its follow-up thread left as it is; return the post as it is now
        (continuation posts may have been added or removed); raise a SendError subclass on failure."""
        raise PermanentFailure(f"{self.name} cannot change a post it has sent")

    def pace_key(self, target: Target) -> str:
        return target.channel_id or target.user_id or ""

    def add_routes(self, app) -> None:
        """Register HTTP routes on the shared aiohttp app (none by default)."""

    async def upkeep(self) -> None:
        """Daily housekeeping, run by the one active clock (e.g. refreshing people's profiles)."""

    async def start(self) -> None:
        """Open connections (Socket Mode, HTTP sessions)."""

    async def stop(self) -> None:
        """Close what start() opened."""
