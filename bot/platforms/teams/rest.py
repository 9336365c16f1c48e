"""The Bot Framework connector calls the bot makes: plain REST over one aiohttp session.

An SDK's connector client turns our activity JSON into model objects and back (several
milliseconds of CPU on the event loop per message, for botbuilder) and then sends it with
blocking `requests` in a thread pool. At Teams' 50 messages a second that was most of a fan-out's
time, so the calls are made here directly, whichever SDK is chosen; the SDK only supplies the
bearer token (seam.py, tokens.py). No retries here: a 429 or 5xx becomes a RateLimited/TemporaryFailure for
the dispatcher, which paces and retries without holding anything asleep.
"""
from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import quote

from collections.abc import Awaitable, Callable

import aiohttp
from yarl import URL

from bot.common.logs import scrub
from bot.platforms.plumbing import jitter, retry_after
from bot.ports import PermanentFailure, RateLimited, TemporaryFailure

log = logging.getLogger("kipina.teams")

TIMEOUT = 30  # seconds per connector call


class Refused(PermanentFailure):
    """403/404: the bot may not post there (app not installed, removed, conversation gone)."""


def failure(status: int, headers, code: str) -> Exception:
    """Map a connector answer to what the dispatcher should do with it."""
    detail = f"HTTP {status}: {code}"
    if status == 429:
        wait = retry_after(headers, default=0.0)
        return RateLimited(wait * jitter(1.0, 1.2) if wait > 0 else jitter(1.0, 3.0), detail=detail, code=code,
                           status=status)
    if status == 412:  # Teams' answer to too many messages in one conversation
        return RateLimited(jitter(2.0, 5.0), whole_workspace=False, detail=detail, code=code, status=status)
    if status in (403, 404):
        return Refused(detail, code=code, status=status)
    if status == 401 or status >= 500 or status == 408:
        return TemporaryFailure(detail, code=code, status=status)
    return PermanentFailure(detail, code=code, status=status)


def _detail(raw: bytes) -> str:
    """The connector's error code ({"error": {"code": …}}), never its message text."""
    try:
        code = json.loads(raw or b"{}").get("error", {}).get("code")
    except (ValueError, AttributeError):
        code = None
    return str(code or "error")


def _url(service_url: str, *path: str) -> URL:
    # Conversation ids hold ':' and ';' (channel threads): each is one path segment, quoted
    # whole as the SDK does, and the URL is passed on as already encoded.
    segments = "/".join(quote(part, safe="") for part in path)
    return URL(f"{service_url.rstrip('/')}/v3/{segments}", encoded=True)


class TeamsRest:
    def __init__(self, bearer: Callable[[str], Awaitable[str | None]]):
        self.bearer = bearer  # the SDK's access token for a service URL (None: send none)
        self.session: aiohttp.ClientSession | None = None
        self.loop: asyncio.AbstractEventLoop | None = None  # the session belongs to one event loop

    async def _headers(self, service_url: str) -> dict:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        token = await self.bearer(service_url)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self.session is None or self.session.closed or self.loop is not loop:
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT),
                                                 connector=aiohttp.TCPConnector(limit=64))
            self.loop = loop
        return self.session

    async def _call(self, method: str, service_url: str, path: tuple[str, ...], body: dict | None) -> dict:
        if not service_url:
            raise PermanentFailure("no service URL")
        try:
            headers = await self._headers(service_url)
            data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
            async with self._session().request(method, _url(service_url, *path), data=data,
                                               headers=headers) as answer:
                raw = await answer.read()
                if answer.status >= 300:
                    raise failure(answer.status, answer.headers, _detail(raw))
        except (aiohttp.ClientError, PermissionError, OSError, asyncio.TimeoutError) as error:
            raise TemporaryFailure(f"{type(error).__name__}: {scrub(str(error))[:200]}") from None
        try:
            result = json.loads(raw) if raw else {}
        except ValueError:
            result = {}
        return result if isinstance(result, dict) else {}

    async def send(self, service_url: str, conversation_id: str, body: dict) -> str:
        result = await self._call("POST", service_url, ("conversations", conversation_id, "activities"), body)
        return str(result.get("id") or "")

    async def update(self, service_url: str, conversation_id: str, activity_id: str, body: dict) -> None:
        await self._call("PUT", service_url, ("conversations", conversation_id, "activities", activity_id),
                         {**body, "id": activity_id})

    async def delete(self, service_url: str, conversation_id: str, activity_id: str) -> None:
        await self._call("DELETE", service_url, ("conversations", conversation_id, "activities", activity_id), None)

    async def create_personal(self, service_url: str, tenant_id: str, bot: dict, user_id: str) -> str:
        """The 1:1 conversation with a person (Teams gives the existing one if there is one)."""
        parameters = {"isGroup": False, "bot": {"id": bot.get("id"), "name": bot.get("name")},
                      "members": [{"id": user_id}], "tenantId": tenant_id, "channelData": {"tenant": {"id": tenant_id}}}
        result = await self._call("POST", service_url, ("conversations",), parameters)
        if not result.get("id"):
            raise TemporaryFailure("the connector created no conversation")
        return str(result["id"])

    async def close(self) -> None:
        if self.session is not None and not self.session.closed:
            await self.session.close()
        self.session = None
