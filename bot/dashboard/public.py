"""Public pages: the privacy notice (/privacy), the terms of use (/terms) and the accessibility
statement (/accessibility, Act 306/2019), open to anyone, no sign-in. The Teams app package links
to the first two, so a tenant admin reviews them before approving; every page's footer links all three.

Everything they say comes from this installation's settings (organisation, data protection
officer, contact, legal basis, retention days, group size, whether a language model is configured), in fi, sv or en: `?lang=` first,
then the browser's Accept-Language, then DEFAULT_LANGUAGE.
"""
from __future__ import annotations

from aiohttp import web

from bot.common.config import LANGUAGES
from bot.domain import reports
from bot.domain.commands import spelled, usage_in
from bot.dashboard.frame import accepted_language, pages_root, render, state
from bot.dashboard.pages import Words
from bot.dashboard.sessions import SESSION_HOURS
from bot.common.i18n import date_range
from bot.domain.personal import signin
from bot.domain.personal.privacy import legal_basis

# (text key, command) for the rights a person uses in the chat; leave is typed in the circle's channel.
RIGHTS = (("right_journal", "journal"), ("right_export", "mydata"), ("right_erase", "forget-me"),
          ("right_pause", "pause"), ("right_leave", "leave"), ("right_privacy", "privacy"))
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


def language(request: web.Request) -> str:
    asked = request.query.get("lang", "").strip().lower()
    if asked in LANGUAGES:
        return asked
    return accepted_language(request, state(request).settings.default_language)


def _page(request: web.Request, template: str, page: str, **more) -> web.Response:
    settings = state(request).settings
    lang = language(request)
    values = {
        "page_root": pages_root(settings.public_base), "languages": LANGUAGE_NAMES,
        "organisation": settings.organisation(lang), "contact": settings.privacy_contact,
        "own_notice": settings.privacy_notice_url, "min_group": settings.min_group_size,
        "legal_basis": legal_basis(settings, lang, Words(lang)),
        "accessibility": f"{pages_root(settings.public_base)}/accessibility?lang={lang}",
        "retention_days": settings.reply_retention_days,
        "model": reports.model_configured(settings), "model_authors": settings.llm_min_authors,
        "rights": [(key, usage_in(lang, command).split()[0]) for key, command in RIGHTS],
        "slack_prefix": spelled("slack", ""), **more,
    }
    response = render(request, template, lang, page=page, **values)
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language"
    return response


async def privacy(request: web.Request) -> web.Response:
    return _page(request, "privacy.html", "privacy")


async def terms(request: web.Request) -> web.Response:
    return _page(request, "terms.html", "terms")


async def accessibility(request: web.Request) -> web.Response:
    settings = state(request).settings
    lang = language(request)
    day = settings.accessibility_assessed
    feedback = settings.accessibility_feedback
    return _page(request, "accessibility.html", "accessibility",
                 assessed=date_range(lang, day, day) if day else "", assessed_by=settings.accessibility_assessed_by,
                 feedback=feedback, feedback_mail=bool(feedback) and not feedback.startswith(("http://", "https://")),
                 link_minutes=signin.LINK_MINUTES, session_hours=SESSION_HOURS,
                 ask_command=signin.ask_again(None, lang))
