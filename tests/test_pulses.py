"""Outcome pulses on the real core and storage, through the recording platform: the rhythm through
the tick, answers through the form, what HR and mentors see under the group-size rule, and a
person's own answers (journal, mydata, forget-me)."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlmodel import Session, select

from bot.common.i18n import t
from bot.ports import FormRequest
from harness import at, make_world
from storage.models import Delivery
from storage.pulses import PulseInvite, PulseRound

EIGHT = ["Mia", "Ann", "Bob", "Cai", "Dan", "Eva", "Fay", "Gus"]  # Mia mentors Eight
THREE = ["Tom", "Uma", "Vic"]  # Tom mentors Three
# Statement 1 (learning from a colleague) in the two pulses: Eight's mean goes from 3.5 to 4.25.
FIRST = [4, 4, 3, 3, 4, 2, 5, 3]
SECOND = [5, 4, 4, 4, 5, 3, 5, 4]


@pytest.fixture
def world(settings, engine):
    w = make_world(replace(settings, hr_users=frozenset({"test:hanna"}), min_group_size=5), engine)
    w.command("Mia", "new Eight " + " ".join(f"<@{n.lower()}|{n}>" for n in EIGHT[1:]), channel="C8")
    w.command("Tom", "new Three " + " ".join(f"<@{n.lower()}|{n}>" for n in THREE[1:]), channel="C3")
    return w


def said(response) -> str:
    return "\n".join(m.plain_text for m in response.to_caller)


def pulses(world, name: str) -> list:
    return [p for p in world.inbox(name) if any(b.action == "pulse.answer" for b in p.message.buttons)]


def answer(world, name: str, values: list[int]):
    form = pulses(world, name)[-1].message.form
    fields = {field.name: str(value) for field, value in zip(form.fields, values)}
    response = world.app.core.form(FormRequest(world.actor(name), form.action, form.value, fields, f"f-{name}"),
                                   world.now)
    world.drain()
    return response


def run_pulse(world, when: str, first: list[int]) -> None:
    world.tick(at(when))
    for name, value in zip(EIGHT, first):
        assert answer(world, name, [value, 0 if name == "Ann" else 4, 3, 4, 5]).replace_source is not None
    for name in THREE:
        answer(world, name, [1, 1, 1, 1, 1])


def test_two_pulses_four_weeks_apart_show_hr_the_large_circle_and_its_change_and_hide_the_small(world, engine):
    said_on = said(world.command("Hanna", "pulse on every 4w tue 10:00"))
    assert "every 4 weeks at 10:00" in said_on and "Tue 1 Dec 10:00" in said_on
    run_pulse(world, "2026-12-01 10:00", FIRST)
    assert all(len(pulses(world, n)) == 1 for n in EIGHT + THREE)
    world.tick(at("2026-12-01 10:05"))  # planning again asks nobody twice
    assert all(len(pulses(world, n)) == 1 for n in EIGHT + THREE)
    world.set_time(at("2026-12-29 09:00"))
    run_pulse(world, "2026-12-29 10:00", SECOND)
    assert all(len(pulses(world, n)) == 2 for n in EIGHT + THREE)

    text = said(world.command("Hanna", "pulse results"))
    assert "Pulse of 29/12/2026" in text and "Eight: 8 people answered" in text
    assert "This month I learned something useful from a colleague" in text
    line = next(row for row in text.splitlines() if row.startswith("This month I learned"))
    # mean 4.3 (4.25), change +0.8 from 3.5, distribution 0 0 1 4 3, nobody declined
    assert line.split()[-8:] == ["4.3", "+0.8", "0", "0", "1", "4", "3", "0"]
    trust = next(row for row in text.splitlines() if row.startswith("In my circle I can bring up"))
    assert trust.split()[-8:] == ["4.0", "±0.0", "0", "0", "0", "7", "0", "1"]  # Ann's "rather not say" apart
    assert "Three" not in text and "All circles" not in text and "Other circles" not in text
    assert "Means across pulses" not in text or "1/12/2026" in text

    assert "No pulse results for Three" in said(world.command("Hanna", "pulse results Three"))
    assert "Eight: 8 people answered" in said(world.command("Mia", "pulse results", channel="C8"))
    assert "No pulse results" in said(world.command("Tom", "pulse results", channel="C3"))
    refused = world.command("Ann", "pulse results")
    assert refused.refused and "journal" in said(refused)
    assert world.command("Ann", "pulse on").refused
    with Session(engine) as s:
        from storage.models import AuditEntry

        actions = [e.action for e in s.exec(select(AuditEntry)) if e.action.startswith("pulse")]
    assert actions == ["pulse-on"] + ["pulse-results"] * 4  # Hanna twice, Mia, Tom; refusals leave nothing

    # Each person sees their own answers, and only theirs.
    mine = said(world.command("Ann", "journal"))
    assert "Your pulse answers" in mine and "rather not say" in mine
    assert "rather not say" not in said(world.command("Bob", "journal"))
    exported = json.loads(world.command("Uma", "mydata").to_caller[0].attachment.content)
    assert [a["value"] for a in exported["pulses"][0]["answers"]] == [1, 1, 1, 1, 1]


def test_forget_me_erases_the_answers_and_takes_them_out_of_the_figures(world, engine):
    world.command("Hanna", "pulse on monthly tue 10:00")
    run_pulse(world, "2026-12-01 10:00", FIRST)
    with Session(engine) as s:
        ann = s.exec(select(PulseInvite.person_id).where(PulseInvite.a2 == 0)).one()
    forget = world.command("Ann", "forget-me").to_caller[0]
    world.press("Ann", forget, forget.buttons[0].label)
    with Session(engine) as s:
        assert s.exec(select(PulseInvite).where(PulseInvite.person_id == ann)).all() == []
        assert len(s.exec(select(PulseInvite).where(PulseInvite.answered_at.is_not(None))).all()) == 10
    assert "Eight: 7 people answered" in said(world.command("Hanna", "pulse results"))


def test_one_reminder_to_those_who_have_not_answered_and_nothing_after_the_window(world, engine):
    world.command("Hanna", "pulse on monthly tue 10:00")
    world.tick(at("2026-12-01 10:00"))
    answer(world, "Ann", [5, 5, 5, 5, 5])
    world.tick(at("2026-12-02 16:00"))  # 80 % of two working days
    world.tick(at("2026-12-02 16:30"))
    assert len(pulses(world, "Ann")) == 1
    assert [p.message.blocks[1].text.startswith("A reminder") for p in pulses(world, "Bob")] == [False, True]
    world.tick(at("2026-12-03 12:00"))
    late = answer(world, "Bob", [3, 3, 3, 3, 3])
    assert late.refused and "closed" in said(late)
    with Session(engine) as s:
        assert s.exec(select(PulseRound)).one().closed_at is not None
        assert len(s.exec(select(Delivery).where(Delivery.kind == "pulse-reminder")).all()) == 10


def test_a_mentor_asks_one_for_their_circle_and_small_circles_show_nothing(world):
    sent = said(world.command("Tom", "kysely nyt", channel="C3"))
    assert "3 people" in sent
    assert pulses(world, "Uma") and not pulses(world, "Ann")
    for name in THREE:
        answer(world, name, [2, 2, 2, 2, 2])
    assert "No pulse results for Three" in said(world.command("Tom", "pulse results", channel="C3"))


def test_bad_input_gets_a_usage_message(world):
    for text, expected in [("pulse sometimes", "Use pulse on, now, off or results."),
                           ("pulse on every 20w", "every 4w"), ("pulse on tue 25:00", "25:00"),
                           ("pulse now please", "")]:
        response = world.command("Hanna", text)
        assert response.refused and expected in said(response)
    forged = world.app.core.form(FormRequest(world.actor("Ann"), "pulse.answer", "999", {"s1": "3"}), world.now)
    assert forged.refused and "isn't yours" in said(forged)


def test_the_weekly_summary_and_its_csv_carry_the_latest_pulse(world, engine):
    import csv
    import io

    from bot.domain.pulses.summary import statement_text
    from bot.domain.reports import to_csv

    world.command("Hanna", "pulse on every 4w tue 10:00")
    run_pulse(world, "2026-12-01 10:00", FIRST)
    world.set_time(at("2026-12-29 09:00"))
    run_pulse(world, "2026-12-29 10:00", SECOND)
    world.tick(at("2027-01-04 09:05"))  # Monday: last week's summary to HR
    summary = [p for p in world.inbox("Hanna") if p.message.summary.startswith("Weekly summary")][-1]
    text = summary.message.plain_text
    assert "Pulse of 29/12/2026" in text and "Eight: 8 people answered" in text and "Three" not in text
    with Session(engine) as s:
        payload = s.exec(select(Delivery).where(Delivery.kind == "summary")
                         .order_by(Delivery.id.desc())).first().payload
    learned = {lang: statement_text(payload["pulses"]["set"], "learned-from-colleague", lang) for lang in ("en", "fi")}
    english = [row for row in csv.reader(io.StringIO(to_csv(payload).removeprefix("\ufeff"))) if learned["en"] in row]
    assert english == [["Eight", learned["en"], "8", "4.25", "0.75", "0", "0", "1", "4", "3", "0"]]
    finnish = [row for row in csv.reader(io.StringIO(to_csv(payload, "fi").removeprefix("\ufeff")), delimiter=";")
               if learned["fi"] in row]
    assert finnish == [["Eight", learned["fi"], "8", "4,25", "0,75", "0", "0", "1", "4", "3", "0"]]
    assert "Three" not in to_csv(payload)


def test_the_dashboard_shows_the_latest_pulse_with_a_chart_and_a_table_in_the_readers_language(world):
    import asyncio
    import re
    from urllib.parse import urlsplit

    from aiohttp.test_utils import TestClient, TestServer

    from bot.dashboard.frame import STATE
    from bot.ports import CommandRequest, Place
    from bot.runtime.web import make_web_app

    five = ["Kai", "Lea", "Max", "Nea", "Oli"]  # with Three, "other circles" has enough people to be shown
    world.command("Kai", "new Five " + " ".join(f"<@{n.lower()}|{n}>" for n in five[1:]), channel="C5")
    world.locales["hanna"] = "fi-FI"
    world.command("Hanna", "kysely päälle joka 4 vk ti 10.00")
    for when, values in (("2026-12-01 10:00", FIRST), ("2026-12-29 10:00", SECOND)):
        world.set_time(at(when))
        run_pulse(world, when, values)
        for name in five:
            answer(world, name, [3, 3, 3, 3, 3])
    world.set_time(at("2027-01-04 10:00"))
    response = world.app.core.command(CommandRequest(world.actor("Hanna"), "dashboard", Place()), world.now)
    url = re.search(r"https?://\S+/dashboard/signin/(\S+)", response.to_caller[0].plain_text).group(0)

    async def page() -> str:
        async with TestClient(TestServer(make_web_app(world.app))) as client:
            client.app[STATE].summaries.wait = 60.0
            path = urlsplit(url).path
            await client.get(path)
            await client.post("/dashboard/signin", data={"token": path.rsplit("/", 1)[1]}, allow_redirects=False)
            return await (await client.get("/dashboard/hr")).text()

    html = asyncio.run(page())
    assert "Pulssikysely 29.12.2026" in html and "Eight: 8 vastaajaa" in html
    assert "Opin tässä kuussa työkaverilta jotain, mistä oli minulle hyötyä." in html
    assert "<td>4,3</td><td>+0,8</td>" in html
    assert "Kaikki piirit: 16 vastaajaa" in html and "Muut piirit (2 piiriä): 8 vastaajaa" in html
    assert html.count('class="chart chart-small chart-pulse"') == 5 and "<th scope=\"col\">1.12.2026</th>" in html
    assert "Three" not in html and "Five" not in html and "Ann" not in html


def test_the_command_words_in_finnish_and_swedish():
    from bot.domain.commands import parse

    assert parse("kysely päälle kuukausittain ti 10.00") == parse("pulse on monthly tue 10:00")
    assert parse("enkät på var 4:e vecka tors kl. 14") == parse("pulse on every 4w thu 14:00")
    on = parse("puls på varje månad")
    assert (on.name, on.sub, on.weeks, on.days, on.time) == ("pulse", "on", 0, "", "")
    assert (parse("kysely tulokset Eight").sub, parse("kysely tulokset Eight").circle_name) == ("results", "Eight")
    assert parse("enkät nu").sub == "now" and parse("pulssi pois").sub == "off"


def test_a_tick_after_downtime_makes_a_missed_pulse_within_a_day_and_skips_an_older_one(world, engine):
    world.command("Hanna", "pulse on monthly tue 10:00")  # first Tuesdays: 1 December, 5 January
    world.tick(at("2026-12-01 18:00"))  # the clock was down from 9:00
    assert len(pulses(world, "Ann")) == 1
    world.tick(at("2027-01-08 10:00"))  # down over the next one for three days: skipped, not sent late
    assert len(pulses(world, "Ann")) == 1
    with Session(engine) as s:
        from storage.pulses import PulseSchedule

        assert s.exec(select(PulseSchedule)).one().next_run_at == at("2027-02-02 10:00")
        assert len(s.exec(select(PulseRound)).all()) == 1


def test_the_programme_hub_is_sent_the_latest_pulse_of_the_whole_workspace_under_the_rule(settings, engine):
    from bot.domain import reports
    from bot.domain.programme.payload import pulse_results

    w = make_world(replace(settings, hr_users=frozenset({"test:hanna"}), min_group_size=3), engine)
    w.command("Mia", "new Eight " + " ".join(f"<@{n.lower()}|{n}>" for n in EIGHT[1:]), channel="C8")
    w.command("Tom", "new Three " + " ".join(f"<@{n.lower()}|{n}>" for n in THREE[1:]), channel="C3")
    w.command("Hanna", "pulse on every 4w tue 10:00")
    run_pulse(w, "2026-12-01 10:00", FIRST)
    with Session(engine) as s:
        sent = pulse_results(s, reports.parse_week("2026-W49", "Europe/Helsinki"), 3)
        before = pulse_results(s, reports.parse_week("2026-W48", "Europe/Helsinki"), 3)
        too_few = pulse_results(s, reports.parse_week("2026-W49", "Europe/Helsinki"), 12)  # 11 answered
    assert [item["statement"] for item in sent] == ["learned-from-colleague", "trust-in-circle", "motivation",
                                                    "uncertainty", "own-learning"]
    # Eight answered FIRST to the first statement, Three 1 each: all eleven together, no circle apart
    assert sent[0] == {"statement": "learned-from-colleague", "counts": [3, 1, 3, 3, 1], "rather_not_say": 0,
                       "respondents": 11, "mean": 2.82}
    assert sent[1] == {"statement": "trust-in-circle", "counts": [3, 0, 0, 7, 0], "rather_not_say": 1,
                       "respondents": 11, "mean": 3.1}  # Ann's "rather not say" apart, not in the mean
    assert before == [] and too_few == []


def test_fi_a_monthly_pulse_names_its_weekday_as_finnish_writes_it(settings, engine):
    w = make_world(replace(settings, hr_users=frozenset({"test:hanna"}), default_language="fi"), engine)
    said_on = said(w.command("Hanna", "kysely päälle"))
    assert "kerran kuussa, kuun ensimmäisenä tiistaina" in said_on and "päivänä ti" not in said_on, said_on


def test_a_member_whose_language_is_not_known_yet_gets_the_pulse_in_the_circles(settings, engine):
    """A Teams member who has not written to the bot yet: the pulse DM (and its form) speaks the language
    of their circle, as the welcome did, not the installation's default."""
    world = make_world(replace(settings, hr_users=frozenset({"test:hanna"}), default_language="en"), engine)
    world.locales["maija"] = "fi-FI"
    world.command("Maija", "uusi Oppijat <@ann|Ann>", channel="C1")
    world.command("Hanna", "pulse now")
    world.drain()
    sent = pulses(world, "Ann")
    assert len(sent) == 1
    message = sent[0].message
    assert message.blocks[0].text == t("fi", "pulse.heading")
    assert message.form.title == t("fi", "pulse.form_title") and message.form.submit_label == t("fi", "pulse.submit")
