"""`/circle report` in a chat: HR get their workspace's week so far, a mentor their own circles."""
from __future__ import annotations

from sqlmodel import select

from bot.domain.shared import audit
from bot.domain.shared.context import Ctx, Refusal
from bot.ports import Place, Response
from bot.domain.reports import figures as sql
from bot.domain.reports.summary import compute, timezone_of
from bot.domain.reports.view import render
from storage.models import Circle


def report_command(ctx: Ctx, place: Place) -> Response:
    """`/circle report`: HR get their workspace's current week, a mentor their own circles; others a refusal."""
    mentor_id = None
    if not ctx.person.is_hr:
        mentors = ctx.session.exec(select(Circle.id).where(
            Circle.workspace_id == ctx.workspace.id, Circle.mentor_id == ctx.person.id,
            Circle.archived_at.is_(None))).first()
        if mentors is None:
            raise Refusal("report.not_allowed")
        mentor_id = ctx.person.id
    week = sql.week_at(ctx.now, timezone_of(ctx.workspace, ctx.settings))
    summary = compute(ctx.session, ctx.workspace, ctx.settings, week, ctx.now, mentor_id=mentor_id,
                      library=ctx.services.library)
    audit.record(ctx.session, ctx.workspace.id, "report", ctx.now, ctx.person,
                 scope="mentor" if mentor_id else "hr", week=week.label)
    return Response().say(render(summary, ctx.lang))
