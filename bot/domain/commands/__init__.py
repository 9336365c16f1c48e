"""The /circle command grammar, parsed once for every platform.

Platforms hand over the text after the command word with mentions already in the form
`<@ID>` or `<@ID|name>`; a bare `@name` is looked up by name later.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from bot import platforms as registry
from bot.domain.commands import words
from bot.domain.commands.when import BadDays, BadTime, days_and_time
from bot.common.config import LANGUAGES
from bot.common.i18n import t
from bot.common.text import one_line


NO_ARGS = {"help", "leave", "list", "info", "resume", "journal", "mydata", "forget-me", "privacy", "report", "archive",
           "audit", "dashboard", "programme"}
# Safe to take from a plain chat line even while a prompt waits for an answer: they change nothing
# anyone else sees, so an answer that happens to start with such a word costs little.
HARMLESS = {"help", "list", "info", "resume", "journal", "mydata", "privacy", "language", "pause", "report",
            "dashboard", "programme"}

# Words that may stand before a command: typed in a chat, or the slash command itself.
PREFIXES = ("/circle", "circle", "/piiri", "piiri", "/cirkel", "cirkel")


# The slash command the person typed in the request being answered: a Slack workspace may call it
# /piiri or /cirkel, and the reply names the word they use.
_typed_prefix: ContextVar[str] = ContextVar("typed_prefix", default="")


@contextmanager
def typed_prefix(prefix: str):
    """While answering a command typed with `prefix` ('/piiri'), commands named in replies use it."""
    word = prefix.strip().lower()
    token = _typed_prefix.set(word if word.startswith("/") and len(word) <= 32 and word[1:].isalpha() else "")
    try:
        yield
    finally:
        _typed_prefix.reset(token)


def spelled(platform: str, usage: str, lang: str = "") -> str:
    """A command as a user types it on this platform: '/circle help' on Slack, 'help' on Teams,
    '/piiri apua' for a Finn who typed /piiri (or on the console, which knows every language's word)."""
    prefix = registry.command_prefix(platform, lang)
    if prefix and _typed_prefix.get():
        prefix = _typed_prefix.get()
    return " ".join(filter(None, (prefix, usage)))


def usage_in(lang: str, name: str) -> str:
    """The usage line of a command in the reader's language, with that language's command words."""
    return t(lang, f"usage.cmd.{name}")


def typed(platform: str, lang: str, name: str) -> str:
    """A command named in running text, in the reader's words as typed on this platform: 'pause' is
    '/circle tauko' on Slack and 'tauko' on Teams; an example key ('example.schedule') gives its text."""
    words = t(lang, name) if name.startswith("example.") else usage_in(lang, name).split()[0]
    return spelled(platform, words, lang)


# pause 2w · 2 viikkoa · 2 vk · 2 veckor · 3d · 3 päivää · 3 pv · 3 dagar
PAUSE_UNITS = {**dict.fromkeys(("w", "wk", "week", "weeks", "v", "vk", "viikko", "viikoksi", "viikkoa",
                                "vecka", "veckor", "veckan"), 7),
               **dict.fromkeys(("d", "day", "days", "p", "pv", "päivä", "päiväksi", "päivää", "dag", "dagar"), 1)}
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
    # The word after the command: reflection | coffee (schedule), now | add (prompt),
    # on | off | now | history | skip | join (pairs).
    sub: str = ""
    days: str = ""  # cron day_of_week, e.g. "mon,thu"
    time: str = ""  # HH:MM
    text: str = ""
    pause_days: int | None = None  # None: until resume
    language: str = ""
    weeks: int | None = None  # pairs on: a round every this many weeks (None: as before, else 2)


class UsageError(ValueError):
    """Wrong input: `reason` is an i18n key, `command` says which usage line to show."""

    def __init__(self, reason: str, command: str | None = None, **params):
        super().__init__(reason)
        self.reason, self.command, self.params = reason, command, params


def parse(text: str) -> Command:
    if len(text) > MAX_INPUT:
        raise UsageError("usage.too_long", None, limit=MAX_INPUT)
    text = one_line(text)
    head, _, rest = text.partition(" ")
    if head.lower() in PREFIXES:
        text = rest
    head, _, rest = words.joined(text).partition(" ")
    rest = rest.strip()
    if not head:
        return Command("help")
    name = words.command(head)
    if name is None:
        meant = words.closest(head)
        if meant is not None:  # 'listaa', 'hlep': say what works, in the reader's words
            raise UsageError("usage.did_you_mean", None, word=head[:40], meant=meant, rest=rest[:80])
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


def _schedule(rest: str) -> Command:
    kind_word, _, when = rest.partition(" ")
    kind = words.sub(kind_word) if kind_word else None
    if kind == "off":
        which = words.sub(when) if when else ""
        if when and which not in ("reflection", "coffee"):
            raise UsageError("usage.schedule_what", "schedule")
        return Command("schedule", sub="off", text=which)
    if kind not in ("reflection", "coffee"):
        raise UsageError("usage.schedule_what", "schedule")
    try:
        days, time = days_and_time(when)
    except BadDays as bad:
        raise UsageError("usage.bad_days", "schedule", days=str(bad)[:40]) from None
    except BadTime as bad:
        raise UsageError("usage.bad_time", "schedule", time=str(bad)[:20]) from None
    except ValueError:
        raise UsageError("usage.schedule_days_time", "schedule") from None
    return Command("schedule", sub=kind, days=days, time=time)


def _prompt(rest: str) -> Command:
    word, _, text = words.joined(rest).partition(" ")
    if words.sub(word) == "now" and not text.strip():
        return Command("prompt", sub="now")
    if words.sub(word) == "add":
        text = text.strip()
        if not text:
            raise UsageError("usage.prompt_needs_text", "prompt")
        if len(text) > MAX_PROMPT:
            raise UsageError("usage.prompt_too_long", "prompt", limit=MAX_PROMPT)
        return Command("prompt", sub="add", text=text)
    raise UsageError("usage.prompt_what", "prompt")


def _coffee(rest: str) -> Command:
    if words.sub(rest) != "now":
        raise UsageError("usage.coffee_what", "coffee")
    return Command("coffee", sub="now")


def _pause(rest: str) -> Command:
    if not rest:
        return Command("pause")
    m = re.fullmatch(r"(\d{1,3})\s*([^\W\d_]+)", rest.lower())
    unit = PAUSE_UNITS.get(m.group(2)) if m else None
    if unit is None:
        raise UsageError("usage.bad_pause", "pause", value=rest[:20])
    days = int(m.group(1)) * unit
    if not 1 <= days <= 366:
        raise UsageError("usage.bad_pause", "pause", value=rest[:20])
    return Command("pause", pause_days=days)


def _language(rest: str) -> Command:
    """'fi', 'suomi', 'svenska'; for a circle also two at once: 'fi+sv', 'suomi ja ruotsi'."""
    parts = [p for p in re.split(r"\s*(?:\+|/|&|\s+ja\s+|\s+och\s+|\s+and\s+)\s*", rest.lower()) if p]
    codes = list(dict.fromkeys(words.LANGUAGE_NAMES.get(p, p) for p in parts))
    if not codes or len(codes) > 2 or any(code not in LANGUAGES for code in codes):
        raise UsageError("usage.bad_language", "language", value=rest[:20])
    return Command("language", language="+".join(codes))


# pairs on every 3w · joka 3 vk · 3 viikon välein · var 3:e vecka · varannan vecka · weekly …
EVERY = re.compile(r"(?:\b(?:every|joka|var|varje)\s+(\d{1,2})(?:\.|:e|:a)?\s*([^\W\d_]*)"
                   r"|\b(\d{1,2})\s*([^\W\d_]*)\s+(?:välein|intervall|mellanrum)\b)")
EVERY_WORDS = {"weekly": 1, "viikoittain": 1, "viikottain": 1, "varje vecka": 1, "joka viikko": 1,
               "biweekly": 2, "fortnightly": 2, "joka toinen viikko": 2, "varannan vecka": 2}
WEEK_UNITS = {unit for unit, days in PAUSE_UNITS.items() if days == 7} | {"viikon", "viikkoja", "veckors", "wks"}
MAX_WEEKS = 12


def _pairs(rest: str) -> Command:
    """pairs on [every 2w] [mon 10:00] | off | now | history | skip | join."""
    word, _, more = words.joined(rest).partition(" ")
    kind = words.sub(word) if word else None
    if kind in ("off", "now", "history", "skip", "join"):
        if more.strip():
            raise UsageError("usage.no_args", "pairs")
        return Command("pairs", sub=kind)
    if kind != "on":
        raise UsageError("usage.pairs_what", "pairs")
    text, weeks = more.lower(), None
    for phrase, value in EVERY_WORDS.items():
        if re.search(rf"\b{phrase}\b", text):
            text, weeks = re.sub(rf"\b{phrase}\b", " ", text), value
    found = EVERY.search(text)
    if found is not None:
        count, unit = (found.group(1), found.group(2)) if found.group(1) else (found.group(3), found.group(4))
        if unit and unit not in WEEK_UNITS:
            raise UsageError("usage.pairs_every", "pairs", value=found.group(0).strip()[:20])
        weeks, text = int(count), text[:found.start()] + " " + text[found.end():]
    if weeks is not None and not 1 <= weeks <= MAX_WEEKS:  # "joka 13 vk": say the range, not "13"
        raise UsageError("usage.pairs_every_range", "pairs", value=str(weeks))
    days, clock = "", ""
    if text.split():
        try:
            days, clock = days_and_time(text)
        except BadDays as bad:
            raise UsageError("usage.bad_days", "pairs", days=str(bad)[:40]) from None
        except BadTime as bad:
            raise UsageError("usage.bad_time", "pairs", time=str(bad)[:20]) from None
        except ValueError:
            raise UsageError("usage.pairs_day_time", "pairs") from None
        if "," in days:
            raise UsageError("usage.pairs_one_day", "pairs")
    return Command("pairs", sub="on", days=days, time=clock, weeks=weeks)


def _pulse(rest: str) -> Command:
    """pulse on [every 4w | monthly] [tue 10:00] | off | now | results [<circle>]."""
    word, _, more = words.joined(rest).partition(" ")
    kind, more = (words.sub(word) if word else None), more.strip()
    if kind == "results":
        if len(more) > MAX_NAME:
            raise UsageError("usage.name_too_long", "pulse", limit=MAX_NAME)
        return Command("pulse", sub="results", circle_name=more)
    if kind in ("off", "now"):
        if more:
            raise UsageError("usage.no_args", "pulse")
        return Command("pulse", sub=kind)
    if kind != "on":
        raise UsageError("usage.pulse_what", "pulse")
    text, weeks = more.lower(), None
    for phrase in words.SUBWORDS["monthly"]:
        if re.search(rf"\b{phrase}\b", text):
            text, weeks = re.sub(rf"\b{phrase}\b", " ", text), 0
    try:
        found = _pairs(f"on {text}")
    except UsageError as error:
        raise UsageError(error.reason.replace("usage.pairs_", "usage.pulse_"), "pulse", **error.params) from None
    return Command("pulse", sub="on", days=found.days, time=found.time,
                   weeks=found.weeks if found.weeks is not None else weeks)


_PARSERS = {
    "new": _new,
    "add": _people("add"),
    "remove": _people("remove"),
    "schedule": _schedule,
    "prompt": _prompt,
    "coffee": _coffee,
    "pause": _pause,
    "language": _language,
    "pairs": _pairs,
    "pulse": _pulse,
}
