"""Files in Teams: a bot may not attach one to a message. It offers it with a FileConsentCard in
the personal chat; when the person accepts, Teams creates the file in their OneDrive and gives the
bot an upload URL for it (a `fileConsent/invoke`), the bot puts the bytes there and then shows the
file with a file info card. The content waits here meanwhile, for OFFER_HOURS, used once. An offer
this process does not know (made before a restart, or by another web process) carries the command
that made the file and its deadline in the card's context, which Teams gives back: the file is
made again from it for whoever accepts, always the person the invoke comes from.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import aiohttp

from bot.ports import Attachment, PermanentFailure, TemporaryFailure

CONSENT_TYPE = "application/vnd.microsoft.teams.card.file.consent"
INFO_TYPE = "application/vnd.microsoft.teams.card.file.info"
OFFER_HOURS = 1
MAX_OFFERS = 10_000
UPLOAD_TIMEOUT = 60  # seconds


@dataclass(frozen=True)
class Offer:
    tenant: str
    user_id: str
    file: Attachment
    until: float


class Offers:
    """Files offered and not yet accepted or declined, each under a random token only its person can use."""

    def __init__(self):
        self.waiting: dict[str, Offer] = {}
        self.used: dict[str, float] = {}  # tokens answered here → until when they would have been good

    def add(self, tenant: str, user_id: str, file: Attachment) -> str:
        now = time.monotonic()
        if len(self.waiting) >= MAX_OFFERS:
            self.waiting = {k: o for k, o in self.waiting.items() if o.until > now}
        if len(self.used) >= MAX_OFFERS:
            self.used = {k: until for k, until in self.used.items() if until > now}
        token = secrets.token_urlsafe(18)
        self.waiting[token] = Offer(tenant, user_id, file, now + OFFER_HOURS * 3600)
        return token

    def known(self, token: str) -> bool:
        """Whether this process made or used this offer (then only take() may answer it)."""
        return token in self.waiting or token in self.used

    def used_up(self, token: str) -> None:
        """An offer answered here without take() (its file made again): not answered twice here."""
        self.used[token] = time.monotonic() + OFFER_HOURS * 3600

    def take(self, token: str, tenant: str, user_id: str) -> Attachment | None:
        """The file, once: None when the token is unknown, used, expired or someone else's."""
        offer = self.waiting.get(token)
        if offer is None or (offer.tenant, offer.user_id) != (tenant, user_id):
            return None
        del self.waiting[token]
        self.used[token] = offer.until
        return offer.file if offer.until > time.monotonic() else None


def again(context: dict, now: float) -> str | None:
    """The command that made an offer's file, while the offer is good (the card's context)."""
    command, until = context.get("again"), context.get("until")
    if isinstance(command, str) and command.strip() and isinstance(until, (int, float)) and until > now:
        return command[:200]
    return None


def consent_card(file: Attachment, token: str, description: str, command: str = "") -> dict:
    """The attachment that asks for permission to put the file in the person's OneDrive; `command`,
    the request that made the file, lets another process make it again (see `again`)."""
    context = {"kipina": "file", "token": token}
    if command:
        context.update({"again": command[:200], "until": int(time.time()) + OFFER_HOURS * 3600})
    return {"contentType": CONSENT_TYPE, "name": file.filename,
            "content": {"description": description[:200], "sizeInBytes": len(file.content),
                        "acceptContext": context, "declineContext": context}}


def carrying(activity: dict, attachment: dict, text: str = "") -> dict:
    """A message activity with this attachment instead of a card (and a line of text above it)."""
    body = {**activity, "attachments": [attachment]}
    if text:
        body["text"] = text
    return body


def info_card(upload: dict) -> dict:
    """The attachment that shows an uploaded file in the chat (from the invoke's uploadInfo)."""
    return {"contentType": INFO_TYPE, "contentUrl": upload.get("contentUrl") or "", "name": upload.get("name") or "",
            "content": {"uniqueId": upload.get("uniqueId") or "", "fileType": upload.get("fileType") or ""}}


async def upload(url: str, content: bytes) -> None:
    """One PUT of the whole file to the session URL Teams gave (pre-authorised: no bot token goes there)."""
    if not url.startswith(("https://", "http://")):
        raise PermanentFailure("the upload URL is not a web address")
    headers = {"Content-Length": str(len(content)), "Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}"}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT)) as session:
            async with session.put(url, data=content, headers=headers) as answer:
                await answer.read()
                if answer.status >= 300:
                    raise (TemporaryFailure if answer.status >= 500 else PermanentFailure)(
                        f"upload: HTTP {answer.status}", status=answer.status)
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        raise TemporaryFailure(f"upload: {type(error).__name__}") from None
