"""A core Response shown in Slack, where the request came from.

to_caller: in the person's DM with the bot as normal messages, elsewhere ephemeral (response_url,
else chat.postEphemeral). to_channel: chat.postMessage where the command was given.
replace_source: chat.update of the message the button was on (response_url for ephemeral ones).
open_form: a modal (views.open) that remembers which DM message to update after submission.
"""
from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.common.i18n import language_of, t
from bot.platforms.plumbing import once_more
from bot.ports import (Attachment, Form, Message, PermanentFailure, RateLimited, Response, SendError, file_as_text,
                       message)
from bot.platforms.slack.blocks import form_view, message_parts
from bot.platforms.slack.inbound import Origin, is_direct

log = logging.getLogger("kipina.slack")

RESPONSE_URL_USES = 5  # Slack accepts five responses per response_url


class Responses:
    def __init__(self, platform):
        self.platform = platform

    def text(self, origin: Origin, key: str, **params) -> str:
        """A platform-level notice in the person's language as far as Slack told us."""
        actor = self.platform.people.actor(origin.team, origin.user)
        return t(language_of(actor.locale) or self.platform.runtime.default_language, key, **params)

    async def deliver(self, response: Response | None, origin: Origin) -> None:
        """Show a Response: the caller's part, the channel's part, a replaced message, a form."""
        if response is None:
            return
        steps = []
        if response.replace_source is not None and not origin.home:
            steps.append(lambda: self.replace(response.replace_source, origin))
        if response.open_form is not None:
            steps.append(lambda: self.open_form(response.open_form, origin))
        if response.to_caller:
            parts = message_parts(response.to_caller, files_as_text=False)
            steps.append(lambda: self.to_caller(parts, origin))
            for file in (m.attachment for m in response.to_caller if m.attachment is not None):
                steps.append(lambda file=file: self.file_to_caller(file, origin))
        if response.to_channel:
            steps.append(lambda: self.to_channel(response.to_channel, origin))
        for step in steps:  # one failed step must not hide the others
            await once_more(step, f"a reply to {origin.user}")

    async def respond(self, origin: Origin, part: dict, **options) -> bool:
        if not origin.response_url:
            return False
        client = AsyncWebhookClient(origin.response_url, timeout=10, session=self.platform.client.session)
        try:
            result = await client.send(text=part["text"], blocks=part["blocks"], **options)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            log.warning("response_url failed: %s", type(error).__name__)
            return False
        if result.status_code != 200:
            log.warning("response_url answered %s", result.status_code)
        return result.status_code == 200

    async def replace(self, message: Message, origin: Origin) -> None:
        part = message_parts(message)[0]
        if origin.ephemeral or not (origin.channel and origin.message_ts):
            await self.respond(origin, part, replace_original=True)
            return
        await self.platform.call("chat.update", channel=origin.channel, ts=origin.message_ts, text=part["text"],
                                 blocks=part["blocks"])

    async def open_form(self, form: Form, origin: Origin) -> None:
        metadata = {"a": form.action, "v": form.value, "c": origin.channel, "ts": origin.message_ts}
        if origin.ephemeral:
            metadata.update(e=1, r=origin.response_url)
        try:
            await self.platform.call("views.open", trigger_id=origin.trigger_id, view=form_view(form, metadata))
        except SendError as error:
            # Slack's trigger lives three seconds; when we were slower, ask for another click.
            log.info("views.open failed: %s", error)
            await self.to_caller(message_parts(message(self.text(origin, "slack.try_again"))), origin)

    async def to_caller(self, parts: list[dict], origin: Origin) -> None:
        if origin.bot_dm and origin.channel:
            for part in parts:
                await self.platform.post(origin.channel, part, thread_ts=origin.thread_ts, direct=True)
            return
        used = 0
        for part in parts:
            if used < RESPONSE_URL_USES and await self.respond(origin, part, response_type="ephemeral",
                                                               replace_original=False):
                used += 1
            elif origin.channel and not origin.response_url and not is_direct(origin.channel):
                await self.platform.call("chat.postEphemeral", channel=origin.channel, user=origin.user,
                                         text=part["text"], blocks=part["blocks"])
            else:  # what doesn't fit a response_url goes to the person's DM with the bot
                await self.platform.post(origin.user, part, direct=True)

    async def file_to_caller(self, file: Attachment, origin: Origin) -> None:
        """A file for the caller alone: in their DM with the bot, as an ephemeral message takes no
        files. If it cannot be uploaded, a text file comes as text where the answer went."""
        try:
            channel = origin.channel if origin.bot_dm and origin.channel else \
                str(((await self.platform.call("conversations.open", users=origin.user)).get("channel") or {}).get("id") or "")
            if not channel:
                raise PermanentFailure("conversations.open gave no channel")
            await self.platform.upload(channel, file)
        except RateLimited:
            raise  # waited out and tried again by plumbing.once_more
        except SendError as error:
            log.warning("file %s not uploaded for the caller: %s", file.filename, error)
            spelled = file_as_text(file)
            if spelled:
                await self.to_caller(message_parts(spelled), origin)
            return
        if not origin.bot_dm:
            await self.to_caller(message_parts(message(self.text(origin, "slack.file_in_dm", name=file.filename))),
                                 origin)

    async def to_channel(self, messages: list[Message], origin: Origin) -> None:
        if not origin.channel or is_direct(origin.channel):
            await self.to_caller(message_parts(messages), origin)
            return
        for part in message_parts(messages):
            try:
                await self.platform.post(origin.channel, part)
            except PermanentFailure as error:
                log.info("could not post in %s: %s", origin.channel, error)
                await self.to_caller(message_parts(message(self.text(origin, "slack.invite_me"))), origin)
                return
