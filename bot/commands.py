"""The /circle command grammar, parsed once for every platform.

Platforms hand over the text after the command word with mentions already in the form
`<@ID>` or `<@ID|name>`; a bare `@name` is looked up by name later.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot import platforms as registry
from bot.config import LANGUAGES

# Day names a mentor may type, in English, Finnish and Swedish, mapped to cron names.
DAY_ALIASES = {
    "mon": "mon", "monday": "mon", "ma": "mon", "maanantai": "mon", "mån": "mon", "man": "mon", "måndag": "mon",
    "tue": "tue", "tuesday": "tue", "ti": "tue", "tiistai": "tue", "tis": "tue", "tisdag": "tue",
    "wed": "wed", "wednesday": "wed", "ke": "wed", "keskiviikko": "wed", "ons": "wed", "onsdag": "wed",
    "thu": "thu", "thursday": "thu", "to": "thu", "torstai": "thu", "tor": "thu", "tors": "thu", "torsdag": "thu",
    "fri": "fri", "friday": "fri", "pe": "fri", "perjantai": "fri", "fre": "fri", "fredag": "fri",
    "sat": "sat", "saturday": "sat", "la": "sat", "lauantai": "sat", "lör": "sat", "lor": "sat", "lördag": "sat",
    "sun": "sun", "sunday": "sun", "su": "sun", "sunnuntai": "sun", "sön": "sun", "son": "sun", "söndag": "sun",
}
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

USAGE = {
    "help": "help",
    "new": "new <name> [@person …]",
    "add": "add @person [@person …]",
    "remove": "remove @person [@person …]",
    "leave": "leave",
    "list": "list",
    "info": "info",
    "schedule": "schedule reflection|coffee <days> <HH:MM>  ·  schedule off [reflection|coffee]",
    "prompt": "prompt now  ·  prompt add <text>",
    "coffee": "coffee now",
    "pause": "pause [<n>w|<n>d]",
    "resume": "resume",
    "journal": "journal",
    "mydata": "mydata",
    "forget-me": "forget-me",
    "language": "language fi|sv|en",
    "report": "report",
    "archive": "archive",
    "audit": "audit",
}
NO_ARGS = {"help", "leave", "list", "info", "resume", "journal", "mydata", "forget-me", "report", "archive", "audit"}
ALIASES = {"forgetme": "forget-me", "forget_me": "forget-me", "lang": "language", "kieli": "language", "språk": "language"}

# Words that may stand before a command: typed in a chat, or the slash command itself.
PREFIXES = ("/circle", "circle", "/piiri", "piiri", "/cirkel", "cirkel")


def spelled(platform: str, usage: str) -> str:
    """A command as a user types it on this platform: '/circle help' on Slack, 'help' on Teams."""
    return " ".join(filter(None, (registry.command_prefix(platform), usage)))


MAX_NAME = 80
MAX_PROMPT = 500
MAX_INPUT = 4000

MENTION = re.compile(r"<@([^|>\s]+)(?:\|([^>]*))?>|(?<![\w@])@([\w.\-]+)")


@dataclass(frozen=True)
class Mention:
    user_id: str | None  # platform id, when the platform gave one
    name: str | None

    @property
    def label(self) -> str:
        return self.name or self.user_id or "?"


@dataclass(frozen=True)
class Command:
    name: str
    circle_name: str = ""
    mentions: tuple[Mention, ...] = ()
    kind: str = ""  # reflection | coffee (schedule), now | add (prompt)
    days: str = ""  # cron day_of_week, e.g. "mon,thu"
    time: str = ""  # HH:MM
    text: str = ""
    pause_days: int | None = None  # None: until resume
    language: str = ""


class UsageError(ValueError):
    """Wrong input: `reason` is an i18n key, `command` says which usage line to show."""

    def __init__(self, reason: str, command: str | None = None, **params):
        super().__init__(reason)
        self.reason, self.command, self.params = reason, command, params


def clean(text: str) -> str:
    """Drop control and format characters (keep newlines and tabs as spaces) and trim."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\n\t\r":
            out.append(" ")
        elif cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def parse(text: str) -> Command:
    if len(text) > MAX_INPUT:
        raise UsageError("usage.too_long", None, limit=MAX_INPUT)
    text = clean(text)
    head, _, rest = text.partition(" ")
    if head.lower() in PREFIXES:
        head, _, rest = rest.partition(" ")
    name = ALIASES.get(head.lower(), head.lower())
    rest = rest.strip()
    if not name:
        return Command("help")
    if name not in USAGE:
        raise UsageError("usage.unknown", None, word=head[:40])
    if name in NO_ARGS:
        if rest:
            raise UsageError("usage.no_args", name)
        return Command(name)
    return _PARSERS[name](rest)


def _mentions(rest: str) -> tuple[tuple[Mention, ...], str]:
    mentions: list[Mention] = []

    def take(m: re.Match) -> str:
        if m.group(1):
            mentions.append(Mention(m.group(1), (m.group(2) or "").strip() or None))
        else:
            mentions.append(Mention(None, m.group(3)))
        return " "

    left = MENTION.sub(take, rest)
    unique: dict[str, Mention] = {}
    for mention in mentions:
        unique.setdefault((mention.user_id or "@" + (mention.name or "")).lower(), mention)
    return tuple(unique.values()), " ".join(left.split())


def _new(rest: str) -> Command:
    mentions, name = _mentions(rest)
    if not name:
        raise UsageError("usage.new_needs_name", "new")
    if len(name) > MAX_NAME:
        raise UsageError("usage.name_too_long", "new", limit=MAX_NAME)
    if not any(ch.isalnum() for ch in name):
        raise UsageError("usage.name_needs_letters", "new")
    return Command("new", circle_name=name, mentions=mentions)


def _people(command: str):
    def parse_people(rest: str) -> Command:
        mentions, left = _mentions(rest)
        if left:
            raise UsageError("usage.not_a_mention", command, word=left.split()[0][:40])
        if not mentions:
            raise UsageError("usage.needs_mentions", command)
        return Command(command, mentions=mentions)

    return parse_people


def parse_days(raw: str) -> str:
    """'thu', 'mon,thu', 'ma-pe', 'weekdays' → 'thu', 'mon,thu', 'mon,tue,wed,thu,fri'."""
    raw = raw.lower()
    if raw in ("weekdays", "arkisin", "vardagar"):
        return "mon,tue,wed,thu,fri"
    if raw in ("daily", "päivittäin", "dagligen"):
        return ",".join(WEEK)
    days: set[int] = set()
    for part in filter(None, raw.split(",")):
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in DAY_ALIASES or last not in DAY_ALIASES:
                raise UsageError("usage.bad_days", "schedule", days=raw[:40])
            a, b = WEEK.index(DAY_ALIASES[first]), WEEK.index(DAY_ALIASES[last])
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif part in DAY_ALIASES:
            days.add(WEEK.index(DAY_ALIASES[part]))
        else:
            raise UsageError("usage.bad_days", "schedule", days=raw[:40])
    if not days:
        raise UsageError("usage.bad_days", "schedule", days=raw[:40])
    return ",".join(WEEK[d] for d in sorted(days))


def parse_time(raw: str) -> str:
    m = re.fullmatch(r"(\d{1,2})[:.](\d{2})", raw)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise UsageError("usage.bad_time", "schedule", time=raw[:20])
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def _schedule(rest: str) -> Command:
    words = rest.lower().split()
    if not words:
        raise UsageError("usage.schedule_what", "schedule")
    if words[0] == "off":
        if len(words) > 2 or (len(words) == 2 and words[1] not in ("reflection", "coffee")):
            raise UsageError("usage.schedule_what", "schedule")
        return Command("schedule", kind="off", text=words[1] if len(words) == 2 else "")
    if words[0] not in ("reflection", "coffee"):
        raise UsageError("usage.schedule_what", "schedule")
    if len(words) != 3:
        raise UsageError("usage.schedule_days_time", "schedule")
    return Command("schedule", kind=words[0], days=parse_days(words[1]), time=parse_time(words[2]))


def _prompt(rest: str) -> Command:
    word, _, text = rest.partition(" ")
    if word.lower() == "now" and not text.strip():
        return Command("prompt", kind="now")
    if word.lower() == "add":
        text = text.strip()
        if not text:
            raise UsageError("usage.prompt_needs_text", "prompt")
        if len(text) > MAX_PROMPT:
            raise UsageError("usage.prompt_too_long", "prompt", limit=MAX_PROMPT)
        return Command("prompt", kind="add", text=text)
    raise UsageError("usage.prompt_what", "prompt")


def _coffee(rest: str) -> Command:
    if rest.lower() != "now":
        raise UsageError("usage.coffee_what", "coffee")
    return Command("coffee", kind="now")


def _pause(rest: str) -> Command:
    if not rest:
        return Command("pause")
    m = re.fullmatch(r"(\d{1,3})\s*([wdvp])", rest.lower())
    # w/v (week, vecka/viikko), d/p (day, dag/päivä)
    if not m:
        raise UsageError("usage.bad_pause", "pause", value=rest[:20])
    n, unit = int(m.group(1)), m.group(2)
    days = n * 7 if unit in "wv" else n
    if not 1 <= days <= 366:
        raise UsageError("usage.bad_pause", "pause", value=rest[:20])
    return Command("pause", pause_days=days)


def _language(rest: str) -> Command:
    code = rest.lower()
    if code not in LANGUAGES:
        raise UsageError("usage.bad_language", "language", value=rest[:20])
    return Command("language", language=code)


_PARSERS = {
    "new": _new,
    "add": _people("add"),
    "remove": _people("remove"),
    "schedule": _schedule,
    "prompt": _prompt,
    "coffee": _coffee,
    "pause": _pause,
    "language": _language,
}
