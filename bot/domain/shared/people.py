"""People and workspaces: who is speaking, in which language and time zone."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, func, select

from dataclasses import replace

from bot.domain.commands import Mention
from bot.common.config import Settings
from bot.common.i18n import language_of
from bot.common.text import printable
from bot.ports import Actor
from storage.models import Person, Workspace
from storage.ops import insert_ignore
from storage.types import utcnow

FOREVER = datetime(9999, 12, 31, tzinfo=timezone.utc)


def workspace(session: Session, platform: str, external_id: str) -> Workspace:
    found = session.exec(
        select(Workspace).where(Workspace.platform == platform, Workspace.external_id == external_id)
    ).first()
    if found:
        return found
    insert_ignore(session, Workspace, [{"platform": platform, "external_id": external_id, "name": "",
                                         "created_at": utcnow()}], ["platform", "external_id"])
    return session.exec(
        select(Workspace).where(Workspace.platform == platform, Workspace.external_id == external_id)
    ).one()


def person(session: Session, settings: Settings, actor: Actor) -> Person:
    """The Person behind an actor, created on first contact and kept current."""
    return speaker(session, settings, actor)[0]


def speaker(session: Session, settings: Settings, actor: Actor) -> tuple[Person, Workspace]:
    """The Person behind an actor and their workspace: one query for someone known (every request
    starts here), and no write unless the platform told us something new."""
    actor = _clean(actor)
    known = session.exec(
        select(Person, Workspace).join(Workspace, Workspace.id == Person.workspace_id)
        .where(Workspace.platform == actor.platform, Workspace.external_id == actor.workspace,
               Person.platform_user_id == actor.user_id)
    ).first()
    if known is not None:
        found, ws = known
    else:
        ws = workspace(session, actor.platform, actor.workspace)
        insert_ignore(session, Person, [_new_person(ws.id, actor.user_id, actor.name)],
                      ["workspace_id", "platform_user_id"])
        found = _by_platform_id(session, ws.id, actor.user_id)
    _refresh(found, settings, actor)
    return found, ws


def refresh_many(session: Session, settings: Settings, actors: list[Actor], now: datetime) -> int:
    """What a platform's directory says about many people at once (a daily sweep): a few queries
    per 500 people, not one per person. Returns how many rows changed or were added."""
    changed = 0
    by_workspace: dict[tuple[str, str], list[Actor]] = {}
    for actor in actors:
        actor = _clean(actor)
        if actor.user_id:
            by_workspace.setdefault((actor.platform, actor.workspace), []).append(actor)
    for (platform, external), group in by_workspace.items():
        ws = workspace(session, platform, external)
        for start in range(0, len(group), 500):
            chunk = {a.user_id: a for a in group[start:start + 500]}
            found = {p.platform_user_id: p for p in session.exec(select(Person).where(
                Person.workspace_id == ws.id, Person.platform_user_id.in_(list(chunk))))}
            for user_id, actor in chunk.items():
                person = found.get(user_id)
                if person is None:
                    continue  # only people Kipinä already knows; the directory is not copied
                before = (person.name, person.locale, person.timezone, person.is_bot, person.is_active)
                _refresh(person, settings, actor)
                person.profile_checked_at = now
                changed += before != (person.name, person.locale, person.timezone, person.is_bot, person.is_active)
                session.add(person)
    return changed


def mentioned(session: Session, settings: Settings, ws: Workspace, mention: Mention) -> Person | None:
    """A mention with an id always names someone (created if new); a bare @name must match."""
    if mention.user_id:
        user_id, name = printable(mention.user_id, 255), printable(mention.name, 255)
        found = _by_platform_id(session, ws.id, user_id)
        if found is None:
            insert_ignore(session, Person, [_new_person(ws.id, user_id, name)], ["workspace_id", "platform_user_id"])
            found = _by_platform_id(session, ws.id, user_id)
        elif name and not found.name:
            found.name = name
        found.is_hr = f"{ws.platform}:{found.platform_user_id}" in settings.hr_users
        found.is_admin = f"{ws.platform}:{found.platform_user_id}" in settings.admin_users
        return found
    name = (mention.name or "").lower()
    return session.exec(
        select(Person).where(
            Person.workspace_id == ws.id,
            (func.lower(Person.name) == name) | (func.lower(Person.platform_user_id) == name),
        )
    ).first()


def language(person: Person, ws: Workspace | None, settings: Settings, circle_language: str | None = None) -> str:
    """The person's own language; until the platform has told it (a Teams member who has not yet
    written to the bot), that of the circle the message is about, then the workspace's."""
    return (
        person.language
        or language_of(person.locale)
        or circle_language
        or (ws.language if ws is not None else None)
        or settings.default_language
    )


def timezone_of(person: Person, ws: Workspace | None, settings: Settings) -> str:
    return person.timezone or (ws.timezone if ws is not None else None) or settings.timezone


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def is_paused(person: Person, now: datetime) -> bool:
    return person.paused_until is not None and person.paused_until > now


def pause(person: Person, now: datetime, days: int | None) -> datetime:
    person.paused_until = FOREVER if days is None else now + timedelta(days=days)
    return person.paused_until


def _clean(actor: Actor) -> Actor:
    return replace(actor, workspace=printable(actor.workspace, 255), user_id=printable(actor.user_id, 255),
                   name=printable(actor.name, 255), locale=printable(actor.locale, 32) or None,
                   timezone=printable(actor.timezone, 64) or None)


def _by_platform_id(session: Session, workspace_id: int, user_id: str) -> Person | None:
    return session.exec(
        select(Person).where(Person.workspace_id == workspace_id, Person.platform_user_id == user_id)
    ).first()


def _new_person(workspace_id: int, user_id: str, name: str) -> dict:
    return {
        "workspace_id": workspace_id, "platform_user_id": user_id[:255], "name": (name or "")[:255],
        "is_hr": False, "is_admin": False, "is_bot": False, "is_active": True, "created_at": utcnow(),
    }


def _refresh(found: Person, settings: Settings, actor: Actor) -> None:
    if actor.name and actor.name != found.name and not (actor.name_is_fallback and found.name):
        found.name = actor.name[:255]
    if actor.locale and actor.locale != found.locale:
        found.locale = actor.locale[:32]
    if actor.timezone and actor.timezone != found.timezone and valid_zone(actor.timezone):
        found.timezone = actor.timezone[:64]
    if actor.address:
        merged = {**(found.address or {}), **actor.address}  # a channel message doesn't know the DM chat
        if merged != found.address:
            found.address = merged
    key = f"{actor.platform}:{actor.user_id}"
    # Assigned only when different: an unchanged person stays clean, so no flush work per request.
    for name, value in (("is_bot", actor.is_bot),
                        ("is_active", actor.active and not found.platform_user_id.startswith("erased:")),
                        ("is_hr", key in settings.hr_users), ("is_admin", key in settings.admin_users)):
        if getattr(found, name) != value:
            setattr(found, name, value)
