"""The audit log: HR reports, exports, erasures and membership changes, for admins to read."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.common.i18n import catalog, date_range, t
from bot.domain.shared.context import Ctx, Refusal
from bot.domain.shared.rhythm import zone
from bot.ports import Block, Message, Response
from storage.models import AuditEntry, Circle, Person

SHOWN = 30


def record(session: Session, workspace_id: int, action: str, now: datetime, actor: Person | None = None,
           subject: Person | None = None, circle: Circle | None = None, **detail) -> None:
    session.add(AuditEntry(workspace_id=workspace_id, action=action, created_at=now,
                           actor_id=actor.id if actor else None, subject_id=subject.id if subject else None,
                           circle_id=circle.id if circle else None, detail=detail or None))


def entries(session: Session, workspace_id: int | None = None, limit: int = SHOWN) -> list[dict]:
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)
    if workspace_id is not None:
        query = query.where(AuditEntry.workspace_id == workspace_id)
    rows = session.exec(query).all()
    ids = {i for r in rows for i in (r.actor_id, r.subject_id) if i}
    names = {p.id: p.name or p.platform_user_id for p in session.exec(select(Person).where(Person.id.in_(ids)))} \
        if ids else {}
    circles = {c.id: c.name for c in session.exec(select(Circle).where(
        Circle.id.in_({r.circle_id for r in rows if r.circle_id})))} if any(r.circle_id for r in rows) else {}
    return [{"at": r.created_at.isoformat(timespec="seconds"), "action": r.action,
             "actor": names.get(r.actor_id, "-" if r.actor_id is None else "?"),
             "subject": names.get(r.subject_id, ""), "circle": circles.get(r.circle_id, ""),
             "detail": r.detail or {}} for r in rows]


def show(ctx: Ctx) -> Response:
    if not ctx.person.is_admin:
        raise Refusal("audit.admins_only")
    rows = entries(ctx.session, ctx.workspace.id)
    if not rows:
        return Response().say(Message(blocks=(Block("text", ctx.t("audit.empty")),)))
    lines = [" · ".join(filter(None, (_when(ctx, r["at"]), r["actor"], action_name(ctx.lang, r["action"]), r["subject"],
                                      r["circle"]))) for r in rows]
    return Response().say(Message(blocks=(Block("heading", ctx.t("audit.heading")), Block("text", "\n".join(lines))),
                                  summary=ctx.t("audit.heading")))


def action_name(lang: str, action: str) -> str:
    """'circle.new' → 'uusi piiri'; an action without a text of its own stays its code."""
    key = f"audit.action.{action}"
    return t(lang, key) if key in catalog("en") else action


def _when(ctx: Ctx, at: str) -> str:
    """'7.12.2026 klo 10.00' in the reader's time zone (the log keeps UTC)."""
    local = datetime.fromisoformat(at).astimezone(zone(ctx.tz))
    return ctx.t("audit.when", date=date_range(ctx.lang, local.date(), local.date()), time=ctx.clock(local))
