"""The dashboard in a real headless Chromium (the system's, driven by Selenium through chromedriver):
the link signs in by itself, the HR page draws its figures and charts, prints without its controls,
and a member's link shows only their own page. Every page (dashboard, notices, public pages) in
fi, sv and en at 375, 768 and 1280 px: no axe-core violation at all, the accessibility statement in
its footer, no self-refresh, nothing wider than the screen; on a phone (375 px, and 320 px for
400 % zoom) the circle's name and response rate are in view together and nothing overflows its box.

Skipped, with the reason, where Chromium or chromedriver is not installed (CI installs both:
.ci/run); the HTTP rules of the links are tested without a browser in tests/test_dashboard.py.
Screenshots go to tmp_path, and also to $DASHBOARD_SCREENSHOTS when that is set."""
from __future__ import annotations

import asyncio
import base64
import os
import random
import shutil
import threading
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from sqlalchemy import func
from sqlmodel import Session, select

from bot.common.config import Settings
from bot.ports import Actor, CommandRequest, Place
from bot.runtime.web import make_web_app
from harness import make_world
from storage.db import make_engine, migrate
from storage.models import Circle, Membership, Reply

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
AXE = Path(os.environ.get("AXE_CORE_JS", Path(__file__).parent / ".axe/node_modules/axe-core/axe.min.js"))
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)  # Monday of week 49: the last full week is 48
PHONE, DESKTOP = (390, 844), (1280, 900)

pytestmark = [
    pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
                       reason="Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"),
    pytest.mark.slow,
]


class Served:
    """The bot's web app on a real port, in a thread of its own (Selenium's calls block)."""

    def __init__(self, app):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self._start(app), self.loop).result(30)

    async def _start(self, app) -> int:
        self.runner = web.AppRunner(make_web_app(app), access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        return self.runner.addresses[0][1]

    def url(self, link_or_path: str) -> str:
        return f"http://127.0.0.1:{self.port}{urlsplit(link_or_path).path}"

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def world(tmp_path):
    """The benchmark's organisation at its small size (30 circles, some under the threshold), on SQLite."""
    from bench.summary_bench import SMALL, seed

    url = f"sqlite:///{tmp_path}/browser.db"
    engine = make_engine(url)
    migrate(engine)
    seed(engine, SMALL, random.Random(48))
    coffees(engine)
    w = make_world(replace(Settings(), database_url=url, hr_users=frozenset({"bench:hr1"})), engine, start=NOW)
    yield w
    engine.dispose()


def coffees(engine) -> None:
    """A round of learning coffees in each of weeks 46-48, in the three largest circles: three pairs each."""
    from storage.models import PairGroup, PairMember, PairRound

    with Session(engine) as s:
        largest = s.exec(select(Membership.circle_id).group_by(Membership.circle_id)
                         .order_by(func.count(Membership.id).desc(), Membership.circle_id).limit(3)).all()
        for k, circle in enumerate(largest):
            people = s.exec(select(Membership.person_id).where(Membership.circle_id == circle)
                            .order_by(Membership.person_id).limit(6)).all()
            rnd = PairRound(circle_id=circle, scheduled_for=datetime(2026, 11, 11 + 7 * k, 10, tzinfo=timezone.utc),
                            people=6)
            s.add(rnd)
            s.flush()
            for g in range(3):
                group = PairGroup(round_id=rnd.id, circle_id=circle, prompt_key="trust-c01")
                s.add(group)
                s.flush()
                s.add_all(PairMember(group_id=group.id, round_id=rnd.id, person_id=p, met=g < 2)
                          for p in people[2 * g:2 * g + 2])
        s.commit()


@pytest.fixture
def served(world):
    from bot.dashboard.frame import STATE

    s = Served(world.app)
    s.runner.app[STATE].summaries.wait = 60.0  # the first count of a week is waited for, whatever the machine
    yield s
    s.stop()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path / 'chromium-profile'}", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def link(world, platform_user_id: str, name: str) -> str:
    actor = Actor("bench", "B1", platform_user_id, name, locale="en-GB")
    response = world.app.core.command(CommandRequest(actor, "dashboard", Place()), world.now)
    return next(b.text for m in response.to_caller for b in m.blocks if "/dashboard/signin/" in b.text)


def wait_for(driver, path: str, seconds: float = 60, selector: str = "h1"):
    """Until the browser is at `path` and shows `selector`."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, seconds, poll_frequency=0.2).until(
        lambda d: urlsplit(d.current_url).path == path and d.execute_script("return document.readyState") == "complete"
        and d.find_elements("css selector", selector))


def screenshot(driver, size: tuple[int, int], path: Path) -> None:
    """The whole page at this width, as a phone or a desktop shows it."""
    driver.set_window_size(*size)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": size[0] < 600})
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": {
        "x": 0, "y": 0, "width": size[0], "height": metrics["height"], "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))
    keep = os.environ.get("DASHBOARD_SCREENSHOTS")
    if keep and Path(keep).resolve() != path.parent.resolve():
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def axe_violations(driver) -> list[dict]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => ("
        "{id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))));")


def small_circle_names(engine, n: int) -> list[str]:
    with Session(engine) as s:
        return list(s.exec(select(Circle.name).join(Membership, Membership.circle_id == Circle.id)
                           .group_by(Circle.id, Circle.name).having(func.count(Membership.id) < n)))


def test_hr_page_renders_in_chromium_on_a_phone_and_a_desktop(world, served, browser, tmp_path):
    url = link(world, "hr1", "Hanna HR")
    browser.get(served.url(url))  # the sign-in page posts itself, and the session starts
    wait_for(browser, "/dashboard/hr", selector="#week-heading")
    page = browser.page_source
    assert browser.execute_script("return document.documentElement.lang") == "en"
    assert "Weekly summary, week 48" in browser.find_element("tag name", "h2").text
    charts = browser.find_elements("css selector", "svg.chart[role=img]")
    assert len(charts) >= 4 and all(c.size["width"] > 100 and c.size["height"] > 50 for c in charts)
    assert len(browser.find_elements("css selector", ".chart .bars rect")) > 20
    values = [e.text for e in browser.find_elements("css selector", ".card-value")]
    assert len(values) >= 5 and all(v.strip() for v in values)
    for small in small_circle_names(world.app.engine, world.app.settings.min_group_size):
        assert small not in page
    assert "PRIVATE-BENCH" not in page and "Virtanen" not in page
    problems = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert problems == []  # no CSP violation, nothing failed to load

    violations = axe_violations(browser) if AXE.exists() else []
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []

    screenshot(browser, PHONE, tmp_path / "dashboard-hr-phone.png")
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(browser, DESKTOP, tmp_path / "dashboard-hr-desktop.png")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert browser.execute_script("return getComputedStyle(document.querySelector('.toolbar')).display") == "none"
    assert browser.execute_script("return getComputedStyle(document.querySelector('header nav')).display") == "none"
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
    assert base64.b64decode(pdf["data"]).startswith(b"%PDF")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    browser.get(served.url(url))  # the same link a second time
    assert "This link no longer works" in browser.find_element("tag name", "h1").text
    browser.get(served.url("/dashboard/hr"))
    browser.find_element("css selector", ".signout button").click()
    wait_for(browser, "/dashboard/signout")
    browser.get(served.url("/dashboard/hr"))
    assert "Please sign in first" in browser.find_element("tag name", "h1").text
    assert browser.find_elements("css selector", "svg") == []


def test_a_members_link_shows_only_their_own_page(world, served, browser, tmp_path):
    with Session(world.app.engine) as s:
        reply = s.exec(select(Reply).where(Reply.visibility == "private").order_by(Reply.id)).first()
        person = reply.person_id
        own = s.exec(select(func.count(Reply.id)).where(Reply.person_id == person)).one()
    browser.get(served.url(link(world, f"U{person:06d}", "Member")))
    wait_for(browser, "/dashboard/me", selector="ol.journal")
    entries = browser.find_elements("css selector", "ol.journal > li")
    assert len(entries) == own and "PRIVATE-BENCH" in browser.page_source  # their own private answers, to them
    nav = [a.text for a in browser.find_elements("css selector", "header nav a")]
    assert nav == ["My journal"]
    if AXE.exists():
        assert [v for v in axe_violations(browser) if v["impact"] in ("serious", "critical")] == []
    screenshot(browser, PHONE, tmp_path / "dashboard-me-phone.png")
    browser.get(served.url("/dashboard/hr"))
    assert "Not open to you" in browser.find_element("tag name", "h1").text
    assert browser.find_elements("css selector", "svg") == [] and "Circle 0" not in browser.page_source


@pytest.fixture
def public_site(tmp_path):
    """The bot's web app with the organisation's settings, as `serve` reads them, on an empty database."""
    from bot.common.config import load_settings

    url = f"sqlite:///{tmp_path}/public.db"
    engine = make_engine(url)
    migrate(engine)
    settings = replace(load_settings({"ORGANISATION_NAME": "Virasto", "ORGANISATION_NAME_SV": "Ämbetsverket",
                                      "PRIVACY_CONTACT": "tietosuoja@virasto.fi",
                                      "DATA_PROTECTION_OFFICER": "Tietosuojavastaava, tietosuoja@virasto.fi",
                                      "PRIVACY_NOTICE_URL": "https://www.virasto.fi/tietosuoja"}, dotenv=False),
                       database_url=url)
    s = Served(make_world(settings, engine, start=NOW).app)
    yield s
    s.stop()
    engine.dispose()


def test_privacy_and_terms_pages_are_accessible_in_every_language(public_site, browser, tmp_path):
    seen = []
    for page, heading in (("privacy", "Tietosuojaseloste"), ("terms", "Käyttöehdot")):
        browser.get(f"{public_site.url('/')}{page}?lang=fi")  # url() keeps the path only
        wait_for(browser, f"/{page}")
        assert browser.find_element("tag name", "h1").text.startswith(heading)
        for lang, link in (("sv", "På svenska"), ("en", "In English"), ("fi", "Suomeksi")):
            browser.find_element("link text", link).click()  # the language links lead to the same page
            wait_for(browser, f"/{page}")
            assert browser.execute_script("return document.documentElement.lang") == lang
            landmarks = browser.execute_script(
                "return ['header', 'nav', 'main', 'footer'].map(t => document.querySelectorAll(t).length)")
            assert landmarks[0] == 1 and landmarks[1] == 2 and landmarks[2] == 1 and landmarks[3] == 1
            assert len(browser.find_elements("css selector", "main h2")) >= 3
            assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
            if AXE.exists():
                assert axe_violations(browser) == [], (page, lang)  # contrast, landmarks, lang, headings …
            seen.append((page, lang))
        screenshot(browser, PHONE, tmp_path / f"{page}-phone.png")
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert len(seen) == 6


# -- every page, every language, every width ---------------------------------------------------------

WIDTHS = ((375, 812), (768, 1024), (1280, 900))
LANGS = ("fi", "sv", "en")


def at_width(driver, size: tuple[int, int]) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": size[0] < 600})


def as_stranger(driver, lang: str) -> None:
    """Signed out, with a browser that asks for `lang` first."""
    driver.delete_all_cookies()
    driver.execute_cdp_cmd("Emulation.setUserAgentOverride", {
        "userAgent": driver.execute_script("return navigator.userAgent"), "acceptLanguage": f"{lang},en;q=0.5"})


def sign_in_as(world, served, driver, user: str, lang: str, path: str) -> None:
    actor = Actor("bench", "B1", user, "Someone", locale="en-GB")
    world.app.core.command(CommandRequest(actor, f"language {lang}", Place()), world.now)
    driver.delete_all_cookies()
    driver.get(served.url(link(world, user, "Someone")))
    wait_for(driver, path, selector="main h1")


def a_mentor(engine) -> str:
    with Session(engine) as s:
        circle = s.exec(select(Circle).order_by(Circle.id)).first()
        return f"U{circle.mentor_id:06d}"


def check_everywhere(driver, where: str, lang: str, seen: list) -> None:
    """The page as it is now, at each width: no axe violation at all, the statement in its footer,
    no self-refresh, nothing wider than the screen."""
    assert driver.execute_script("return document.documentElement.lang") == lang, where
    assert driver.find_elements("css selector", "footer a[href*='/accessibility']"), where
    assert driver.execute_script("return document.querySelector('meta[http-equiv=refresh i]') === null"), where
    for size in WIDTHS:
        at_width(driver, size)
        assert axe_violations(driver) == [], (where, lang, size)
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), \
            (where, lang, size)
        if os.environ.get("DASHBOARD_SCREENSHOTS"):  # to look at, not needed for the test
            slug = "".join(c if c.isalnum() else "-" for c in where).strip("-")
            screenshot(driver, size, Path(os.environ["DASHBOARD_SCREENSHOTS"]) / f"{slug}-{lang}-{size[0]}.png")
        seen.append((where, lang, size[0]))
    problems = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
                and "the server responded with a status of 4" not in e["message"]]  # a 401/403/404 page itself
    assert problems == [], where  # no CSP violation, nothing failed to load


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm install --prefix tests/.axe axe-core@4)")
def test_every_page_passes_axe_in_every_language_at_phone_tablet_and_desktop_widths(world, served, browser):
    from bot.dashboard.frame import STATE

    summaries = served.runner.app[STATE].summaries
    mentor = a_mentor(world.app.engine)
    seen: list = []
    for lang in LANGS:
        sign_in_as(world, served, browser, "hr1", lang, "/dashboard/hr")
        for path, heading_selector in (("/dashboard/hr", "#week-heading"), ("/dashboard/hr?sort=name&trend=26", "#week-heading"),
                                       ("/dashboard/me", "main h1"), ("/dashboard/mentor", "main h1"),
                                       ("/dashboard/no-such-page", "main h1")):
            browser.get(served.url("/") + path.lstrip("/"))
            wait_for(browser, path.split("?")[0], selector=heading_selector)
            check_everywhere(browser, path, lang, seen)
        assert "HR_USERS" not in browser.page_source  # the mentors' page refused: how to lead a circle, not HR
        # the waiting page, as a large organisation's first view of a week shows it
        summaries.wait = 0.0
        week = f"2026-W{40 - LANGS.index(lang)}"  # one not counted yet
        browser.get(served.url("/") + f"dashboard/hr?week={week}&trend=26")
        wait_for(browser, "/dashboard/hr", selector="main h1")
        assert browser.find_elements("css selector", "p[role=status]") and browser.find_elements(
            "css selector", "main form button")
        check_everywhere(browser, "waiting", lang, seen)
        summaries.wait = 60.0
        browser.find_element("css selector", "main form button").click()  # the button shows the figures
        wait_for(browser, "/dashboard/hr", selector="#week-heading")
        assert week in browser.current_url
        browser.find_element("css selector", ".signout button").click()
        wait_for(browser, "/dashboard/signout")
        check_everywhere(browser, "signed out", lang, seen)

        sign_in_as(world, served, browser, mentor, lang, "/dashboard/mentor")
        check_everywhere(browser, "/dashboard/mentor", lang, seen)
        browser.get(served.url("/dashboard/hr"))
        wait_for(browser, "/dashboard/hr", selector="main h1")
        assert "HR_USERS" in browser.page_source and f"bench:{mentor}" in browser.page_source  # why, and how
        check_everywhere(browser, "refused", lang, seen)

        as_stranger(browser, lang)
        browser.get(served.url("/dashboard/hr"))
        wait_for(browser, "/dashboard/hr", selector="main h1")
        check_everywhere(browser, "no session", lang, seen)
        for page in ("accessibility", "privacy", "terms"):
            browser.get(f"{served.url('/')}{page}?lang={lang}")
            wait_for(browser, f"/{page}")
            check_everywhere(browser, page, lang, seen)
    assert len(seen) == 3 * 3 * 13


OVERFLOWS = """
const out = [], vw = window.innerWidth;
const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
const name = el => el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? '.' + el.className : '')
  + ' ' + (el.textContent || '').trim().slice(0, 30);
// Nothing runs past the screen's edge, except inside a region that scrolls on purpose (a table).
for (const el of document.querySelectorAll('header *, main *, footer *')) {
  if (!shown(el) || el.closest('.skip') || el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
  const scroller = el.parentElement && el.parentElement.closest('.scroll');
  const box = el.getBoundingClientRect(), frame = scroller ? scroller.getBoundingClientRect() : {left: 0, right: vw};
  if (!scroller && (box.left < frame.left - 1 || box.right > frame.right + 1)) out.push('past the edge: ' + name(el));
}
// Cards and chart boxes hold their content.
for (const el of document.querySelectorAll('.card, .chart-box, .notice, .facts')) {
  if (shown(el) && el.scrollWidth > el.clientWidth + 1) out.push('overflows: ' + name(el));
}
// Every label of a chart is inside the drawing ("100 %" too), and the drawing inside its box.
let charts = 0;
for (const svg of document.querySelectorAll('svg.chart')) {
  if (!shown(svg)) continue;
  charts++;
  const vb = svg.viewBox.baseVal, fig = svg.closest('figure').getBoundingClientRect(), r = svg.getBoundingClientRect();
  if (r.left < fig.left - 1 || r.right > fig.right + 1) out.push('chart past its box: ' + svg.id);
  for (const t of svg.querySelectorAll('text')) {
    const b = t.getBBox();
    if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 || b.y + b.height > vb.y + vb.height + 0.5)
      out.push('clipped: ' + t.textContent);
  }
}
return {problems: out, charts: charts};
"""


@pytest.mark.parametrize("width", [375, 320])  # a phone, and 1280 px at 400 % zoom
def test_on_a_phone_name_and_response_rate_show_together_and_nothing_overflows(world, served, browser, tmp_path,
                                                                              width):
    for lang in LANGS:
        sign_in_as(world, served, browser, "hr1", lang, "/dashboard/hr")
        wait_for(browser, "/dashboard/hr", selector="#week-heading")
        for details in browser.find_elements("css selector", "main details"):
            browser.execute_script("arguments[0].open = true", details)  # the tables behind the charts too
        at_width(browser, (width, 800))
        found = browser.execute_script(OVERFLOWS)
        assert found["problems"] == [], (lang, width)
        assert found["charts"] == 5  # the phone versions of the trend and the coffees, and three small ones
        assert len(browser.find_elements("css selector", "main table")) == 3  # circles, trend, coffees
        row = browser.find_element("css selector", "table.circles tbody tr")
        name, rate = row.find_element("css selector", "th"), row.find_element("css selector", "td.rate")
        assert "%" in rate.text and name.text
        for scrolled in (0, 10_000):  # at the start, and scrolled to the table's last column
            browser.execute_script("document.querySelector('table.circles').closest('.scroll').scrollLeft = arguments[0]",
                                   scrolled)
            box = browser.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.left, r.right]", name)
            assert box[0] >= 0 and box[1] <= width, (lang, scrolled, box)  # the name stays in view
        browser.execute_script("document.querySelector('table.circles').closest('.scroll').scrollLeft = 0")
        boxes = browser.execute_script("return [arguments[0], arguments[1]].map(e => e.getBoundingClientRect())"
                                       ".map(r => [r.left, r.right, r.top])", name, rate)
        assert all(0 <= left and right <= width for left, right, _ in boxes), (lang, boxes)  # side by side in view
        header = browser.find_element("css selector", "table.circles th[aria-sort]")
        assert header.get_attribute("aria-sort") == "descending" and "▼" in header.text  # the sort, seen and told
        aligned = browser.execute_script(
            "return [...document.querySelectorAll('table.circles thead th')].map((th, i) => [getComputedStyle(th).textAlign,"
            " getComputedStyle(document.querySelector('table.circles tbody tr').children[i]).textAlign])")
        assert all(head == cell for head, cell in aligned) and len(aligned) == 7, aligned
        cards = browser.find_elements("css selector", ".card-change")
        assert len(cards) >= 3 and all("47" in c.text for c in cards)  # against week 47, the one before 48
        descriptions = [d.get_attribute("textContent") for d in browser.find_elements("css selector", "svg.chart desc")]
        assert descriptions and all("48" in d or "49" in d for d in descriptions)
        screenshot(browser, (width, 800), tmp_path / f"dashboard-hr-{lang}-{width}.png")


def test_at_a_tablets_width_every_column_of_the_circle_table_fits(world, served, browser):
    for lang in LANGS:
        sign_in_as(world, served, browser, "hr1", lang, "/dashboard/hr")
        wait_for(browser, "/dashboard/hr", selector="#week-heading")
        at_width(browser, (768, 1024))
        fits = browser.execute_script(
            "const box = document.querySelector('table.circles').closest('.scroll');"
            "return [box.scrollWidth <= box.clientWidth + 1, document.querySelectorAll('table.circles thead th').length]")
        assert fits == [True, 7], lang  # the status column too, without scrolling sideways


@pytest.fixture
def programme_hub(tmp_path):
    """A programme hub holding three organisations' weeks, one of them small in the last week."""
    from test_programme_page import hub_with_three

    url = f"sqlite:///{tmp_path}/hub.db"
    engine = make_engine(url)
    migrate(engine)
    w = hub_with_three(replace(Settings(), database_url=url), engine)
    yield w
    engine.dispose()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_programme_page_is_accessible(programme_hub, browser, tmp_path, lang):
    served = Served(programme_hub.app)
    try:
        actor = Actor("test", "T1", "lena", "Lena Lead", locale={"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}[lang])
        response = programme_hub.app.core.command(CommandRequest(actor, "dashboard", Place()), programme_hub.now)
        url = next(b.text for m in response.to_caller for b in m.blocks if "/dashboard/signin/" in b.text)
        browser.get(served.url(url))
        wait_for(browser, "/dashboard/programme", selector="#week-heading")
        assert browser.execute_script("return document.documentElement.lang") == lang
        assert len(browser.find_elements("css selector", "table")) == 3  # the week, the trend, one pulse statement
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
        if AXE.exists():
            assert axe_violations(browser) == []
        screenshot(browser, PHONE, tmp_path / f"dashboard-programme-{lang}-phone.png")
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        served.stop()
