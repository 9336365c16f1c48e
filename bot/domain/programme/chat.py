"""`/circle programme` at the hub: a programme lead's view in the chat, from view.compute."""
from __future__ import annotations

from bot.common.i18n import t, week_number
from bot.domain.programme import view
from bot.domain.reports import number, percent, sparkline
from bot.domain.shared import audit
from bot.domain.shared.context import Ctx, Refusal
from bot.ports import Block, Message, Place, Response, table
from bot.domain.pulses.summary import statement_text  # the default set's words; else the id


def is_lead(settings, platform: str, user_id: str) -> bool:
    return f"{platform}:{user_id}" in settings.programme_leads


def programme_command(ctx: Ctx, place: Place) -> Response:
    if not ctx.settings.programme_hub:
        raise Refusal("programme.not_hub")
    if not is_lead(ctx.settings, ctx.workspace.platform, ctx.person.platform_user_id):
        raise Refusal("programme.not_allowed")
    found = view.compute(ctx.session, ctx.settings, ctx.now)
    audit.record(ctx.session, ctx.workspace.id, "report", ctx.now, ctx.person, scope="programme",
                 week=found["weeks"][-1])
    return Response().say(render(found, ctx.lang))


def rows(found: dict, lang: str) -> list[tuple[str, dict]]:
    """(label, figures) of the last week: each named organisation, the merged rest, the total."""
    last = found["last"]
    out = list(last["named"].items())
    if last["other"] is not None:
        out.append((t(lang, "programme.other", count=last["other"]["organisations"]), last["other"]))
    if last["total"] is not None:
        out.append((t(lang, "programme.total"), last["total"]))
    return out


def render(found: dict, lang: str) -> Message:
    last, n = found["last"], found["min_group_size"]
    heading = t(lang, "programme.heading", week=week_number(last["week"]))
    if not found["organisations"]:
        return Message(blocks=(Block("heading", heading), Block("text", t(lang, "programme.no_organisations"))),
                       summary=heading)
    blocks = [Block("heading", heading)]
    if last["total"] is None:
        blocks.append(Block("text", t(lang, "programme.too_small", min=n)))
    else:
        header = (t(lang, "programme.col_organisation"), t(lang, "summary.trend_members"),
                  t(lang, "summary.trend_answers"), t(lang, "summary.trend_response_rate"),
                  t(lang, "summary.trend_active_circles"))
        blocks.append(table(header, [(label, number(lang, f.get("members")), number(lang, f.get("answers")),
                                      percent(lang, f.get("response_rate")), number(lang, f.get("active_circles")))
                                     for label, f in rows(found, lang)]))
        trend = found["trend"]["total"]
        blocks.append(Block("context", t(lang, "programme.trend", count=len(found["weeks"]))))
        blocks.append(table((t(lang, "summary.col_measure"), t(lang, "summary.col_trend")),
                            [(t(lang, "summary.trend_answers"), sparkline(trend["answers"])),
                             (t(lang, "summary.trend_response_rate"), sparkline(trend["response_rate"], True))]))
    for statement, dists in last["pulses"].items():
        total = dists.get("total")
        if total:
            blocks.append(Block("text", t(lang, "programme.pulse", statement=statement_text("default", statement, lang), mean=total["mean"],
                                          count=total["respondents"])))
    if last["silent"]:
        blocks.append(Block("context", t(lang, "programme.silent", count=last["silent"], min=n)))
    return Message(blocks=tuple(blocks), summary=heading)
