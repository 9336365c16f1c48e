"""What Kipinä answers in Slack: /circle, buttons, the answer modal, DMs and thread replies, App Home.

Slack gives three seconds for an ack. Commands, buttons and events are acked at once and
answered after; a modal submission gets ACK_BUDGET for the core to answer inside the ack (so an
error can show in the modal), else an empty ack and the answer later. What one person does in one
conversation is queued in a lane before the ack and handled in the order it came (plumbing.Lanes).
"""
from __future__ import annotations

import asyncio
import re
from collections import OrderedDict

from bot.platforms.plumbing import Lanes
from bot.ports import (ActionRequest, CommandRequest, DeleteRequest, EditRequest, FormRequest, MessageRequest, Place,
                       Response)
from bot.platforms.slack.blocks import FORM_CALLBACK, home_view, parse_action_id, truncate
from bot.platforms.slack.inbound import (Origin, action_origin, command_origin, form_fields, form_metadata,
                                         REVISED_IN, is_person_message, mentioned_users, message_source, place_of,
                                         plain_text, revision, view_origin, with_files)
from bot.platforms.slack.responses import Responses

FIRST_LOOKUP = 1.5  # seconds a first-time speaker's answer may wait for users.info
FIRST_LOOKUPS = 20  # people looked up before an answer; more are looked up after it
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
        self.responses = Responses(platform)
        self.seen: OrderedDict[str, None] = OrderedDict()  # event ids handled by this process
        self.lanes = Lanes(platform.background)

    @staticmethod
    def lane(origin: Origin) -> tuple:
        """Whose requests must keep their order: one person in one conversation (the home tab is one)."""
        return ("slack", origin.team, origin.user, "home" if origin.home else origin.channel or "")

    @staticmethod
    async def _in_time(answered: asyncio.Future) -> Response | None:
        """The core's answer if it comes within ACK_BUDGET, else None."""
        done, _ = await asyncio.wait({answered}, timeout=ACK_BUDGET)
        return answered.result() if done else None

    async def _answer(self, response: Response | None, origin: Origin, refresh: list[str]) -> None:
        await self.responses.deliver(response, origin)
        self._refresh(origin.team, refresh)

    def _refresh(self, team: str, users: list[str]) -> None:
        """Profile look-ups after the answer, outside the lane: the next request need not wait for them."""
        if users:
            self.platform.spawn(self.people.refresh(team, users))

    # -- /circle -----------------------------------------------------------------------------

    async def command(self, ack, body) -> None:
        # Acked at once, the answer follows through the command's response_url: Slack's three
        # seconds never depend on how busy the database is, and a web process under load still
        # answers Slack as fast as a bare bolt app (bench/latency.py). Queued before the ack, so
        # a command sent once this one is acked is handled after it.
        self.lanes.add(self.lane(command_origin(body)), lambda: self._command(body))
        await ack()

    async def _command(self, body: dict) -> None:
        # Someone this process has not looked up yet is named by their Slack handle until users.info
        # answers, right after. Buttons and messages pass no name, so a stored one stays.
        origin = command_origin(body)
        raw = body.get("text") or ""
        await self._look_up_first(origin.team, [origin.user, *mentioned_users(raw)])
        actor = self.people.actor(origin.team, origin.user, body.get("user_name", ""))
        request = CommandRequest(actor, plain_text(raw), place_of(body.get("channel_id"), body.get("channel_name")),
                                 prefix=str(body.get("command") or ""))
        response = await self.runtime.handle(request)
        await self._answer(response, origin, [origin.user, *mentioned_users(raw)])

    async def _speaker(self, team: str, user: str, fallback_name: str = ""):
        """The speaker, looked up first when this process has not met them today."""
        await self._look_up_first(team, [user])
        return self.people.actor(team, user, fallback_name)

    async def _look_up_first(self, team: str, users: list[str]) -> None:
        """People nobody has looked up today (not this process, not the database) are asked about
        before the core answers, so that the very first answer, a new circle's announcement and
        the welcomes of the people it names are in their languages (a Finnish mentor's circle
        speaks Finnish at once). Bounded: FIRST_LOOKUP seconds, FIRST_LOOKUPS people."""
        todo = [user for user in dict.fromkeys(users)
                if not self.people.fresh(team, user) and not self.people.missed_lately(team, user)][:FIRST_LOOKUPS]
        known = await asyncio.gather(*(self.people.stored(team, user) for user in todo))
        missing = [user for user, stored in zip(todo, known) if not stored]
        if missing:
            try:
                await asyncio.wait_for(asyncio.gather(*(self.people.check(team, u) for u in missing)), FIRST_LOOKUP)
            except asyncio.TimeoutError:
                pass  # answer now in the default language; the profiles are stored when they arrive

    # -- buttons -----------------------------------------------------------------------------

    async def action(self, ack, body) -> None:
        self.lanes.add(self.lane(action_origin(body)), lambda: self._action(body))
        await ack()

    async def _action(self, body: dict) -> None:
        origin = action_origin(body)
        pressed = (body.get("actions") or [{}])[0]
        name = parse_action_id(pressed.get("action_id", ""))
        if name is None:
            return
        actor = self.people.actor(origin.team, origin.user)
        place = Place() if origin.home or origin.bot_dm else \
            place_of(origin.channel, (body.get("channel") or {}).get("name"))
        response = await self.runtime.handle(ActionRequest(actor, name, pressed.get("value") or "", place))
        if origin.home:
            # The home tab shows the new state itself; only a form would still need opening.
            await self.responses.deliver(Response(open_form=response.open_form) if response else None, origin)
            await self.publish_home(origin.team, origin.user)
            return
        await self.responses.deliver(response, origin)
        self._refresh(origin.team, [origin.user])

    # -- the answer modal --------------------------------------------------------------------

    async def submission(self, ack, body, view) -> None:
        metadata = form_metadata(view)
        origin = view_origin(body, metadata)
        fields = form_fields(view)
        actor = self.people.actor(origin.team, origin.user)
        request = FormRequest(actor, str(metadata.get("a", "")), str(metadata.get("v", "")), fields,
                              source_id=f"slack-view:{view.get('id', '')}:{view.get('hash', '')}")
        loop = asyncio.get_running_loop()
        answered, in_modal = loop.create_future(), loop.create_future()

        async def work() -> None:
            response = None
            try:
                response = await self.runtime.handle(request)
            finally:
                answered.set_result(response)  # None if the core failed: the modal just closes
            if not await self._shown_in_modal(in_modal):
                await self._answer(response, origin, [origin.user])

        # In the person's lane like everything else; the ack waits at most ACK_BUDGET for its turn
        # and the core's answer, so that a refusal can show in the modal.
        self.lanes.add(self.lane(origin), work)
        response = await self._in_time(answered)
        field = "answer" if "answer" in fields else next(iter(fields), None)
        refused = bool(response is not None and response.refused and response.to_caller and field)
        try:
            if refused:
                # Keep the modal open with the reason under the field, so nothing typed is lost.
                await ack(response_action="errors", errors={field: truncate(response.to_caller[0].plain_text, 300)})
            else:
                await ack()
        finally:
            in_modal.set_result(refused)

    @staticmethod
    async def _shown_in_modal(in_modal: asyncio.Future) -> bool:
        try:
            return await asyncio.wait_for(asyncio.shield(in_modal), ACK_BUDGET + 1)
        except asyncio.TimeoutError:
            return False

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
            team = body.get("team_id") or event.get("team") or ""
            self.lanes.add(self.lane(Origin(team, event["user"], event.get("channel"))),
                           lambda: self._message(team, event))
        elif event.get("channel_type") in REVISED_IN and self._first_time(body.get("event_id")):
            changed = revision(event)  # an edited or deleted message: a stored answer follows, quietly
            if changed is not None:
                team = body.get("team_id") or event.get("team") or ""
                self.lanes.add(self.lane(Origin(team, changed[0], event.get("channel"))),
                               lambda: self._revise(team, *changed))

    async def _revise(self, team: str, user: str, source: str, text: str | None) -> None:
        actor = self.people.actor(team, user)  # no look-up, nothing answered: someone unknown changes nothing
        if text is None:
            await self.runtime.handle(DeleteRequest(actor, source))
        else:
            await self.runtime.handle(EditRequest(actor, source, text))

    async def _message(self, team: str, event: dict) -> None:
        user, channel, thread = event["user"], event.get("channel"), event.get("thread_ts")
        actor = await self._speaker(team, user) if event.get("channel_type") == "im" else self.people.actor(team, user)
        text = with_files(plain_text(event.get("text") or ""), event.get("files"))
        kind = event.get("channel_type")
        if kind == "im":
            request = MessageRequest(actor, text, message_source(event), Place(), thread_of=thread)
            response = await self.runtime.handle(request)
            await self.responses.deliver(response, Origin(team, user, channel, bot_dm=True, thread_ts=thread))
        elif kind in ("channel", "group") and thread and thread != event.get("ts"):
            # A reply in a thread the bot started (coffee-room starter, recap): taking part.
            place = Place(channel_id=channel, is_direct=False, address={"channel": channel})
            await self.runtime.handle(MessageRequest(actor, text, message_source(event), place, thread_of=thread))
        else:
            return
        self._refresh(team, [user])

    async def home_opened(self, body, event) -> None:
        if event.get("tab") == "home" and event.get("user"):
            team = body.get("team_id") or ""
            self.lanes.add(self.lane(Origin(team, event["user"], home=True)), lambda: self._home(team, event["user"]))

    async def _home(self, team: str, user: str) -> None:
        await self.people.refresh(team, [user])
        await self.publish_home(team, user)

    async def publish_home(self, team: str, user: str) -> None:
        actor = self.people.actor(team, user)
        page = await self.runtime.home(actor)
        await self.platform.call("views.publish", user_id=user, view=home_view(page))
