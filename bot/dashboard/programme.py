"""GET /dashboard/programme at the hub: the programme's leads see every member organisation's
figures side by side with the programme total (bot/domain/programme computes them)."""
from __future__ import annotations

import asyncio

from aiohttp import web

from bot.dashboard.frame import accepted_language, notice, render, state, viewer
from bot.dashboard.pages import Words
from bot.domain import programme
from bot.domain.personal import signin as links
from bot.domain.shared import audit
from bot.domain.pulses.summary import statement_text
from storage.db import unit_of_work


async def page(request: web.Request) -> web.Response:
    who = await viewer(request)
    if who is None:
        lang = accepted_language(request, state(request).settings.default_language)
        return notice(request, lang, 401, "dashboard.no_session_title",
                      Words(lang)("dashboard.no_session", command=links.ask_again(None, lang)))
    if not who.lead:
        return notice(request, who.language, 403, "dashboard.forbidden_title", Words(who.language)("dashboard.forbidden"),
                      who=who, link=True)
    st = state(request)
    now = st.now()

    def look() -> dict:
        with unit_of_work(st.engine) as session:
            found = programme.compute_view(session, st.settings, now)
            audit.record(session, who.workspace.id, "report", now, who.person, via="dashboard", scope="programme",
                         week=found["weeks"][-1])
            return found

    found = await asyncio.to_thread(look)
    lang = who.language
    return render(request, "programme.html", lang, who=who, page="programme", view=found, last=found["last"],
                  rows=programme.rows(found, lang),
                  statement=lambda key: statement_text("default", key, lang))
