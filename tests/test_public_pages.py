"""The public privacy notice (/privacy) and terms of use (/terms) over real HTTP: open to anyone, in
Finnish, Swedish or English, saying what this installation does (its retention days, group size,
language model) and who runs it. (tests/test_teams_package.py links the Teams package to them;
tests/test_dashboard_browser.py checks them with axe-core in Chromium.)"""
from __future__ import annotations

from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.common.config import load_settings
from bot.ports import ConfigError
from bot.runtime.web import make_web_app
from harness import make_world

PUBLIC_URL = "https://oppiminen.virasto.fi/kipina"  # behind a proxy that serves the bot under /kipina
ORGANISATION = {"ORGANISATION_NAME": "Virasto", "ORGANISATION_NAME_SV": "Ämbetsverket",
                "PRIVACY_CONTACT": "tietosuoja@virasto.fi"}
TITLES = {"fi": ("Tietosuojaseloste: Kipinä", "Käyttöehdot: Kipinä"),
          "sv": ("Dataskyddsbeskrivning: Kipinä", "Användarvillkor: Kipinä"),
          "en": ("Privacy notice: Kipinä", "Terms of use: Kipinä")}


def served_settings(settings, **env):
    """The settings `serve` would read from this environment (over the test database)."""
    loaded = load_settings({"PUBLIC_URL": PUBLIC_URL, **ORGANISATION, **env}, dotenv=False)
    return replace(loaded, database_url=settings.database_url)


async def client_for(settings, engine) -> TestClient:
    client = TestClient(TestServer(make_web_app(make_world(settings, engine).app)))  # 127.0.0.1, port 0
    await client.start_server()
    return client


@pytest.mark.parametrize("accept, lang", [("sv-FI,sv;q=0.9,en;q=0.5", "sv"), ("fi", "fi"), ("de-DE,de", "en"), ("", "en")])
async def test_the_language_comes_from_the_browser_unless_asked(settings, engine, accept, lang):
    async with await client_for(served_settings(settings), engine) as client:
        page = await client.get("/privacy", headers={"Accept-Language": accept} if accept else {})
        assert page.status == 200 and f'<html lang="{lang}">' in await page.text()
        assert page.headers["Vary"] == "Accept-Language"
        asked = await client.get("/terms?lang=fi", headers={"Accept-Language": accept})
        assert '<html lang="fi">' in await asked.text()


async def test_the_pages_say_what_this_installation_does(settings, engine):
    plain = served_settings(settings, REPLY_RETENTION_DAYS="200", MIN_GROUP_SIZE="7")
    async with await client_for(plain, engine) as client:
        en = await (await client.get("/privacy?lang=en")).text()
        fi = await (await client.get("/privacy?lang=fi")).text()
        sv = await (await client.get("/terms?lang=sv")).text()
    assert "lose their text after 200 days" in en and "groups of at least 7 people" in en
    assert "No language model is used" in en and "different people have shared" not in en
    assert "200 päivän kuluttua" in fi and "vähintään 7 hengen ryhmistä" in fi
    assert "<code>omat-tiedot</code>" in fi and "<code>unohda-minut</code>" in fi and "/circle" in fi
    assert "minst 7 personer" in sv and "språkmodell" not in sv
    with_model = served_settings(settings, OPENAI_API_KEY="sk-test-not-real-000000", LLM_MIN_AUTHORS="9")
    async with await client_for(with_model, engine) as client:
        en = await (await client.get("/privacy?lang=en")).text()
        terms = await (await client.get("/terms?lang=en")).text()
    assert "at least 9 different people have shared answers" in en and "No language model" not in en
    assert "language model that writes the week" in terms
    assert "sk-test" not in en + terms


async def test_without_the_organisation_the_pages_say_so_and_bad_input_gets_no_error(settings, engine):
    bare = replace(load_settings({}, dotenv=False), database_url=settings.database_url)
    async with await client_for(bare, engine) as client:
        page = await client.get("/privacy?lang=%3Cscript%3E", headers={"Accept-Language": "q=;;,"})
        body = await page.text()
        assert page.status == 200 and '<html lang="en">' in body and "<script" not in body.lower()
        assert "has not given its name and contact details" in body and "mailto:" not in body
        assert (await client.post("/privacy")).status == 405
        assert (await client.head("/terms")).status == 200


def test_the_privacy_contact_is_an_email_address():
    with pytest.raises(ConfigError, match="PRIVACY_CONTACT"):
        load_settings({"PRIVACY_CONTACT": "call HR"}, dotenv=False)
    with pytest.raises(ConfigError, match="PRIVACY_NOTICE_URL"):
        load_settings({"PRIVACY_NOTICE_URL": "javascript:alert(1)"}, dotenv=False)
    found = load_settings({"ORGANISATION_NAME": "Virasto", "ORGANISATION_NAME_SV": "Ämbetsverket"}, dotenv=False)
    assert (found.organisation("sv"), found.organisation("fi"), found.organisation("en")) == \
        ("Ämbetsverket", "Virasto", "Virasto")
