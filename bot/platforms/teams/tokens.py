"""The bot's own tokens and where they come from: each Azure cloud's endpoints for bots, the
endpoints this bot uses (MICROSOFT_AUTHORITY, MICROSOFT_OPENID_METADATA_URL), the access token
kept for every connector call, and the MSAL client both SDK paths fetch it with (for the credentials
MICROSOFT_AUTH_TYPE names).
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import jwt
import requests

from bot.platforms.teams.credentials import CERTIFICATE, MANAGED_IDENTITY, load_certificate
from bot.platforms.teams.seam import Unavailable
from bot.platforms.teams.settings import TeamsSettings

TOKEN_TIMEOUT = 10.0  # seconds per HTTP call to the login authority
TOKEN_WAIT = 2 * TOKEN_TIMEOUT + 1  # for one call: MSAL tries a timed-out call once more
RENEW_BEFORE = 300.0  # seconds before its expiry an access token is fetched again
FAILED_WAIT = 5.0  # seconds after a failed fetch in which calls fail at once instead of asking again


@dataclass(frozen=True)
class Cloud:
    """One Azure cloud's endpoints for bots (the values both SDKs hard-code)."""

    login: str  # login authority host
    default_tenant: str  # the tenant a multi-tenant bot gets its tokens from
    scope: str  # what the bot's tokens are for (the connector)
    issuer: str  # who signs the channel's tokens to the bot
    openid_metadata_url: str  # where the channel publishes its signing keys


PUBLIC = Cloud("https://login.microsoftonline.com", "botframework.com", "https://api.botframework.com",
               "https://api.botframework.com", "https://login.botframework.com/v1/.well-known/openidconfiguration")
US_GOVERNMENT = Cloud("https://login.microsoftonline.us", "MicrosoftServices.onmicrosoft.us",
                      "https://api.botframework.us", "https://api.botframework.us",
                      "https://login.botframework.azure.us/v1/.well-known/openidconfiguration")


@dataclass(frozen=True)
class Endpoints:
    """What this bot uses: its cloud's values, MICROSOFT_AUTHORITY and MICROSOFT_OPENID_METADATA_URL over them."""

    cloud: Cloud
    authority: str  # login authority with the tenant, e.g. https://login.microsoftonline.com/botframework.com
    openid_metadata_url: str
    custom: bool  # set by the operator (national cloud, local issuer), not the public cloud's defaults

    @property
    def scope(self) -> str:
        return self.cloud.scope + "/.default"


def endpoints(settings: TeamsSettings) -> Endpoints:
    authority = settings.authority or PUBLIC.login
    parts = urlparse(authority)
    cloud = US_GOVERNMENT if (parts.hostname or "").lower() == "login.microsoftonline.us" else PUBLIC
    if parts.path.strip("/") == "":  # a host only: the app's tenant, or the cloud's for multi-tenant bots
        single = settings.app_type != "MultiTenant" and settings.app_tenant_id
        authority = f"{authority.rstrip('/')}/{settings.app_tenant_id if single else cloud.default_tenant}"
    return Endpoints(cloud, authority, settings.openid_metadata_url or cloud.openid_metadata_url,
                     custom=bool(settings.authority or settings.openid_metadata_url))


class KeptToken:
    """The bot's access token, shared by every connector call. One fetch at a time, and every
    call waiting meanwhile gets its outcome: `fetch` runs MSAL in a thread of the shared pool, so
    a slow authority holds one thread, and 50 sends waiting for it fail together, not one after
    another. A failure is remembered for FAILED_WAIT; the token until RENEW_BEFORE its expiry
    (MSAL would keep it too, but behind a thread hop per call)."""

    def __init__(self, fetch: Callable[[], Awaitable[str]]):
        self.fetch = fetch
        self.token, self.expires = "", 0.0
        self.pending: asyncio.Future | None = None
        self.failed: tuple[float, Exception] | None = None  # (time.monotonic(), what went wrong)

    async def get(self) -> str:
        if self.token and time.time() < self.expires - RENEW_BEFORE:
            return self.token
        pending = self.pending
        if pending is None or pending.done() or pending.get_loop() is not asyncio.get_running_loop():
            if self.failed is not None and time.monotonic() - self.failed[0] < FAILED_WAIT:
                raise Unavailable(f"{self.failed[1]} (moments ago)")
            pending = self.pending = asyncio.ensure_future(self._renew())
            pending.add_done_callback(lambda done: done.cancelled() or done.exception())  # seen, even if no one waits
        return await asyncio.shield(pending)  # a caller that gives up does not cancel it for the others

    async def _renew(self) -> str:
        try:
            token = await self.fetch()
        except Exception as error:
            self.failed = (time.monotonic(), error)
            raise
        self.token, self.expires, self.failed = token, _expiry(token), None
        return token


def _expiry(token: str) -> float:
    """When the token expires (its `exp`); 0 when it does not say, so that it is asked for each time."""
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        return 0.0
    return float(exp) if isinstance(exp, (int, float)) else 0.0


def msal_client(settings: TeamsSettings, authority: str):
    """MSAL's client for the bot's credentials (MICROSOFT_AUTH_TYPE), made with the same MSAL calls
    as the Agents SDK's MsalAuth makes for each of its AuthTypes, with these differences:
    - a time-out on every call (the SDK sets none, so a hung authority or identity endpoint would
      hold a thread for good);
    - the authority taken as configured: MSAL otherwise asks the public cloud whether it knows the
      authority's host, and refuses hosts it does not list (a national cloud it has not listed, a
      local issuer in tests); hosts MSAL lists are never asked about, so for them nothing changes;
    - what the SDK (1.9) leaves out: PEM certificate files, a PFX file's password, and
      certificate_subject_name, which AuthTypes names and MsalAuth refuses (NotImplementedError);
      it is the SDK's certificate with SENDX5C, the certificate sent in the assertion's x5c header
      (as MSAL sends it: the one certificate that goes with the key, which Entra ID takes)."""
    import msal

    if settings.auth_type in MANAGED_IDENTITY:
        identity = msal.UserAssignedManagedIdentity(client_id=settings.app_id) \
            if settings.auth_type == "user_managed_identity" else msal.SystemAssignedManagedIdentity()
        return msal.ManagedIdentityClient(identity, http_client=TimedSession())
    return confidential_client(settings.app_id, client_credential(settings), authority)


def confidential_client(app_id: str, credential, authority: str):
    import msal

    return msal.ConfidentialClientApplication(app_id, client_credential=credential, authority=authority,
                                              timeout=TOKEN_TIMEOUT, instance_discovery=False)


def client_credential(settings: TeamsSettings):
    """What the app registration signs in with, in MSAL's terms, as MsalAuth gives it for each type."""
    kind = settings.auth_type
    if kind == "client_secret":
        return settings.app_password
    if kind in CERTIFICATE:
        found = load_certificate(settings)
        if found.pfx:
            credential = {"private_key_pfx_path": found.path, "passphrase": settings.certificate_password or None}
            return {**credential, "public_certificate": True} if kind == "certificate_subject_name" else credential
        # MSAL takes the thumbprint from the certificate given, and sends it as x5c too (harmless:
        # Entra ID matches the thumbprint of a certificate registered on the app).
        return {"private_key": found.key_pem, "public_certificate": found.certificate_pem}
    if kind == "workload_identity":  # read at each sign-in: the platform replaces the file before it expires
        path = settings.federated_token_file
        return {"client_assertion": lambda: Path(path).read_text(encoding="utf-8").strip()}
    if kind == "federated_credentials":
        return {"client_assertion": IdentityAssertion(settings.managed_identity_client_id)}
    raise ValueError(f"{kind} signs in without an app credential")


class IdentityAssertion:
    """federated_credentials: a user-assigned managed identity's token for Entra ID's token exchange,
    the assertion the app registration (which trusts that identity) signs in with."""

    RESOURCE = "api://AzureADTokenExchange"

    def __init__(self, client_id: str):
        import msal

        self.client = msal.ManagedIdentityClient(msal.UserAssignedManagedIdentity(client_id=client_id),
                                                 http_client=TimedSession())

    def __call__(self) -> str:
        result = self.client.acquire_token_for_client(resource=self.RESOURCE)
        if "access_token" not in result:
            raise ValueError(f"no managed identity token for the federated credential: {result.get('error')}")
        return result["access_token"]


class TimedSession(requests.Session):
    """The HTTP client MSAL's managed identity calls go through, with TOKEN_TIMEOUT (MSAL sets none)."""

    def request(self, *args, **kwargs):
        kwargs["timeout"] = kwargs.get("timeout") or TOKEN_TIMEOUT
        return super().request(*args, **kwargs)
