"""The seam between the Teams platform and a Microsoft SDK, and which one it uses (TEAMS_SDK).

An SDK does two things only: whether a request to /api/messages may be served (the channel's JWT,
checked against its OpenID metadata) and which bearer token the bot's own connector calls carry
(tokens.py). Everything else stays ours whichever SDK is chosen: reading activities (inbound.py),
answering at once and working afterwards in lanes (platform.py), the connector REST calls and their
pacing (rest.py), the signing-key cache and its threads (keys.py). `agents` (sdk_agents.py) is the
Microsoft 365 Agents SDK; `botbuilder` (sdk_botbuilder.py) is the Bot Framework SDK the bot used
before, kept selectable for one more version as the extra kipina[botbuilder]. platform.py imports
the chosen one only.

What of an SDK is used that it does not offer publicly, checked against the versions in
SDK_CHECKED (tests/test_teams_auth.py fails when an installed version differs, so an upgrade is
looked at again; botbuilder's when the extra is installed):
- Agents SDK: `JwtTokenValidator._jwk_client_manager`, set on our validator instance (not the
  class) to our key cache (keys.py): the SDK takes no key source in its configuration, and its own
  fetches keys in the shared thread pool with a 30 s time-out. `MsalAuth._create_client_application`
  is overridden in a subclass so the MSAL client is built off the event loop, by tokens.msal_client
  for every MICROSOFT_AUTH_TYPE (which says what it does beyond the SDK's own).
- botbuilder: `JwtTokenExtractor.metadataCache` (public, but one dict for the whole process, keyed by
  metadata URL) holds our key cache per URL; `MicrosoftAppCredentials.app` is given our MSAL client.
"""
from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol

SDK_CHECKED = {"microsoft-agents-hosting-core": "1.9.0", "botbuilder-core": "4.17.1"}


class Unauthorized(PermissionError):
    """The request's token is missing, malformed, forged or not for this bot: 401."""


class Unavailable(ConnectionError):
    """A token could not be checked (signing keys out of reach: 503) or got (the connector call
    becomes a TemporaryFailure, retried later)."""


class NotAnActivity(ValueError):
    """The SDK cannot read the body as an activity: 400."""


class Sdk(Protocol):
    name: str

    async def authenticate(self, body: dict, header: str) -> dict:
        """The token's claims; Unauthorized, Unavailable or NotAnActivity otherwise. Only called
        with an app id set: without one (TEAMS_ENABLED) nothing is checked."""

    async def bearer(self, service_url: str) -> str | None:
        """The access token for a connector call to service_url; None without an app id."""

    async def close(self) -> None:
        """Let go of threads and clients (the platform is stopping)."""


async def checked(work: Awaitable):
    """An SDK's token check, its failures told apart once for both SDKs: keys out of reach or a
    network failure → Unavailable (503); anything the token itself did wrong → Unauthorized (401)."""
    try:
        return await work
    except (Unauthorized, Unavailable, NotAnActivity):
        raise
    except PermissionError as error:  # ours (an unknown key), botbuilder's refusals
        raise Unauthorized(str(error)[:200]) from None
    except OSError as error:  # the key cache (KeysUnavailable) or an SDK's own fetch
        raise Unavailable(f"{type(error).__name__}: {str(error)[:200]}") from None
    except Exception as error:  # PyJWT's errors, the SDKs' ValueErrors (audience, issuer), garbage
        raise Unauthorized(f"{type(error).__name__}: {str(error)[:80]}") from None


async def fetched(work: Awaitable[str], authority: str) -> str:
    """An access token from the login authority; refused, unreachable or too slow → Unavailable."""
    try:
        return await work
    except Unavailable:
        raise
    except (ValueError, OSError, TimeoutError) as error:
        raise Unavailable(f"no access token from {authority}: {type(error).__name__}: {str(error)[:200]}") from None
