"""The dashboard over real HTTP: single-use links, sessions in the database, who sees what, and the
same group-size rule as the weekly summary. (tests/test_dashboard_browser.py renders it in Chromium.)"""
from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import Session, select

from bot.domain.commands import parse
from bot.ports import CommandRequest, Place
from bot.dashboard.frame import STATE
from bot.runtime.web import make_web_app
from harness import at, make_world
from storage.models import AuditEntry, DashboardLink, DashboardSession, DashboardSummary
from summary_world import DUO, LEARNERS, MAKERS, PRIVATE_MARKER, TINY, realistic

NOW = at("2026-12-07 10:00")  # Monday of week 50: the last full week is 49, the seed's last


@pytest.fixture
def world(settings, engine):
    realistic(engine)
    w = make_world(settings, engine, start=NOW)
    w.locales["hanna"] = "en-GB"
    return w


def ask(world, name: str, text: str):
    """A command in a direct message, from inside a running event loop (world.command drains with its own)."""
    response = world.app.core.command(CommandRequest(world.actor(name), text, Place()), world.now)
    world.responses.append(response)
    return response


def link_of(response) -> str:
    text = "\n".join(m.plain_text for m in response.to_caller)
    found = re.search(r"https?://\S+/dashboard/signin/(\S+)", text)
    assert found, text
    return found.group(0)


async def client_for(world) -> TestClient:
    client = TestClient(TestServer(make_web_app(world.app)))
    await client.start_server()
    client.app[STATE].summaries.wait = 60.0  # the first count of a week is waited for, whatever the machine
    return client


async def sign_in(client: TestClient, url: str):
    """Open the link as a browser does (the page), then post its form; returns the POST's answer."""
    path = urlsplit(url).path
    page = await client.get(path)
    assert page.status == 200 and 'action="/dashboard/signin"' in await page.text()
    return await client.post("/dashboard/signin", data={"token": path.rsplit("/", 1)[1]}, allow_redirects=False)


def audit_actions(engine) -> list[str]:
    with Session(engine) as s:
        return [e.action for e in s.exec(select(AuditEntry).order_by(AuditEntry.id))]


async def test_hr_link_opens_a_page_with_figures_and_a_chart_and_works_only_once(world, engine):
    response = ask(world, "Hanna", "dashboard")
    url = link_of(response)
    assert url.startswith("http://localhost:3000/dashboard/signin/")
    assert "10 minutes" in response.to_caller[0].plain_text and "at least 5 people" in response.to_caller[0].plain_text
    async with await client_for(world) as client:
        opened = await client.get(urlsplit(url).path)
        assert "Set-Cookie" not in opened.headers  # a link preview's GET signs nobody in and uses nothing up
        signed = await sign_in(client, url)
        assert signed.status == 303 and signed.headers["Location"] == "/dashboard"
        cookie = signed.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        assert "Max-Age=28800" in cookie and "Secure" not in cookie  # http://localhost: no Secure flag
        home = await client.get("/dashboard", allow_redirects=False)
        assert home.status == 303 and home.headers["Location"] == "/dashboard/hr"
        page = await client.get("/dashboard/hr")
        html = await page.text()
        assert page.status == 200 and '<html lang="en">' in html
        assert "Weekly summary, week 49" in html and "Learners" in html and "Makers" in html
        assert html.count('<svg class="chart') >= 4 and 'role="img"' in html and "<title id=" in html
        assert "Response rate" in html and "<table" in html
        again = await sign_in_again(client, url)
        assert again.status == 410 and "no longer works" in await again.text()
        assert (await client.get(urlsplit(url).path)).status == 410
    assert audit_actions(engine).count("dashboard-signin") == 1
    assert "dashboard-refused" in audit_actions(engine)


async def sign_in_again(client: TestClient, url: str):
    return await client.post("/dashboard/signin", data={"token": urlsplit(url).path.rsplit("/", 1)[1]},
                             allow_redirects=False)


async def test_without_a_session_nothing_is_shown(world):
    ask(world, "Hanna", "dashboard")  # a link exists, but this browser never used it
    async with await client_for(world) as client:
        for path in ("/dashboard", "/dashboard/hr", "/dashboard/hr.csv", "/dashboard/mentor", "/dashboard/mentor.csv",
                     "/dashboard/me", "/dashboard/me.json"):
            for cookies in ({}, {"kipina_dashboard": "x" * 43}, {"kipina_dashboard": "../../etc"}):
                answer = await client.get(path, cookies=cookies, allow_redirects=False)
                body = await answer.text()
                assert answer.status == 401, path
                assert answer.headers["Content-Type"].startswith("text/html")
                assert "<svg" not in body and "<table" not in body and "Learners" not in body
                assert not re.search(r"\d", html.unescape(re.sub(r"<[^>]+>", "", body))), body  # not a single figure
        unknown = await client.get("/dashboard/signin/" + "A" * 43)
        assert unknown.status == 410 and "Set-Cookie" not in unknown.headers
        assert (await client.get("/dashboard/nothing-here")).status == 404


async def test_small_circles_are_never_named_and_private_answers_never_shown(world):
    mentor = LEARNERS[0].replace(" ", ".")
    ask(world, "Hanna", "dashboard")
    async with await client_for(world) as client:
        await sign_in(client, link_of(world.responses[-1]))
        pages = [await (await client.get(path)).text() for path in (
            "/dashboard/hr", "/dashboard/hr?trend=26", "/dashboard/hr?sort=name&all=1", "/dashboard/hr.csv",
            "/dashboard/hr?week=2026-W50", "/dashboard/hr?week=2026-W46&sort=rate")]
    for html in pages:
        for small in ("Tiny", "Duo"):
            assert small not in html
        assert PRIVATE_MARKER not in html and "secret" not in html
        for name in LEARNERS + MAKERS + TINY + DUO:
            assert name not in html and name.split()[0] not in html  # no names of people, no quotes
        assert "Thanks to" not in html and "@example.com" not in html
    assert "other circles" in pages[0]
    # the mentor of Learners sees their own circles, under the same rule
    ask(world, mentor, "dashboard")
    async with await client_for(world) as client:
        await sign_in(client, link_of(world.responses[-1]))
        html = await (await client.get("/dashboard/mentor")).text()
    assert "Your circles, week 49" in html and "Learners" in html and "Makers" not in html
    assert PRIVATE_MARKER not in html and "Tiny" not in html


async def test_a_mentor_of_a_small_circle_sees_no_figures(world):
    ask(world, "Tuula.Tiny", "dashboard")
    async with await client_for(world) as client:
        await sign_in(client, link_of(world.responses[-1]))
        home = await client.get("/dashboard", allow_redirects=False)
        assert home.headers["Location"] == "/dashboard/mentor"
        html = await (await client.get("/dashboard/mentor")).text()
    assert "Fewer than 5 people" in html and "Tiny" not in html and "<svg" not in html


async def test_a_members_link_shows_only_their_own_things(world, engine):
    ask(world, "Ann.Berg", "dashboard")
    assert "your own journal" in world.responses[-1].to_caller[0].plain_text
    async with await client_for(world) as client:
        await sign_in(client, link_of(world.responses[-1]))
        home = await client.get("/dashboard", allow_redirects=False)
        assert home.headers["Location"] == "/dashboard/me"
        for path in ("/dashboard/hr", "/dashboard/hr.csv", "/dashboard/mentor", "/dashboard/mentor.csv"):
            refused = await client.get(path)
            body = await refused.text()
            assert refused.status == 403 and "Learners" not in body and "<svg" not in body
        html = await (await client.get("/dashboard/me")).text()
        mine = await client.get("/dashboard/me.json")
        data = await mine.json(content_type=None)
    assert 'href="/dashboard/hr"' not in html and 'href="/dashboard/me"' in html
    assert "Learners" in html and "Palautteen antaminen" in html  # her own answers, with their questions
    assert PRIVATE_MARKER not in html and "Tiny circle" not in html and "Pair programming" not in html  # nobody else's
    assert mine.headers["Content-Disposition"].startswith("attachment")
    assert data["profile"]["platform_user_id"] == "ann.berg"
    assert {a["visibility"] for a in data["answers"]} <= {"circle", "private"} and data["answers"]
    assert audit_actions(engine)[-1] == "export"


async def test_own_private_answers_show_on_ones_own_page_only(world):
    ask(world, "Bob.Stone", "dashboard")  # he keeps his answers private
    async with await client_for(world) as client:
        await sign_in(client, link_of(world.responses[-1]))
        html = await (await client.get("/dashboard/me")).text()
    assert PRIVATE_MARKER in html and "private: only you" in html


async def test_a_link_expires_after_ten_minutes(world):
    url = link_of(ask(world, "Hanna", "dashboard"))
    world.set_time(NOW + timedelta(minutes=10, seconds=1))
    async with await client_for(world) as client:
        assert (await client.get(urlsplit(url).path)).status == 410
        expired = await sign_in_again(client, url)
        assert expired.status == 410 and "Set-Cookie" not in expired.headers
        assert "/circle dashboard" in await expired.text()  # how to ask for a new one, as typed here


async def test_sessions_live_in_the_database_for_every_web_process(world, engine, settings):
    url = link_of(ask(world, "Hanna", "dashboard"))
    other = make_world(settings, engine, start=NOW)  # a second web process on the same database
    async with await client_for(world) as first, await client_for(other) as second:
        signed = await sign_in(first, url)
        cookie = signed.cookies["kipina_dashboard"].value
        assert (await second.get("/dashboard/hr", cookies={"kipina_dashboard": cookie})).status == 200
        with Session(engine) as s:
            rows = s.exec(select(DashboardSession)).all()
            links = s.exec(select(DashboardLink)).all()
            assert len(rows) == 1 and rows[0].token_hash != cookie and len(rows[0].token_hash) == 64
            token = urlsplit(url).path.rsplit("/", 1)[1]
            assert [link.token_hash for link in links] != [token] and links[0].used_at is not None
            assert s.exec(select(DashboardSummary)).first() is not None  # the count is kept for the others
        out = await second.post("/dashboard/signout", cookies={"kipina_dashboard": cookie})
        assert out.status == 200 and "signed out" in await out.text()
        assert (await first.get("/dashboard/hr", cookies={"kipina_dashboard": cookie})).status == 401
    world.set_time(NOW + timedelta(hours=8, minutes=1))
    url = link_of(ask(world, "Hanna", "dashboard"))
    async with await client_for(world) as client:
        cookie = (await sign_in(client, url)).cookies["kipina_dashboard"].value
        world.set_time(NOW + timedelta(hours=16, minutes=2))
        assert (await client.get("/dashboard/hr", cookies={"kipina_dashboard": cookie})).status == 401


async def test_someone_taken_off_hr_users_loses_the_overview_at_the_next_click(world, engine, settings):
    url = link_of(ask(world, "Hanna", "dashboard"))
    demoted = make_world(replace(settings, hr_users=frozenset()), engine, start=NOW)
    async with await client_for(world) as first, await client_for(demoted) as second:
        cookie = (await sign_in(first, url)).cookies["kipina_dashboard"].value
        assert (await second.get("/dashboard/hr", cookies={"kipina_dashboard": cookie})).status == 403


async def test_headers_keep_the_pages_to_themselves(world):
    url = link_of(ask(world, "Hanna", "dashboard"))
    async with await client_for(world) as client:
        await sign_in(client, url)
        for path in ("/dashboard/hr", "/dashboard/me", "/dashboard/signin/" + "B" * 43):
            answer = await client.get(path)
            csp = answer.headers["Content-Security-Policy"]
            assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            assert answer.headers["Referrer-Policy"] == "same-origin" and answer.headers["Cache-Control"] == "no-store"
            html = await answer.text()
            assert "<script>" not in html and " style=" not in html and "http" not in html.replace(
                'xmlns="http://www.w3.org/2000/svg"', "")  # nothing inline, nothing fetched from elsewhere
        css = await client.get("/dashboard/static/dashboard.css")
        assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
        assert (await client.get("/dashboard/static/../../common/config.py")).status == 404


async def test_a_form_posted_from_another_site_is_refused(world, engine):
    url = link_of(ask(world, "Hanna", "dashboard"))
    token = urlsplit(url).path.rsplit("/", 1)[1]
    async with await client_for(world) as client:
        forged = await client.post("/dashboard/signin", data={"token": token}, allow_redirects=False,
                                   headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
        assert forged.status == 403 and "Set-Cookie" not in forged.headers
        assert (await sign_in(client, url)).status == 303  # the link was not used up by the forgery


async def test_https_public_url_makes_the_cookie_secure_and_host_only(settings, engine):
    realistic(engine)
    world = make_world(replace(settings, public_url="https://kipina.example.org"), engine, start=NOW)
    url = link_of(ask(world, "Hanna", "dashboard"))
    assert url.startswith("https://kipina.example.org/dashboard/signin/")
    async with await client_for(world) as client:
        signed = await sign_in(client, url)
        cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith("__Host-kipina_dashboard=") and "Secure" in cookie and "Domain" not in cookie
    assert "max-age=31536000" in signed.headers["Strict-Transport-Security"]


async def test_csv_download_is_the_summarys_and_goes_to_the_audit_log(world, engine):
    ask(world, "Hanna", "dashboard")
    async with await client_for(world) as client:
        await sign_in(client, link_of(world.responses[-1]))
        answer = await client.get("/dashboard/hr.csv?week=2026-W49&trend=26")
        body = await answer.read()
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="kipina-hr-2026-W49.csv"' in answer.headers["Content-Disposition"]
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the file as UTF-8
    text = body.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Week,Circle,") and len([r for r in lines if r.startswith("2026-W")]) >= 26
    assert "Learners" in text and "other circles" in text and "Tiny" not in text
    with Session(engine) as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.detail == {"via": "dashboard", "format": "csv", "scope": "hr", "week": "2026-W49"}


async def test_csv_download_is_in_the_readers_language(world):
    world.locales["hanna"] = "fi-FI"
    async with await client_for(world) as client:
        await sign_in(client, link_of(ask(world, "Hanna", "koontinäyttö")))
        body = await (await client.get("/dashboard/hr.csv?week=2026-W49")).read()
    lines = body.decode("utf-8-sig").splitlines()
    assert body.startswith(b"\xef\xbb\xbf") and lines[0].startswith("Viikko;Piiri;Piirejä;")
    assert any(line.startswith("2026-W49;Learners;") for line in lines) and "Tiny" not in body.decode()


async def test_pages_speak_the_persons_language(world):
    world.locales["hanna"] = "fi-FI"
    response = ask(world, "Hanna", "koontinäyttö")
    assert "minuutin kuluessa" in response.to_caller[0].plain_text
    async with await client_for(world) as client:
        await sign_in(client, link_of(response))
        html = await (await client.get("/dashboard/hr")).text()
    async with await client_for(world) as client:
        stranger = await client.get("/dashboard/hr", headers={"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.5"})
        assert '<html lang="sv">' in await stranger.text()
    assert '<html lang="fi">' in html and "Viikkokooste, viikko 49" in html and "Vastausaste" in html


def test_command_words_and_help():
    assert parse("dashboard").name == parse("koontinäyttö").name == parse("översikt").name == "dashboard"
    assert parse("/circle koontinäyttö").name == "dashboard"


def test_everyone_finds_the_command_in_help(world):
    help_text = ask(world, "Ann.Berg", "help").to_caller[0].plain_text
    assert "/circle dashboard – a personal link to your dashboard" in help_text


async def test_a_slow_count_shows_a_page_with_a_button_and_a_stale_one_is_shown_while_counting(world, engine):
    url = link_of(ask(world, "Hanna", "dashboard"))
    async with await client_for(world) as client:
        await sign_in(client, url)
        client.app[STATE].summaries.wait = 0.0  # as if the organisation were too large to count in time
        first = await client.get("/dashboard/hr?week=2026-W48&trend=26")
        html = await first.text()
        assert first.status == 200 and "being counted" in html and "Learners" not in html
        assert 'http-equiv="refresh"' not in html.lower()  # it never reloads itself (WCAG 2.2.1)
        assert '<p role="status">' in html  # said politely, focus stays where it is
        form = re.search(r'<form method="get" action="/dashboard/hr">(.*?)</form>', html, re.S).group(1)
        assert '<input type="hidden" name="week" value="2026-W48">' in form and 'value="26"' in form
        assert "Show the figures</button>" in form
        for task in list(client.app[STATE].summaries.counting.values()):
            await task
        counted = await (await client.get("/dashboard/hr?week=2026-W48&trend=26")).text()
        assert "Learners" in counted and "being counted" not in counted
        world.set_time(NOW + timedelta(minutes=11))  # past FRESH: shown at once, with its time, while recounted
        stale = await (await client.get("/dashboard/hr?week=2026-W48&trend=26")).text()
        assert "Learners" in stale and "Newer figures are being counted" in stale and "Mon 7 Dec 10:00" in stale
        for task in list(client.app[STATE].summaries.counting.values()):
            await task
    with Session(engine) as s:
        assert len(s.exec(select(DashboardSummary)).all()) == 1


async def test_a_failure_is_a_short_page_with_a_reference(world, monkeypatch):
    url = link_of(ask(world, "Hanna", "dashboard"))

    def broken(*args, **kwargs):
        raise RuntimeError("database away")

    async with await client_for(world) as client:
        await sign_in(client, url)
        monkeypatch.setattr("bot.dashboard.summaries.stored", broken)
        answer = await client.get("/dashboard/hr")
        html = await answer.text()
    assert answer.status == 503 and "Something went wrong" in html and "database away" not in html
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_public_url_setting():
    from bot.common.config import load_settings
    from bot.ports.env import ConfigError

    assert load_settings({}, dotenv=False).public_base == "http://localhost:3000"
    assert load_settings({"PORT": "8080"}, dotenv=False).public_base == "http://localhost:8080"
    assert load_settings({"PUBLIC_URL": "https://kipina.example.org/"}, dotenv=False).public_base == \
        "https://kipina.example.org"
    assert load_settings({"PUBLIC_URL": "https://intra.example.org/kipina"}, dotenv=False).public_base == \
        "https://intra.example.org/kipina"
    for wrong in ("kipina.example.org", "ftp://x.org", "https://x.org/a b", "https://x.org/?next=1"):
        with pytest.raises(ConfigError):
            load_settings({"PUBLIC_URL": wrong}, dotenv=False)


async def test_links_and_pages_follow_a_path_under_public_url(settings, engine):
    world = make_world(replace(settings, public_url="https://intra.example.org/kipina"), engine, start=NOW)
    url = link_of(ask(world, "Hanna", "dashboard"))
    assert url.startswith("https://intra.example.org/kipina/dashboard/signin/")
    token = url.rsplit("/", 1)[1]
    async with await client_for(world) as client:  # the proxy has taken /kipina off the path
        page = await (await client.get(f"/dashboard/signin/{token}")).text()
        assert 'action="/kipina/dashboard/signin"' in page and 'href="/kipina/dashboard/static/dashboard.css"' in page
        signed = await client.post("/dashboard/signin", data={"token": token}, allow_redirects=False)
        assert signed.headers["Location"] == "/kipina/dashboard"


async def test_learning_coffees_show_once_there_are_rounds(world, engine):
    from storage.models import Circle, PairGroup, PairMember, PairRound, Person

    with Session(engine) as s:  # one round in week 49: three pairs, two of which met
        circle = s.exec(select(Circle).where(Circle.name == "Learners")).one()
        people = [s.exec(select(Person).where(Person.name == n)).one().id for n in LEARNERS[:6]]
        rnd = PairRound(circle_id=circle.id, scheduled_for=at("2026-11-30 10:00"), people=6)
        s.add(rnd)
        s.flush()
        for k in range(3):
            group = PairGroup(round_id=rnd.id, circle_id=circle.id, prompt_key="trust-c01")
            s.add(group)
            s.flush()
            for person in people[2 * k: 2 * k + 2]:
                s.add(PairMember(group_id=group.id, round_id=rnd.id, person_id=person, met=k < 2))
        s.commit()
    url = link_of(ask(world, "Hanna", "dashboard"))
    async with await client_for(world) as client:
        await sign_in(client, url)
        html = await (await client.get("/dashboard/hr")).text()
    assert "3 groups made, 6 people in them." in html and "Learning coffees, weeks 38–49" in html
    assert "met: 67% of the groups" in html and "No learning coffees" not in html
    coffee_table = re.search(r'<caption id="coffee-table-caption">(.*?)</table>', html, re.S).group(1)
    assert "Learning coffees, weeks 38–49" in coffee_table and "<th scope=\"row\" class=\"text\">Week 49</th>" \
        "<td class=\"num\">3</td><td class=\"num\">67%</td>" in coffee_table  # the chart's figures as a table
    assert "Groups was 3 in week 49." in html or "Groups rose" in html
    for name in LEARNERS:
        assert name not in html  # who met whom never shows


async def test_a_refusal_says_why_and_how_to_get_in_and_a_missing_page_speaks_the_readers_language(world):
    world.locales["ann.berg"] = "fi-FI"
    ask(world, "Ann.Berg", "kieli fi")
    async with await client_for(world) as client:
        await sign_in(client, link_of(ask(world, "Ann.Berg", "koontinäyttö")))
        hr = await client.get("/dashboard/hr")
        text = await hr.text()
        mentor = await (await client.get("/dashboard/mentor")).text()
        missing = await client.get("/dashboard/ei-tallaista")  # no Accept-Language: the session's language
        body = await missing.text()
    assert hr.status == 403 and "HR_USERS" in text and "tunnuksella test:ann.berg." in text
    assert "Omat piirit” on mentoreille" in mentor and "uusi" in mentor and "HR_USERS" not in mentor
    assert missing.status == 404 and '<html lang="fi">' in body and "Sivua ei löydy" in body


async def test_every_page_names_the_accessibility_statement_and_none_reloads_itself(world):
    from importlib import resources

    templates = list(resources.files("bot.dashboard").joinpath("templates").iterdir())
    assert len(templates) >= 10
    for template in templates:
        assert "http-equiv" not in template.read_text(encoding="utf-8"), template.name
    ask(world, "Hanna", "dashboard")
    async with await client_for(world) as client:
        stranger = await (await client.get("/dashboard/hr")).text()  # 401, no figures, but the footer
        await sign_in(client, link_of(world.responses[-1]))
        pages = [stranger] + [await (await client.get(path)).text() for path in (
            "/dashboard/hr", "/dashboard/me", "/dashboard/nothing", "/privacy", "/terms", "/accessibility")]
    for html in pages:
        assert re.search(r'href="/accessibility\?lang=en"( aria-current="page")?>Accessibility statement</a>', html)
        assert 'href="/privacy?lang=en"' in html and "refresh" not in html.lower()
    hr = pages[1]
    assert hr.count('class="card-change"') >= 3 and "from week 48" in hr  # the chosen week 49 against 48
    desc = re.search(r'<desc id="chart\d+-d">(.*?)</desc>', hr).group(1)
    assert re.search(r"Answers (rose|fell) from \d+ in week 38 to \d+ in week 49", desc) or "Answers was" in desc, desc
    assert "Response rate (%)" in hr and "Answers (number)" in hr and ">Week</text>" in hr  # axes and units
    assert 'aria-sort="descending"' in hr and "▼</span>" in hr


async def test_a_missing_page_speaks_the_signed_in_persons_language_not_the_browsers(world):
    world.locales["hanna"] = "fi-FI"
    ask(world, "Hanna", "dashboard")
    async with await client_for(world) as client:
        assert (await sign_in(client, link_of(world.responses[-1]))).status == 303
        missing = await client.get("/dashboard/nothing-here", headers={"Accept-Language": "en-GB"})
        body = await missing.text()
        assert missing.status == 404 and "Tällaista sivua ei ole" in body and "There is no such page" not in body
