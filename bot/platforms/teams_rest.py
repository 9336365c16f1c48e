"""The Bot Framework connector calls the bot makes, through the SDK's ConnectorClient.

One client per service URL (Teams has a few regional ones) keeps connections open. The SDK's
own HTTP retries are switched off: a 429 or 5xx becomes a RateLimited/TemporaryFailure for
the dispatcher, which paces and retries without holding a thread asleep. The access token is
fetched in a worker thread first, because the SDK would otherwise fetch it inside the event loop.
"""
from __future__ import annotations

import asyncio
import logging
import random

from botbuilder.schema import Activity, ChannelAccount, ConversationParameters
from botframework.connector.auth import AuthenticationConstants, BotFrameworkAuthentication, ClaimsIdentity
from msrest.exceptions import ClientException, DeserializationError, HttpOperationError, ValidationError

from bot.logs import scrub
from bot.platforms.base import PermanentFailure, RateLimited, TemporaryFailure

log = logging.getLogger("kipina.teams")

TIMEOUT = 30  # seconds per connector call (the SDK's default is 100)


class Refused(PermanentFailure):
    """403/404: the bot may not post there (app not installed, removed, conversation gone)."""

    def __init__(self, status: int, detail: str):
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status


def jitter(low: float, high: float) -> float:
    return random.uniform(low, high)


def failure(status: int, headers, detail: str) -> Exception:
    """Map a connector answer to what the dispatcher should do with it."""
    if status == 429:
        try:
            wait = float(headers.get("Retry-After") or 0)
        except ValueError:
            wait = 0.0
        return RateLimited(wait * jitter(1.0, 1.2) if wait > 0 else jitter(1.0, 3.0), detail=f"HTTP 429: {detail}")
    if status == 412:  # Teams' answer to too many messages in one conversation
        return RateLimited(jitter(2.0, 5.0), detail=f"HTTP 412: {detail}")
    if status in (403, 404):
        return Refused(status, detail)
    if status == 401 or status >= 500 or status == 408:
        return TemporaryFailure(f"HTTP {status}: {detail}")
    return PermanentFailure(f"HTTP {status}: {detail}")


def _detail(error: HttpOperationError) -> str:
    inner = getattr(error, "error", None)
    code = getattr(getattr(inner, "error", None), "code", None)
    return str(code or "error")


class TeamsRest:
    def __init__(self, auth: BotFrameworkAuthentication, app_id: str):
        self.auth, self.app_id = auth, app_id
        self.clients: dict[str, object] = {}

    async def _client(self, service_url: str):
        client = self.clients.get(service_url)
        if client is None:
            claims = ClaimsIdentity({AuthenticationConstants.AUDIENCE_CLAIM: self.app_id,
                                     AuthenticationConstants.APP_ID_CLAIM: self.app_id}, True)
            client = await self.auth.create_connector_factory(claims).create(service_url, None)
            policy = client.config.retry_policy
            policy.retries = 0
            policy.policy.status_forcelist = set()
            policy.policy.respect_retry_after_header = False
            client.config.connection.timeout = TIMEOUT
            if len(self.clients) > 100:
                self.clients.clear()
            self.clients[service_url] = client
        credentials = client.config.credentials
        if getattr(credentials, "microsoft_app_id", None):
            await asyncio.to_thread(credentials.get_access_token)  # cached after the first call
        return client

    async def _call(self, service_url: str, operation):
        if not service_url:
            raise PermanentFailure("no service URL")
        try:
            client = await self._client(service_url)
            return await operation(client.conversations)
        except HttpOperationError as error:
            response = error.response
            raise failure(getattr(response, "status_code", 0) or 0, getattr(response, "headers", {}) or {},
                          _detail(error)) from None
        except ValidationError as error:
            raise PermanentFailure(f"invalid activity: {scrub(str(error))}") from None
        except DeserializationError:  # an answer that is not the connector's JSON (a proxy's error page)
            raise TemporaryFailure("unreadable answer from the connector") from None
        except (ClientException, PermissionError, OSError, asyncio.TimeoutError) as error:
            raise TemporaryFailure(f"{type(error).__name__}: {scrub(str(error))[:200]}") from None

    async def send(self, service_url: str, conversation_id: str, body: dict) -> str:
        result = await self._call(service_url, lambda ops: ops.send_to_conversation(
            conversation_id, Activity().deserialize(body)))
        return getattr(result, "id", None) or ""

    async def update(self, service_url: str, conversation_id: str, activity_id: str, body: dict) -> None:
        await self._call(service_url, lambda ops: ops.update_activity(
            conversation_id, activity_id, Activity().deserialize({**body, "id": activity_id})))

    async def create_personal(self, service_url: str, tenant_id: str, bot: dict, user_id: str) -> str:
        """The 1:1 conversation with a person (Teams gives the existing one if there is one)."""
        parameters = ConversationParameters(
            is_group=False, bot=ChannelAccount(id=bot.get("id"), name=bot.get("name")),
            members=[ChannelAccount(id=user_id)], tenant_id=tenant_id, channel_data={"tenant": {"id": tenant_id}})
        result = await self._call(service_url, lambda ops: ops.create_conversation(parameters))
        if not getattr(result, "id", None):
            raise TemporaryFailure("the connector created no conversation")
        return result.id

    async def close(self) -> None:
        for client in self.clients.values():
            try:
                await client.__aexit__(None, None, None)  # closes the HTTP session
            except Exception:  # closing is best effort
                pass
        self.clients.clear()
