"""`/circle dashboard`: a personal, single-use sign-in link to the dashboard.

The link carries a random token (256 bits); the database keeps only its SHA-256, so neither a
copy of the database nor a log line can sign anyone in. A link works once, for LINK_MINUTES,
for the person who asked: there is no password and no account to steal.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, update
from sqlmodel import Session, select

from bot.domain.commands import Command, typed
from bot.common.config import Settings
from bot.domain.shared.context import Ctx
from bot.ports import Block, Message, Place, Response
from storage.models import Circle, DashboardLink, DashboardSession, Person, Workspace

LINK_MINUTES = 10
PRUNE_AFTER = timedelta(days=1)  # used and expired links and sessions are kept this long, then deleted


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def well_formed(token: str) -> bool:
    """What new_token makes: 43 URL-safe characters. Anything else is refused before any lookup."""
    return 20 <= len(token) <= 64 and all(c.isascii() and (c.isalnum() or c in "-_") for c in token)


def root(public_base: str) -> str:
    """The dashboard's path under PUBLIC_URL: '/dashboard', or '/kipina/dashboard' behind a prefix."""
    return urlsplit(public_base).path.rstrip("/") + "/dashboard"


def signin_url(public_base: str, token: str) -> str:
    return f"{public_base.rstrip('/')}/dashboard/signin/{token}"


def create(session: Session, person: Person, now: datetime) -> str:
    """A new link for `person`; returns the token (shown once, in the chat, never stored)."""
    prune(session, now)
    token = new_token()
    session.add(DashboardLink(token_hash=digest(token), person_id=person.id, created_at=now,
                              expires_at=now + timedelta(minutes=LINK_MINUTES)))
    return token


def check(session: Session, token: str, now: datetime) -> tuple[str, DashboardLink | None]:
    """'ok', 'used', 'expired' or 'unknown', without using the link up (a link preview may look)."""
    if not well_formed(token):
        return "unknown", None
    link = session.exec(select(DashboardLink).where(DashboardLink.token_hash == digest(token))).first()
    if link is None:
        return "unknown", None
    if link.used_at is not None:
        return "used", link
    if link.expires_at <= now:
        return "expired", link
    return "ok", link


def redeem(session: Session, token: str, now: datetime) -> tuple[str, DashboardLink | None]:
    """Use the link up: one conditional UPDATE, so of two simultaneous tries (two web processes,
    a double click) exactly one wins."""
    state, link = check(session, token, now)
    if state != "ok":
        return state, link
    won = session.execute(update(DashboardLink).where(
        DashboardLink.id == link.id, DashboardLink.used_at.is_(None), DashboardLink.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    return ("ok", link) if won == 1 else ("used", link)


def prune(session: Session, now: datetime) -> None:
    """Links and sessions that ended a day ago go (the expiry columns are indexed)."""
    session.execute(delete(DashboardLink).where(DashboardLink.expires_at < now - PRUNE_AFTER)
                    .execution_options(synchronize_session=False))
    session.execute(delete(DashboardSession).where(DashboardSession.expires_at < now - PRUNE_AFTER)
                    .execution_options(synchronize_session=False))


def is_hr(settings: Settings, ws: Workspace, person: Person) -> bool:
    """HR_USERS as configured now: someone taken off the list loses the overview at their next click."""
    return f"{ws.platform}:{person.platform_user_id}" in settings.hr_users


def is_mentor(session: Session, person: Person) -> bool:
    return session.exec(select(Circle.id).where(Circle.mentor_id == person.id, Circle.archived_at.is_(None),
                                                Circle.workspace_id == person.workspace_id)).first() is not None


def command(ctx: Ctx, cmd: Command, place: Place) -> Response:
    """Anyone gets a link: HR to the overview, a mentor to their circles, everyone to their own journal.
    Only the caller sees the answer (ephemeral on Slack, the personal chat on Teams)."""
    token = create(ctx.session, ctx.person, ctx.now)
    url = signin_url(ctx.settings.public_base, token)
    shows = "dashboard.link_hr" if is_hr(ctx.settings, ctx.workspace, ctx.person) else "dashboard.link_mentor" if is_mentor(ctx.session, ctx.person) \
        else "dashboard.link_member"
    heading = ctx.t("dashboard.link_heading")
    blocks = (Block("heading", heading), Block("text", ctx.t("dashboard.link_intro", count=LINK_MINUTES)),
              Block("link", url), Block("context", ctx.t(shows, min=ctx.settings.min_group_size)))
    return Response().say(Message(blocks=blocks, summary=heading))


def ask_again(platform: str | None, lang: str) -> str:
    """How this person asks for a new link: '/circle koontinäyttö' on Slack, 'koontinäyttö' on Teams."""
    return typed(platform or "", lang, "dashboard")
