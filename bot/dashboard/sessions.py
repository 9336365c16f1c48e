"""Browser sessions of the dashboard: a random cookie whose hash is a row in the database.

Rows, not process memory, so any web process answers any request and a restart signs nobody
out. The cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's page can
send it), Secure and `__Host-` prefixed when the dashboard is served over HTTPS, and lives
SESSION_HOURS at most; signing out deletes the row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from bot.domain.personal.signin import digest, new_token, well_formed
from storage.models import DashboardSession, Person, Workspace

SESSION_HOURS = 8
COOKIE = "kipina_dashboard"
SECURE_COOKIE = "__Host-kipina_dashboard"  # the browser takes it only with Secure, Path=/ and no Domain


@dataclass(frozen=True)
class Viewer:
    """Who is looking, and what they may see; decided again on every request."""

    person: Person
    workspace: Workspace
    hr: bool
    mentor: bool
    language: str
    timezone: str
    lead: bool = False  # a programme lead, at the hub (PROGRAMME_LEADS)


def cookie_name(secure: bool) -> str:
    return SECURE_COOKIE if secure else COOKIE


def cookie_attributes(secure: bool) -> dict:
    return {"path": "/", "httponly": True, "samesite": "Strict", "secure": secure,
            "max_age": SESSION_HOURS * 3600}


def start(session: Session, person_id: int, now: datetime) -> str:
    """A new session for a person; returns the cookie value (kept nowhere else)."""
    token = new_token()
    session.add(DashboardSession(token_hash=digest(token), person_id=person_id, created_at=now,
                                 expires_at=now + timedelta(hours=SESSION_HOURS)))
    return token


def find(session: Session, token: str | None, now: datetime) -> tuple[Person, Workspace] | None:
    """The person behind a live session cookie; None for anything else, an erased or a deactivated person too."""
    if not token or not well_formed(token):
        return None
    found = session.exec(
        select(Person, Workspace).join(DashboardSession, DashboardSession.person_id == Person.id)
        .join(Workspace, Workspace.id == Person.workspace_id)
        .where(DashboardSession.token_hash == digest(token), DashboardSession.expires_at > now)).first()
    if found is None:
        return None
    person, ws = found
    if not person.is_active or person.is_bot or person.platform_user_id.startswith("erased:"):
        return None
    return person, ws


def end(session: Session, token: str | None) -> None:
    if token and well_formed(token):
        session.execute(delete(DashboardSession).where(DashboardSession.token_hash == digest(token))
                        .execution_options(synchronize_session=False))

