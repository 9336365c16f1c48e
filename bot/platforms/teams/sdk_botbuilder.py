"""Teams on the Bot Framework SDK (TEAMS_SDK=botbuilder; botbuilder 4.17.1): the bot's path before
the Microsoft 365 Agents SDK, kept selectable until a later version removes it.

Inbound, botbuilder's BotFrameworkAuthentication checks the token (channel or emulator issuer,
audience, expiry, the activity's service URL, endorsements). It runs the check in an event loop
of its own on our auth threads, with our key cache installed where botbuilder looks for its
OpenID metadata (keys.py explains why; seam.py lists what of botbuilder is set). Outbound, botbuilder decides the credentials for a service
URL (cloud, app type) and MSAL fetches the token, kept as tokens.KeptToken says; the MSAL client is
built as tokens.confidential_client says (time-out, authority as configured), in a thread, in place of the
one botbuilder would build (which ignores VALIDATE_AUTHORITY and sets no time-out).
"""
from __future__ import annotations

import asyncio

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import (AuthenticationConstants, ClaimsIdentity, GovernmentConstants,
                                         JwtTokenExtractor, MicrosoftAppCredentials)

from bot.platforms.teams.keys import Checks, SigningKeys
from bot.platforms.teams.seam import NotAnActivity, checked, fetched
from bot.platforms.teams.tokens import TOKEN_WAIT, US_GOVERNMENT, Endpoints, KeptToken, confidential_client
from bot.platforms.teams.settings import TeamsSettings


class TeamsConfig:
    """The attribute names botbuilder's configuration readers look for."""

    def __init__(self, settings: TeamsSettings, endpoints: Endpoints):
        self.APP_ID = settings.app_id
        self.APP_PASSWORD = settings.app_password
        # Without an app id (TEAMS_ENABLED) only botbuilder's MultiTenant factory leaves auth off.
        self.APP_TYPE = settings.app_type if settings.app_id else "MultiTenant"
        self.APP_TENANTID = settings.app_tenant_id
        if endpoints.custom:
            # botbuilder takes either all of these or its public cloud's values.
            constants = GovernmentConstants if endpoints.cloud is US_GOVERNMENT else AuthenticationConstants
            self.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = endpoints.openid_metadata_url
            self.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = endpoints.cloud.issuer
            self.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL = constants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
            self.TO_CHANNEL_FROM_BOT_LOGIN_URL = endpoints.authority
            self.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = endpoints.cloud.scope
            self.OAUTH_URL = GovernmentConstants.OAUTH_URL_GOV if constants is GovernmentConstants \
                else AuthenticationConstants.OAUTH_URL


class BotbuilderSdk:
    name = "botbuilder"

    def __init__(self, settings: TeamsSettings, endpoints: Endpoints):
        self.app_id = settings.app_id
        config = TeamsConfig(settings, endpoints)
        self.auth = ConfigurationBotFrameworkAuthentication(config)
        self.checks = Checks()
        # Where botbuilder fetches keys: the channel's (Teams' tokens) and the emulator's.
        urls = [getattr(config, f"TO_BOT_FROM_{who}_OPENID_METADATA_URL",
                        getattr(AuthenticationConstants, f"TO_BOT_FROM_{who}_OPENID_METADATA_URL"))
                for who in ("CHANNEL", "EMULATOR")]
        self.keys = {url: install(url) for url in dict.fromkeys(urls)}
        self.credentials: dict[str, object] = {}  # per service URL, as botbuilder would sign for it
        self.tokens: dict[tuple, KeptToken] = {}  # per login URL and scope (one, in practice)

    async def authenticate(self, body: dict, header: str) -> dict:
        try:
            activity = Activity().deserialize(body)
        except Exception:
            raise NotAnActivity("not a Bot Framework activity") from None
        result = await checked(self.checks.run(_check, self.auth, activity, header))
        return dict(result.claims_identity.claims or {})

    async def bearer(self, service_url: str) -> str | None:
        credentials = self.credentials.get(service_url) or await self._credentials(service_url)
        app_id = getattr(credentials, "microsoft_app_id", None)
        if not app_id or app_id == AuthenticationConstants.ANONYMOUS_SKILL_APP_ID:
            return None
        key = (getattr(credentials, "oauth_endpoint", ""), getattr(credentials, "oauth_scope", ""))
        kept = self.tokens.get(key)
        if kept is None:
            kept = self.tokens[key] = KeptToken(lambda: self._fetch_token(credentials))
        return await kept.get()

    async def _credentials(self, service_url: str):
        claims = ClaimsIdentity({AuthenticationConstants.AUDIENCE_CLAIM: self.app_id,
                                 AuthenticationConstants.APP_ID_CLAIM: self.app_id}, True)
        client = await self.auth.create_connector_factory(claims).create(service_url, None)
        credentials = client.config.credentials
        if len(self.credentials) > 100:
            self.credentials.clear()
        self.credentials[service_url] = credentials
        return credentials

    async def _fetch_token(self, credentials) -> str:
        return await fetched(self._token(credentials), getattr(credentials, "oauth_endpoint", "?"))

    @staticmethod
    async def _token(credentials) -> str:
        if isinstance(credentials, MicrosoftAppCredentials) and credentials.app is None:
            # Building MSAL's client fetches the authority's discovery document: in a thread.
            credentials.app = await asyncio.wait_for(asyncio.to_thread(
                confidential_client, credentials.microsoft_app_id, credentials.microsoft_app_password,
                credentials.oauth_endpoint), TOKEN_WAIT)
        return await asyncio.wait_for(asyncio.to_thread(credentials.get_access_token), TOKEN_WAIT)

    async def close(self) -> None:
        self.checks.close()
        self.credentials.clear()
        self.tokens.clear()


def _check(auth, activity, header: str):
    return asyncio.run(auth.authenticate_request(activity, header))


def install(metadata_url: str) -> SigningKeys:
    """Our key cache for one issuer, where botbuilder looks for it (its cache is per metadata URL)."""
    found = JwtTokenExtractor.metadataCache.get(metadata_url)
    if not isinstance(found, SigningKeys):
        found = SigningKeys(metadata_url)
        JwtTokenExtractor.metadataCache[metadata_url] = found
    return found
