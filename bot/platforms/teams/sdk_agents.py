"""Teams on the Microsoft 365 Agents SDK (TEAMS_SDK=agents, the default).

Inbound, the SDK's JwtTokenValidator checks each token: signature, audience (the app id), expiry
(five minutes' leeway, as botbuilder) and, with VALIDATE_ISSUER on, the issuer: only the
channel's (Azure Bot Service's, like the .NET SDK's "AzureBotServiceOnly"), since Teams is all
this endpoint serves. The validator's own key lookup would fetch keys in a thread of the shared
pool with a 30-second time-out and keep them five minutes; ours answers instead (ChannelKeys,
from auth.SigningKeys: keys kept a day, fetched on our threads, only when one is due), and the
whole check gets CHECK_TIMEOUT. A token from any other issuer is refused before anything is
fetched. Two checks botbuilder made and the Agents SDK leaves out are made here: the token's
`serviceurl` is the activity's, and a key endorsed for some channels is endorsed for this one.

Outbound, the SDK's MsalAuth gets the bot's token for the cloud's connector scope, kept as
tokens.KeptToken says: from a managed identity endpoint, or by client credentials (a secret, a
certificate, a federated assertion) at the login authority (MICROSOFT_AUTHORITY), as
MICROSOFT_AUTH_TYPE, one of the SDK's AuthTypes, says. MsalAuth builds its MSAL client on the
event loop, and building one fetches the authority's discovery document; ours is built beforehand
in a thread (tokens.msal_client, which also says what it adds to the SDK's). What is set here that
the SDK does not offer publicly is listed in seam.py.
"""
from __future__ import annotations

import asyncio

import jwt
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core import AgentAuthConfiguration, AuthTypes
from microsoft_agents.hosting.core.authorization import AuthenticationConstants
from microsoft_agents.hosting.core.authorization.jwt import JwtTokenValidator

from bot.platforms.teams.credentials import MANAGED_IDENTITY
from bot.platforms.teams.keys import Checks, SigningKeys, bearer_token, within_time
from bot.platforms.teams.seam import Unauthorized, checked, fetched
from bot.platforms.teams.tokens import PUBLIC, TOKEN_WAIT, US_GOVERNMENT, Endpoints, KeptToken, msal_client
from bot.platforms.teams.settings import TeamsSettings

# Where the validator looks for the keys of a channel issuer's tokens (it routes by issuer).
CHANNEL_JWKS = {PUBLIC.issuer: AuthenticationConstants.PUBLIC_ABS_JWKS_URL,
                US_GOVERNMENT.issuer: AuthenticationConstants.GOV_ABS_JWKS_URL}


class ChannelKeys:
    """The validator's key lookup (its `_jwk_client_manager`), answered from our cache of the channel's keys."""

    def __init__(self, keys: SigningKeys, jwks_url: str, checks: Checks):
        self.keys, self.jwks_url, self.checks = keys, jwks_url, checks

    async def get_signing_key(self, jwks_uri: str, header: dict):
        if jwks_uri != self.jwks_url:
            raise Unauthorized("token not issued by the Teams channel")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("token names no signing key")
        key = self.keys.cached(kid)
        if key is None:  # a fetch may be due: on our threads, never the shared pool
            key = await asyncio.get_running_loop().run_in_executor(self.checks.pool, self.keys.find, kid)
        return key.public_key


class _Msal(MsalAuth):
    """The SDK's token provider, with MSAL's client built beforehand, off the event loop.

    MsalAuth builds the client inside get_access_token, on the event loop, and building one
    fetches the authority's discovery document: a slow authority would stall every request.
    """

    client = None  # tokens.msal_client(...), built by AgentsSdk._token in a thread

    def _create_client_application(self, tenant_id: str | None = None):
        if self.client is None:
            raise ConnectionError("the MSAL client is not built yet")
        return self.client


class AgentsSdk:
    name = "agents"

    def __init__(self, settings: TeamsSettings, endpoints: Endpoints):
        self.endpoints = endpoints
        self.app_id = settings.app_id
        self.checks = Checks()
        self.keys = {endpoints.openid_metadata_url: SigningKeys(endpoints.openid_metadata_url)}
        self.settings = settings
        self.config = AgentAuthConfiguration(
            auth_type=AuthTypes[settings.auth_type], client_id=settings.app_id or None,
            tenant_id=endpoints.authority.rsplit("/", 1)[-1], client_secret=settings.app_password or None,
            # CERT_PFX_FILE is the SDK's name for the certificate file; ours may be PEM too, as the
            # MSAL client is built by tokens.msal_client.
            cert_pfx_file=settings.certificate_file or None,
            send_x5c=settings.auth_type == "certificate_subject_name",
            federated_client_id=settings.managed_identity_client_id or None,
            federated_token_file=settings.federated_token_file or None,
            authority=endpoints.authority, issuers=[endpoints.cloud.issuer], validate_issuer=True,
            anonymous_allowed=False)
        self.validator = JwtTokenValidator(self.config)
        if not hasattr(self.validator, "_jwk_client_manager"):  # the SDK changed: fail loudly, not open
            raise RuntimeError("microsoft_agents' JwtTokenValidator has no _jwk_client_manager to replace")
        self.validator._jwk_client_manager = ChannelKeys(self.keys[endpoints.openid_metadata_url],
                                                         CHANNEL_JWKS[endpoints.cloud.issuer], self.checks)
        self.msal = _Msal(self.config)
        self.token = KeptToken(self._fetch_token)

    # -- inbound ---------------------------------------------------------------------------------

    async def authenticate(self, body: dict, header: str) -> dict:
        token = bearer_token(header)
        claims = dict((await checked(within_time(self.validator.validate_token(token)))).claims or {})
        self._same_channel(body, token, claims)
        return claims

    def _same_channel(self, body: dict, token: str, claims: dict) -> None:
        """What botbuilder's ChannelValidation checked beyond the token itself."""
        service_url = claims.get(AuthenticationConstants.SERVICE_URL_CLAIM)
        if not service_url or service_url != body.get("serviceUrl"):
            raise Unauthorized("token is for another service URL")
        kid = jwt.get_unverified_header(token).get("kid")
        key = self.keys[self.endpoints.openid_metadata_url].keys.get(kid)
        channel = body.get("channelId")
        if key is not None and key.endorsements and channel and channel not in key.endorsements:
            raise Unauthorized("signing key not endorsed for this channel")

    # -- outbound --------------------------------------------------------------------------------

    async def bearer(self, service_url: str) -> str | None:
        return await self.token.get() if self.app_id else None

    async def _fetch_token(self) -> str:
        managed = self.settings.auth_type in MANAGED_IDENTITY
        return await fetched(self._token(), "the managed identity endpoint" if managed else self.config.AUTHORITY)

    async def _token(self) -> str:
        if self.msal.client is None:
            self.msal.client = await asyncio.wait_for(asyncio.to_thread(
                msal_client, self.settings, self.config.AUTHORITY), TOKEN_WAIT)
        # One token for every service URL: it is for the connector's scope, whichever the region.
        resource = self.endpoints.cloud.scope
        return await asyncio.wait_for(self.msal.get_access_token(resource, [self.endpoints.scope]), TOKEN_WAIT)

    async def close(self) -> None:
        self.checks.close()

