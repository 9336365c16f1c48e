"""The weekly summary counts the people the bot could not reach: real Unreachable failures, sent through
the dispatcher like any other, counted per week as an aggregate with no name or id anywhere.
(Beside tests/test_summaries.py, which is near the size every module here keeps under.)"""
from __future__ import annotations

from sqlmodel import Session, select

from bot.dashboard.pages import Words, overview
from bot.domain.reports import figures as sql
from bot.domain.reports.summary import compute
from bot.domain.reports.spreadsheet import to_csv
from bot.domain.reports.view import render, to_json
from bot.ports import PermanentFailure, Unreachable
from harness import at, make_world
from prompts import default_library
from storage.models import Delivery, Workspace

# Ids and names that appear nowhere in the summary's own texts, so finding them would be a leak.
ZELDA, YORICK, CECILIA = ("uzq41", "Zelda Quarry"), ("uyq42", "Yorick Quill"), ("ucx43", "Cecilia Xylander")
LINE = {"en": "The bot could not reach {} {}", "fi": "Botti ei tavoittanut {} henkilöä",
        "sv": "Boten nådde inte {} {}"}


def refuse(world, failures: dict[str, Exception]) -> None:
    """The platform refuses DMs to these users, as Slack (user_not_found) or Teams (a 403) would."""
    send = type(world.platform).send.__get__(world.platform)  # the recording send, not an earlier refusal

    async def refusing(target, message, key=""):
        if target.conversation == "dm" and target.user_id in failures:
            raise failures[target.user_id]
        return await send(target, message, key)

    world.platform.send = refusing


def gone() -> Unreachable:
    return Unreachable("slack chat.postMessage: user_not_found", code="user_not_found", status=200)


def summary(engine, settings, week: str, now):
    with Session(engine) as s:
        ws = s.exec(select(Workspace).where(Workspace.platform == "test")).one()
        return compute(s, ws, settings, sql.parse_week(week, "Europe/Helsinki"), now, library=default_library())


def line(lang: str, count: int) -> str:
    people = {"en": "person" if count == 1 else "people", "sv": "person" if count == 1 else "personer"}
    return LINE[lang].format(count, people.get(lang, ""))


def test_people_the_bot_could_not_reach_are_counted_per_week_without_names(settings, engine):
    world = make_world(settings, engine, start=at("2026-12-03 13:00"))  # Thursday of 2026-W49
    refuse(world, {ZELDA[0]: gone(), YORICK[0]: gone(),
                   CECILIA[0]: PermanentFailure("slack chat.postMessage: channel_not_found")})
    people = " ".join(f"<@{uid}|{name}>" for uid, name in (ZELDA, YORICK, CECILIA, ("ann", "Ann"), ("bo", "Bo")))
    world.command("Mia", f"new Learners {people}", channel="C1")
    world.command("Mia", "prompt now", channel="C1")
    world.command("Mia", "prompt now", channel="C1")  # failing twice is still one person each

    with Session(engine) as s:
        failed = s.exec(select(Delivery).where(Delivery.status == "failed")).all()
        notices = s.exec(select(Delivery).where(Delivery.key.startswith("unreachable:"))).all()
    assert len({d.person_id for d in failed}) == 3 and len(notices) == 2  # Cecilia's failure is another kind

    w49 = summary(engine, settings, "2026-W49", at("2026-12-07 09:00"))
    assert w49["totals"]["unreachable"] == 2
    texts = {lang: render(w49, lang).plain_text for lang in ("en", "fi", "sv")}
    for lang, text in texts.items():
        assert line(lang, 2) in text, text
    assert "(app removed or not installed, or account closed)" in texts["en"]
    assert "(sovellus poistettu tai asentamatta tai tili suljettu)" in texts["fi"]
    everything = "\n".join([*texts.values(), to_json(w49), to_csv(w49)]).lower()
    for uid, name in (ZELDA, YORICK, CECILIA):
        assert uid not in everything and name.split()[0].lower() not in everything
        assert name.split()[1].lower() not in everything
    cards = overview(w49, Words("fi"))["cards"]
    assert {"label": "Ei tavoitettu", "value": "2",
            "detail": "sovellus poistettu tai asentamatta tai tili suljettu"} in cards

    # A week later Yorick has the app again and Zelda still not: she counts again, though her mentor
    # is not told twice. HR asking in Finnish get the week so far.
    world.set_time(at("2026-12-10 13:00"))
    refuse(world, {ZELDA[0]: gone()})
    world.command("Mia", "prompt now", channel="C1")
    with Session(engine) as s:
        assert len(s.exec(select(Delivery).where(Delivery.key.startswith("unreachable:"))).all()) == 2
    assert summary(engine, settings, "2026-W50", at("2026-12-14 09:00"))["totals"]["unreachable"] == 1
    world.locales["hanna"] = "fi"
    report = world.command("Hanna", "report").to_caller[0].plain_text
    assert line("fi", 1) in report and "Zelda" not in report and ZELDA[0] not in report

    # A week in which everyone was reached has no such line, in any language.
    world.set_time(at("2026-12-17 13:00"))
    refuse(world, {})
    world.command("Mia", "prompt now", channel="C1")
    w51 = summary(engine, settings, "2026-W51", at("2026-12-21 09:00"))
    assert w51["totals"]["unreachable"] == 0
    assert not any("tavoittanut" in t or "could not reach" in t or "nådde inte" in t
                   for t in (render(w51, lang).plain_text for lang in ("en", "fi", "sv")))
    assert all(c["label"] != "Ei tavoitettu" for c in overview(w51, Words("fi"))["cards"])
