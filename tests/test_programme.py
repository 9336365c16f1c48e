"""A programme across organisations: three installations (a hub and two member organisations), each
with its own database, talking real HTTP. Figures travel; names, answer texts and people's ids never do."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import threading

import pytest
import requests
from aiohttp import web
from sqlalchemy import JSON, String, Text, inspect, select, text
from sqlmodel import Session

from bot.common.config import load_settings
from bot.domain import programme
from bot.domain.reports import parse_week
from bot.ports import ConfigError
from bot.runtime.app import build
from bot.runtime.clock import ManualClock
from bot.runtime.web import make_web_app
from conftest import BACKENDS, PG_URL
from harness import RecordingPlatform, World, at
from storage.db import make_engine, migrate, scratch_schema
from storage.models import ProgrammePush, ProgrammeWeek
from summary_world import Seed

# What each organisation holds that must never reach the hub.
PEOPLE_A = [f"{first} Kanarialintu" for first in ("Aada", "Eino", "Iida", "Oona", "Ulla", "Ykä", "Åke", "Önni")]
PEOPLE_B = [f"{first} Kanariefågel" for first in ("Bertil", "Dagny", "Frej", "Greta", "Hjalmar", "Ingrid")]
USER_IDS = ["UCANARYA", "UCANARYB"]  # prefixes of every person's platform id
# One word of each answer is its author's own (and the private one's): unlike in stem, so none is shared.
OWN_WORDS = {"a": ["zorblax", "quintavo", "morfelin", "drumbalo", "kexitra", "plovinu", "tramsoli", "vurdenko"],
             "b": ["glimbrot", "hexavuri", "jopsendal", "nurkfeli", "skvadrum", "wobbelik"]}
CIRCLE_A = "Salaiset Kanarialinnut"  # A does not share circle names
CIRCLE_B = "Kanarieklubben"  # B does (PROGRAMME_SHARE_CIRCLE_NAMES=on)


class Served:
    """A Kipinä web app on 127.0.0.1 in a thread of its own; it can go away and come back on its port."""

    def __init__(self, app):
        self.app, self.port = app, 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.start()

    def start(self) -> None:
        async def go():
            self.runner = web.AppRunner(make_web_app(self.app), access_log=None)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", self.port, reuse_address=True)
            await site.start()
            return self.runner.addresses[0][1]

        self.port = asyncio.run_coroutine_threadsafe(go(), self.loop).result(30)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)

    def close(self) -> None:
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(params=BACKENDS)
def databases(request, tmp_path, sqlite_template):
    """Three separate databases: the hub's and each organisation's."""
    if request.param == "sqlite":
        urls = []
        for name in ("hub", "a", "b"):
            shutil.copy(sqlite_template, tmp_path / f"{name}.db")
            urls.append(f"sqlite:///{tmp_path / name}.db")
        yield urls
        return
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(scratch_schema(PG_URL, f"kipina_{name}")) for name in ("hub", "a", "b")]
        for url in urls:
            engine = make_engine(url)
            migrate(engine)
            engine.dispose()
        yield urls


def installation(url: str, when, **env: str) -> World:
    settings = load_settings({"DATABASE_URL": url, "DEFAULT_LANGUAGE": "en", "HOLIDAY_COUNTRY": "", **env},
                             dotenv=False)
    app = build(settings, clock=ManualClock(when), platform_names=[], engine=make_engine(url))
    app.add_platform(RecordingPlatform(app))
    return World(app, app.platforms["test"])


def seed(engine, people: list[str], circle: str, id_prefix: str, small_week_asks: int, letter: str) -> None:
    """Week 49: everybody asked, most answer; week 50: only `small_week_asks` of them asked."""
    s = Seed(engine)
    for i, name in enumerate(people):
        s.person(name, user_id=f"{id_prefix}{i:03d}")
    s.circle(circle, people)
    run = s.run(circle, at("2026-12-03 14:00"))
    own = OWN_WORDS[letter]
    for i, name in enumerate(people[:-1]):
        s.answer(run, name, f"Palaute kollegalta auttoi, sanoi {name}: {own[i]} jäi mieleen.")
    s.answer(run, people[-1], f"Yksityinen {own[-1]}", visibility="private")
    run = s.run(circle, at("2026-12-10 14:00"), asked=people[:small_week_asks])
    for name in people[:small_week_asks]:
        s.answer(run, name, f"Toinen viikko {name}")


@pytest.fixture
def programme_world(databases):
    hub_url, a_url, b_url = databases
    start = at("2026-12-07 05:00")
    hub = installation(hub_url, start, PROGRAMME_HUB="on", PROGRAMME_LEADS="test:lead")
    served = Served(hub.app)
    with Session(hub.app.engine) as session:
        tokens = [programme.add_organisation(session, name, start) for name in ("Maanmittauslaitos", "Palkeet")]
        session.commit()
    common = {"PROGRAMME_HUB_URL": served.url}
    a = installation(a_url, start, PROGRAMME_TOKEN=tokens[0], **common)
    b = installation(b_url, start, PROGRAMME_TOKEN=tokens[1], MIN_GROUP_SIZE="3", PROGRAMME_SHARE_CIRCLE_NAMES="on",
                     **common)
    seed(a.app.engine, PEOPLE_A, CIRCLE_A, USER_IDS[0], small_week_asks=8, letter="a")
    seed(b.app.engine, PEOPLE_B, CIRCLE_B, USER_IDS[1], small_week_asks=4, letter="b")
    yield hub, a, b, served
    served.close()
    for world in (hub, a, b):
        world.app.engine.dispose()


def view_of(hub: World) -> dict:
    with Session(hub.app.engine) as session:
        return programme.compute_view(session, hub.app.settings, hub.now)


def said(response) -> str:
    return "\n".join(block.text for message in response.to_caller for block in message.blocks)


def stored(hub: World) -> list[tuple[int, str]]:
    with Session(hub.app.engine) as session:
        return sorted(session.execute(select(ProgrammeWeek.organisation_id, ProgrammeWeek.week)).all())


def tick_all(worlds, when) -> None:
    for world in worlds:
        world.tick(when)


def text_values(engine) -> tuple[int, list[str]]:
    """Every value of every text and JSON column of every table, as text; and how many columns were read."""
    columns, values = 0, []
    with engine.connect() as conn:
        inspector = inspect(conn)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                if isinstance(column["type"], (String, Text, JSON)):
                    columns += 1
                    rows = conn.execute(text(f'SELECT "{column["name"]}" FROM "{table}"')).all()
                    values += [json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
                               for (v,) in rows if v is not None]
    return columns, values


def test_three_installations_share_figures_and_nothing_else(programme_world):
    hub, a, b, served = programme_world
    tick_all([a, b], at("2026-12-07 05:00"))  # the three weeks before week 49 (nobody took part yet)
    assert stored(hub) == [(org, week) for org in (1, 2) for week in ("2026-W46", "2026-W47", "2026-W48")]
    tick_all([a, b], at("2026-12-07 06:30"))  # week 49 is due six hours after it ended
    assert stored(hub) == [(org, week) for org in (1, 2) for week in ("2026-W46", "2026-W47", "2026-W48", "2026-W49")]

    hub.set_time(at("2026-12-08 09:00"))
    told = said(hub.command("Lead", "programme"))
    assert "Maanmittauslaitos" in told and "Palkeet" in told and "Programme total" in told
    view = view_of(hub)
    w49 = view["last"]
    assert w49["week"] == "2026-W49" and w49["other"] is None
    assert w49["named"]["Maanmittauslaitos"]["members"] == 8 and w49["named"]["Palkeet"]["members"] == 6
    assert w49["total"]["members"] == 14 and w49["total"]["answers"] == 14 and w49["total"]["prompts"] == 14
    # Words that at least 5 people used travel as themes; nobody's own words, and no names, do.
    # (base forms and a shared phrase: "mieleen" as "mieli")
    assert w49["themes"]["Maanmittauslaitos"] == [{"keywords": ["palaute kollegalta", "mieli"], "people": 7}]
    assert w49["circles"] == {"Palkeet": [{"name": CIRCLE_B, "members": 6, "answers": 6, "response_rate": 1.0}]}

    # Palkeet asks only 4 people in week 50: fewer than the hub's 5, so it is merged; alone it would
    # still be too small, so Maanmittauslaitos joins it and neither can be told from the total.
    served.stop()  # and the hub is away for a day
    tick_all([a, b], at("2026-12-14 06:30"))
    with Session(a.app.engine) as session:
        owed = session.get(ProgrammePush, "2026-W50")
        assert owed.sent_at is None and owed.attempts == 1 and owed.last_error == "ConnectionError"
    for hour in ("09:00", "13:00", "21:00"):
        tick_all([a, b], at(f"2026-12-14 {hour}"))
    served.start()
    tick_all([a, b], at("2026-12-15 06:00"))
    tick_all([a, b], at("2026-12-15 12:00"))
    assert (1, "2026-W50") in stored(hub) and (2, "2026-W50") in stored(hub)
    hub.set_time(at("2026-12-15 13:00"))
    w50 = view_of(hub)["last"]
    assert w50["week"] == "2026-W50" and w50["named"] == {}
    assert w50["other"]["organisations"] == 2 and w50["other"]["members"] == 14 == w50["total"]["members"]
    told = said(hub.command("Lead", "programme"))
    assert "2 other organisations" in told and "Palkeet" not in told

    # A week sent again replaces the copy the hub keeps.
    before = len(stored(hub))
    assert programme.push_week(a.app.engine, a.app.services, programme.due_weeks(a.now, "Europe/Helsinki")[-1],
                               a.now).status == "replaced"
    assert len(stored(hub)) == before == 10

    # The hub's database: every text of every table, for the organisations' canaries.
    columns, values = text_values(hub.app.engine)
    everything = "\n".join(values)
    assert columns > 30 and "Maanmittauslaitos" in everything and CIRCLE_B in everything  # the scan reads data
    for canary in [*PEOPLE_A, *PEOPLE_B, *USER_IDS, CIRCLE_A, *OWN_WORDS["a"], *OWN_WORDS["b"], "Kanarialintu", "Kanariefågel",
                   "Yksityinen", "Toinen viikko", "sanoi"]:
        assert canary.lower() not in everything.lower(), canary
    for payload in values:
        if payload.startswith("{") and '"version"' in payload:
            assert "_id" not in payload and '"id"' not in payload and "person" not in payload


def test_preview_prints_what_the_hub_keeps_and_no_token_is_logged(programme_world, monkeypatch, capsys, caplog):
    from bot.runtime.cli import main

    hub, a, b, served = programme_world
    caplog.set_level(logging.INFO)
    tick_all([a, b], at("2026-12-07 06:30"))
    for token in (a.app.settings.programme_token, b.app.settings.programme_token):
        assert token not in caplog.text
    assert "programme week 2026-W49 from organisation 1 stored" in caplog.text  # the week and nothing of it
    assert "kollega" not in caplog.text.lower()
    with Session(hub.app.engine) as session:
        kept = session.execute(select(ProgrammeWeek.payload).where(ProgrammeWeek.organisation_id == 1,
                                                                    ProgrammeWeek.week == "2026-W49")).scalar_one()
    for name, value in {"DATABASE_URL": a.app.settings.database_url, "HOLIDAY_COUNTRY": "",
                        "LOG_FORMAT": "text"}.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert main(["programme", "preview", "--week", "2026-W49"]) == 0
    assert json.loads(capsys.readouterr().out) == kept


def test_add_org_prints_the_token_once_and_keeps_only_its_hash(databases, monkeypatch, capsys):
    from bot.runtime.cli import main

    monkeypatch.setenv("DATABASE_URL", databases[0])
    monkeypatch.setenv("HOLIDAY_COUNTRY", "")
    assert main(["programme", "add-org", "Palkeet"]) == 2  # not a hub
    monkeypatch.setenv("PROGRAMME_HUB", "on")
    capsys.readouterr()
    assert main(["programme", "add-org", "  Palkeet "]) == 0
    token = next(line.split("=", 1)[1] for line in capsys.readouterr().out.splitlines() if "PROGRAMME_TOKEN=" in line)
    assert main(["programme", "add-org", "Palkeet"]) == 2  # one of each name
    engine = make_engine(databases[0])
    columns, values = text_values(engine)
    assert "Palkeet" in values and programme.hub.digest(token) in values and token not in "\n".join(values)
    engine.dispose()


def test_a_week_with_too_few_people_carries_no_figures(programme_world):
    _, a, _, _ = programme_world
    before = parse_week("2026-W30", "Europe/Helsinki")  # the circle began in September
    with Session(a.app.engine) as session:
        assert programme.build_payload(session, a.app.settings, before, a.now) == {
            "version": 1, "week": "2026-W30", "min_group_size": 5, "too_small": True}
        assert programme.build_payload(session, a.app.settings, parse_week("2026-W49", "Europe/Helsinki"),
                                       a.now)["figures"]["members"] == 8
    assert programme.problems({"version": 1, "week": "2026-W30", "min_group_size": 5, "too_small": True,
                               "figures": {}}) != []  # a small week with figures is refused at the hub


def test_a_hub_away_costs_one_try_per_wait_not_one_per_week(programme_world):
    hub, a, _, served = programme_world
    served.stop()
    a.tick(at("2026-12-07 06:30"))
    a.tick(at("2026-12-07 06:31"))
    with Session(a.app.engine) as session:
        rows = session.exec(select(ProgrammePush).order_by(ProgrammePush.week)).scalars().all()
        assert [(r.week, r.attempts, r.sent_at) for r in rows] == [
            ("2026-W46", 1, None), ("2026-W47", 0, None), ("2026-W48", 0, None), ("2026-W49", 0, None)]
        assert len({r.next_try_at for r in rows}) == 1  # all wait for the same retry, five minutes on
    served.start()
    a.tick(at("2026-12-07 06:36"))
    assert stored(hub) == [(1, week) for week in ("2026-W46", "2026-W47", "2026-W48", "2026-W49")]


def test_a_lead_only_and_only_at_the_hub(programme_world):
    hub, a, _, _ = programme_world
    assert "only for the programme's leads" in said(hub.command("Ann", "programme"))
    assert "hub installation" in said(a.command("Lead", "ohjelma"))
    assert "programme" in said(hub.command("Lead", "help")) and "programme" not in said(hub.command("Ann", "help"))
    assert "programme" not in said(a.command("Lead", "help"))  # a lead, but not at the hub


def test_the_hub_refuses_what_it_should(programme_world):
    hub, a, _, served = programme_world
    url = f"{served.url}/programme/v1/weeks/2026-W49"
    token = a.app.settings.programme_token
    with Session(a.app.engine) as session:
        good = programme.build_payload(session, a.app.settings,
                                       programme.due_weeks(at("2026-12-07 07:00"), "Europe/Helsinki")[-1], a.now)
    auth = {"Authorization": f"Bearer {token}"}
    assert requests.put(url, json=good).status_code == 401
    assert requests.put(url, json=good, headers={"Authorization": "Bearer kpt_not-a-member"}).status_code == 403
    assert requests.put(url, data=b"{" + b" " * (programme.MAX_BYTES + 10), headers=auth).status_code == 413
    assert requests.put(url, data=b"not json", headers=auth).status_code == 400
    sneaky = {**good, "figures": {**good["figures"], "names": ["Aada Kanarialintu0"]}}
    answer = requests.put(url, json=sneaky, headers=auth)
    assert answer.status_code == 422 and "Kanarialintu" not in answer.text and "figures" in answer.text
    assert requests.put(f"{served.url}/programme/v1/weeks/2026-W48", json=good, headers=auth).status_code == 422
    assert requests.put(f"{served.url}/programme/v1/weeks/yesterday", json=good, headers=auth).status_code == 400
    assert stored(hub) == []
    assert requests.put(url, json=good, headers=auth).status_code == 201
    assert requests.put(url, json=good, headers=auth).status_code == 200
    assert stored(hub) == [(1, "2026-W49")]


def test_leaving_stops_sending_and_the_hub_deletes(programme_world):
    hub, a, b, _ = programme_world
    tick_all([a, b], at("2026-12-07 06:30"))
    assert len(stored(hub)) == 8
    assert programme.leave(a.app.engine, a.app.services, a.now).ok
    assert [org for org, _ in stored(hub)] == [2, 2, 2, 2]
    tick_all([a, b], at("2026-12-14 06:30"))
    assert [org for org, _ in stored(hub)] == [2] * 5  # nothing more from the one that left
    hub.set_time(at("2026-12-15 09:00"))
    assert view_of(hub)["organisations"] == ["Palkeet"]


@pytest.mark.parametrize("url, ok", [("https://kipina.valtiokonttori.fi", True), ("http://localhost:3000", True),
                                     ("http://127.0.0.1:8080/kipina", True), ("http://kipina.example.org", False),
                                     ("ftp://hub", False), ("https://", False)])
def test_the_hub_address_is_https_unless_local(url, ok):
    if ok:
        assert load_settings({"PROGRAMME_HUB_URL": url}, dotenv=False).programme_hub_url == url
    else:
        with pytest.raises(ConfigError, match="PROGRAMME_HUB_URL"):
            load_settings({"PROGRAMME_HUB_URL": url}, dotenv=False)
