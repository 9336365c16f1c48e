"""Public pages: the privacy notice (/privacy) and the terms of use (/terms), open to anyone, no
sign-in. The Teams app package links to them, so a tenant admin reviews them before approving.

Everything they say comes from this installation's settings (organisation, data protection
officer, contact, legal basis, retention days, group size, whether a language model is configured), in fi, sv or en: `?lang=` first,
then the browser's Accept-Language, then DEFAULT_LANGUAGE.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from bot.common.config import LANGUAGES
from bot.domain import reports
from bot.domain.commands import spelled, usage_in
from bot.dashboard.frame import accepted_language, render, state
from bot.dashboard.pages import Words
from bot.domain.personal.privacy import legal_basis

# (text key, command) for the rights a person uses in the chat; leave is typed in the circle's channel.
RIGHTS = (("right_journal", "journal"), ("right_export", "mydata"), ("right_erase", "forget-me"),
          ("right_pause", "pause"), ("right_leave", "leave"), ("right_privacy", "privacy"))
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


def pages_root(public_base: str) -> str:
    """'' or PUBLIC_URL's path ('/kipina'): the public pages are at {root}/privacy and {root}/terms."""
    return urlsplit(public_base).path.rstrip("/")


def language(request: web.Request) -> str:
    asked = request.query.get("lang", "").strip().lower()
    if asked in LANGUAGES:
        return asked
    return accepted_language(request, state(request).settings.default_language)


def _page(request: web.Request, template: str, page: str) -> web.Response:
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
        "slack_prefix": spelled("slack", ""),
    }
    response = render(request, template, lang, page=page, **values)
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language"
    return response


async def privacy(request: web.Request) -> web.Response:
    return _page(request, "privacy.html", "privacy")


async def terms(request: web.Request) -> web.Response:
    return _page(request, "terms.html", "terms")
