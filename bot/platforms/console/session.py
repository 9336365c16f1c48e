"""The console: a real platform in the terminal, for local use, demos and scripted tests.

Lines come from the terminal or a pipe. `/as <name> [fi|sv|en]` picks who speaks, `/in #channel`
and `/dm` pick where, `/circle …` runs a command, a number presses a button, a plain line
answers your open prompt, `/tick <ISO time>` runs the clock at that moment.
"""
from __future__ import annotations

import asyncio
import re
import sys
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.common.i18n import t
from bot.platforms.console.platform import WORKSPACE, ConsolePlatform, user_id
from bot.ports import ActionRequest, Actor, CommandRequest, Form, FormRequest, MessageRequest, Place, Response, Runtime

MENTION = re.compile(r"(?<![\w<])@([\w.\-]+)")


async def chat(runtime: Runtime, platform: ConsolePlatform, interactive: bool) -> None:
    """Read the terminal (or a pipe) until it ends."""
    await ConsoleSession(runtime, platform).run(interactive=interactive)


class ConsoleSession:
    """Reads lines and turns them into requests on behalf of whoever is speaking."""

    def __init__(self, runtime: Runtime, platform: ConsolePlatform, lines=None):
        self.runtime, self.platform, self.view = runtime, platform, platform.view
        self.lines = lines if lines is not None else sys.stdin
        self.speaker = "Mentor"
        self.locales: dict[str, str] = {}
        self.place = Place()
        self.form: tuple[str, Form, dict, int] | None = None  # (speaker, form, answers so far, next field)

    def actor(self) -> Actor:
        uid = user_id(self.speaker)
        self.platform.names[uid] = self.speaker
        return Actor("console", WORKSPACE, uid, self.speaker, locale=self.locales.get(uid),
                     address={"user": uid})

    async def run(self, interactive: bool = False) -> None:
        ticker = asyncio.create_task(self._ticker()) if interactive else None
        try:
            while True:
                if interactive:
                    self.view.prompt(self.speaker, self.place.name or "DM")
                line = await asyncio.to_thread(self.lines.readline)
                if not line:
                    break
                if not await self.handle(line.rstrip("\n")):
                    break
        finally:
            if ticker:
                ticker.cancel()

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(60)
            await self.runtime.tick()
            await self.drain()

    async def drain(self) -> None:
        await self.runtime.drain()

    async def handle(self, line: str) -> bool:
        """One line of input; False ends the session."""
        text = line.strip()
        if self.form is not None and self.form[0] == self.speaker and not text.startswith("/"):
            await self._form_field(text)
        elif not text or text.startswith("#"):
            return True
        elif text in ("/quit", "/exit"):
            return False
        elif text == "/help":
            self.view.note(self.t("console.help", prefix=self._prefix()))
        elif text.startswith("/as "):
            self._as(text[4:].split())
        elif text.startswith("/in "):
            channel = text[4:].strip().lstrip("#").lower() or "general"
            self.place = Place(channel_id=channel, is_direct=False, address={"channel": channel}, name=f"#{channel}")
        elif text == "/dm":
            self.place = Place()
        elif text.startswith("/tick"):
            await self._tick(text[5:].strip())
        elif text.startswith("/reply "):
            await self._thread_reply(text[7:])
        elif text.split()[0].lower() in ("/circle", "/piiri", "/cirkel"):
            body = MENTION.sub(self._mention, text.split(" ", 1)[1] if " " in text else "")
            # People the console has met come with their language, as Slack and Teams profiles do.
            mentioned = tuple(Actor("console", WORKSPACE, uid, self.platform.names[uid], locale=self.locales.get(uid),
                                    address={"user": uid}) for uid in re.findall(r"<@([^|>]+)\|", body))
            request = CommandRequest(self.actor(), body, self.place, people=mentioned, prefix=text.split()[0])
            await self._respond(await self.runtime.handle(request))
        elif text.isdigit() and user_id(self.speaker) in self.platform.buttons:
            await self._press(int(text))
        elif text.startswith("/"):  # a mistyped console command is never anyone's answer
            self.view.note(self.t("console.unknown", word=text.split()[0][:40], prefix=self._prefix()))
        elif text.isdigit():
            self.view.note(self.t("console.no_buttons"))
        elif not self.place.is_direct:  # prompts are answered in direct messages only
            self.view.note(self.t("console.in_channel", place=self.place.name))
        else:
            request = MessageRequest(self.actor(), text, f"console:{uuid.uuid4().hex}", Place())
            await self._respond(await self.runtime.handle(request))
        await self.drain()
        return True

    def t(self, key: str, **params) -> str:
        """A console note in the speaker's language (their /as locale, else the organisation's)."""
        return t(self.locales.get(user_id(self.speaker)) or self.runtime.default_language, key, **params)

    def _prefix(self) -> str:
        """The speaker's own command word, as every reply spells it: /piiri, /cirkel or /circle."""
        return "/" + self.t("chat.command_word")

    def _mention(self, match: re.Match) -> str:
        """`@Ann` names a console person; they are created on first use, like a new colleague."""
        name = match.group(1)
        self.platform.names.setdefault(user_id(name), name)
        return f"<@{user_id(name)}|{name}>"

    def _as(self, words: list[str]) -> None:
        if not words:
            self.view.note("usage: /as <name> [fi|sv|en]")
            return
        self.speaker = words[0].lstrip("@")
        if len(words) > 1 and words[1].lower() in ("fi", "sv", "en"):
            self.locales[user_id(self.speaker)] = words[1].lower()
        self.actor()

    async def _tick(self, raw: str) -> None:
        try:
            at = datetime.fromisoformat(raw) if raw else self.runtime.now()
        except ValueError:
            self.view.note("usage: /tick 2026-12-03T14:00 (ISO time; without a zone it is the organisation's)")
            return
        if at.tzinfo is None:
            at = at.replace(tzinfo=ZoneInfo(self.runtime.timezone))
        report = await self.runtime.tick(at)
        self.view.note(self.t("console.tick", at=at.isoformat(timespec="minutes"), runs=report["runs"],
                              reminders=report["reminders"], recaps=report["recaps"],
                              pair_rounds=report.get("pair_rounds", 0), pair_checkins=report.get("pair_checkins", 0)))

    async def _thread_reply(self, rest: str) -> None:
        mid, _, text = rest.partition(" ")
        channel = self.platform.posts.get(mid)
        if channel is None or not text.strip():
            self.view.note("usage: /reply <message id of a channel post> <text>")
            return
        place = Place(channel_id=channel, is_direct=False, name=f"#{channel}")
        request = MessageRequest(self.actor(), text, f"console:{uuid.uuid4().hex}", place, thread_of=mid)
        await self.runtime.handle(request)
        self.view.note(f"{self.speaker} ↳ {mid}")

    async def _press(self, number: int) -> None:
        buttons = self.platform.buttons[user_id(self.speaker)]
        if not 1 <= number <= len(buttons):
            self.view.note(self.t("console.choose", last=len(buttons)))
            return
        button = buttons[number - 1]
        request = ActionRequest(self.actor(), button.action, button.value, self.place)
        await self._respond(await self.runtime.handle(request))

    async def _respond(self, response: Response | None) -> None:
        if response is None:
            return
        uid = user_id(self.speaker)
        if response.replace_source is not None:
            self.view.show(f"DM → {self.speaker} {self.t('console.updated')}", response.replace_source, None)
            self.platform.buttons[uid] = response.replace_source.buttons
            if not response.replace_source.buttons:
                self.platform.buttons.pop(uid, None)
        for msg in response.to_caller:
            self.view.show(self.t("console.only_sees", name=self.speaker), msg, None)
            if msg.buttons:
                self.platform.buttons[uid] = msg.buttons
        for msg in response.to_channel:
            self.view.show(self.place.name or f"DM → {self.speaker}", msg, None)
        if response.open_form is not None:
            self.form = (self.speaker, response.open_form, {}, 0)
            self.view.form_intro(response.open_form)
            self.view.ask(response.open_form.fields[0], self.t)

    async def _form_field(self, text: str) -> None:
        speaker, form, answers, index = self.form
        field = form.fields[index]
        if field.kind == "choice":
            values = [c.value for c in field.choices]
            if text.isdigit() and 1 <= int(text) <= len(values):
                text = values[int(text) - 1]
            elif not text and field.initial:
                text = field.initial
            elif text not in values:
                self.view.note(self.t("console.choose", last=len(values)))
                self.view.ask(field, self.t)
                return
        answers[field.name] = text
        if index + 1 < len(form.fields):
            self.form = (speaker, form, answers, index + 1)
            self.view.ask(form.fields[index + 1], self.t)
            return
        self.form = None
        request = FormRequest(self.actor(), form.action, form.value, answers, f"console-form:{uuid.uuid4().hex}")
        await self._respond(await self.runtime.handle(request))
