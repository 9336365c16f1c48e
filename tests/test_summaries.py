"""The weekly HR summary: figures against a direct count, the group-size rule, delivery and access."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from bot.common.i18n import week_number
from bot.domain.reports import figures as sql
from bot.runtime.clock import build_scheduler
from bot.domain.reports.summary import compute
from bot.domain.reports.jobs import plan_weekly
from bot.domain.reports.spreadsheet import to_csv
from bot.domain.reports.view import render, sparkline, to_json
from harness import at, make_world
from prompts import default_library
from storage.models import Assignment, Delivery, Membership, Participation, PromptRun, Reply
from summary_world import DUO, LEARNERS, MAKERS, PRIVATE_MARKER, REPORT_WEEK, TINY, Seed, realistic
from summary_world import NEVER_SEEN, strangers

ROOT = Path(__file__).resolve().parent.parent
NOW = at("2026-12-07 09:00")


def summary_of(engine, settings, seed, week=REPORT_WEEK, now=NOW, mentor=None):
    with Session(engine) as session:
        return compute(session, seed.workspace, settings, sql.parse_week(week, "Europe/Helsinki"), now,
                       mentor_id=mentor, library=default_library())


def outputs(summary) -> str:
    return "\n".join([*(render(summary, lang).plain_text for lang in ("en", "fi", "sv")), to_json(summary),
                      to_csv(summary)])


def direct_count(engine, week_label, circle_ids):
    """The same figures by walking the rows one by one."""
    week = sql.parse_week(week_label, "Europe/Helsinki")
    with Session(engine) as s:
        runs = {r.id: r for r in s.exec(select(PromptRun)) if r.circle_id in circle_ids}
        in_week = {i for i, r in runs.items() if week.start <= r.scheduled_for < week.end}
        assignments = [a for a in s.exec(select(Assignment)) if a.run_id in in_week
                       and runs[a.run_id].kind == "reflection"]
        replies = [r for r in s.exec(select(Reply)) if r.run_id in in_week]
        threads = [p for p in s.exec(select(Participation)) if p.run_id in runs
                   and week.start <= p.created_at < week.end]
        members = {m.person_id for m in s.exec(select(Membership)) if m.circle_id in circle_ids}
    return {"prompts": len(assignments), "answers": len(replies),
            "shared": sum(r.visibility == "circle" for r in replies),
            "private": sum(r.visibility == "private" for r in replies),
            "answering": len({r.person_id for r in replies}), "members": len(members),
            "thread_replies": len(threads), "thread_people": len({p.person_id for p in threads})}


def test_figures_match_a_direct_count(engine, settings):
    seed = realistic(engine)
    summary = summary_of(engine, settings, seed)
    everyone = set(seed.circles.values())
    expected = direct_count(engine, REPORT_WEEK, everyone)
    totals = summary["totals"]
    assert {k: totals[k] for k in expected} == expected
    assert totals["response_rate"] == round(expected["answers"] / expected["prompts"], 3)
    assert totals["shared_share"] == round(expected["shared"] / expected["answers"], 3)
    assert (totals["circles"], totals["active_circles"], totals["new_circles"]) == (4, 4, 0)
    for circle in summary["circles"]:
        mine = direct_count(engine, REPORT_WEEK, {seed.circles[circle["name"]]})
        assert {k: circle[k] for k in mine} == mine
    earlier = direct_count(engine, "2026-W45", everyone)
    index = summary["trend"]["weeks"].index("2026-W45")
    assert summary["trend"]["answers"][index] == earlier["answers"]
    assert summary["trend"]["prompts"][index] == earlier["prompts"]
    assert summary["trend"]["weeks"][0] == "2026-W42" and len(summary["trend"]["weeks"]) == 8


def test_small_circles_are_folded_and_never_named(engine, settings):
    seed = realistic(engine)
    summary = summary_of(engine, settings, seed)
    assert [c["name"] for c in summary["circles"]] == ["Learners", "Makers"]
    other = summary["other"]
    assert other["circles"] == 2 and other["members"] == len(TINY) + len(DUO)
    assert other == {"circles": 2, **{k: v for k, v in other.items() if k != "circles"}}
    text = outputs(summary)
    assert "Tiny" not in text and "Duo" not in text
    circles = next(b for b in render(summary, "en").blocks if b.kind == "table" and b.rows[0][0] == "Circle")
    assert circles.rows[-1][:2] == ("2 other circles", "5")
    assert "Other circles: each with fewer than 5 people, counted together." in render(summary, "en").plain_text


def test_when_the_folded_rest_is_too_small_the_smallest_named_circle_joins_it(engine, settings):
    seed = realistic(engine, with_duo=False)
    summary = summary_of(engine, settings, seed)
    # Tiny alone (3 people) could be worked out as total minus the named circles: Makers joins it.
    assert [c["name"] for c in summary["circles"]] == ["Learners"]
    assert summary["other"]["circles"] == 2
    assert summary["other"]["members"] == len(TINY) + len(MAKERS)
    text = outputs(summary)
    assert "Tiny" not in text and "Makers" not in text


def test_a_circle_where_few_people_were_asked_is_folded(engine, settings):
    seed = realistic(engine)
    seed.circle("Paused", ["Pia One", "Pia Two", "Pia Three", "Pia Four", "Pia Five", "Pia Six"])
    run = seed.run("Paused", at("2026-12-02 10:00"), asked=["Pia One", "Pia Two"])  # the others were paused
    seed.answer(run, "Pia One", "something")
    summary = summary_of(engine, settings, seed)
    assert "Paused" not in outputs(summary)
    assert summary["other"]["circles"] == 3


def test_below_the_threshold_the_summary_says_so_and_shows_nothing(engine, settings):
    seed = Seed(engine)
    seed.circle("Four", ["A One", "B Two", "C Three", "D Four"])
    run = seed.run("Four", at("2026-12-03 14:00"))
    seed.answer(run, "B Two", "shared thought about feedback")
    summary = summary_of(engine, settings, seed)
    assert summary["too_small"] and "totals" not in summary and "circles" not in summary
    text = render(summary, "en").plain_text
    assert "Fewer than 5 people take part" in text and "Four" not in text
    header, why = to_csv(summary).removeprefix("\ufeff").splitlines()
    assert header.startswith("Week,Circle,Circles,Active circles,") and header.endswith(",Gone quiet,New")
    assert why.startswith('"Fewer than 5 people take part')
    assert "alle 5 ihmistä" in render(summary, "fi").plain_text


def test_private_answers_count_but_their_text_never_shows(engine, settings):
    seed = realistic(engine)
    summary = summary_of(engine, settings, seed)
    assert summary["totals"]["private"] > 0
    assert PRIVATE_MARKER not in outputs(summary)
    assert "hard" not in json.dumps(summary["themes"]) and "secret" not in json.dumps(summary["themes"])


def test_no_names_or_contact_details_in_any_output(engine, settings):
    seed = realistic(engine)
    text = outputs(summary_of(engine, settings, seed)).lower()
    for person in LEARNERS + MAKERS:
        for part in person.lower().split():
            assert f" {part} " not in f" {text} ".replace(",", " ").replace("\n", " "), part
    assert "example.com" not in text and "358" not in text


def test_offline_themes_need_enough_different_authors(engine, settings):
    seed = realistic(engine)
    themes = summary_of(engine, settings, seed)["themes"]
    assert themes["method"] == "offline" and themes["items"]
    words = [w for item in themes["items"] for w in item["keywords"]]
    assert "feedback" in words
    assert all(item["people"] >= 5 for item in themes["items"])
    strict = summary_of(engine, replace(settings, min_group_size=50), seed)
    assert strict["too_small"]


def test_quiet_and_new_circles(engine, settings):
    seed = realistic(engine)
    seed.circle("Silent Seven", [f"Quiet {i}" for i in range(7)], days="mon,thu")  # no answer ever
    seed.circle("Fresh Five", [f"Fresh {i}" for i in range(5)], created=at("2026-12-01 10:00"))
    seed.circle("Slow Six", [f"Slow {i}" for i in range(6)])  # no rhythm: two weeks before quiet
    run = seed.run("Slow Six", at("2026-11-25 10:00"))
    seed.answer(run, "Slow 1", "shared", when=at("2026-11-25 12:00"))
    summary = summary_of(engine, settings, seed)
    assert summary["quiet"]["named"] == ["Silent Seven"]
    assert summary["new"]["named"] == ["Fresh Five"]
    text = render(summary, "en").plain_text
    assert "Gone quiet (no answers for two rhythm periods): Silent Seven" in text
    assert "New circles: Fresh Five" in text
    later = summary_of(engine, settings, seed, week="2026-W50", now=at("2026-12-14 09:00"))
    # A week later Slow Six has had no answered prompt for two weeks; Makers (mon,thu) missed both of its
    # prompts of that week; Learners (thu) answered the last-but-one.
    assert later["quiet"]["named"] == ["Makers", "Silent Seven", "Slow Six"]


def test_mentor_summary_covers_own_circles_under_the_same_rule(engine, settings):
    seed = realistic(engine)
    summary = summary_of(engine, settings, seed, mentor=seed.people["Mia Mentor"])
    assert summary["scope"] == "mentor" and [c["name"] for c in summary["circles"]] == ["Learners"]
    assert summary["totals"]["members"] == len(LEARNERS)
    tiny = summary_of(engine, settings, seed, mentor=seed.people[TINY[0]])
    assert tiny["too_small"]


def test_renders_in_the_readers_language_with_a_sparkline(engine, settings):
    seed = realistic(engine)
    summary = summary_of(engine, settings, seed)
    assert "Viikkokooste, viikko 49\n30.11.–6.12.2026\n" in render(summary, "fi").plain_text
    assert "Veckosammanfattning, vecka 49\n30.11.–6.12.2026\n" in render(summary, "sv").plain_text
    assert not any("2026-W" in render(summary, lang).plain_text for lang in ("fi", "sv", "en"))
    trend = [b for b in render(summary, "en").blocks if b.kind == "table"][0]
    assert any(ch in trend.text for ch in "▁▂▃▄▅▆▇█")
    assert sparkline([0, 1, 2, None, 7]) == "▁▂▃·█" and sparkline([None, None]) == "··"


def test_report_command_hr_mentor_and_refusal(settings, engine):
    world = make_world(settings, engine, start=at("2026-12-03 09:00"))
    world.command("Mia", "new Learners <@ann|Ann> <@bo|Bo> <@cy|Cy> <@di|Di> <@ed|Ed>", channel="C1")
    hr = world.command("Hanna", "report").to_caller[0].plain_text
    assert "Weekly summary, week 49" in hr
    assert "Your circles, week 49" in world.command("Mia", "report").to_caller[0].plain_text
    refused = world.command("Ann", "report").to_caller[0].plain_text
    assert refused.startswith("Sorry, the weekly summary is only for HR")
    world.locales["zoe"] = "fi-FI"
    assert "vain HR:lle" in world.command("Zoe", "report").to_caller[0].plain_text


def test_report_themes_leave_out_names_and_identity_numbers_nobody_told_us_about(settings, engine):
    world = make_world(settings, engine, start=at("2026-12-04 09:00"))
    seed = strangers(engine)
    text = world.command("Hanna", "report").to_caller[0].plain_text  # offline themes, at once
    summary = summary_of(engine, settings, seed)
    everything = (text + outputs(summary)).lower()
    for gone in NEVER_SEEN:
        assert gone.lower() not in everything, gone
    assert summary["themes"]["items"] == [{"keywords": ["backlog workshop"], "people": 6}]  # a phrase all shared
    assert "backlog workshop" in text  # the themes still arrive


def test_weekly_job_sends_one_summary_per_hr_user_even_when_run_twice(settings, engine):
    settings = replace(settings, hr_users=frozenset({"test:hanna", "test:helmi", "console:hanna"}))
    world = make_world(settings, engine, start=at("2026-12-07 09:00"))
    realistic(engine)
    world.locales["helmi"] = "sv-SE"
    world.command("Helmi", "help")  # Helmi has written to the bot before; Hanna has not
    services = world.app.services
    first = plan_weekly(engine, services, world.now)
    second = plan_weekly(engine, services, world.now)
    assert (first, second) == (2, 0)
    world.drain()
    plan_weekly(engine, services, world.now + timedelta(minutes=5))
    world.drain()
    hanna = [p for p in world.inbox("hanna") if p.message.summary.endswith(" 49")]
    helmi = [p for p in world.inbox("helmi") if p.message.summary.endswith(" 49")]
    assert len(hanna) == 1 and len(helmi) == 1
    assert "Weekly summary" in hanna[0].message.plain_text
    assert "Veckosammanfattning" in helmi[0].message.plain_text
    assert PRIVATE_MARKER not in hanna[0].message.plain_text
    chart = hanna[0].message.attachment  # the trend as a picture, for platforms that take files
    assert chart.mime == "image/png" and chart.content.startswith(b"\x89PNG")
    with Session(engine) as s:
        rows = s.exec(select(Delivery).where(Delivery.kind == "summary")).all()
    assert sorted(r.key.rsplit(":", 1)[0] for r in rows) == [f"summary:1:{REPORT_WEEK}"] * 2
    assert all(r.status == "sent" for r in rows)


def test_a_planned_summary_is_not_sent_to_someone_no_longer_in_hr(settings, engine):
    world = make_world(settings, engine, start=at("2026-12-07 09:00"))
    realistic(engine)
    plan_weekly(engine, world.app.services, world.now)
    restarted = make_world(replace(settings, hr_users=frozenset()), engine, start=world.now)  # HR_USERS changed
    restarted.drain()
    assert restarted.inbox("hanna") == [] and world.inbox("hanna") == []
    with Session(engine) as s:
        row = s.exec(select(Delivery).where(Delivery.kind == "summary")).one()
    assert row.status == "cancelled" and row.error == "not an HR user any more"


def summaries_to(world, name: str, week: str = REPORT_WEEK) -> list:
    return [p for p in world.inbox(name) if p.message.summary.endswith(f"week {week_number(week)}")]


def test_the_tick_plans_the_summary_from_monday_nine_once(settings, engine):
    world = make_world(settings, engine, start=at("2026-12-07 08:00"))
    realistic(engine)
    world.tick(at("2026-12-07 08:59"))
    assert summaries_to(world, "hanna") == []  # last week's is not due before Monday 09:00
    report = world.tick(at("2026-12-07 09:00"))
    assert report["summaries"] == 1 and len(summaries_to(world, "hanna")) == 1
    for minute in (1, 2, 60):  # every later tick of the week: nothing more
        assert world.tick(at("2026-12-07 09:00") + timedelta(minutes=minute))["summaries"] == 0
    assert len(summaries_to(world, "hanna")) == 1
    world.tick(at("2026-12-14 09:00"))  # the next Monday: the next week's
    assert len(summaries_to(world, "hanna", "2026-W50")) == 1 and len(summaries_to(world, "hanna")) == 1


def test_a_tick_after_a_missed_monday_catches_up_once(settings, engine):
    world = make_world(settings, engine, start=at("2026-12-09 10:00"))
    realistic(engine)
    assert world.tick(at("2026-12-09 10:00"))["summaries"] == 1  # the clock was down all Monday and Tuesday
    assert world.tick(at("2026-12-09 10:01"))["summaries"] == 0
    assert len(summaries_to(world, "hanna")) == 1


def test_weeks_before_the_first_circle_get_no_summary(settings, engine):
    world = make_world(settings, engine, start=at("2026-12-08 10:00"))
    world.command("Mia", "new Learners <@ann|Ann>", channel="C1")  # created in W50: no summary of W49
    assert world.tick(at("2026-12-08 10:01"))["summaries"] == 0
    assert world.inbox("hanna") == []


def test_tick_at_on_the_command_line_plans_a_missed_summary(engine, database_url):
    realistic(engine)
    env = {**os.environ, "DATABASE_URL": database_url, "HR_USERS": "test:hanna", "OPENAI_API_KEY": ""}
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "bot", "tick", "--at", "2026-12-09T10:00", "--settle", "0"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    with Session(engine) as s:
        rows = s.exec(select(Delivery).where(Delivery.kind == "summary")).all()
    assert [r.key.rsplit(":", 1)[0] for r in rows] == [f"summary:1:{REPORT_WEEK}"]


def run_cli(database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url, "HR_USERS": "test:hanna", "OPENAI_API_KEY": ""}
    return subprocess.run([sys.executable, "-m", "bot", "report", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_cli_prints_text_json_and_csv(engine, database_url):
    seed = realistic(engine)
    text = run_cli(database_url, "--week", REPORT_WEEK, "--language", "fi")
    assert text.returncode == 0, text.stderr
    assert "Viikkokooste, viikko 49" in text.stdout and "Learners" in text.stdout
    data = json.loads(run_cli(database_url, "--week", "2026w49", "--format", "json").stdout)
    assert data["week"] == REPORT_WEEK and data["totals"]["answers"] == direct_count(
        engine, REPORT_WEEK, set(seed.circles.values()))["answers"]
    rows = run_cli(database_url, "--week", REPORT_WEEK, "--format", "csv", "--language", "fi").stdout.splitlines()
    assert rows[0].startswith("\ufeffViikko;Piiri;Piirejä") and any(r.startswith("2026-W49;Learners;") for r in rows)
    assert not any("Tiny" in r or PRIVATE_MARKER in r for r in rows)


def test_cli_rejects_a_week_that_does_not_exist(engine, database_url):
    realistic(engine)
    bad = run_cli(database_url, "--week", "2026-W60")
    assert bad.returncode == 2 and "week" in bad.stderr and "Traceback" not in bad.stderr
    Seed(engine, external_id="T2").circle("Other org", ["Someone Else"])
    several = run_cli(database_url)
    assert several.returncode == 2 and "--workspace" in several.stderr
    assert run_cli(database_url, "--workspace", "test:T1").returncode == 0


def test_answer_figures_are_withheld_when_few_people_were_asked(engine, settings):
    seed = Seed(engine)
    seed.circle("Six", ["P One", "P Two", "P Three", "P Four", "P Five", "P Six"])
    run = seed.run("Six", at("2026-12-03 14:00"), asked=["P One", "P Two"])
    seed.answer(run, "P Two", "shared thought", "private")
    summary = summary_of(engine, settings, seed)
    assert summary["totals"]["withheld"] and summary["totals"]["answers"] is None
    assert summary["circles"] == [] and summary["trend"]["answers"][-1] is None
    text = render(summary, "en").plain_text
    assert "Fewer than 5 people were asked this week, so answer figures are not shown." in text
    assert "Six" not in text and "so there is no breakdown by circle" in text


def test_cli_sends_a_missed_week_once_and_draws_a_chart(engine, database_url, tmp_path):
    realistic(engine)
    for _ in range(2):
        sent = run_cli(database_url, "--send", "--week", REPORT_WEEK)
        assert sent.returncode == 0, sent.stderr
    with Session(engine) as s:
        rows = s.exec(select(Delivery).where(Delivery.kind == "summary")).all()
    assert [r.key for r in rows] == [f"summary:1:{REPORT_WEEK}:{rows[0].person_id}"]
    chart = tmp_path / "trend.png"
    drawn = run_cli(database_url, "--week", REPORT_WEEK, "--chart", str(chart), "--format", "json")
    assert drawn.returncode == 0, drawn.stderr
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    assert Image.open(chart).size == (800, 360)


async def test_the_clock_sends_once_even_when_two_clocks_tick(settings, engine):
    world = make_world(settings, engine, start=NOW)
    realistic(engine)
    job = build_scheduler(world.app).get_job("tick")
    assert [j.id for j in build_scheduler(world.app).get_jobs()] == ["tick"]  # everything else is planned by it
    await job.func()
    await job.func()  # a second clock, or a restart within the hour
    await world.app.dispatcher.drain(world.app.clock.now)
    summaries = [p for p in world.inbox("hanna") if p.message.summary == "Weekly summary, week 49"]
    assert len(summaries) == 1
