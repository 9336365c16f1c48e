"""What every dashboard response shares: the state kept on the aiohttp app, security headers,
who is looking (from the session cookie, checked in the database each time), the reader's
language, and rendering a template.
"""
from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import jinja2
from aiohttp import web

from bot.domain import programme
from bot.domain.shared import people
from bot.common.config import LANGUAGES
from bot.domain.shared.context import Services
from bot.domain.personal import signin
from bot.dashboard import sessions
from bot.dashboard.pages import Words
from bot.dashboard.sessions import Viewer
from bot.dashboard.summaries import Summaries
from bot.common.i18n import week_number
from storage.db import unit_of_work

# Nothing but this server's own stylesheet and script; no inline code, no frames, forms only to here.
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'none'; "
       "font-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # a sign-in link never travels to another site in a Referer
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


@dataclass
class Dashboard:
    engine: object
    services: Services
    now: Callable[[], datetime]
    summaries: Summaries
    templates: jinja2.Environment
    root: str  # '/dashboard', or under PUBLIC_URL's path
    origin: str  # scheme://host[:port] of PUBLIC_URL
    secure: bool  # PUBLIC_URL is https: the cookie is Secure and __Host- prefixed

    @property
    def settings(self):
        return self.services.settings

    @property
    def cookie(self) -> str:
        return sessions.cookie_name(self.secure)


STATE = web.AppKey("kipina_dashboard", Dashboard)
EMAIL = re.compile(r"[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[A-Za-z]{2,}")


def contact_parts(text: str) -> tuple[str, str, str] | None:
    """'Tietosuojavastaava, tietosuoja@virasto.fi' → (before, e-mail, after), so a page can link the
    address; None for an empty text."""
    if not text:
        return None
    found = EMAIL.search(text)
    return (text[:found.start()], found.group(0), text[found.end():]) if found else (text, "", "")


def make_state(app) -> Dashboard:
    """From the composition root's App (engine, services, now): no import of it here."""
    base = app.services.settings.public_base
    parts = urlsplit(base)
    templates = jinja2.Environment(loader=jinja2.PackageLoader("bot.dashboard", "templates"),
                                   autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                   undefined=jinja2.StrictUndefined)
    templates.globals["weekno"] = week_number
    templates.globals["dpo"] = contact_parts(app.services.settings.data_protection_officer)
    return Dashboard(app.engine, app.services, app.now, Summaries(app.engine, app.services), templates,
                     signin.root(base), f"{parts.scheme}://{parts.netloc}", parts.scheme == "https")


def state(request: web.Request) -> Dashboard:
    return request.app[STATE]


def secured(response: web.StreamResponse, st: Dashboard, cache: bool = False) -> web.StreamResponse:
    response.headers.update(HEADERS)
    response.headers["Cache-Control"] = "public, max-age=3600" if cache else "no-store"
    if st.secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def accepted_language(request: web.Request, default: str) -> str:
    """For pages shown before anyone is known (no session): the browser's first of fi, sv, en."""
    ranked = []
    for position, part in enumerate(request.headers.get("Accept-Language", "").split(",")[:20]):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        code = tag.split("-")[0].strip().lower()
        if code in LANGUAGES:
            ranked.append((-weight, position, code))
    return min(ranked)[2] if ranked else default


def same_origin(request: web.Request, st: Dashboard) -> bool:
    """A form posted from another site's page is refused (the cookie is SameSite=Strict as well).
    Browsers say where a request comes from in Sec-Fetch-Site; older ones only in Origin."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is None or origin in (st.origin, f"{request.scheme}://{request.host}")


async def viewer(request: web.Request) -> Viewer | None:
    st = state(request)
    token = request.cookies.get(st.cookie)
    if not token:
        return None
    now = st.now()

    def look() -> Viewer | None:
        with unit_of_work(st.engine) as session:
            found = sessions.find(session, token, now)
            if found is None:
                return None
            person, ws = found
            return Viewer(person, ws, hr=signin.is_hr(st.settings, ws, person),
                          mentor=signin.is_mentor(session, person),
                          language=people.language(person, ws, st.settings),
                          timezone=people.timezone_of(person, ws, st.settings),
                          lead=st.settings.programme_hub and programme.is_lead(st.settings, ws.platform,
                                                                                person.platform_user_id))

    return await asyncio.to_thread(look)


def pages_root(public_base: str) -> str:
    """'' or PUBLIC_URL's path ('/kipina'): the public pages are at {root}/privacy, /terms, /accessibility."""
    return urlsplit(public_base).path.rstrip("/")


def footer(settings, lang: str) -> dict:
    """What every page's footer names: the public pages, who runs this Kipinä and their own notice."""
    return {"site": pages_root(settings.public_base), "organisation": settings.organisation(lang),
            "own_notice": settings.privacy_notice_url, "contact": settings.privacy_contact}


def render(request: web.Request, template: str, lang: str, status: int = 200, who: Viewer | None = None,
           page: str = "", **values) -> web.Response:
    st = state(request)
    words = Words(lang)
    body = st.templates.get_template(template).render(
        t=words, w=words, lang=lang, root=st.root, who=who, page=page, foot=footer(st.settings, lang), **values)
    return secured(web.Response(text=body, status=status, content_type="text/html", charset="utf-8"), st)


def notice(request: web.Request, lang: str, status: int, title_key: str, text: str, who: Viewer | None = None,
           link: bool = False, more: list[str] = (), again: dict | None = None) -> web.Response:
    """A page with a heading and a sentence, and no figures: no session, not allowed, a used link.
    `more`: sentences after it; `again`: the waiting page's button (a path and its query)."""
    return render(request, "notice.html", lang, status, who=who, title=Words(lang)(title_key), text=text,
                  back=link, more=more, again=again)
