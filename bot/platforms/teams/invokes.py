"""The invokes Teams waits on: a card button pressed (Universal Actions) and a file offer answered.

Unlike messages, an invoke is answered with what it did. A card button's answer is the updated
card itself (the answer saved, the form opened, the prompt skipped), so it needs no separate
update call and no "thank you" message: the card is the confirmation. The core is asked in the
person's lane, as for messages, and waited for up to WAIT seconds; past that Teams is told the
card will follow, and it comes by the connector's update call. A refusal (an empty answer, a
prompt that closed) is a short message Teams shows on the card, which keeps what was typed.

Teams may deliver an invoke again (a retry after a slow answer): the activity id is remembered
with its answer, so it is handled once. A file consent is answered at once; the upload follows.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import OrderedDict

from bot.common.i18n import language_of, t
from bot.common.logs import scrub
from bot.platforms.teams.cards import form_card, sized_card
from bot.platforms.teams.files import Offers, again, carrying, info_card, upload
from bot.platforms.teams.inbound import CARD_ACTION, Turn, dig, lane_of, tenant_of
from bot.ports import CommandRequest, Response, SendError, message as plain_message

log = logging.getLogger("kipina.teams")

CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"
ERROR = "application/vnd.microsoft.error"
WAIT = 10.0  # seconds; Teams shows an error if an invoke is not answered in about 15
REMEMBERED = 5_000  # invoke ids kept with their answers


def shown_message(text: str) -> dict:
    return {"statusCode": 200, "type": MESSAGE, "value": text[:300]}


def card_answer(card: dict) -> dict:
    return {"statusCode": 200, "type": CARD, "value": card}


class Invokes:
    def __init__(self, platform):
        self.platform = platform
        self.offers = Offers()
        self.answered: OrderedDict[tuple[str, str], dict] = OrderedDict()
        self.running: dict[tuple[str, str], asyncio.Future] = {}
        self.wait = WAIT

    def _lang(self, body: dict) -> str:
        return language_of(body.get("locale")) or self.platform.runtime.default_language

    async def answer(self, body: dict) -> dict:
        """The invoke response's body (HTTP 200 either way: an error status would show Teams' own error)."""
        key = (tenant_of(body), str(body.get("id") or ""))
        if key[1] and key in self.answered:
            return self.answered[key]
        if key[1] and key in self.running:  # the same invoke again while the first is still at work
            try:
                return await asyncio.wait_for(asyncio.shield(self.running[key]), self.wait)
            except asyncio.TimeoutError:
                return shown_message(t(self._lang(body), "teams.still_working"))
        future = asyncio.get_running_loop().create_future()
        if key[1]:
            self.running[key] = future
        try:
            result = await self._answer(body)
        except Exception:
            ref = secrets.token_hex(3)
            log.exception("Teams invoke %s could not be handled (ref %s)", str(body.get("id"))[:64], ref)
            result = {"statusCode": 500, "type": ERROR,
                      "value": {"code": "InternalError", "message": t(self._lang(body), "error.internal", ref=ref)}}
        finally:
            self.running.pop(key, None)
        future.set_result(result)
        if key[1]:
            self.answered[key] = result
            while len(self.answered) > REMEMBERED:
                self.answered.popitem(last=False)
        return result

    async def _answer(self, body: dict) -> dict:
        turn = self.platform.turn_of(body)
        if turn.intent == "file":
            self.platform.lanes.add(lane_of(body), lambda: self._file(body, turn))
            return {}
        if turn.intent not in ("action", "form"):  # a card of another app, or one we no longer read
            return shown_message(t(self._lang(body), "teams.card_outdated")) if body.get("name") == CARD_ACTION else {}
        response = await self._in_lane(body, turn)
        if response is None:
            return shown_message(t(self._lang(body), "teams.still_working"))
        return await self._card(body, turn, response)

    async def _in_lane(self, body: dict, turn: Turn) -> Response | None:
        """The core's response, or None when it takes longer than WAIT: it is then applied by the
        connector when it comes, as for a message."""
        done = asyncio.get_running_loop().create_future()
        late = False

        async def work() -> None:
            try:
                response = await self.platform.run(turn)
            except Exception as error:
                if not done.done():
                    done.set_exception(error)
                raise
            if not done.done():
                done.set_result(response)
            if late:
                await self.platform.respond(body, turn, response)

        self.platform.lanes.add(lane_of(body), work)
        try:
            return await asyncio.wait_for(asyncio.shield(done), self.wait)
        except asyncio.TimeoutError:
            if done.done():
                return done.result()
            late = True
            return None

    async def _card(self, body: dict, turn: Turn, response: Response) -> dict:
        if response.refused:  # the card keeps what was typed; this says what to change
            return shown_message(" ".join(m.plain_text for m in response.to_caller)
                                 or t(self._lang(body), "teams.card_outdated"))
        card = None
        if response.open_form is not None and turn.place.is_direct:
            card, response.open_form = form_card(response.open_form), None
        elif response.replace_source is not None:
            card, response.replace_source = sized_card(response.replace_source), None
            response.to_caller = []  # the updated card says it: no second confirmation
        summary = response.to_caller[0].summary if response.to_caller else \
            response.open_form.title if response.open_form is not None else ""
        if response.to_caller or response.to_channel or response.open_form is not None:
            self.platform.background.spawn(self.platform.respond(body, turn, response))
        return card_answer(card) if card is not None else shown_message(summary or " ")

    # -- files -------------------------------------------------------------------------------------

    async def _file(self, body: dict, turn: Turn) -> None:
        """The person accepted (upload, then show the file) or declined a file we offered."""
        value, actor = turn.request, turn.actor
        lang = language_of(actor.locale) or self.platform.runtime.default_language
        token = str(dig(value, "context", "token") or "")
        file = self.offers.take(token, actor.workspace, actor.user_id) if token else None
        info = value.get("uploadInfo") if isinstance(value.get("uploadInfo"), dict) else {}
        accepted = value.get("action") == "accept"
        if accepted and file is None and token and not self.offers.known(token):
            file = await self._made_again(value, turn)
            self.offers.used_up(token)
        if not accepted:
            note = "teams.file_declined"
        elif file is None:
            note = "teams.file_expired"
        else:
            try:
                await upload(str(info.get("uploadUrl") or ""), file.content)
            except SendError as error:
                log.warning("file upload failed: %s", scrub(str(error))[:200])
                note = "teams.file_failed"
            else:
                await self._send(body, turn, plain_message(t(lang, "teams.file_sent")), info_card(info))
                return
        await self._send(body, turn, plain_message(t(lang, note)))

    async def _made_again(self, value: dict, turn: Turn):
        """An offer made by another process or before a restart: its file made again now, for the
        person who accepted (a context can name no one else), or None."""
        context = value.get("context") if isinstance(value.get("context"), dict) else {}
        command = again(context, time.time())
        if command is None:
            return None
        response = await self.platform.runtime.handle(CommandRequest(turn.actor, command, turn.place))
        files = [m.attachment for m in (response.to_caller if response else [])
                 if m.attachment is not None and m.attachment.is_text]
        return files[0] if files else None

    async def _send(self, body: dict, turn: Turn, note, attachment: dict | None = None) -> None:
        platform, address = self.platform, turn.actor.address or {}
        here = dig(body, "conversation", "id") or ""
        activity = platform.message_activity(address, here, note)
        if attachment is not None:
            activity = carrying(activity, attachment, note.plain_text)
        await platform.reply(lambda: platform.rest.send(address.get("service_url") or "", here, activity))
