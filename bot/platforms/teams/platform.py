"""Microsoft Teams through Azure Bot Service, on the shared aiohttp app.

`POST /api/messages` authenticates the activity (the channel's JWT whenever MICROSOFT_APP_ID is
set, checked by the SDK that TEAMS_SDK names, see seam.py), answers at once and does the work
afterwards, one person's activities in one conversation in the order they came; activity types
the bot does not handle get a 200 and nothing else. Card buttons and file offers are invokes,
which Teams waits on: invokes.py answers them with the updated card. Commands come as chat text
(personal chat) or after an @mention of the bot (channels, group chats). Everything the bot posts
is an Adaptive Card (or a file card, files.py) sent through the connector REST API of the
conversation's service URL. The SDKs are used for tokens only, in sdk_agents.py and sdk_botbuilder.py.
"""
from __future__ import annotations

import logging
from dataclasses import replace

from aiohttp import web

from bot.common.i18n import language_of, t
from bot.common.logs import scrub
from bot.platforms.plumbing import Background, Lanes, once_more, paced, reshape
from bot.platforms.teams.seam import NotAnActivity, Sdk, Unauthorized, Unavailable
from bot.platforms.teams.tokens import endpoints
from bot.platforms.teams.settings import TeamsSettings, check
from bot.ports import (Actor, CommandRequest, Limits, Message, PermanentFailure, Platform, Response, Runtime,
                       SendError, Sent, Target, Unreachable, message as plain_message, spelled_out)
from bot.platforms.teams.cards import activity as card_activity, form_card, sized_card, sized_cards
from bot.platforms.teams.files import carrying, consent_card
from bot.platforms.teams.inbound import (HANDLED, INVOKES, PLATFORM, Turn, classify, conversation_type, dig, lane_of,
                                         tenant_of, well_formed)
from bot.platforms.teams.invokes import Invokes
from bot.platforms.teams.rest import Refused, TeamsRest

log = logging.getLogger("kipina.teams")

ROUTE = "/api/messages"


def load_sdk(settings: TeamsSettings) -> Sdk:
    """The SDK TEAMS_SDK names; only that one is imported."""
    if settings.sdk == "botbuilder":
        from bot.platforms.teams.sdk_botbuilder import BotbuilderSdk

        return BotbuilderSdk(settings, endpoints(settings))
    from bot.platforms.teams.sdk_agents import AgentsSdk

    return AgentsSdk(settings, endpoints(settings))


class TeamsPlatform(Platform):
    name = PLATFORM
    # Teams allows 7 messages/s, 8 per 2 s and 60 per 30 s in one conversation. A GCRA bucket
    # lets through about burst + rate·T in any window T: 4 + 1.8·2 ≈ 8 and 4 + 1.8·30 ≈ 58.
    # About 30 requests/s per app and tenant overall; 25/s leaves room for the calls that
    # create 1:1 conversations.
    limits = Limits(per_target_rate=1.8, per_target_burst=4, global_rate=25.0, global_burst=1)

    def __init__(self, runtime: Runtime, settings: TeamsSettings):
        check(settings)
        self.limits = paced(self.limits, settings.messages_per_second)
        self.runtime, self.settings = runtime, settings
        self.app_id = settings.app_id
        self.sdk = load_sdk(settings)  # who checks tokens and gets ours: TEAMS_SDK
        self.rest = TeamsRest(self.sdk.bearer)
        self.background = Background("Teams")
        self.lanes = Lanes(self.background)
        self.personal: dict[tuple[str, str], str] = {}  # (tenant, user) → 1:1 conversation id
        self.invokes = Invokes(self)

    # -- lifecycle -------------------------------------------------------------------------------

    def add_routes(self, web_app) -> None:
        web_app.router.add_post(ROUTE, self.handle)

    async def start(self) -> None:
        if not self.app_id:
            log.warning("!!! TEAMS_ENABLED without MICROSOFT_APP_ID: %s accepts UNAUTHENTICATED requests. "
                        "Local testing only; never expose this to the internet. !!!", ROUTE)

    async def stop(self) -> None:
        await self.idle(timeout=10)
        await self.rest.close()
        await self.sdk.close()

    async def idle(self, timeout: float | None = 30) -> None:
        """Wait for the work of requests already answered (shutdown, tests)."""
        await self.background.idle(timeout)

    # -- inbound ---------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except Exception:
            return web.json_response({"error": "expected a JSON activity"}, status=400)
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return web.json_response({"error": "expected an activity with a type"}, status=400)
        if not well_formed(body):
            log.warning("malformed Teams activity refused")
            return web.json_response({"error": "malformed activity"}, status=400)
        refused = await self._authenticate(body, request.headers.get("Authorization", ""))
        if refused is not None:
            return refused

        if body["type"] == "invoke" and body.get("name") in INVOKES:  # answered with what it did
            return web.json_response(await self.invokes.answer(body), status=200)
        if body["type"] not in HANDLED:  # reactions, typing, other invokes…: nothing to do
            return web.Response(status=200)
        # Queued before the answer, so an activity sent once this one is answered comes after it.
        self.lanes.add(lane_of(body), lambda: self._serve(body))
        return web.Response(status=201)

    async def _authenticate(self, body: dict, header: str) -> web.Response | None:
        """None when the request may be served, else the answer (401, 503, 400). Without an app id
        (TEAMS_ENABLED, local testing) nothing is checked, whichever SDK is chosen."""
        if not self.app_id:
            return None
        try:
            await self.sdk.authenticate(body, header)
        except Unauthorized as error:
            log.warning("rejected a request to %s: %s", ROUTE, scrub(str(error))[:120])
            return web.json_response({"error": "unauthorized"}, status=401)
        except Unavailable as error:  # the signing keys could not be fetched in time
            log.warning("could not check a Teams request: %s", scrub(str(error))[:200])
            return web.json_response({"error": "authentication unavailable"}, status=503)
        except NotAnActivity:
            return web.json_response({"error": "not a Bot Framework activity"}, status=400)
        except Exception as error:  # anything else the SDK raises about a token: refuse it
            log.warning("rejected a request to %s: %s", ROUTE, type(error).__name__)
            return web.json_response({"error": "unauthorized"}, status=401)
        return None

    def turn_of(self, body: dict) -> Turn:
        tenant, sender = tenant_of(body), dig(body, "from", "id") or ""
        turn = classify(body, self.personal.get((tenant, sender)))
        if turn.intent != "ignore" and conversation_type(body) == "personal":
            self.personal[(tenant, sender)] = dig(body, "conversation", "id") or ""
        return turn

    async def _serve(self, body: dict) -> None:
        try:
            turn = self.turn_of(body)
            if turn.intent == "ignore":
                return
            response = await self.run(turn)
            await self.respond(body, turn, response)
        except Exception:
            log.exception("Teams activity %s could not be handled", str(body.get("id"))[:64])

    async def run(self, turn: Turn) -> Response | None:
        if turn.intent == "install":
            await self.runtime.remember(turn.actor)
            if not turn.welcome:
                return None
            hello = await self.runtime.handle(CommandRequest(turn.actor, "help", turn.place))
            if not turn.place.is_direct:  # added to a team or chat: everyone there may read how it works
                hello = Response(to_channel=hello.to_caller)
            return hello
        # A command's mentioned people are stored with it, so the bot can reach them.
        return await self.runtime.handle(turn.request)

    # -- answering a request ---------------------------------------------------------------------

    async def respond(self, body: dict, turn: Turn, response: Response | None) -> None:
        if response is None:
            return
        address = turn.actor.address or {}
        here = dig(body, "conversation", "id") or ""
        source = body.get("replyToId") if turn.intent in ("action", "form") else None
        private: list[dict] = [part for m in response.to_caller for part in self._private(turn, here, m)]
        if response.replace_source is not None:
            replaced = self.message_activity(address, here, response.replace_source)
            if source:
                await self.reply(lambda: self.rest.update(address["service_url"], here, source, replaced))
            else:
                private.insert(0, replaced)
        if response.open_form is not None:
            form = self._activity(address, here, form_card(response.open_form), response.open_form.title)
            if source and turn.place.is_direct:  # the card the button was on becomes the form
                await self.reply(lambda: self.rest.update(address["service_url"], here, source, form))
            else:
                private.append(form)
        if turn.place.is_direct:
            for reply in private:
                await self.reply(lambda: self.rest.send(address["service_url"], here, reply))
        elif private:
            await self._reply_privately(turn, here, private)
        for msg in response.to_channel:
            post = self.message_activity(address, here, msg)
            await self.reply(lambda: self.rest.send(address["service_url"], here, post))

    def _private(self, turn: Turn, conversation: str, message: Message) -> list[dict]:
        """A message for the caller only. A data file is offered for their OneDrive (files.py);
        a picture cannot be sent that way and is left out, the message says what it shows."""
        address = turn.actor.address or {}
        if message.attachment is None or not message.attachment.is_text:
            return [self.message_activity(address, conversation, part) for part in spelled_out(message)]
        token = self.invokes.offers.add(turn.actor.workspace, turn.actor.user_id, message.attachment)
        shown = self.message_activity(address, conversation, replace(message, attachment=None))
        # What was typed, so that another process can make the file again (a message here is a short command).
        command = turn.request.text if turn.intent in ("command", "message") else ""
        offer = carrying(shown, consent_card(message.attachment, token, message.attachment.title or message.summary,
                                             command))
        return [shown, offer]

    async def _reply_privately(self, turn: Turn, thread: str, replies: list[dict]) -> None:
        """Only the caller may see these, and Teams has no ephemeral messages: use the 1:1 chat.
        Nothing is said in the channel unless that chat cannot be reached."""
        actor, address = turn.actor, turn.actor.address or {}
        lang = language_of(actor.locale) or self.runtime.default_language
        try:
            personal = await self._personal_conversation(address, actor.workspace, actor.user_id)
            for reply in replies:
                moved = {**reply, "conversation": {"id": personal}}
                await self.reply(lambda: self.rest.send(address["service_url"], personal, moved), raise_errors=True)
        except SendError as error:
            log.warning("no private reply possible: %s", scrub(str(error))[:200])
        else:
            return
        post = self.message_activity(address, thread, plain_message(t(lang, "teams.open_chat_first")))
        await self.reply(lambda: self.rest.send(address["service_url"], thread, post))

    async def reply(self, call, raise_errors: bool = False):
        return await once_more(call, "reply", raise_errors=raise_errors)

    # -- outbox ------------------------------------------------------------------------------------

    async def send(self, target: Target, message: Message, key: str = "") -> Sent:
        address = dict(target.address or {})
        service = address.get("service_url") or ""
        if target.conversation == "channel":
            conversation = address.get("conversation_id") or target.channel_id or ""
            if not service or not conversation:
                raise PermanentFailure("this circle has no Teams channel address")
            cards = sized_cards(replace(message, follow_up=None))
            root = await self.rest.send(service, conversation, self._activity(address, conversation, cards[0],
                                                                              message.summary))
            thread = self._thread(address, conversation, root)
            more = [await self._continue(address, thread, card, message.summary) for card in cards[1:]]
            if message.follow_up is not None:
                try:
                    await self.rest.send(service, thread, self.message_activity(address, thread, message.follow_up))
                except SendError as error:  # the post is out; sending it again would duplicate it
                    log.warning("thread starter not posted: %s", scrub(str(error))[:200])
            return Sent(root, conversation, tuple(m for m in more if m))
        if not service:
            raise Unreachable("no Teams address for this person yet (they have not used the app)")
        conversation = await self._personal_conversation(address, target.workspace, target.user_id or "")
        try:
            sent = await self.rest.send(service, conversation, self.message_activity(address, conversation, message))
        except Refused as error:
            raise Unreachable(str(error)) from None
        return Sent(sent, conversation)

    async def update(self, target: Target, sent: Sent, message: Message) -> Sent:
        address = dict(target.address or {})
        conversation = sent.channel_id or address.get("conversation_id") or target.channel_id or ""
        if not address.get("service_url") or not conversation or not sent.message_id:
            raise PermanentFailure("this post has no Teams address")
        service, summary = address["service_url"], message.summary
        cards = sized_cards(replace(message, follow_up=None))
        await self.rest.update(service, conversation, sent.message_id,
                               self._activity(address, conversation, cards[0], summary))
        thread = self._thread(address, conversation, sent.message_id)  # where the other cards are
        more = await reshape(
            sent.more, cards[1:],
            edit=lambda activity_id, card: self._unless_gone(
                self.rest.update(service, thread, activity_id, self._activity(address, thread, card, summary))),
            drop=lambda activity_id: self._unless_gone(self.rest.delete(service, thread, activity_id)),
            add=lambda card: self._continue(address, thread, card, summary))
        return Sent(sent.message_id, conversation, more)

    @staticmethod
    def _thread(address: dict, conversation: str, root: str) -> str:
        """Where a channel post's thread is; group chats have none, so it is the chat itself."""
        threads = address.get("conversation_type") != "groupChat"
        return f"{conversation};messageid={root}" if threads else conversation

    async def _continue(self, address: dict, thread: str, card: dict, summary: str) -> str | None:
        """One more card of a post already out, its id; not raised when it fails (logged): sending
        the post again would duplicate it."""
        activity = self._activity(address, thread, card, summary)
        return await self.reply(lambda: self.rest.send(address["service_url"], thread, activity)) or None

    @staticmethod
    async def _unless_gone(call) -> bool:
        """False when the activity no longer exists (someone deleted it, or an earlier try did)."""
        try:
            await call
        except Refused as refused:
            if refused.status != 404:
                raise
            return False
        return True

    async def _personal_conversation(self, address: dict, tenant: str, user_id: str) -> str:
        key = (tenant, user_id)
        known = address.get("conversation_id") or self.personal.get(key)
        if known:
            return known
        if not address.get("service_url"):
            raise Unreachable("no Teams address for this person yet")
        try:
            conversation = await self.rest.create_personal(address["service_url"], address.get("tenant_id") or tenant,
                                                           self._bot(address), user_id)
        except Refused as error:
            raise Unreachable(str(error)) from None
        if len(self.personal) > 100_000:
            self.personal.clear()  # only a shortcut: the address in the database is the record
        self.personal[key] = conversation
        remembered = Actor(PLATFORM, tenant, user_id, address={**address, "conversation_id": conversation})
        await self.runtime.remember(remembered)
        return conversation

    # -- rendering -------------------------------------------------------------------------------

    def _bot(self, address: dict) -> dict:
        return {"id": address.get("bot_id") or f"28:{self.app_id or 'kipina'}",
                "name": address.get("bot_name") or "Kipinä"}

    def _activity(self, address: dict, conversation: str, card: dict, summary: str) -> dict:
        return card_activity(card, self._bot(address), conversation, summary, address.get("tenant_id", ""))

    def message_activity(self, address: dict, conversation: str, message: Message) -> dict:
        return self._activity(address, conversation, sized_card(message), message.summary)
