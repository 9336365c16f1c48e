"""Settings from the environment (and a .env file next to where the bot runs)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.ports.env import ConfigError, Env

LANGUAGES = ("fi", "sv", "en")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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
    llm_min_authors: int = 5  # distinct authors a week needs before answers go to a language model
    reply_retention_days: int = 365
    answer_window_days: int = 2
    sender_timeout_seconds: float = 30.0
    clock_standby_poll_seconds: float = 5.0
    hr_users: frozenset[str] = frozenset()
    admin_users: frozenset[str] = frozenset()
    openai_api_key: str = field(default="", repr=False)
    openai_base_url: str = ""
    openai_model: str = "gpt-4o-mini"
    log_format: str = "auto"
    public_url: str = ""  # PUBLIC_URL: the address put in dashboard links; empty: http://localhost:PORT
    metrics_token: str = field(default="", repr=False)  # METRICS_TOKEN: /metrics asks for it as a bearer token
    health_port: int = 0  # HEALTH_PORT: clock and worker serve /livez, /readyz, /metrics there; 0: not at all
    # Who runs this installation, for the public /privacy and /terms pages and the Teams package.
    organisation_name: str = ""
    organisation_names: tuple[tuple[str, str], ...] = ()  # (language, name) where it differs by language
    privacy_contact: str = ""  # an e-mail address: the data protection officer or privacy contact
    privacy_notice_url: str = ""  # the organisation's own full privacy notice, if it has one
    # The accessibility statement (/accessibility, Act 306/2019): where feedback goes, when and by whom
    # the service was assessed; the organisation fills these in (docs/accessibility.md).
    accessibility_feedback: str = ""  # an e-mail address or a web form's address
    accessibility_assessed: date | None = None
    accessibility_assessed_by: str = ""  # empty: the organisation assessed it itself
    data_protection_officer: str = ""  # DATA_PROTECTION_OFFICER: how to reach the DPO, e.g. a name and an e-mail
    # PRIVACY_LEGAL_BASIS (…_FI, _SV, _EN): the agency's own wording; empty: the default text for Art. 6(1)(e)/(c)
    privacy_legal_bases: tuple[tuple[str, str], ...] = ()
    # A programme across organisations (docs/programme.md): this installation is the hub, and/or a member.
    programme_hub: bool = False  # PROGRAMME_HUB=on: organisations send their weekly aggregates here
    programme_leads: frozenset[str] = frozenset()  # PROGRAMME_LEADS: platform:user_id of the programme's leads
    programme_hub_url: str = ""  # PROGRAMME_HUB_URL: where this organisation sends its aggregates
    programme_token: str = field(default="", repr=False)  # PROGRAMME_TOKEN: from the hub's `programme add-org`
    programme_share_circle_names: bool = False  # PROGRAMME_SHARE_CIRCLE_NAMES=on: circle names travel too
    # Every variable the process started with: platform packages read their own from it.
    env: Env = field(default_factory=Env, repr=False, compare=False)

    @property
    def public_base(self) -> str:
        """Where people reach this bot's web pages: PUBLIC_URL, else http://localhost:PORT."""
        return self.public_url or f"http://localhost:{self.port}"

    def organisation(self, lang: str) -> str:
        """The organisation's name in a language (ORGANISATION_NAME_SV …), else ORGANISATION_NAME."""
        return dict(self.organisation_names).get(lang) or self.organisation_name

    def legal_basis(self, lang: str) -> str:
        """PRIVACY_LEGAL_BASIS_<LANG>, else PRIVACY_LEGAL_BASIS; empty when the agency set neither."""
        bases = dict(self.privacy_legal_bases)
        return bases.get(lang) or bases.get("", "")


def load_settings(env: dict[str, str] | None = None, dotenv: bool = True) -> Settings:
    """Read settings; a .env file fills in what the real environment leaves unset."""
    if env is None:
        if dotenv:
            from dotenv import load_dotenv

            load_dotenv(os.path.join(os.getcwd(), ".env"), override=False)
        env = dict(os.environ)
    e = Env(env)
    min_group_size = e.whole("MIN_GROUP_SIZE", 5, 3, 10_000)
    return Settings(
        database_url=e.text("DATABASE_URL", "sqlite:///kipina.db"),
        port=e.whole("PORT", 3000, 1, 65535),
        default_language=_language(e.text("DEFAULT_LANGUAGE", "en")),
        timezone=_zone(e.text("TIMEZONE", "Europe/Helsinki"), "TIMEZONE"),
        working_hours=_hours(e.text("WORKING_HOURS", "08:00-17:00")),
        working_days=_days(e.text("WORKING_DAYS", "mon-fri")),
        holiday_country=_country(e.text("HOLIDAY_COUNTRY", "FI")),
        min_group_size=min_group_size,
        # Never fewer than the group-size rule allows: a lower value is raised to MIN_GROUP_SIZE.
        llm_min_authors=max(e.whole("LLM_MIN_AUTHORS", 5, 1, 10_000), min_group_size),
        reply_retention_days=e.whole("REPLY_RETENTION_DAYS", 365, 1, 36_500),
        answer_window_days=e.whole("ANSWER_WINDOW_DAYS", 2, 1, 14),
        sender_timeout_seconds=e.decimal("SENDER_TIMEOUT_SECONDS", 30, 1, 3600, "seconds"),
        clock_standby_poll_seconds=e.decimal("CLOCK_STANDBY_POLL_SECONDS", 5, 0.1, 60, "seconds"),
        hr_users=_people(e.text("HR_USERS"), "HR_USERS"),
        admin_users=_people(e.text("ADMIN_USERS"), "ADMIN_USERS"),
        openai_api_key=e.text("OPENAI_API_KEY"),
        openai_base_url=e.text("OPENAI_BASE_URL"),
        openai_model=e.text("OPENAI_MODEL") or "gpt-4o-mini",
        log_format=e.text("LOG_FORMAT") or "auto",
        public_url=_public_url(e.text("PUBLIC_URL")),
        metrics_token=e.text("METRICS_TOKEN"),
        health_port=e.whole("HEALTH_PORT", 0, 0, 65535),
        organisation_name=e.text("ORGANISATION_NAME"),
        organisation_names=tuple((lang, e.text(f"ORGANISATION_NAME_{lang.upper()}")) for lang in LANGUAGES
                                 if e.text(f"ORGANISATION_NAME_{lang.upper()}")),
        privacy_contact=_email(e.text("PRIVACY_CONTACT"), "PRIVACY_CONTACT"),
        privacy_notice_url=_web_address(e.text("PRIVACY_NOTICE_URL"), "PRIVACY_NOTICE_URL"),
        accessibility_feedback=_feedback(e.text("ACCESSIBILITY_FEEDBACK")),
        accessibility_assessed=_day(e.text("ACCESSIBILITY_ASSESSED"), "ACCESSIBILITY_ASSESSED"),
        accessibility_assessed_by=e.text("ACCESSIBILITY_ASSESSED_BY"),
        data_protection_officer=_one_line(e.text("DATA_PROTECTION_OFFICER"), "DATA_PROTECTION_OFFICER", 200),
        privacy_legal_bases=tuple((lang, _one_line(e.text(f"PRIVACY_LEGAL_BASIS{suffix}"), f"PRIVACY_LEGAL_BASIS{suffix}",
                                                   2000))
                                  for lang, suffix in (("", ""), *((lang, f"_{lang.upper()}") for lang in LANGUAGES))
                                  if e.text(f"PRIVACY_LEGAL_BASIS{suffix}")),
        programme_hub=_switch(e.text("PROGRAMME_HUB"), "PROGRAMME_HUB"),
        programme_leads=_people(e.text("PROGRAMME_LEADS"), "PROGRAMME_LEADS"),
        programme_hub_url=_hub_url(e.text("PROGRAMME_HUB_URL")),
        programme_token=e.text("PROGRAMME_TOKEN"),
        programme_share_circle_names=_switch(e.text("PROGRAMME_SHARE_CIRCLE_NAMES"), "PROGRAMME_SHARE_CIRCLE_NAMES"),
        env=e,
    )


def _public_url(raw: str) -> str:
    """'https://kipina.example.org' (a path is kept, a trailing slash dropped); empty for the default."""
    value = raw.strip().rstrip("/")
    if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise ConfigError(f"PUBLIC_URL must be the bot's address such as https://kipina.example.org, got {raw!r}")
    return value


def _switch(raw: str, name: str) -> bool:
    value = raw.strip().lower()
    if value in ("", "off", "false", "no", "0"):
        return False
    if value in ("on", "true", "yes", "1"):
        return True
    raise ConfigError(f"{name} must be on or off, got {raw!r}")


def _hub_url(raw: str) -> str:
    """The hub's address; plain http only to this machine (figures cross networks encrypted)."""
    value = raw.strip().rstrip("/")
    if not value:
        return ""
    m = re.fullmatch(r"(https?)://([^\s/?#:]+|\[[0-9a-fA-F:]+\])(:\d+)?(/[^\s?#]*)?", value)
    if not m:
        raise ConfigError(f"PROGRAMME_HUB_URL must be the hub's address such as https://kipina.valtiokonttori.fi, "
                          f"got {raw!r}")
    if m.group(1) == "http" and m.group(2) not in ("localhost", "127.0.0.1", "[::1]"):
        raise ConfigError(f"PROGRAMME_HUB_URL must use https (plain http only to localhost), got {raw!r}")
    return value


def _email(raw: str, name: str) -> str:
    if raw and not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}", raw):
        raise ConfigError(f"{name} must be an e-mail address such as tietosuoja@virasto.fi, got {raw!r}")
    return raw


def _one_line(raw: str, name: str, limit: int) -> str:
    """A text shown as it is on pages and in chat: one line, not too long."""
    value = raw.strip()
    if len(value) > limit or any(ch in value for ch in "\r\n\t"):
        raise ConfigError(f"{name} must be one line of at most {limit} characters")
    return value


def _web_address(raw: str, name: str) -> str:
    if raw and not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", raw):
        raise ConfigError(f"{name} must be a web address such as https://www.virasto.fi/tietosuoja, got {raw!r}")
    return raw


def _feedback(raw: str) -> str:
    """An e-mail address, or the address of a feedback form."""
    if raw and "@" in raw and not raw.startswith(("http://", "https://")):
        return _email(raw, "ACCESSIBILITY_FEEDBACK")
    if raw and not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", raw):
        raise ConfigError("ACCESSIBILITY_FEEDBACK must be an e-mail address such as saavutettavuus@virasto.fi "
                          f"or a feedback form's web address, got {raw!r}")
    return raw


def _day(raw: str, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a date such as 2026-11-30, got {raw!r}") from None


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
