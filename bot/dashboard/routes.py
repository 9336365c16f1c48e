"""The dashboard's routes on the bot's own web app (`serve`), beside /slack/events and /api/messages.

    GET  /dashboard/signin/<token>   the link from the chat: a page that signs in (nothing used up yet)
    POST /dashboard/signin           uses the link up, starts a session, redirects to /dashboard
    POST /dashboard/signout          ends the session
    GET  /dashboard                  to the person's first page: HR overview, my circles, or my journal
    GET  /dashboard/hr[.csv]         HR: the workspace's summary, its trends and circles side by side
    GET  /dashboard/mentor[.csv]     a mentor: the same for their own circles
    GET  /dashboard/me[.json]        anyone: their own journal, and everything about them as JSON
    GET  /dashboard/programme        programme leads, at the hub: the organisations side by side (programme.py)
    GET  /privacy, /terms            public: the privacy notice and terms of use (public.py)
    GET  /accessibility              public: the accessibility statement (public.py)

Without a live session every page is a short notice and nothing else. Signing in takes a POST
so that a link preview (Slack's, Teams', a mail scanner's GET) cannot use the link up; the
sign-in page posts itself (a script of our own) and has a button for browsers without scripts.
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import uuid
from importlib import resources
from urllib.parse import urlencode

from aiohttp import web

from bot.domain.shared import audit, people
from bot.domain.personal import journal
from bot.domain import reports
from bot.domain.shared.context import format_when
from bot.domain.personal import signin as links
from bot.domain.commands import typed
from bot.dashboard import pages, programme, public, sessions
from bot.dashboard.frame import (STATE, accepted_language, make_state, notice, render, same_origin, secured, state,
                                 viewer)
from bot.dashboard.pages import Words
from bot.dashboard.summaries import TREND_CHOICES, Wanted, weeks_offered
from storage.db import unit_of_work
from storage.models import DashboardLink, Person, Workspace

log = logging.getLogger("kipina.dashboard")

STATIC = {"dashboard.css": "text/css", "signin.js": "text/javascript", "icon.svg": "image/svg+xml"}
MAX_FORM = 4096


def add_routes(web_app: web.Application, app) -> None:
    """`app` is the composition root's App (engine, services, now)."""
    web_app[STATE] = make_state(app)
    for method, path, handler in (
            ("GET", "/dashboard", home), ("GET", "/dashboard/", home),
            ("GET", "/dashboard/signin/{token}", signin_page), ("POST", "/dashboard/signin", signin),
            ("POST", "/dashboard/signout", signout),
            ("GET", "/dashboard/hr", hr_page), ("GET", "/dashboard/hr.csv", hr_csv),
            ("GET", "/dashboard/mentor", mentor_page), ("GET", "/dashboard/mentor.csv", mentor_csv),
            ("GET", "/dashboard/me", me_page), ("GET", "/dashboard/me.json", me_json),
            ("GET", "/dashboard/programme", programme.page),
            ("GET", "/dashboard/static/{name}", static), ("*", "/dashboard/{rest:.*}", not_found)):
        web_app.router.add_route(method, path, guarded(handler))
    for path, handler in (("/privacy", public.privacy), ("/terms", public.terms),
                          ("/accessibility", public.accessibility)):
        web_app.router.add_get(path, guarded(handler))  # HEAD too: link checkers use it

    async def close(_):
        await web_app[STATE].summaries.close()

    web_app.on_cleanup.append(close)


def guarded(handler):
    """A failure (the database away, a bug) is a short page with a reference, never a stack trace or
    a half page; the log has the reference and the error's type."""
    @functools.wraps(handler)
    async def run(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception as error:
            ref = uuid.uuid4().hex[:8]
            page = "/".join(request.path.split("/")[2:3])  # never the rest: a sign-in path holds a token
            log.error("dashboard page %r failed (ref %s): %s", page, ref, type(error).__name__)
            lang = _stranger(request)
            return notice(request, lang, 503, "dashboard.error_title", Words(lang)("dashboard.error", ref=ref))

    return run


def _stranger(request: web.Request) -> str:
    return accepted_language(request, state(request).settings.default_language)


def _no_session(request: web.Request) -> web.Response:
    lang = _stranger(request)
    return notice(request, lang, 401, "dashboard.no_session_title",
                  Words(lang)("dashboard.no_session", command=links.ask_again(None, lang)))


def _forbidden(request: web.Request, who, scope: str) -> web.Response:
    """Why not, and how to get in: HR is whoever HR_USERS names; a mentor is whoever leads a circle."""
    w = Words(who.language)
    platform = who.workspace.platform
    why = [w("a11y.forbidden_hr"), w("a11y.forbidden_how", id=f"{platform}:{who.person.platform_user_id}")] \
        if scope == "hr" else [w("a11y.forbidden_mentor", command=typed(platform, who.language, "new"))]
    return notice(request, who.language, 403, "dashboard.forbidden_title", w("dashboard.forbidden"),
                  who=who, link=True, more=why)


async def home(request: web.Request) -> web.Response:
    who = await viewer(request)
    if who is None:
        return _no_session(request)
    page = "hr" if who.hr else "mentor" if who.mentor else "programme" if who.lead else "me"
    raise web.HTTPSeeOther(f"{state(request).root}/{page}", headers={"Cache-Control": "no-store"})


async def not_found(request: web.Request) -> web.Response:
    """In the signed-in person's language, else the browser's."""
    who = await viewer(request)
    lang = who.language if who else _stranger(request)
    return notice(request, lang, 404, "dashboard.not_found_title", Words(lang)("dashboard.not_found"), who=who,
                  link=True)


@functools.lru_cache(maxsize=len(STATIC))
def _static_file(name: str) -> bytes:
    return resources.files("bot.dashboard").joinpath("static", name).read_bytes()


async def static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in STATIC:
        return await not_found(request)
    response = web.Response(body=_static_file(name), content_type=STATIC[name], charset="utf-8")
    return secured(response, state(request), cache=True)


# -- signing in and out --------------------------------------------------------------------------

def _link_gone(request: web.Request, link: DashboardLink | None) -> web.Response:
    """Used, expired or unknown: the same page, in the link owner's language when there is one."""
    st = state(request)
    lang, platform = _stranger(request), None
    if link is not None:
        lang, platform = _owner(st, link)
    return notice(request, lang, 410, "dashboard.link_gone_title",
                  Words(lang)("dashboard.link_gone", count=links.LINK_MINUTES, command=links.ask_again(platform, lang)))


def _owner(st, link: DashboardLink) -> tuple[str, str]:
    """The language and platform of the person a link was made for."""
    with unit_of_work(st.engine) as session:
        person = session.get(Person, link.person_id)
        ws = session.get(Workspace, person.workspace_id)
        return people.language(person, ws, st.settings), ws.platform


async def signin_page(request: web.Request) -> web.Response:
    st = state(request)
    token = request.match_info["token"]

    def look():
        with unit_of_work(st.engine) as session:
            return links.check(session, token, st.now())

    status, link = await asyncio.to_thread(look)
    if status != "ok":
        return await asyncio.to_thread(_link_gone, request, link)
    lang, _ = await asyncio.to_thread(_owner, st, link)
    return render(request, "signin.html", lang, token=token, hours=sessions.SESSION_HOURS)


async def signin(request: web.Request) -> web.Response:
    st = state(request)
    if not same_origin(request, st) or (request.content_length or 0) > MAX_FORM:
        return notice(request, _stranger(request), 403, "dashboard.forbidden_title",
                      Words(_stranger(request))("dashboard.cross_site"))
    form = await request.post()
    token = str(form.get("token", ""))[:100]
    now = st.now()

    def use() -> tuple[str, DashboardLink | None, str | None]:
        with unit_of_work(st.engine) as session:
            status, link = links.redeem(session, token, now)
            person = session.get(Person, link.person_id) if link is not None else None
            if person is not None and status != "ok":
                audit.record(session, person.workspace_id, "dashboard-refused", now, person, reason=status)
            if status != "ok":
                return status, link, None
            if not person.is_active or person.platform_user_id.startswith("erased:"):
                return "unknown", None, None
            cookie = sessions.start(session, person.id, now)
            audit.record(session, person.workspace_id, "dashboard-signin", now, person)
            return status, link, cookie

    status, link, cookie = await asyncio.to_thread(use)
    if cookie is None:
        return await asyncio.to_thread(_link_gone, request, link if status in ("used", "expired") else None)
    response = web.HTTPSeeOther(f"{st.root}")
    response.set_cookie(st.cookie, cookie, **sessions.cookie_attributes(st.secure))
    secured(response, st)
    raise response


async def signout(request: web.Request) -> web.Response:
    st = state(request)
    if not same_origin(request, st):
        return notice(request, _stranger(request), 403, "dashboard.forbidden_title",
                      Words(_stranger(request))("dashboard.cross_site"))
    token = request.cookies.get(st.cookie)
    who = await viewer(request)

    def end() -> None:
        with unit_of_work(st.engine) as session:
            sessions.end(session, token)

    await asyncio.to_thread(end)
    lang = who.language if who else _stranger(request)
    platform = who.workspace.platform if who else None
    response = notice(request, lang, 200, "dashboard.signed_out_title",
                      Words(lang)("dashboard.signed_out", command=links.ask_again(platform, lang)))
    response.del_cookie(st.cookie, path="/")
    return response


# -- pages ---------------------------------------------------------------------------------------

def _choices(request: web.Request, who) -> tuple[list[str], str, int, str, bool]:
    """week (one offered, default the last full week), trend weeks, sort, all circles."""
    st = state(request)
    offered = weeks_offered(who.workspace, st.services, st.now())
    week = request.query.get("week", "")
    week = week if week in offered else offered[1]
    raw = request.query.get("trend", "")
    trend = int(raw) if raw.isdigit() and int(raw) in TREND_CHOICES else TREND_CHOICES[0]
    sort = request.query.get("sort", "answers")
    return offered, week, trend, sort if sort in pages.SORTS else "answers", request.query.get("all") == "1"


async def _allowed(request: web.Request, scope: str):
    """(viewer, None) for someone who may see this scope's figures, else (None, the refusal page)."""
    who = await viewer(request)
    if who is None:
        return None, _no_session(request)
    if not (who.hr if scope == "hr" else who.mentor):
        return None, _forbidden(request, who, scope)
    return who, None


def _wanted(who, week: str, trend: int, scope: str) -> Wanted:
    return Wanted(who.workspace.id, week, trend, None if scope == "hr" else who.person.id)


async def _summary_page(request: web.Request, scope: str) -> web.Response:
    who, refused = await _allowed(request, scope)
    if refused is not None:
        return refused
    st = state(request)
    offered, week, trend, sort, show_all = _choices(request, who)
    wanted = _wanted(who, week, trend, scope)
    found = await st.summaries.get(wanted, st.now())
    w = Words(who.language)
    if found is None:  # a button to look again; the page never reloads itself (WCAG 2.2.1)
        return notice(request, who.language, 200, "dashboard.preparing_title", w("dashboard.preparing"), who=who,
                      again=_again(st, scope, request))
    view = pages.overview(found.summary, w, sort, show_all)
    query = {"week": week, "trend": trend}

    def link(**changes) -> str:
        return f"{st.root}/{scope}?" + urlencode({**query, "sort": sort, **({"all": 1} if show_all else {}), **changes})

    led = await asyncio.to_thread(_led, st, who.person) if scope == "mentor" else None
    return render(request, "overview.html", who.language, who=who, page=scope, view=view, offered=offered,
                  current=offered[0], week=week, trend=trend, trends=TREND_CHOICES, query=query, sort=sort,
                  show_all=show_all, led=led, link=link, stale=found.stale,
                  as_of=format_when(who.language, found.computed_at, who.timezone))


def _again(st, scope: str, request: web.Request) -> dict:
    """The waiting page's button: the same page with the same choices."""
    return {"path": f"{st.root}/{scope}",
            "query": [(k, v) for k, v in request.query.items() if k in ("week", "trend", "sort", "all")]}


def _led(st, person) -> int:
    with unit_of_work(st.engine) as session:
        return len(pages.led_circles(session, person))


async def hr_page(request: web.Request) -> web.Response:
    return await _summary_page(request, "hr")


async def mentor_page(request: web.Request) -> web.Response:
    return await _summary_page(request, "mentor")


async def _csv(request: web.Request, scope: str) -> web.Response:
    who, refused = await _allowed(request, scope)
    if refused is not None:
        return refused
    st = state(request)
    _, week, trend, _, _ = _choices(request, who)
    wanted = _wanted(who, week, trend, scope)
    found = await st.summaries.get(wanted, st.now(), wait=60.0)
    if found is None:
        return notice(request, who.language, 503, "dashboard.preparing_title",
                      Words(who.language)("dashboard.preparing"), who=who, again=_again(st, scope, request))
    now = st.now()

    def record() -> None:
        with unit_of_work(st.engine) as session:
            audit.record(session, who.workspace.id, "export", now, who.person, via="dashboard", format="csv",
                         scope=scope, week=week)

    await asyncio.to_thread(record)
    response = web.Response(text=reports.to_csv(found.summary, who.language), content_type="text/csv", charset="utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="kipina-{scope}-{week}.csv"'
    return secured(response, st)


async def hr_csv(request: web.Request) -> web.Response:
    return await _csv(request, "hr")


async def mentor_csv(request: web.Request) -> web.Response:
    return await _csv(request, "mentor")


async def me_page(request: web.Request) -> web.Response:
    who = await viewer(request)
    if who is None:
        return _no_session(request)
    st = state(request)

    def load() -> dict:
        with unit_of_work(st.engine) as session:
            return pages.journal(session, who.person, st.services.library, who.language, who.timezone)

    mine = await asyncio.to_thread(load)
    return render(request, "me.html", who.language, who=who, page="me", mine=mine)


async def me_json(request: web.Request) -> web.Response:
    who = await viewer(request)
    if who is None:
        return _no_session(request)
    st = state(request)
    now = st.now()

    def export() -> str:
        with unit_of_work(st.engine) as session:
            person = session.get(Person, who.person.id)
            data = journal.export(session, person)
            audit.record(session, who.workspace.id, "export", now, person, person, via="dashboard", format="json")
            return json.dumps(data, ensure_ascii=False, indent=1)

    response = web.Response(text=await asyncio.to_thread(export), content_type="application/json", charset="utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="kipina-my-data.json"'
    return secured(response, st)
