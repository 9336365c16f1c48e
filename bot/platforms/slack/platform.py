"""Slack: the platform port on slack-bolt's AsyncApp.

Requests arrive over HTTP at POST /slack/events (signature checked by bolt) or, when
SLACK_APP_TOKEN is set, over Socket Mode. The outbox is sent with chat.postMessage (a group's
conversation opened first with conversations.open, e.g. a learning-coffee pair); Slack's
answers are translated into what the dispatcher understands (RateLimited, TemporaryFailure,
PermanentFailure, Unreachable) instead of sleeping inside the client.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.models.metadata import Metadata
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.plumbing import Background, paced, reshape, retry_after
from bot.platforms.slack.settings import SlackSettings
from bot.ports import (Attachment, ConfigError, Limits, Message, PermanentFailure, Platform, RateLimited, Runtime,
                       SendError, Sent, Target, TemporaryFailure, Unanswered, Unreachable, file_as_text)
from bot.platforms.slack.blocks import message_parts
from bot.platforms.slack.people import Profiles
from bot.platforms.slack.shapes import IGNORE, MALFORMED, verdict
from bot.platforms.slack.signing import signed, unreadable

log = logging.getLogger("kipina.slack")

TEMPORARY = {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org"}
# A DM that cannot be opened: the person is gone, hidden from the app, or a bot.
UNREACHABLE = {"channel_not_found", "user_not_found", "cannot_dm_bot", "user_not_visible", "users_not_found"}
AUTH = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission",
        "missing_scope", "not_allowed_token_type"}
MORE_TRIES = 3  # continuation posts of one message are retried in place, never re-sending the first
CALL_TIMEOUT = 15.0  # seconds for any Web API call (and response_url), connecting included
DELIVERY_EVENT = "kipina_delivery"  # the message metadata a post carries: its outbox row's key
LOOK_BACK = 120.0  # seconds before a row was due that its post is looked for (hosts' clocks differ)
HISTORY_PAGES = 3  # pages of conversations.history read when looking a post up


def translate(method: str, error: SlackApiError, direct: bool = False) -> SendError:
    """Slack's error → what the dispatcher should do about it."""
    response = error.response
    # an unreadable body leaves aiohttp's own response here, which calls its code `status`
    status = getattr(response, "status_code", None) or getattr(response, "status", None) or 200
    data = getattr(response, "data", None)
    code = data.get("error", "") if isinstance(data, dict) else ""
    if status == 429 or code in ("ratelimited", "rate_limited"):
        wait = retry_after(getattr(response, "headers", None), default=1.0)
        # Our own pacing keeps each channel within 1/s, so a 429 means the method's
        # workspace-wide limit: hold every send for Retry-After, not only this channel's.
        return RateLimited(wait, whole_workspace=True, detail=f"slack {method}: rate limited for {wait:g}s",
                           code=code, status=status)
    detail = f"slack {method}: {code or f'HTTP {status}'}"
    if status >= 500 or code in TEMPORARY:
        return TemporaryFailure(detail, code=code, status=status)
    if direct and code in UNREACHABLE:
        return Unreachable(detail, code=code, status=status)
    if code in AUTH:
        log.error("Slack refused the bot token (%s): check SLACK_BOT_TOKEN and the app's scopes", code)
    return PermanentFailure(detail, code=code, status=status)


class SlackPlatform(Platform):
    name = "slack"
    # chat.postMessage allows about one message per second per channel (short bursts tolerated)
    # and a workspace-wide cap Slack puts at "several hundred messages per minute". The default
    # 8/s (480 a minute, SLACK_MESSAGES_PER_SECOND) stays under that with room for interactive
    # replies, which are not paced here. Concurrency covers the latency at that rate.
    limits = Limits(per_target_rate=1.0, per_target_burst=2, global_rate=8.0, global_burst=1, concurrency=32)

    def __init__(self, runtime: Runtime, settings: SlackSettings):
        from bot.platforms.slack.handlers import register

        self.runtime, self.settings = runtime, settings
        self.limits = paced(self.limits, settings.messages_per_second)
        self.bolt = AsyncApp(token=settings.bot_token, signing_secret=settings.signing_secret,
                             logger=logging.getLogger("slack_bolt.kipina"))
        # bolt's own client (every request's client copies it): our API URL, a short time-out, and
        # no retry handlers, so that a 429 goes back to the dispatcher's pacer instead of sleeping here.
        # The time-out that counts is the session's (start()): slack_sdk ignores its own with a session.
        self.client: AsyncWebClient = self.bolt.client
        self.client.base_url = settings.api_url
        self.client.timeout = int(CALL_TIMEOUT)
        self.client.retry_handlers = []
        self.verifier = SignatureVerifier(settings.signing_secret) if settings.signing_secret else None
        self.people = Profiles(runtime, self.client)
        self.background = Background("Slack")
        self.socket = None
        self.bolt.use(self.guard)
        self.handlers = register(self)

    # -- transport ---------------------------------------------------------------------------

    def add_routes(self, web_app) -> None:
        if self.settings.signing_secret:
            web_app.router.add_post("/slack/events", self.http)
        if self.settings.app_token:
            # Socket Mode belongs to the process that serves requests, not to clock or worker.
            web_app.on_startup.append(lambda _: self.connect_socket())
            web_app.on_cleanup.append(lambda _: self.close_socket())

    @staticmethod
    async def guard(body, next):
        """Payloads of a shape the handlers can't read are refused before they reach them; valid
        ones Kipinä does not act on get a quiet 200 (a 404 would make Slack retry them)."""
        found = verdict(body)
        if found == MALFORMED:
            log.warning("malformed Slack payload refused")
            return BoltResponse(status=400, body="malformed payload")
        if found == IGNORE:
            return BoltResponse(status=200, body={"options": []} if body.get("type") == "block_suggestion" else "")
        await next()

    async def http(self, request: web.Request) -> web.Response:
        # Checked here too, before anything is parsed: bolt parses the body first, and junk
        # from anyone must get a 4xx, not a stack trace.
        try:
            body = await request.read()
        except web.RequestPayloadError:  # e.g. Content-Encoding: gzip on a body that is not
            return unreadable(request)
        if not signed(self.verifier, body, request.headers):
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            response = await self.bolt.async_dispatch(await to_bolt_request(request))
        except Exception as error:  # a signed but malformed payload makes bolt's parsers raise
            log.warning("malformed Slack request: %s", type(error).__name__)
            response = None
        if response is None or response.status >= 500:
            # bolt answers 500 when a payload lacks what its parsers expect; that is bad input
            return web.json_response({"error": "malformed request"}, status=400)
        return await to_aiohttp_response(response)

    async def connect_socket(self) -> None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        token = self.settings.app_token
        try:
            # The SDK retries a refused token forever; ask once ourselves so a wrong one stops the start.
            await self.client.apps_connections_open(app_token=token)
        except SlackApiError as error:
            data = error.response.data
            code = data.get("error") if isinstance(data, dict) else error.response.status_code
            if code != "ratelimited":
                raise ConfigError(f"Slack refused SLACK_APP_TOKEN for Socket Mode ({code}); it needs an app-level "
                                  "token (xapp-…) with the connections:write scope") from None
        self.socket = AsyncSocketModeHandler(self.bolt, app_token=token, web_client=self.client)
        await self.socket.connect_async()
        log.info("Slack Socket Mode connected")

    async def close_socket(self) -> None:
        if self.socket is not None:
            await self.socket.close_async()
            self.socket = None

    async def start(self) -> None:
        if self.client.session is None or self.client.session.closed:
            self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CALL_TIMEOUT))

    async def stop(self) -> None:
        await self.idle(timeout=10)
        if self.client.session is not None and not self.client.session.closed:
            await self.client.session.close()
        self.client.session = None

    def spawn(self, work) -> asyncio.Task:
        return self.background.spawn(work)

    async def idle(self, timeout: float = 30) -> None:
        await self.background.idle(timeout)

    # -- outbound ----------------------------------------------------------------------------

    def pace_key(self, target: Target) -> str:
        return target.channel_id or target.user_id or ",".join(target.user_ids)

    async def call(self, method: str, direct: bool = False, **kwargs) -> dict:
        try:
            response = await getattr(self.client, method.replace(".", "_"))(**kwargs)
        except SlackApiError as error:
            raise translate(method, error, direct) from None
        except (asyncio.TimeoutError, aiohttp.ServerDisconnectedError) as error:  # it may have arrived
            raise Unanswered(f"slack {method}: {type(error).__name__}") from None
        except (aiohttp.ClientError, OSError, SlackRequestError) as error:
            raise TemporaryFailure(f"slack {method}: {type(error).__name__}") from None
        return response.data if isinstance(response.data, dict) else {}

    async def post(self, channel: str, part: dict, thread_ts: str | None = None, direct: bool = False,
                   key: str = "") -> dict:
        """chat.postMessage; in a channel the bot has not joined, join it (public channels) and try
        again. A post for an outbox row carries the row's key as message metadata (find_sent)."""
        kwargs = {"channel": channel, "text": part["text"], "blocks": part["blocks"], "unfurl_links": False,
                  "unfurl_media": False, "parse": "none"}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        if key:
            kwargs["metadata"] = Metadata(event_type=DELIVERY_EVENT, event_payload={"key": key})
        try:
            return await self.call("chat.postMessage", direct=direct, **kwargs)
        except PermanentFailure as failure:
            if direct or failure.code != "not_in_channel":
                raise
        await self.call("conversations.join", channel=channel)
        return await self.call("chat.postMessage", **kwargs)

    async def _post_more(self, channel: str, part: dict, thread_ts: str) -> str | None:
        """A continuation of a message already posted, its ts: retried in place, dropped (logged,
        None) if it won't go."""
        for attempt in range(MORE_TRIES):
            try:
                return (await self.post(channel, part, thread_ts=thread_ts)).get("ts")
            except RateLimited as limited:
                await asyncio.sleep(min(limited.retry_after, 30))
            except TemporaryFailure:
                await asyncio.sleep(2 ** attempt)
            except PermanentFailure as failure:
                log.warning("continuation of a message in %s not posted: %s", channel, failure)
                return None
        log.warning("continuation of a message in %s not posted after %d tries", channel, MORE_TRIES)
        return None

    async def upkeep(self) -> None:
        """Daily: bring everyone's profile up to date with one users.list sweep, so deactivated
        people and bots are never nudged and rhythm and language follow profile changes."""
        changed = await self.people.sweep()
        log.info("Slack directory sweep: %d people changed", changed)

    async def send(self, target: Target, message: Message, key: str = "") -> Sent:
        # No profile look-up per message: that would cost a users.info call per person in a
        # fan-out. Profiles come from interactions and the daily sweep; the core cancels DMs to
        # deactivated people and bots, and Slack's own answer covers the rest (Unreachable).
        direct = target.conversation in ("dm", "group")
        # posting to a user id lands in the app's DM with them
        channel = target.user_id if target.conversation == "dm" else await self._conversation(target)
        if not channel:
            raise PermanentFailure("slack: no channel or user to post to")
        parts = message_parts(message, files_as_text=False)
        first = await self.post(channel, parts[0], direct=direct, key=key)
        ts, where = first.get("ts"), first.get("channel") or channel
        more = [await self._post_more(where, part, thread_ts=ts) for part in parts[1:]]
        for part in message_parts(message.follow_up) if message.follow_up is not None else []:
            await self._post_more(where, part, thread_ts=ts)
        if message.attachment is not None:
            await self.attach(where, message.attachment, thread_ts=ts)
        return Sent(message_id=ts, channel_id=where, more=tuple(m for m in more if m))

    async def _conversation(self, target: Target) -> str:
        """The conversation a target's posts go to: a channel, a person's DM with the app, or a group
        DM with these people (conversations.open gives the same one every time)."""
        if target.conversation == "channel":
            channel = target.channel_id
        else:
            users = target.user_ids if target.conversation == "group" else (target.user_id,)
            opened = await self.call("conversations.open", direct=True, users=",".join(u for u in users if u))
            channel = str((opened.get("channel") or {}).get("id") or "")
        if not channel:
            raise PermanentFailure("slack: no channel or user to post to")
        return channel

    async def find_sent(self, target: Target, key: str, since) -> Sent | None:
        """The post carrying this outbox row's key in its metadata, from the conversation's history
        since a little before the row was due. Slack's answer that we may not read it (an app
        installed before the history scopes) means we cannot tell: None, and it is sent again."""
        try:
            channel = await self._conversation(target)
            cursor = None
            for _ in range(HISTORY_PAGES):
                answer = await self.call("conversations.history", channel=channel, include_all_metadata=True,
                                         oldest=f"{since.timestamp() - LOOK_BACK:.6f}", limit=100, cursor=cursor)
                for posted in answer.get("messages") or []:
                    meta = posted.get("metadata") or {}
                    if meta.get("event_type") == DELIVERY_EVENT and (meta.get("event_payload") or {}).get("key") == key:
                        return Sent(posted.get("ts"), channel)
                cursor = (answer.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return None
        except PermanentFailure as failure:  # rate limits, 5xx and time-outs: asked again later
            log.warning("could not look up whether a post arrived (%s); sending it again", failure.code or failure)
        return None

    async def update(self, target: Target, sent: Sent, message: Message) -> Sent:
        """chat.update of the post and of each post it continued in; continuations it needs no more
        are deleted (an answer taken back must not stay visible in the thread), new ones posted."""
        channel = sent.channel_id or target.channel_id
        parts = message_parts(replace(message, follow_up=None, attachment=None), files_as_text=False)
        await self.call("chat.update", channel=channel, ts=sent.message_id, text=parts[0]["text"],
                        blocks=parts[0]["blocks"])
        more = await reshape(
            sent.more, parts[1:],
            edit=lambda ts, part: self._unless_gone("chat.update", channel=channel, ts=ts, text=part["text"],
                                                    blocks=part["blocks"]),
            drop=lambda ts: self._unless_gone("chat.delete", channel=channel, ts=ts),
            add=lambda part: self._post_more(channel, part, thread_ts=sent.message_id))
        return Sent(sent.message_id, channel, more)

    async def _unless_gone(self, method: str, **kwargs) -> bool:
        """A call on a continuation post; False when that post no longer exists (someone deleted
        it, or an earlier try of this edit did): nothing left to change there."""
        try:
            await self.call(method, **kwargs)
        except PermanentFailure as failure:
            if failure.code != "message_not_found":
                raise
            return False
        return True

    async def upload(self, channel: str, file: Attachment) -> None:
        """A file into a conversation: files_upload_v2 gets an upload URL, sends the bytes, shares."""
        await self.call("files.upload_v2", channel=channel, content=file.content, filename=file.filename,
                        title=file.title or file.filename)

    async def attach(self, channel: str, file: Attachment, thread_ts: str) -> None:
        """The file of a message already posted; one that will not upload (no files:write scope,
        an outage) is spelled out in the message's thread instead, an image left out."""
        try:
            await self.upload(channel, file)
            return
        except SendError as error:
            log.warning("file %s not uploaded in %s: %s", file.filename, channel, error)
        spelled = file_as_text(file)
        for part in message_parts(spelled) if spelled else []:
            await self._post_more(channel, part, thread_ts=thread_ts)
