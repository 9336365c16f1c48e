"""The platform port: what the core needs from Slack, Teams or the console."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from bot.compose import Target
from bot.messages import Message
from bot.pacing import Limits


class SendError(Exception):
    """Sending failed; subclasses tell the dispatcher what to do next."""


class RateLimited(SendError):
    def __init__(self, retry_after: float, whole_platform: bool = False, detail: str = ""):
        super().__init__(detail or f"rate limited for {retry_after:.1f}s")
        self.retry_after, self.whole_platform = retry_after, whole_platform


class TemporaryFailure(SendError):
    """Network trouble or a 5xx: try again later."""


class PermanentFailure(SendError):
    """Will never work as is (unknown channel, deleted message): stop trying."""


class Unreachable(PermanentFailure):
    """The bot cannot reach this person yet (e.g. the Teams app is not installed for them).

    The circle's mentor is told once; the row is not retried.
    """


@dataclass(frozen=True)
class Sent:
    message_id: str | None = None
    channel_id: str | None = None


class Platform(ABC):
    name: str = ""
    limits: Limits = Limits(per_target_rate=1.0, per_target_burst=3, global_rate=20.0, global_burst=20)

    @abstractmethod
    async def send(self, target: Target, message: Message) -> Sent:
        """Post a message (and its follow-up in thread, if any); raise a SendError subclass on failure."""

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
