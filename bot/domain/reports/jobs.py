"""The Monday job and the operator command: one summary delivery per HR user, a report on demand.

The model is asked between two short database transactions, never inside one, so a slow
model cannot hold the database. The delivery key names the workspace, the week and the
person: the job can run twice (two clocks, a restart, an operator) and HR hear once.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import exists
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.domain.shared import outbox
from bot.domain.shared.outbox import DeliveryKind
from bot.domain.shared import people
from bot.domain.reports import llm
from bot.domain.reports import figures as sql
from bot.common.config import Settings
from bot.domain.shared.context import Services
from bot.domain.reports.summary import Scope, compute, timezone_of
from storage.db import unit_of_work
from storage.models import Circle, Delivery, Person, Workspace
from storage.ops import insert_ignore
from storage.types import utcnow

log = logging.getLogger("kipina.summary")


def hr_people(session: Session, settings: Settings, ws: Workspace) -> list[Person]:
    """HR users of this workspace's platform (HR_USERS), created here if they never wrote to the bot."""
    ids = sorted(key.split(":", 1)[1] for key in settings.hr_users if key.split(":", 1)[0] == ws.platform)
    if not ids:
        return []
    insert_ignore(session, Person, [
        {"workspace_id": ws.id, "platform_user_id": uid[:255], "name": "", "is_hr": True, "is_admin": False,
         "is_bot": False, "is_active": True, "created_at": utcnow()} for uid in ids], ["workspace_id", "platform_user_id"])
    found = list(session.exec(select(Person).where(Person.workspace_id == ws.id, Person.platform_user_id.in_(ids))
                              .order_by(Person.id)))
    return [p for p in found if p.is_active and not p.is_bot]


def week_before(now: datetime, tz: str) -> sql.Week:
    return sql.weeks_until(sql.week_at(now, tz), 2, tz)[0]


def llm_input(session: Session, ws: Workspace, summary: dict, n: int) -> tuple[list[str], set[str]] | None:
    """Shared answers of the week (text only, no authors) when at least n people wrote them
    (n: LLM_MIN_AUTHORS, see model_authors)."""
    if summary.get("too_small"):
        return None
    week = sql.parse_week(summary["week"], summary["timezone"])
    rows = list(sql.shared_answers(session, Scope(ws.id).where(), week))
    if len({author for author, _, _ in rows}) < n:
        return None
    return [text for _, text, _ in rows], sql.names(session, ws.id)


def model_authors(settings: Settings) -> int:
    """How many different people must have shared that week before their answers go to a model."""
    return max(settings.llm_min_authors, settings.min_group_size)


def add_model_themes(settings: Settings, summary: dict, found: tuple | None, languages: list[str],
                     timeout: float = llm.TIMEOUT) -> dict:
    """Themes from the model, or a note that they are missing; called outside any transaction."""
    if summary.get("too_small"):
        return summary
    if found is None:
        summary["themes"] = {"method": "none"}
        return summary
    texts, names = found
    by_language = llm.themes(settings, texts, names, languages, settings.min_group_size, timeout=timeout)
    summary["themes"] = {"method": "llm", "by_language": by_language} if by_language else {"method": "failed"}
    return summary


def plan_workspace(engine: Engine, services: Services, ws: Workspace, now: datetime,
                   week: sql.Week | None = None, model_timeout: float = llm.TIMEOUT) -> int:
    """One delivery per HR user of the workspace for the week (default: the last full one); returns how many."""
    settings = services.settings
    week = week or week_before(now, timezone_of(ws, settings))
    use_model = llm.configured(settings)
    with unit_of_work(engine) as session:
        recipients = hr_people(session, settings, ws)
        keys = {p.id: outbox.key(DeliveryKind.SUMMARY, ws.id, week.label, p.id) for p in recipients}
        done = set(session.exec(select(Delivery.key).where(Delivery.key.in_(list(keys.values()))))) if keys else set()
        todo = [p for p in recipients if keys[p.id] not in done]
        if not todo:
            return 0
        summary = compute(session, ws, settings, week, now, library=services.library, with_themes=not use_model)
        found = llm_input(session, ws, summary, model_authors(settings)) if use_model else None
        languages = sorted({people.language(p, ws, settings) for p in todo})
    if use_model:
        summary = add_model_themes(settings, summary, found, languages, model_timeout)
    with unit_of_work(engine) as session:
        return outbox.enqueue(session, [
            outbox.row(DeliveryKind.SUMMARY, ws, now, ws.id, week.label, p.id, person_id=p.id, payload=summary)
            for p in todo])


def plan_weekly(engine: Engine, services: Services, now: datetime, week: sql.Week | None = None) -> int:
    """Every workspace that has circles gets its summary planned for its HR users."""
    with unit_of_work(engine) as session:
        workspaces = list(session.exec(select(Workspace).where(exists().where(Circle.workspace_id == Workspace.id))
                                       .order_by(Workspace.id)))
    total = 0
    for ws in workspaces:
        try:
            total += plan_workspace(engine, services, ws, now, week)
        except Exception as exc:  # one workspace's trouble must not cost the others their summary
            # The type only: a database error would quote its parameters, and the payload holds themes.
            log.error("weekly summary failed for workspace %s: %s", ws.id, type(exc).__name__)
    return total


def summary_for(engine: Engine, services: Services, ws: Workspace, week: sql.Week, now: datetime,
                languages: list[str], use_model: bool) -> dict:
    """One workspace's summary for a week (operators, on demand); the model, if asked, outside any transaction."""
    settings = services.settings
    with unit_of_work(engine) as session:
        summary = compute(session, ws, settings, week, now, library=services.library, with_themes=not use_model)
        found = llm_input(session, ws, summary, model_authors(settings)) if use_model else None
    if use_model:
        summary = add_model_themes(settings, summary, found, languages)
    return summary


def pick_workspace(session: Session, wanted: str | None) -> Workspace:
    spaces = list(session.exec(select(Workspace).order_by(Workspace.id)))
    if wanted:
        platform, _, external = wanted.rpartition(":")
        for ws in spaces:
            if wanted == str(ws.id) or (ws.external_id == external and platform in ("", ws.platform)):
                return ws
        raise LookupError(f"no workspace {wanted!r}; known: {_known(spaces)}")
    if len(spaces) == 1:
        return spaces[0]
    if not spaces:
        raise LookupError("there is no workspace yet: nobody has used the bot")
    raise LookupError(f"several workspaces, choose one with --workspace: {_known(spaces)}")


def _known(spaces: list[Workspace]) -> str:
    return ", ".join(f"{ws.id} ({ws.platform}:{ws.external_id})" for ws in spaces) or "none"
