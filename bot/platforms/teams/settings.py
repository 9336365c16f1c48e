"""Microsoft Teams' variables (MICROSOFT_*, TEAMS_*), read from the environment and checked."""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.ports import ConfigError, Env


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
        openid_metadata_url=env.text("MICROSOFT_OPENID_METADATA_URL"),
    )


def check(settings: TeamsSettings) -> None:
    """`serve` refuses to start Teams without an app id unless TEAMS_ENABLED says so."""
    if not settings.app_id and not settings.enabled_without_auth:
        raise ConfigError("Teams needs MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD, "
                          "or TEAMS_ENABLED=true for local testing without authentication")
    if settings.app_id and settings.app_type.lower() == "singletenant":
        if not settings.app_tenant_id or not settings.app_password:
            raise ConfigError("MICROSOFT_APP_TYPE=SingleTenant needs MICROSOFT_APP_TENANT_ID "
                              "and MICROSOFT_APP_PASSWORD")
