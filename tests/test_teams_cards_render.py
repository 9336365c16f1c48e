"""Teams cards as the official Adaptive Cards renderer (npm `adaptivecards`) draws them in headless
Chromium, at a phone's width (320 px) and a desktop chat's (540 px), in Finnish, Swedish and
English: nothing sticks out of the card, no text is clipped, no word breaks mid-word (a link may
wrap anywhere). The HR summary, the audit log, a dashboard sign-in link and the privacy notice.

Skipped, with the reason, where Chromium, chromedriver or the renderer is not installed (CI installs
them: .ci/run). Screenshots go to tmp_path, and also to $CARDS_SCREENSHOTS when that is set.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlmodel import Session

import cards_render
from bot.domain.reports import figures as sql
from bot.domain.reports.summary import compute
from bot.domain.reports.view import delivery_message
from bot.platforms.teams.cards import sized_cards
from fakes.teams_world import check_card
from harness import at, make_world
from prompts import default_library
from summary_world import REPORT_WEEK, realistic

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
WIDTHS = (320, 540)
LOCALES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}

pytestmark = [
    pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
                       reason="Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"),
    pytest.mark.skipif(not cards_render.RENDERER.exists(),
                       reason="the Adaptive Cards renderer is not installed (npm install --prefix tests/.cards adaptivecards@3)"),
    pytest.mark.slow,
]


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                "--allow-file-access-from-files", f"--user-data-dir={tmp_path / 'chromium-profile'}",
                "--window-size=700,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.get(cards_render.page(tmp_path))
    yield driver
    driver.quit()


def keep(path: Path) -> None:
    wanted = os.environ.get("CARDS_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(wanted) / path.name)


def the_cards(engine, settings) -> dict[str, list[dict]]:
    """name-language → the Teams cards of that message, as the platform sends them."""
    seed = realistic(engine)
    with Session(engine) as session:
        summary = compute(session, seed.workspace, settings, sql.parse_week(REPORT_WEEK, "Europe/Helsinki"),
                          at("2026-12-07 09:00"), library=default_library())
    hr = SimpleNamespace(hr_users=frozenset({"teams:29:hanna"}))
    kit = replace(settings, public_url="https://oppiminen.virasto.fi/kipina", organisation_name="Verohallinto",
                  data_protection_officer="Tietosuojavastaava, tietosuoja@verohallinto.fi",
                  privacy_notice_url="https://www.vero.fi/tietoa-verohallinnosta/tietosuoja/kipina-tietosuojaseloste")
    world = make_world(kit, engine, start=at("2026-12-07 10:00"))
    world.command("Mia", "new Sammanfattningstrådarnas lärcirkel <@ann|Ann>", channel="C-long")
    world.command("Mia", "add <@bob|Bob>", channel="C-long")
    world.command("Hanna", "report")
    cards = {}
    for lang, locale in LOCALES.items():
        world.locales.update(hanna=locale, otto=locale, ann=locale)
        message = delivery_message(hr, SimpleNamespace(platform="teams"), SimpleNamespace(platform_user_id="29:hanna"),
                                   summary, lang)
        cards[f"summary-{lang}"] = sized_cards(message)
        for name, who, command in (("audit", "Otto", "audit"), ("dashboard", "Hanna", "dashboard"),
                                   ("privacy", "Ann", "privacy")):
            response = world.command(who, command)
            cards[f"{name}-{lang}"] = [card for m in response.to_caller for card in sized_cards(m)]
    return cards


def test_cards_fit_a_phone_and_a_desktop_in_every_language(engine, settings, browser, tmp_path):
    cards = the_cards(engine, settings)
    assert len(cards) == 12 and all(cards.values())
    drawn = []
    for name, parts in cards.items():
        for number, card in enumerate(parts):
            check_card(card)
            for width in WIDTHS:
                assert cards_render.draw(browser, card, width) == [], (name, width)  # the renderer took all of it
                found = cards_render.measure(browser)
                shot = tmp_path / f"{name}-{number}-{width}.png"
                cards_render.shot(browser, shot)
                keep(shot)
                where = f"{name} part {number} at {width} px ({shot})"
                assert found["texts"] >= 3 and found["words"] >= 5, where
                assert found["overflow"] == [], where
                assert found["clipped"] == [], where
                assert found["broken"] == [], where
                drawn.append((name, width, browser.execute_script("return document.getElementById('host').innerText")))
    assert len(drawn) >= 24
    text = {(name, width): shown for name, width, shown in drawn}
    assert "Vastasi ketjuihin 2" in text["summary-fi", 320].replace("\u00a0", " ")  # the column's title with its figure
    assert "uusi piiri" in text["audit-fi", 320] and "circle.new" not in text["audit-fi", 320]
    assert "ny cirkel" in text["audit-sv", 540] and "HR-sammanfattning" in text["audit-sv", 540]
    assert "+00:00" not in text["audit-en", 320] and "Verohallinto" in text["privacy-sv", 320]


def test_the_check_finds_what_goes_wrong(browser):
    """The measure itself: a table too wide for a phone, a long word in a narrow column and an
    address with no place to wrap are all found."""
    def cell(text):
        return {"type": "TableCell", "items": [{"type": "TextBlock", "text": text, "wrap": True}]}

    bad = {"type": "AdaptiveCard", "version": "1.5", "body": [
        {"type": "FactSet", "facts": [{"title": "Fikarums- och sammanfattningstrådar", "value": "2"}]},
        {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "https://oppiminen.virasto.fi/kipina/"
                                                                          "dashboard/signin/" + "x" * 60}]},
        {"type": "Table", "columns": [{"width": 1}] * 5,
         "rows": [{"type": "TableRow", "cells": [cell(t) for t in ("Cirkel", "Personer", "Besvarade",
                                                                    "Svarsfrekvens", "Ketjuissa")]}]}]}
    assert cards_render.draw(browser, bad, 320) == []
    found = cards_render.measure(browser)
    assert "sammanfattningstrådar" in found["broken"]
    assert any("signin" in item for item in found["overflow"])
    assert any("Ketjuissa" in item for item in found["overflow"] + found["clipped"] + found["broken"]), found
