"""Microsoft Teams' variables (MICROSOFT_*, TEAMS_*, and the Agents SDK's CONNECTIONS__…), read from the
environment and checked; how the bot signs in is credentials.py's."""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from urllib.parse import urlparse

from bot.platforms.teams import credentials
from bot.ports import ConfigError, Env

SDKS = ("agents", "botbuilder")  # TEAMS_SDK: the Microsoft 365 Agents SDK (default) or the Bot Framework SDK
BOTBUILDER_AUTH = ("client_secret", "user_managed_identity")  # what botbuilder's credential factory signs in with


@dataclass(frozen=True)
class TeamsSettings:
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_tenant_id: str = ""
    app_type: str = "SingleTenant"  # or MultiTenant, UserAssignedMSI (credentials.APP_TYPES)
    # How the bot signs in for its own calls, and what with (credentials.py).
    auth_type: str = "client_secret"
    certificate_file: str = ""  # PEM (key and certificate, or MICROSOFT_CERTIFICATE_KEY_FILE) or PFX
    certificate_key_file: str = ""
    certificate_password: str = field(default="", repr=False)
    managed_identity_client_id: str = ""  # federated_credentials: the identity whose token is the assertion
    federated_token_file: str = ""  # workload_identity
    enabled_without_auth: bool = False  # TEAMS_ENABLED: local testing only
    messages_per_second: float = 25.0  # tenant-wide, for what the bot sends on its own
    # Where the channel publishes its token signing keys, when not the public cloud's
    # (national clouds; tests use a local issuer).
    openid_metadata_url: str = ""
    # Where the bot gets its own access tokens (login authority, e.g. a national cloud's
    # https://login.microsoftonline.us/<tenant>); empty for the public cloud.
    authority: str = ""
    sdk: str = "agents"

    @property
    def enabled(self) -> bool:
        return bool(self.app_id or self.enabled_without_auth)


def read(env: Env) -> TeamsSettings:
    return TeamsSettings(
        **credentials.read(env),
        enabled_without_auth=env.flag("TEAMS_ENABLED"),
        messages_per_second=env.decimal("TEAMS_MESSAGES_PER_SECOND", 25, 0.1, 1000, "messages per second"),
        openid_metadata_url=_url(env, "MICROSOFT_OPENID_METADATA_URL", ("https", "http")),
        authority=_url(env, "MICROSOFT_AUTHORITY", ("https",)).rstrip("/"),
        sdk=_sdk(env),
    )


def _sdk(env: Env) -> str:
    name = env.text("TEAMS_SDK").lower() or SDKS[0]
    if name not in SDKS:
        raise ConfigError(f"TEAMS_SDK must be one of {', '.join(SDKS)}, got {env.text('TEAMS_SDK')!r}")
    return name


def _url(env: Env, name: str, schemes: tuple[str, ...]) -> str:
    value = credentials.pick(env, name, str)
    if value:
        parts = urlparse(value)
        if parts.scheme not in schemes or not parts.hostname:
            raise ConfigError(f"{name} must be an {' or '.join(s.upper() for s in schemes)} URL, got {value[:80]!r}")
    return value


def check(settings: TeamsSettings) -> None:
    """`serve` refuses to start Teams without an app id unless TEAMS_ENABLED says so, and with
    sign-in settings that do not go together (credentials.check)."""
    if not settings.app_id and not settings.enabled_without_auth:
        raise ConfigError("Teams needs MICROSOFT_APP_ID and a way to sign in (MICROSOFT_AUTH_TYPE), "
                          "or TEAMS_ENABLED=true for local testing without authentication")
    if settings.sdk == "botbuilder":
        if importlib.util.find_spec("botbuilder") is None or importlib.util.find_spec("botframework") is None:
            raise ConfigError("TEAMS_SDK=botbuilder needs the Bot Framework SDK: install kipina[botbuilder] "
                              "(make install EXTRA=botbuilder, or pip install 'kipina[botbuilder]')")
        if settings.app_id and settings.auth_type not in BOTBUILDER_AUTH:
            raise ConfigError(f"MICROSOFT_AUTH_TYPE={settings.auth_type} needs TEAMS_SDK=agents (the default): "
                              f"TEAMS_SDK=botbuilder signs in with {' or '.join(BOTBUILDER_AUTH)} only")
    if settings.app_id:
        credentials.check(settings)
