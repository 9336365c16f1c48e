"""One driver per platform for tests/test_conformance.py: each plays the same people through that
platform's own fake and reads back what the platform showed them, as `Seen` records.

A driver speaks as people by name ("Mia", "Ann"); the first `new_circle` call starts the circle in
the platform's channel for a learning circle. What the bot sent is read where that platform's
fake recorded it; updates of a message in place (Slack chat.update, Teams card update) are not
new messages and are left out.
"""
from __future__ import annotations

import asyncio
import io
import re
from dataclasses import dataclass
from datetime import datetime

from bot.runtime.app import build
from bot.runtime.clock import ManualClock
from bot.platforms.console.platform import ConsolePlatform
from bot.platforms.console.session import ConsoleSession
from bot.ports import ActionRequest, Actor, CommandRequest, FormRequest, Message, Place, Response
from bot.domain.shared.views import prompt_buttons
from fakes.slack_api import Call as SlackCall
from fakes.slack_checks import assert_all_sent_valid
from fakes.slack_world import close_world, open_world
from fakes.teams_world import CHANNEL as TEAMS_CHANNEL, TeamsWorld, User, check_activity
from harness import make_world


@dataclass(frozen=True)
class Seen:
    """One message as a person (or the channel) saw it, in the platform's own rendering."""

    to: str  # a person's name, or "#channel"
    text: str  # every readable text of the rendering
    buttons: tuple[str, ...] = ()  # labels, in order
    actions: tuple[str, ...] = ()  # what each button means to the core (prompt.answer …)
    in_thread: bool = False  # posted in a thread (a recap's discussion starter, Teams' command thread)


CHANNEL = "#channel"


class Driver:
    name = ""

    async def open(self, settings, engine, start: datetime) -> None: ...
    async def close(self) -> None: ...
    async def new_circle(self, mentor: str, members: list[str], circle: str) -> None: ...
    async def prompt_now(self, mentor: str) -> None: ...
    async def answer(self, person: str, text: str, shared: bool) -> None: ...
    async def tick(self, at: datetime) -> None: ...
    def dms(self, person: str) -> list[Seen]: ...
    def channel_posts(self) -> list[Seen]: ...

    def check_wire(self) -> None:
        """Validate everything sent against the platform's own schema (where it has one)."""


def _from_message(to: str, message: Message, in_thread: bool = False) -> list[Seen]:
    seen = [Seen(to, "\n".join(filter(None, [message.summary, message.plain_text])),
                 tuple(b.label for b in message.buttons), tuple(b.action for b in message.buttons), in_thread)]
    if message.follow_up is not None:
        seen += _from_message(to, message.follow_up, in_thread=True)
    return seen


class RecordingDriver(Driver):
    """The recording platform of tests/harness.py: the core's own world. Direct answers to a request
    (Response.to_caller / to_channel) are recorded as the caller's DMs and channel posts."""

    name = "test"
    channel = "CLEARN"

    async def open(self, settings, engine, start):
        self.world = make_world(settings, engine, start)
        self.app, self.platform = self.world.app, self.world.platform
        self.answers: list[Seen] = []
        self.sources = 0

    def actor(self, name: str) -> Actor:
        return Actor("test", "T1", name.lower(), name, address={"user": name.lower()})

    async def _core(self, method: str, request, caller: str, place: Place | None = None) -> Response:
        response = await asyncio.to_thread(getattr(self.app.core, method), request, self.app.clock.now())
        for msg in response.to_caller:
            self.answers += _from_message(caller, msg)
        for msg in response.to_channel:
            self.answers += _from_message(CHANNEL if place and place.channel_id else caller, msg)
        await self.app.dispatcher.drain(self.app.clock.now)
        return response

    async def _command(self, name: str, text: str) -> None:
        place = Place(channel_id=self.channel, is_direct=False, address={"channel": self.channel}, name="#learners")
        await self._core("command", CommandRequest(self.actor(name), text, place), name, place)

    async def new_circle(self, mentor, members, circle):
        await self._command(mentor, f"new {circle} " + " ".join(f"<@{m.lower()}|{m}>" for m in members))

    async def prompt_now(self, mentor):
        await self._command(mentor, "prompt now")

    async def answer(self, person, text, shared):
        prompt = [p for p in self.platform.posted if p.target.user_id == person.lower() and p.message.buttons
                  and p.message.buttons[0].action == "prompt.answer"][-1].message
        button = prompt.buttons[0]
        opened = await self._core("action", ActionRequest(self.actor(person), button.action, button.value), person)
        form, self.sources = opened.open_form, self.sources + 1
        fields = {"answer": text, "visibility": "circle" if shared else "private"}
        await self._core("form", FormRequest(self.actor(person), form.action, form.value, fields,
                                             f"form-{self.sources}"), person)

    async def tick(self, at):
        await self.app.tick(at)
        await self.app.dispatcher.drain(self.app.clock.now)

    def _sent(self) -> list[Seen]:
        seen = []
        for p in self.platform.posted:
            to = p.target.user_id.capitalize() if p.target.conversation == "dm" else CHANNEL
            seen += _from_message(to, p.message)
        return seen + self.answers

    def dms(self, person):
        return [s for s in self._sent() if s.to == person]

    def channel_posts(self):
        return [s for s in self._sent() if s.to == CHANNEL]


class ConsoleDriver(Driver):
    """The console package: a ConsoleSession fed lines, its ConsolePlatform printing to a buffer that
    is parsed back, as a person reading the terminal would."""

    name = "console"

    async def open(self, settings, engine, start):
        self.app = build(settings, clock=ManualClock(start), platform_names=[], engine=engine)
        self.out = io.StringIO()
        self.platform = ConsolePlatform(self.app, out=self.out)
        self.app.add_platform(self.platform)
        self.session = ConsoleSession(self.app, self.platform, lines=[])
        # The console shows labels only; read them back to the core's actions with the core's own table.
        self.meaning = {b.label: b.action for b in prompt_buttons(settings.default_language, 0)}

    async def type(self, *lines: str) -> None:
        for line in lines:
            assert await self.session.handle(line), line

    async def new_circle(self, mentor, members, circle):
        await self.type(f"/as {mentor}", "/in #learners", f"/circle new {circle} " + " ".join(f"@{m}" for m in members))

    async def prompt_now(self, mentor):
        await self.type(f"/as {mentor}", "/in #learners", "/circle prompt now")

    async def answer(self, person, text, shared):
        prompt = [s for s in self.dms(person) if "prompt.answer" in s.actions][-1]
        number = prompt.actions.index("prompt.answer") + 1
        await self.type(f"/as {person}", "/dm", str(number), text, "1" if shared else "2")  # 1 share, 2 private

    async def tick(self, at):
        await self.type(f"/tick {at.isoformat()}")

    def _printed(self) -> list[Seen]:
        """`--- <where>` then indented lines; a `:::` note or anything unindented ends a message."""
        seen, current = [], None
        for line in self.out.getvalue().splitlines() + [""]:
            if current is not None and line.startswith("    "):
                current[1].append(line[4:])
                continue
            if current is not None and current[0] is not None:
                seen.append(self._seen(*current))
            current = (self._where(line[4:]), []) if line.startswith("--- ") else None
        return seen

    @staticmethod
    def _where(title: str) -> tuple[str, bool] | None:
        if title.endswith("(updated)"):
            return None  # a message changed in place, not a new one
        if m := re.fullmatch(r"only (.+) sees", title):
            return m.group(1), False
        if m := re.fullmatch(r"DM → (.+?)(?:  \[m\d+\])?( \(↳ m\d+\))?", title):
            return m.group(1), bool(m.group(2))
        if m := re.fullmatch(r"#\S+(?:  \[m\d+\])?( \(↳ m\d+\))?", title):
            return CHANNEL, bool(m.group(1))
        raise AssertionError(f"unknown console title {title!r}")

    def _seen(self, where: tuple[str, bool], lines: list[str]) -> Seen:
        labels: tuple[str, ...] = ()
        if lines and re.match(r"\[\d+\] ", lines[-1]):
            labels = tuple(re.findall(r"\[\d+\] (.+?)(?=  \[\d+\] |$)", lines[-1]))
        return Seen(where[0], "\n".join(lines), labels, tuple(self.meaning.get(label, "") for label in labels),
                    where[1])

    def dms(self, person):
        return [s for s in self._printed() if s.to == person]

    def channel_posts(self):
        return [s for s in self._printed() if s.to == CHANNEL]


class SlackDriver(Driver):
    """The real bolt app behind signed HTTP requests, against the local Slack Web API."""

    name = "slack"
    channel = "CLEARN"

    async def open(self, settings, engine, start):
        self.world, self.api = await open_world(settings, engine, start)

    def uid(self, name: str) -> str:
        uid = "U" + name.upper()
        if uid not in self.api.users:
            self.api.add_user(uid, name)
        return uid

    async def close(self):
        await close_world(self.world)

    async def _command(self, name: str, text: str) -> None:
        reply = await self.world.command(self.uid(name), text, channel=self.channel)
        assert reply.status == 200, reply.body
        await self.world.drain()

    async def new_circle(self, mentor, members, circle):
        await self._command(mentor, f"new {circle} " + " ".join(f"<@{self.uid(m)}|{m.lower()}>" for m in members))

    async def prompt_now(self, mentor):
        await self._command(mentor, "prompt now")

    async def answer(self, person, text, shared):
        uid = self.uid(person)
        await self.world.press(uid, self.world.prompts(uid)[-1], "prompt.answer")
        opened = [c for c in self.api.of("views.open") if c.result.get("ok")]
        reply = await self.world.submit(uid, opened[-1], text, "circle" if shared else "private")
        assert reply.status == 200 and reply.body == "", reply.body  # the modal closed: accepted
        await self.world.drain()

    async def tick(self, at):
        await self.world.tick(at)

    @staticmethod
    def _seen(to: str, call: SlackCall) -> Seen:
        buttons = [e for b in call.blocks() if b.get("type") == "actions" for e in b["elements"]]
        return Seen(to, call.text, tuple(e["text"]["text"] for e in buttons),
                    tuple(e["action_id"].split(":")[1] for e in buttons), bool(call.params.get("thread_ts")))

    def dms(self, person):
        uid = self.uid(person)  # the outbox posts to the user id, answers go to the DM channel
        return [self._seen(person, c) for c in self.api.posts() if c.params.get("channel") in (uid, "D" + uid)]

    def channel_posts(self):
        return [self._seen(CHANNEL, c) for c in self.api.posts(self.channel)]

    def check_wire(self):
        assert_all_sent_valid(self.api.calls)  # Block Kit, Slack's limits, no live mentions


class TeamsDriver(Driver):
    """Activities into the real /api/messages route; what the bot sends lands in the local connector."""

    name = "teams"

    async def open(self, settings, engine, start):
        self.world = TeamsWorld(settings, engine, start)
        await self.world.__aenter__()

    async def close(self):
        await self.world.__aexit__(None, None, None)

    @staticmethod
    def user(name: str) -> User:
        return User(name)

    async def new_circle(self, mentor, members, circle):
        await self.world.command(self.user(mentor), f"new {circle}", people=[self.user(m) for m in members])

    async def prompt_now(self, mentor):
        await self.world.command(self.user(mentor), "prompt now")

    async def answer(self, person, text, shared):
        card = [c for c in self.world.inbox(self.user(person)) if "prompt.answer" in self._seen(person, c).actions][-1]
        label = next(a["title"] for a in card.card["actions"] if a["data"]["kipina"] == "prompt.answer")
        await self.world.submit(self.user(person), card, label, answer=text,
                                visibility="circle" if shared else "private")

    async def tick(self, at):
        await self.world.tick(at)

    @staticmethod
    def _seen(to: str, call) -> Seen:
        actions = (call.card or {}).get("actions") or []
        return Seen(to, call.text, tuple(a.get("title", "") for a in actions),
                    tuple((a.get("data") or {}).get("kipina", "") for a in actions),
                    ";messageid=" in call.conversation_id)

    def dms(self, person):
        return [self._seen(person, c) for c in self.world.inbox(self.user(person))]

    def channel_posts(self):
        return [self._seen(CHANNEL, c) for c in self.world.connector.posted
                if c.conversation_id.split(";")[0] == TEAMS_CHANNEL]

    def check_wire(self):
        sent = [c for c in self.world.connector.calls if c.kind != "create"]
        assert sent
        for call in sent:
            check_activity(call.body)  # Bot Framework Activity and Adaptive Card 1.5 schemas


DRIVERS = {d.name: d for d in (RecordingDriver, ConsoleDriver, SlackDriver, TeamsDriver)}
