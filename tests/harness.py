"""A test world: the real core, dispatcher and storage, with an in-memory platform that records
what it was asked to send (it stands where Slack or Teams would be, nothing of ours is faked)."""
from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.runtime.app import App, build
from bot.runtime.clock import ManualClock
from bot.ports import (ActionRequest, Actor, CommandRequest, FormRequest, Limits, Message, MessageRequest, Place,
                       Platform, Response, Sent, Target)
from bot.domain.shared.rhythm import zone

HELSINKI = zone("Europe/Helsinki")


def with_env(settings, **variables: str):
    """Settings as if the process had started with these environment variables too."""
    return replace(settings, env=settings.env.with_values(**variables))


def at(text: str) -> datetime:
    """'2026-12-03 14:00' in Helsinki time."""
    return datetime.fromisoformat(text).replace(tzinfo=HELSINKI)


@dataclass
class Posted:
    target: Target
    message: Message
    message_id: str
    sent_at: datetime


class RecordingPlatform(Platform):
    name = "test"
    limits = Limits(per_target_rate=1000, per_target_burst=1000, global_rate=1000, global_burst=1000)

    def __init__(self, app):
        self.app = app
        self.posted: list[Posted] = []
        self.ids = itertools.count(1)
        self.fail_next: list[Exception] = []
        self.upkeeps = 0

    async def upkeep(self) -> None:
        self.upkeeps += 1

    async def send(self, target: Target, message: Message, key: str = "") -> Sent:
        if self.fail_next:
            failure = self.fail_next.pop(0)  # None lets this send through
            if failure is not None:
                raise failure
        mid = f"msg{next(self.ids)}"
        self.posted.append(Posted(target, message, mid, self.app.clock.now()))
        return Sent(mid, target.channel_id or f"D-{target.user_id}")


@dataclass
class World:
    app: App
    platform: RecordingPlatform
    locales: dict = field(default_factory=dict)
    zones: dict = field(default_factory=dict)
    responses: list = field(default_factory=list)

    @property
    def now(self) -> datetime:
        return self.app.clock.now()

    def set_time(self, when: datetime) -> None:
        self.app.clock.set(when)

    def actor(self, name: str) -> Actor:
        uid = name.lower()
        return Actor("test", "T1", uid, name, locale=self.locales.get(uid), timezone=self.zones.get(uid),
                     address={"user": uid})

    def command(self, name: str, text: str, channel: str | None = None) -> Response:
        place = Place(channel_id=channel, is_direct=channel is None, address={"channel": channel} if channel else None)
        response = self.app.core.command(CommandRequest(self.actor(name), text, place), self.now)
        self.responses.append(response)
        self.drain()
        return response

    def press(self, name: str, message: Message, label: str) -> Response:
        button = next(b for b in message.buttons if b.label == label)
        response = self.app.core.action(ActionRequest(self.actor(name), button.action, button.value), self.now)
        self.drain()
        return response

    def submit(self, name: str, message: Message, answer: str, visibility: str | None = None,
               source: str = "") -> Response:
        form = message.form
        fields = {"answer": answer, "visibility": visibility or form.fields[1].initial}
        request = FormRequest(self.actor(name), form.action, form.value, fields, source or f"form-{name}-{self.now}")
        response = self.app.core.form(request, self.now)
        self.drain()
        return response

    def dm(self, name: str, text: str, source: str | None = None, thread_of: str | None = None) -> Response:
        request = MessageRequest(self.actor(name), text, source or f"dm-{name}-{len(self.responses)}-{self.now}",
                                 Place(), thread_of=thread_of)
        response = self.app.core.message(request, self.now)
        self.responses.append(response)
        self.drain()
        return response

    def tick(self, when: datetime) -> dict:
        report = asyncio.run(self.app.tick(when))
        self.drain()
        return report

    def drain(self):
        return asyncio.run(self.app.dispatcher.drain(self.app.clock.now))

    def inbox(self, name: str) -> list[Posted]:
        return [p for p in self.platform.posted if p.target.conversation == "dm" and p.target.user_id == name.lower()]

    def channel(self, channel: str) -> list[Posted]:
        return [p for p in self.platform.posted if p.target.conversation == "channel" and p.target.channel_id == channel]

    def prompts(self, name: str) -> list[Posted]:
        return [p for p in self.inbox(name) if p.message.buttons and p.message.buttons[0].action == "prompt.answer"]


def make_world(settings, engine, start: datetime | None = None) -> World:
    app = build(settings, clock=ManualClock(start or at("2026-11-30 09:00")), platform_names=[], engine=engine)
    platform = RecordingPlatform(app)
    app.add_platform(platform)
    return World(app, platform)
