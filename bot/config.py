"""Settings from the environment (and a .env file next to where the bot runs)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = ("fi", "sv", "en")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(ValueError):
    """A setting is wrong; the message names it and says what is expected."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///kipina.db"
    port: int = 3000
    default_language: str = "en"
    timezone: str = "Europe/Helsinki"
    working_hours: tuple[time, time] = (time(8, 0), time(17, 0))
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    holiday_country: str = "FI"
    min_group_size: int = 5
    reply_retention_days: int = 365
    answer_window_days: int = 2
    outbox_lease_seconds: int = 300
    clock_standby_poll_seconds: float = 5.0
    slack_messages_per_second: float = 8.0
    teams_messages_per_second: float = 25.0
    hr_users: frozenset[str] = frozenset()
    admin_users: frozenset[str] = frozenset()
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = ""
    microsoft_app_id: str = ""
    microsoft_app_password: str = field(default="", repr=False)
    microsoft_app_tenant_id: str = ""
    microsoft_app_type: str = "MultiTenant"
    teams_enabled: bool = False
    openai_api_key: str = field(default="", repr=False)
    openai_base_url: str = ""
    openai_model: str = "gpt-4o-mini"
    log_format: str = "auto"

    @property
    def slack_on(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def teams_on(self) -> bool:
        return bool(self.microsoft_app_id or self.teams_enabled)

    @property
    def any_platform(self) -> bool:
        return self.slack_on or self.teams_on


def load_settings(env: dict[str, str] | None = None, dotenv: bool = True) -> Settings:
    """Read settings; a .env file fills in what the real environment leaves unset."""
    if env is None:
        if dotenv:
            from dotenv import load_dotenv

            load_dotenv(os.path.join(os.getcwd(), ".env"), override=False)
        env = dict(os.environ)

    def get(name: str, default: str = "") -> str:
        return env.get(name, default).strip()

    settings = Settings(
        database_url=get("DATABASE_URL", "sqlite:///kipina.db"),
        port=_int(get("PORT", "3000"), "PORT", 1, 65535),
        default_language=_language(get("DEFAULT_LANGUAGE", "en")),
        timezone=_zone(get("TIMEZONE", "Europe/Helsinki"), "TIMEZONE"),
        working_hours=_hours(get("WORKING_HOURS", "08:00-17:00")),
        working_days=_days(get("WORKING_DAYS", "mon-fri")),
        holiday_country=_country(get("HOLIDAY_COUNTRY", "FI") if "HOLIDAY_COUNTRY" in env else "FI"),
        min_group_size=_int(get("MIN_GROUP_SIZE", "5"), "MIN_GROUP_SIZE", 3, 10_000),
        reply_retention_days=_int(get("REPLY_RETENTION_DAYS", "365"), "REPLY_RETENTION_DAYS", 1, 36_500),
        answer_window_days=_int(get("ANSWER_WINDOW_DAYS", "2"), "ANSWER_WINDOW_DAYS", 1, 14),
        slack_messages_per_second=_float(get("SLACK_MESSAGES_PER_SECOND", "8"), "SLACK_MESSAGES_PER_SECOND",
                                         0.1, 1000, "messages per second"),
        teams_messages_per_second=_float(get("TEAMS_MESSAGES_PER_SECOND", "25"), "TEAMS_MESSAGES_PER_SECOND",
                                         0.1, 1000, "messages per second"),
        outbox_lease_seconds=_int(get("OUTBOX_LEASE_SECONDS", "300"), "OUTBOX_LEASE_SECONDS", 1, 86_400),
        clock_standby_poll_seconds=_float(get("CLOCK_STANDBY_POLL_SECONDS", "5"), "CLOCK_STANDBY_POLL_SECONDS",
                                          0.1, 60, "seconds"),
        hr_users=_people(get("HR_USERS"), "HR_USERS"),
        admin_users=_people(get("ADMIN_USERS"), "ADMIN_USERS"),
        slack_bot_token=get("SLACK_BOT_TOKEN"),
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=get("SLACK_APP_TOKEN"),
        slack_api_url=get("SLACK_API_URL"),
        microsoft_app_id=get("MICROSOFT_APP_ID"),
        microsoft_app_password=get("MICROSOFT_APP_PASSWORD"),
        microsoft_app_tenant_id=get("MICROSOFT_APP_TENANT_ID"),
        microsoft_app_type=get("MICROSOFT_APP_TYPE", "MultiTenant") or "MultiTenant",
        teams_enabled=get("TEAMS_ENABLED").lower() in ("1", "true", "yes", "on"),
        openai_api_key=get("OPENAI_API_KEY"),
        openai_base_url=get("OPENAI_BASE_URL"),
        openai_model=get("OPENAI_MODEL", "gpt-4o-mini") or "gpt-4o-mini",
        log_format=get("LOG_FORMAT", "auto") or "auto",
    )
    return settings


def _int(raw: str, name: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _float(raw: str, name: str, low: float, high: float, unit: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of {unit}, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g} {unit}, got {value:g}")
    return value


def _language(raw: str) -> str:
    value = raw.lower()[:2]
    if value not in LANGUAGES:
        raise ConfigError(f"DEFAULT_LANGUAGE must be one of fi, sv, en, got {raw!r}")
    return value


def _zone(raw: str, name: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name} must be an IANA time zone such as Europe/Helsinki, got {raw!r}") from None
    return raw


def _hours(raw: str) -> tuple[time, time]:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", raw)
    if not m:
        raise ConfigError(f"WORKING_HOURS must look like 08:00-17:00, got {raw!r}")
    h1, m1, h2, m2 = (int(x) for x in m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h2, m2) <= (h1, m1):
        raise ConfigError(f"WORKING_HOURS must be a start before an end within one day, got {raw!r}")
    return time(h1, m1), time(h2, m2)


def parse_days(raw: str) -> tuple[int, ...]:
    """'mon-fri', 'mon,wed,fri' → weekday numbers (Monday 0). Raises ValueError."""
    days: set[int] = set()
    for part in raw.lower().replace(" ", "").split(","):
        if "-" in part:
            first, last = part.split("-", 1)
            a, b = DAY_NAMES.index(first), DAY_NAMES.index(last)
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        else:
            days.add(DAY_NAMES.index(part))
    return tuple(sorted(days))


def _days(raw: str) -> tuple[int, ...]:
    try:
        days = parse_days(raw)
    except ValueError:
        raise ConfigError(f"WORKING_DAYS must look like mon-fri or mon,tue,thu, got {raw!r}") from None
    if not days:
        raise ConfigError("WORKING_DAYS must name at least one day")
    return days


def _country(raw: str) -> str:
    if not raw:
        return ""
    import holidays

    if raw.upper() not in holidays.list_supported_countries():
        raise ConfigError(f"HOLIDAY_COUNTRY must be a country code such as FI (or empty), got {raw!r}")
    return raw.upper()


def _people(raw: str, name: str) -> frozenset[str]:
    people = set()
    for item in filter(None, (p.strip() for p in raw.split(","))):
        if ":" not in item or not item.split(":", 1)[1]:
            raise ConfigError(f"{name} lists people as platform:user_id, got {item!r}")
        platform, user = item.split(":", 1)
        people.add(f"{platform.lower()}:{user}")
    return frozenset(people)
