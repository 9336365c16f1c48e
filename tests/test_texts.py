"""Every text key rendered in fi, sv and en: plural forms by each language's rules, nothing left in
braces, no "(s)" crutches, weeks as people say them, and Finnish and Swedish typography (”…” quotes,
spaced – dashes, 9.00 times). Placeholders get the values the bot itself would give them."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from bot.domain.commands import parse, typed
from bot.domain.shared.context import format_when
from bot.common.i18n import catalog, clock, date_range, listing, placeholders, plural_form, t, week_number
from bot.domain.reports.view import render

LANGS = ("fi", "sv", "en")
COUNTS = (0, 1, 2, 5)
AT = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)  # Thursday 14.00 in Helsinki
LATER = datetime(2026, 12, 4, 6, 0, tzinfo=timezone.utc)
TZ = "Europe/Helsinki"

CRUTCH = re.compile(r"\w\((?:s|es|mar|ar|er|or|n|t|a|ä|ta|tä|en)\)", re.IGNORECASE)
ISO_WEEK = re.compile(r"\b\d{4}-W\d")
COLON_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
LOOSE_DASH = re.compile(r"(?<=\S)–(?=\s)|(?<=\s)–(?=\S)")  # an en dash spaced on one side only


def values(lang: str) -> dict:
    """A sensible value for every placeholder, made the way the bot makes it."""
    when = format_when(lang, AT, TZ)
    months = t(lang, "fmt.months").split()
    return {
        "circle": "Oppijat", "circles": listing(lang, ["Oppijat", "Kehittäjät"]),
        "names": listing(lang, ["@Ann", "@Bo"]),
        "name": "Ann", "by": "Ann", "every": t(lang, "pairs.every_other"),
        "mentor": "Mia", "members": t(lang, "summary.count_people", count=5), "when": when, "next": when,
        "first": format_when(lang, AT, TZ), "last": format_when(lang, LATER, TZ), "time": clock(lang, "14:00"),
        "days": ", ".join(t(lang, "fmt.days").split()[:2]), "tz": TZ, "ref": "3f9a1c2b", "limit": 500,
        "length": 3120, "min": 5, "week": week_number("2026-W49"), "usage": typed("slack", lang, "pause"),
        "help": typed("teams", lang, "help"), "command": typed("teams", lang, "resume"), "word": "kahviii",
        "value": "3x", "visibility": t(lang, "visibility.private"), "languages": t(lang, "language.name.fi"),
        "pause": typed("slack", lang, "pause"), "leave": typed("teams", lang, "leave"),
        "resume": typed("slack", lang, "resume"), "archive": typed("teams", lang, "archive"),
        "new": typed("slack", lang, "example.new"), "schedule": typed("slack", lang, "example.schedule"),
        "prompt": typed("teams", lang, "example.prompt_now"), "keywords": "palaute, oppiminen",
        "people": t(lang, "summary.count_people", count=2), "replies": t(lang, "summary.count_replies", count=7),
        "active": t(lang, "summary.count_active", count=3), "answers": 12, "prompts": 20, "answering": 9,
        "rate": t(lang, "summary.percent", value=60), "share": t(lang, "summary.percent", value=75), "shared": 9,
        "private": 3, "weekday": t(lang, "fmt.days").split()[3], "day": 3, "month": 12, "month_name": months[11],
        "year": 2026, "end_day": 6, "end_month": 12, "end_month_name": months[11], "end_year": 2026,
        "hour": 9, "minute": "05",
    }


WEEKS = {"first": week_number("2026-W42"), "last": week_number("2026-W49")}


def by_key(lang: str) -> dict[str, dict]:
    """Where the same name means something else (bot/domain/reports/view.py fills these)."""
    return {"summary.trend": WEEKS, "summary.chart_title": WEEKS,
            "summary.fact_circles_value": {"circles": 12, "new": t(lang, "summary.count_new", count=1)},
            "summary.fact_threads_value": {"people": t(lang, "summary.from_people", count=1)},
            "circle.announce_members": {"members": listing(lang, ["Ann", "Bo"])}, "summary.percent": {"value": 60},
            "usage.bad_time": {"time": "25.99"}, "console.in_channel": {"place": "#oppijat"},
            "console.tick": {"at": "2026-12-03",  # the /tick argument echoed as typed
                             "runs": 1, "reminders": 0, "recaps": 0,
                             "pair_rounds": 0, "pair_checkins": 0}, "console.choose": {"last": 4},
            "console.unknown": {"word": "/foo", "prefix": "/piiri"}, "console.help": {"prefix": "/piiri"},
            "page.privacy.rights_intro": {"prefix": "/circle"},  # how the public page says Slack is typed
            "programme.pulse": {"statement": "trust_in_circle", "mean": 3.8},
            "audit.when": {"date": "7.12.2026"},
            "privacy.controller": {"organisation": "Virasto"}, "privacy.dpo": {"dpo": "tietosuoja@virasto.fi"},
            "privacy.basis": {"basis": t(lang, "privacy.basis_default")},
            **pulse_values(lang),
            **{key: A11Y for key in catalog(lang) if key.startswith(("a11y.", "page.accessibility."))}}


# The accessibility statement's and the dashboard's values (bot/dashboard/public.py and pages.py fill these).
A11Y = {"what": "Answers", "start": 42, "end": 49, "first": "120", "last": "180", "value": "200", "change": "3",
        "id": "slack:U012AB", "organisation": "Virasto", "assessor": "Saavutettavuustalo Oy", "date": "30.11.2026",
        "minutes": 10, "hours": 8, "authority": "Traficom", "week": 48, "command": "/circle new"}


def pulse_values(lang: str) -> dict[str, dict]:
    """bot/domain/pulses fills these."""
    where, closes = {"where": t(lang, "pulse.workspace")}, {"closes": format_when(lang, LATER, TZ)}
    return {"pulse.on": {**where, "rhythm": t(lang, "pulse.monthly", weekday=t(lang, "pulse.weekdays").split()[1])},
            "pulse.off": where, "pulse.was_off": where, "pulse.now_nobody": where, "pulse.no_results": where,
            "pulse.now_sent": {**where, **closes}, "pulse.intro": closes, "pulse.reminder": closes,
            "pulse.group_line": {"group": "Oppijat"}, "pulse.chart_desc": {"latest": "3.8"},
            "pulse.results_heading": {"date": t(lang, "pulse.date", day=3, month=12, year=2026)}}


def renderings(lang: str) -> list[tuple[str, int | None, str]]:
    """(key, count, text) for every key; plural keys once per count in COUNTS."""
    out = []
    for key, text in sorted(catalog(lang).items()):
        given = {**values(lang), **by_key(lang).get(key, {})}
        missing = placeholders(text) - set(given) - {"count"}
        assert not missing, f"{key}: no test value for {missing}"
        params = {name: given[name] for name in placeholders(text) if name != "count"}
        if isinstance(text, dict):
            out += [(key, n, t(lang, key, **params, count=n)) for n in COUNTS]
        else:
            params.update({"count": 4} if "count" in placeholders(text) else {})
            out.append((key, None, t(lang, key, **params)))
    return out


ALL = {lang: renderings(lang) for lang in LANGS}


@pytest.mark.parametrize("lang", LANGS)
def test_every_key_renders_with_nothing_left_over(lang):
    plural_keys = {key for key, count, _ in ALL[lang] if count is not None}
    assert len(plural_keys) >= 13 and len(ALL[lang]) > 250
    for key, count, text in ALL[lang]:
        where = f"{lang} {key} count={count}: {text!r}"
        assert text.strip(), where
        assert "{" not in text and "}" not in text, where
        assert not CRUTCH.search(text), where
        assert not ISO_WEEK.search(text), where
        assert "/circle" not in str(catalog(lang)[key]), where  # commands come in params, spelled per platform


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_finnish_and_swedish_typography(lang):
    for key, count, text in ALL[lang]:
        where = f"{lang} {key} count={count}: {text!r}"
        assert '"' not in text and not set("“‘’«»„") & set(text), where  # quotes are ”…”, the same both sides
        assert text.count("”") % 2 == 0, where
        assert "—" not in text and " - " not in text, where  # a dash is a spaced en dash
        assert not LOOSE_DASH.search(text), where
        if not key.startswith(("example.", "usage.cmd.")):
            assert not COLON_TIME.search(text), where  # 9.00 and 14.30, never 09:00


def test_english_quotes_are_plain():
    for key, count, text in ALL["en"]:
        assert not set("”“‘«»„") & set(text), f"{key}: {text!r}"


@pytest.mark.parametrize("lang, key, expected", [
    ("fi", "prompt.now_later", {1: "1 jäsen on", 2: "2 jäsentä on", 5: "5 jäsentä", 0: "0 jäsentä"}),
    ("sv", "prompt.now_sent", {1: "1 medlem i", 2: "2 medlemmar i", 0: "0 medlemmar"}),
    ("en", "prompt.now_sent", {1: "1 member of", 2: "2 members of", 0: "0 members"}),
    ("fi", "summary.count_people", {1: "1 ihminen", 2: "2 ihmistä"}),
    ("sv", "summary.count_people", {1: "1 person", 2: "2 personer"}),
    ("en", "summary.count_people", {1: "1 person", 5: "5 people"}),
    ("fi", "summary.more_circles", {1: "1 muu piiri.", 2: "2 muuta piiriä."}),
    ("sv", "summary.more_circles", {1: "1 cirkel till.", 2: "2 cirklar till."}),
    ("fi", "summary.count_active", {1: "1 aktiivinen", 3: "3 aktiivista"}),
    ("sv", "summary.count_new", {1: "1 ny", 3: "3 nya"}),
    ("sv", "summary.unreachable", {1: "inte 1 person (", 2: "inte 2 personer ("}),
    ("en", "summary.unreachable", {1: "reach 1 person (", 2: "reach 2 people ("}),
    ("en", "recap.intro", {1: "1 reflection that a member", 3: "3 reflections that members"}),
    ("sv", "recap.intro", {1: "1 reflektion som", 3: "3 reflektioner som"}),
    ("fi", "recap.intro", {1: "1 pohdinta, jonka", 3: "3 pohdintaa, jotka"}),
])
def test_known_plural_forms(lang, key, expected):
    for count, part in expected.items():
        assert part in t(lang, key, count=count, circle="X", when="A")


def test_plural_rules_are_the_languages_own():
    assert [plural_form("fi", n) for n in (0, 1, 2, 5, 21)] == ["other", "one", "other", "other", "other"]
    assert plural_form("en", 1) == plural_form("sv", 1) == "one"


@pytest.mark.parametrize("lang, expected", [("fi", ("9.00", "14.30", "to 3.12. klo 14.00")),
                                            ("sv", ("9.00", "14.30", "tors 3.12 kl. 14.00")),
                                            ("en", ("9:00", "14:30", "Thu 3 Dec 14:00"))])
def test_times_per_language(lang, expected):
    assert (clock(lang, "09:00"), clock(lang, "14:30"), format_when(lang, AT, TZ)) == expected


@pytest.mark.parametrize("lang, expected", [
    ("fi", ("23.–29.11.2026", "30.11.–6.12.2026", "28.12.2026–3.1.2027")),
    ("sv", ("23.–29.11.2026", "30.11.–6.12.2026", "28.12.2026–3.1.2027")),
    ("en", ("23–29 Nov 2026", "30 Nov – 6 Dec 2026", "28 Dec 2026 – 3 Jan 2027")),
])
def test_date_ranges_per_language(lang, expected):
    spans = ((date(2026, 11, 23), date(2026, 11, 29)), (date(2026, 11, 30), date(2026, 12, 6)),
             (date(2026, 12, 28), date(2027, 1, 3)))
    assert tuple(date_range(lang, *span) for span in spans) == expected


@pytest.mark.parametrize("lang", LANGS)
def test_commands_in_texts_are_spelled_for_the_platform_and_parse(lang):
    assert typed("slack", lang, "pause") == "/circle " + t(lang, "usage.cmd.pause").split()[0]
    assert typed("teams", lang, "pause") == t(lang, "usage.cmd.pause").split()[0]
    welcome = t(lang, "welcome.how", **{n: typed("teams", lang, n) for n in ("pause", "leave", "help")})
    assert "/circle" not in welcome and t(lang, "usage.cmd.leave") in welcome
    assert parse(t(lang, "example.schedule")).sub == "reflection"
    assert parse(t(lang, "example.prompt_now")).sub == "now"
    assert parse(t(lang, "example.new").split("<")[0] + "Oppijat").name == "new"


def _summary(n_circles: int) -> dict:
    weeks = [f"2026-W{w}" for w in range(42, 50)]
    circle = {"name": "Oppijat", "members": 1, "answers": 1, "prompts": 1, "response_rate": 1.0,
              "thread_people": 1, "new": True, "quiet": False}
    return {
        "week": "2026-W49", "start": "2026-11-29T22:00:00+00:00", "end": "2026-12-06T22:00:00+00:00",
        "timezone": TZ, "complete": True, "min_group_size": 5, "scope": "hr",
        "totals": {"circles": n_circles, "active_circles": 1, "new_circles": 1, "members": 6, "answering": 1,
                   "withheld": False, "prompts": 6, "answers": 1, "response_rate": 1 / 6, "shared": 1, "private": 0,
                   "shared_share": 1.0, "thread_replies": 1, "thread_people": 1},
        "trend": {"weeks": weeks, "answers": [1] * 8, "response_rate": [0.5] * 8, "active_circles": [1] * 8,
                  "members": [6] * 8, "thread_people": [1] * 8},
        "circles": [circle] * (n_circles - 1), "other": {"circles": 1, "members": 1, "answers": 1,
                                                           "response_rate": 1.0, "withheld": False},
        "quiet": {"named": [], "other": 1}, "new": {"named": ["Oppijat"], "other": 1},
        "themes": {"method": "offline", "items": [{"keywords": ["palaute"], "people": 1}]},
    }


@pytest.mark.parametrize("lang, heading, period, ones", [
    ("fi", "Viikkokooste, viikko 49", "30.11.–6.12.2026", ("1 aktiivinen, 1 uusi", "1 viesti 1 ihmiseltä",
                                                           "1 ihminen", "1 muu piiri")),
    ("sv", "Veckosammanfattning, vecka 49", "30.11.–6.12.2026", ("1 aktiv, 1 ny", "1 inlägg från 1 person",
                                                                  "1 person", "1 övrig cirkel")),
    ("en", "Weekly summary, week 49", "30 Nov – 6 Dec 2026", ("1 active, 1 new", "1 reply from 1 person",
                                                              "1 person", "1 other circle")),
])
def test_the_summary_reads_weeks_dates_and_ones_naturally(lang, heading, period, ones):
    for n_circles in (2, 12):
        text = render(_summary(n_circles), lang).plain_text
        assert heading in text and period in text and "2026-W" not in text
        assert all(part in text for part in ones), text
    assert t(lang, "summary.more_circles", count=1) in render(_summary(12), lang).plain_text
