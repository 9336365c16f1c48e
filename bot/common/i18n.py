"""UI texts in Finnish, Swedish and English, kept in bot/common/texts/<lang>.yaml, for one topic of
its own in bot/common/texts/<topic>.<lang>.yaml, and, for what only one platform says, in
bot/platforms/<name>/texts/<lang>.yaml (keys "<name>.…").

Logic asks for a key; the text lives in the YAML. A missing key in one language falls back
to English so a user never sees a key name; a test keeps the three files in step.

Where a count meets a noun, the key holds one text per plural category of the language (CLDR,
through Babel: `one` and `other` in fi, sv and en) and `t(lang, key, count=n)` picks the form:

    member.count: {one: "{count} jäsen", other: "{count} jäsentä"}

Times, dates and week numbers are written here too, each language its own way (fmt.* keys).
"""
from __future__ import annotations

import string
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path

import yaml
from babel import Locale
from babel.lists import format_list

from bot.common.config import LANGUAGES

TEXTS = Path(__file__).parent / "texts"
PLATFORM_TEXTS = Path(__file__).parent.parent / "platforms"


Text = str | dict[str, str]  # a plain text, or plural category → text


def _text(value) -> Text:
    if isinstance(value, dict):
        return {str(form): str(text).rstrip("\n") for form, text in value.items()}
    return str(value).rstrip("\n")


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, Text]:
    files = [TEXTS / f"{language}.yaml", *sorted(TEXTS.glob(f"*.{language}.yaml")),
             *sorted(PLATFORM_TEXTS.glob(f"*/texts/{language}.yaml"))]
    merged: dict[str, Text] = {}
    for path in files:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        merged.update((str(k), _text(v)) for k, v in data.items())
    return merged


@lru_cache(maxsize=None)
def _plural_rule(language: str):
    return Locale.parse(language).plural_form


def plural_forms(language: str) -> frozenset[str]:
    """The plural categories a language tells apart: {'one', 'other'} for fi, sv and en."""
    return frozenset(_plural_rule(language).tags | {"other"})


def plural_form(language: str, count) -> str:
    """The CLDR plural category of a number in a language: 1 → 'one', 0, 2, 5 → 'other' in fi/sv/en."""
    return _plural_rule(language)(count)


def t(language: str, key: str, **params) -> str:
    lang = language if language in LANGUAGES else "en"
    found = catalog(lang).get(key)
    if not found:
        lang, found = "en", catalog("en")[key]
    if isinstance(found, dict):
        if "count" not in params:
            raise TypeError(f"the text {key!r} has plural forms: give count=")
        found = found.get(plural_form(lang, params["count"])) or found["other"]
    return found.format_map(params) if params else found


def listing(language: str, items) -> str:
    """Names joined as the language joins them: 'Aino ja Ville', 'Anna och Dag', 'Ann, Dag, and Eve'."""
    items = [str(item) for item in items]
    return format_list(items, locale=language if language in LANGUAGES else "en") if items else ""


def placeholders(text: Text) -> set[str]:
    texts = text.values() if isinstance(text, dict) else [text]
    return {name for one in texts for _, name, _, _ in string.Formatter().parse(one) if name}


def clock(language: str, at: time | datetime | str) -> str:
    """A time of day as people write it: 9.00 and 14.30 in fi and sv, 9:00 and 14:30 in English.
    `at` may be a time, a datetime (its own clock) or 'HH:MM' as schedules store it."""
    hour, minute = (int(part) for part in at.split(":")[:2]) if isinstance(at, str) else (at.hour, at.minute)
    return t(language, "fmt.time", hour=hour, minute=f"{minute:02d}")


def _date_params(language: str, day: date, prefix: str = "") -> dict:
    months = t(language, "fmt.months").split()
    return {f"{prefix}day": day.day, f"{prefix}month": day.month, f"{prefix}month_name": months[day.month - 1],
            f"{prefix}year": day.year}


def date_range(language: str, start: date, end: date) -> str:
    """23.–29.11.2026 in fi and sv, 23–29 Nov 2026 in English; months and years only when they change."""
    params = {**_date_params(language, start), **_date_params(language, end, "end_")}
    if start == end:
        return t(language, "fmt.date", **params)
    key = "fmt.range_days" if (start.year, start.month) == (end.year, end.month) else \
        "fmt.range_months" if start.year == end.year else "fmt.range_years"
    return t(language, key, **params)


def week_number(label: str) -> int:
    """'2026-W48' → 48: data keeps the ISO label, people read 'viikko 48', 'vecka 48', 'week 48'."""
    return int(label.rsplit("W", 1)[1])


def language_of(locale: str | None) -> str | None:
    """'fi-FI', 'sv_SE', 'en-GB' → 'fi', 'sv', 'en'; anything else → None."""
    if not locale:
        return None
    code = locale.replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None
