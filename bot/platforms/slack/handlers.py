"""What Kipinä answers in Slack: /circle, buttons, the answer modal, DMs and thread replies, App Home.

Slack gives three seconds for an ack. Commands, buttons and events are acked at once and
answered after; a modal submission gets ACK_BUDGET for the core to answer inside the ack (so an
error can show in the modal), else an empty ack and the answer later.
"""
from __future__ import annotations

import asyncio
import re
from collections import OrderedDict

from bot.platforms.plumbing import ask
from bot.ports import ActionRequest, CommandRequest, FormRequest, MessageRequest, Place, Response
from bot.platforms.slack.blocks import FORM_CALLBACK, home_view, parse_action_id, truncate
from bot.platforms.slack.inbound import (Origin, action_origin, command_origin, form_fields, form_metadata,
                                         is_person_message, mentioned_users, message_source, place_of,
                                         plain_text, view_origin)
from bot.platforms.slack.replies import Replies

ACK_BUDGET = 2.0  # seconds of Slack's three, leaving room for the network
SEEN_EVENTS = 10_000


def register(platform) -> "Handlers":
    handlers = Handlers(platform)
    bolt = platform.bolt
    bolt.command(re.compile(r"^/"))(handlers.command)
    bolt.action(re.compile(r".*"))(handlers.action)
    bolt.view_submission(FORM_CALLBACK)(handlers.submission)
    bolt.event("message")(handlers.message)
    bolt.event("app_home_opened")(handlers.home_opened)
    return handlers


class Handlers:
    def __init__(self, platform):
        self.platform = platform
        self.runtime = platform.runtime
        self.people = platform.people
        self.replies = Replies(platform)
        self.seen: OrderedDict[str, None] = OrderedDict()  # event ids handled by this process

    async def _core(self, method: str, request):
        return await ask(self.runtime, method, request)

    @staticmethod
    async def _in_time(task: asyncio.Task) -> bool:
        done, _ = await asyncio.wait({task}, timeout=ACK_BUDGET)
        return bool(done)

    async def _later(self, task: asyncio.Task, origin: Origin, refresh: list[str]) -> None:
        response = await task
        await self.replies.deliver(response, origin)
        await self.people.refresh(origin.team, self._unsettled(response, origin, refresh))

    def _unsettled(self, response: Response | None, origin: Origin, refresh: list[str]) -> list[str]:
        """Who still needs a profile look-up: not the caller if the database's copy is recent."""
        if response is not None and self.people.settled(response.profile_checked_at):
            return [user for user in refresh if user != origin.user]
        return refresh

    # -- /circle -----------------------------------------------------------------------------

    async def command(self, ack, body) -> None:
        # Acked at once, the answer follows through the command's response_url: Slack's three
        # seconds never depend on how busy the database is, and a web process under load still
        # answers Slack as fast as a bare bolt app (bench/latency.py).
        await ack()
        self.platform.spawn(self._command(body))

    async def _command(self, body: dict) -> None:
        # Someone this process has not looked up yet is named by their Slack handle until users.info
        # answers, right after. Buttons and messages pass no name, so a stored one stays.
        origin = command_origin(body)
        actor = self.people.actor(origin.team, origin.user, body.get("user_name", ""))
        raw = body.get("text") or ""
        request = CommandRequest(actor, plain_text(raw), place_of(body.get("channel_id"), body.get("channel_name")))
        await self._later(self.platform.spawn(self._core("command", request)), origin,
                          [origin.user, *mentioned_users(raw)])

    # -- buttons -----------------------------------------------------------------------------

    async def action(self, ack, body) -> None:
        await ack()
        self.platform.spawn(self._action(body))

    async def _action(self, body: dict) -> None:
        origin = action_origin(body)
        pressed = (body.get("actions") or [{}])[0]
        name = parse_action_id(pressed.get("action_id", ""))
        if name is None:
            return
        actor = self.people.actor(origin.team, origin.user)
        place = Place() if origin.home or origin.bot_dm else \
            place_of(origin.channel, (body.get("channel") or {}).get("name"))
        response = await self._core("action", ActionRequest(actor, name, pressed.get("value") or "", place))
        if origin.home:
            # The home tab shows the new state itself; only a form would still need opening.
            await self.replies.deliver(Response(open_form=response.open_form) if response else None, origin)
            await self.publish_home(origin.team, origin.user)
            return
        await self.replies.deliver(response, origin)
        await self.people.refresh(origin.team, [origin.user])

    # -- the answer modal --------------------------------------------------------------------

    async def submission(self, ack, body, view) -> None:
        metadata = form_metadata(view)
        origin = view_origin(body, metadata)
        fields = form_fields(view)
        actor = self.people.actor(origin.team, origin.user)
        request = FormRequest(actor, str(metadata.get("a", "")), str(metadata.get("v", "")), fields,
                              source_id=f"slack-view:{view.get('id', '')}:{view.get('hash', '')}")
        task = self.platform.spawn(self._core("form", request))
        if not await self._in_time(task):
            await ack()
            self.platform.spawn(self._later(task, origin, [origin.user]))
            return
        response = task.result()
        field = "answer" if "answer" in fields else next(iter(fields), None)
        if response.refused and response.to_caller and field:
            # Keep the modal open with the reason under the field, so nothing typed is lost.
            await ack(response_action="errors", errors={field: truncate(response.to_caller[0].plain_text, 300)})
            return
        await ack()
        self.platform.spawn(self._later(task, origin, [origin.user]))

    # -- events ------------------------------------------------------------------------------

    def _first_time(self, event_id: str | None) -> bool:
        """Slack redelivers an event it thinks we missed (X-Slack-Retry-Num); the database dedupes
        across processes, this spares the second answer within one."""
        if not event_id:
            return True
        if event_id in self.seen:
            return False
        self.seen[event_id] = None
        while len(self.seen) > SEEN_EVENTS:
            self.seen.popitem(last=False)
        return True

    async def message(self, body, event) -> None:
        if is_person_message(event) and self._first_time(body.get("event_id")):
            self.platform.spawn(self._message(body.get("team_id") or event.get("team") or "", event))

    async def _message(self, team: str, event: dict) -> None:
        user, channel, thread = event["user"], event.get("channel"), event.get("thread_ts")
        actor = self.people.actor(team, user)
        text = plain_text(event.get("text") or "")
        kind = event.get("channel_type")
        if kind == "im":
            request = MessageRequest(actor, text, message_source(event), Place(), thread_of=thread)
            response = await self._core("message", request)
            await self.replies.deliver(response, Origin(team, user, channel, bot_dm=True, thread_ts=thread))
        elif kind in ("channel", "group") and thread and thread != event.get("ts"):
            # A reply in a thread the bot started (coffee-room starter, recap): taking part.
            place = Place(channel_id=channel, is_direct=False, address={"channel": channel})
            await self._core("message", MessageRequest(actor, text, message_source(event), place, thread_of=thread))
        else:
            return
        await self.people.refresh(team, [user])

    async def home_opened(self, body, event) -> None:
        if event.get("tab") == "home" and event.get("user"):
            self.platform.spawn(self._home(body.get("team_id") or "", event["user"]))

    async def _home(self, team: str, user: str) -> None:
        await self.people.refresh(team, [user])
        await self.publish_home(team, user)

    async def publish_home(self, team: str, user: str) -> None:
        actor = self.people.actor(team, user)
        page = await asyncio.to_thread(self.runtime.core.home, actor, self.runtime.now())
        await self.platform.call("views.publish", user_id=user, view=home_view(page))
