"""The public privacy notice (/privacy) and terms of use (/terms) over real HTTP: open to anyone, in
Finnish, Swedish or English, saying what this installation does (its retention days, group size,
language model) and who runs it: the controller, its data protection officer and the legal basis. (tests/test_teams_package.py links the Teams package to them;
tests/test_dashboard_browser.py checks them with axe-core in Chromium.)"""
from __future__ import annotations

from dataclasses import replace
from html import escape as html_text

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.common.config import load_settings
from bot.common.i18n import t
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


A11Y = {"ACCESSIBILITY_FEEDBACK": "saavutettavuus@virasto.fi", "ACCESSIBILITY_ASSESSED": "2026-11-30",
        "PRIVACY_NOTICE_URL": "https://www.virasto.fi/tietosuoja"}


async def test_the_accessibility_statement_has_the_parts_the_act_asks_for_in_each_language(settings, engine):
    async with await client_for(served_settings(settings, **A11Y), engine) as client:
        pages = {lang: await (await client.get(f"/accessibility?lang={lang}")).text() for lang in ("fi", "sv", "en")}
        head = await client.head("/accessibility")
        assert head.status == 200 and (await client.post("/accessibility")).status == 405
    fi, sv, en = pages["fi"], pages["sv"], pages["en"]
    assert '<html lang="fi">' in fi and "<h1>Saavutettavuusseloste: Kipinä</h1>" in fi
    assert "<h1>Tillgänglighetsutlåtande: Kipinä</h1>" in sv and "<h1>Accessibility statement: Kipinä</h1>" in en
    # status, known failures, how and when assessed, feedback answered within two weeks, the authority
    assert "partially meet the accessibility requirements (WCAG 2.1 level AA)" in en and "306/2019" in en
    assert "täyttävät saavutettavuusvaatimukset osittain" in fi and "uppfyller tillgänglighetskraven delvis" in sv
    assert "WCAG 2.2.1" in en and "works for 10 minutes" in en and "lasts 8 hours" in en
    assert "assessed the pages itself on 30 Nov 2026" in en and "arvioi sivut itse 30.11.2026" in fi
    assert 'href="mailto:saavutettavuus@virasto.fi"' in en and "We answer within two weeks." in en
    assert "Vastaamme kahden viikon kuluessa." in fi and "Vi svarar inom två veckor." in sv
    assert "Traficom" in en + fi + sv and 'href="https://www.saavutettavuusvaatimukset.fi/"' in fi
    assert 'href="https://www.tillganglighetskrav.fi/"' in sv
    for lang, page in pages.items():  # the footer: the three public pages, the organisation, its own notice
        assert f'href="/kipina/accessibility?lang={lang}" aria-current="page"' in page
        assert f'href="/kipina/privacy?lang={lang}"' in page and f'href="/kipina/terms?lang={lang}"' in page
        assert 'href="https://www.virasto.fi/tietosuoja"' in page and 'href="mailto:tietosuoja@virasto.fi"' in page
    assert "Kipinää ylläpitää Virasto." in fi and "Kipinä upprätthålls av Ämbetsverket." in sv


async def test_the_statement_names_an_outside_assessor_and_a_feedback_form_and_says_what_is_missing(settings, engine):
    other = served_settings(settings, ACCESSIBILITY_FEEDBACK="https://www.virasto.fi/palaute",
                            ACCESSIBILITY_ASSESSED="2026-10-05", ACCESSIBILITY_ASSESSED_BY="Saavutettavuustalo Oy")
    bare = replace(load_settings({}, dotenv=False), database_url=settings.database_url)
    async with await client_for(other, engine) as client:
        en = await (await client.get("/accessibility?lang=en")).text()
    async with await client_for(bare, engine) as client:
        missing = await (await client.get("/accessibility", headers={"Accept-Language": "sv-FI"})).text()
        privacy = await (await client.get("/privacy?lang=fi")).text()
    assert "assessed by Saavutettavuustalo Oy on 5 Oct 2026" in en and 'href="https://www.virasto.fi/palaute"' in en
    assert "mailto:" not in missing and "har ännu inte gett en adress" in missing
    assert "har ännu inte fört in sin egen bedömning" in missing
    assert 'href="/accessibility?lang=fi">Saavutettavuusseloste</a>' in privacy  # linked from the privacy notice


def test_the_accessibility_settings_are_checked():
    for wrong in ({"ACCESSIBILITY_FEEDBACK": "call HR"}, {"ACCESSIBILITY_FEEDBACK": "javascript:alert(1)"},
                  {"ACCESSIBILITY_ASSESSED": "30.11.2026"}, {"ACCESSIBILITY_ASSESSED": "2026-13-01"}):
        with pytest.raises(ConfigError, match="ACCESSIBILITY_"):
            load_settings(wrong, dotenv=False)
    found = load_settings(A11Y, dotenv=False)
    assert (found.accessibility_feedback, found.accessibility_assessed.isoformat()) == \
        ("saavutettavuus@virasto.fi", "2026-11-30")


DPO = "Tietosuojavastaava Maija Meikäläinen, tietosuoja@virasto.fi"


@pytest.mark.parametrize("lang, controller, dpo, basis, authority", [
    ("fi", "Rekisterinpitäjä", "Tietosuojavastaava", "6 artiklan 1 kohdan e alakohta", "Tietosuojavaltuutetun toimisto"),
    ("sv", "Personuppgiftsansvarig", "Dataskyddsombud", "artikel 6.1 e", "Dataombudsmannens byrå"),
    ("en", "Controller", "Data protection officer", "Article 6(1)(e)", "Office of the Data Protection Ombudsman"),
])
async def test_the_privacy_page_names_controller_dpo_basis_channels_and_complaint_route(
        settings, engine, lang, controller, dpo, basis, authority):
    served = served_settings(settings, DATA_PROTECTION_OFFICER=DPO, PRIVACY_NOTICE_URL="https://virasto.fi/tietosuoja")
    async with await client_for(served, engine) as client:
        body = await (await client.get(f"/privacy?lang={lang}")).text()
        signin = await (await client.get("/dashboard/signin/not-a-real-link", headers={"Accept-Language": lang})).text()
    name = "Ämbetsverket" if lang == "sv" else "Virasto"
    assert f"<dt>{controller}</dt><dd>{name}</dd>" in body
    assert (f'<dt>{dpo}</dt><dd>Tietosuojavastaava Maija Meikäläinen, '
            '<a href="mailto:tietosuoja@virasto.fi">tietosuoja@virasto.fi</a></dd>') in body
    assert basis in body and "759/2004" in body and "6(1)(f)" not in body
    assert html_text(t(lang, "privacy.channels")) in body  # that circle channels are read, and what is kept
    assert authority in body and 'href="https://tietosuoja.fi' in body
    assert f'href="/kipina/accessibility?lang={lang}"' in body and 'href="https://virasto.fi/tietosuoja"' in body
    for page in (body, signin):  # the DPO in the footer of every page, public and dashboard alike
        footer = page.split('<footer class="bottom">', 1)[1]
        assert f'<p class="dpo">{t(lang, "dashboard.footer_dpo")} Tietosuojavastaava Maija Meikäläinen, ' \
               '<a href="mailto:tietosuoja@virasto.fi">' in footer


async def test_the_agency_states_its_own_legal_basis_and_without_a_dpo_there_is_no_footer_line(settings, engine):
    own = "Valtion virkamieslaki (750/1994) ja laki yksityisyyden suojasta työelämässä (759/2004)."
    served = served_settings(settings, PRIVACY_LEGAL_BASIS="GDPR Art. 6(1)(c): our staff development duty.",
                             PRIVACY_LEGAL_BASIS_FI=own)
    async with await client_for(served, engine) as client:
        fi = await (await client.get("/privacy?lang=fi")).text()
        sv = await (await client.get("/privacy?lang=sv")).text()
    assert own in fi and t("fi", "privacy.basis_default") not in fi
    assert "GDPR Art. 6(1)(c): our staff development duty." in sv and own not in sv
    assert 'class="dpo"' not in fi and "Tietosuojavastaava" not in fi


def test_the_dpo_and_legal_basis_are_one_line_each():
    for name in ("DATA_PROTECTION_OFFICER", "PRIVACY_LEGAL_BASIS", "PRIVACY_LEGAL_BASIS_SV"):
        with pytest.raises(ConfigError, match=name):
            load_settings({name: "first line\nsecond line"}, dotenv=False)
    with pytest.raises(ConfigError, match="DATA_PROTECTION_OFFICER"):
        load_settings({"DATA_PROTECTION_OFFICER": "x" * 201}, dotenv=False)
    found = load_settings({"DATA_PROTECTION_OFFICER": DPO, "PRIVACY_LEGAL_BASIS_EN": "Art. 6(1)(e)."}, dotenv=False)
    assert found.data_protection_officer == DPO
    assert (found.legal_basis("en"), found.legal_basis("fi")) == ("Art. 6(1)(e).", "")
