"""Microsoft Teams' variables (MICROSOFT_*, TEAMS_*), read from the environment and checked."""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from urllib.parse import urlparse

from bot.ports import ConfigError, Env

SDKS = ("agents", "botbuilder")  # TEAMS_SDK: the Microsoft 365 Agents SDK (default) or the Bot Framework SDK


@dataclass(frozen=True)
class TeamsSettings:
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_tenant_id: str = ""
    app_type: str = "MultiTenant"
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
        app_id=env.text("MICROSOFT_APP_ID"),
        app_password=env.text("MICROSOFT_APP_PASSWORD"),
        app_tenant_id=env.text("MICROSOFT_APP_TENANT_ID"),
        app_type=env.text("MICROSOFT_APP_TYPE") or "MultiTenant",
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
    value = env.text(name)
    if value:
        parts = urlparse(value)
        if parts.scheme not in schemes or not parts.hostname:
            raise ConfigError(f"{name} must be an {' or '.join(s.upper() for s in schemes)} URL, got {value[:80]!r}")
    return value


def check(settings: TeamsSettings) -> None:
    """`serve` refuses to start Teams without an app id unless TEAMS_ENABLED says so."""
    if not settings.app_id and not settings.enabled_without_auth:
        raise ConfigError("Teams needs MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD, "
                          "or TEAMS_ENABLED=true for local testing without authentication")
    if settings.sdk == "botbuilder" and (importlib.util.find_spec("botbuilder") is None
                                         or importlib.util.find_spec("botframework") is None):
        raise ConfigError("TEAMS_SDK=botbuilder needs the Bot Framework SDK: install kipina[botbuilder] "
                          "(make install EXTRA=botbuilder, or pip install 'kipina[botbuilder]')")
    if settings.app_id and settings.app_type.lower() == "singletenant":
        if not settings.app_tenant_id or not settings.app_password:
            raise ConfigError("MICROSOFT_APP_TYPE=SingleTenant needs MICROSOFT_APP_TENANT_ID "
                              "and MICROSOFT_APP_PASSWORD")
    secret_based = settings.app_type.lower() in ("multitenant", "singletenant")
    if settings.app_id and settings.sdk == "agents" and not secret_based:
        raise ConfigError(f"MICROSOFT_APP_TYPE={settings.app_type} is not supported with TEAMS_SDK=agents "
                          "(SingleTenant or MultiTenant with a client secret); use TEAMS_SDK=botbuilder")
