"""`privacy`: what Kipinä keeps about you, who can read it, for how long, and what may go to a
language model, in your language and with the commands spelled for your platform.

The notice reads the deployment's own settings (retention days, group size, whether a model is
configured), so it says what this installation does rather than what it could do.
"""
from __future__ import annotations

from bot.domain.commands import spelled, usage_in
from bot.domain.shared.context import Ctx
from bot.ports import Response, message


def notice(ctx: Ctx) -> Response:
    settings, platform = ctx.settings, ctx.workspace.platform

    def command(name: str) -> str:
        return spelled(platform, usage_in(ctx.lang, name), ctx.lang)

    return Response().say(message(
        ctx.t("privacy.stored"),
        ctx.t("privacy.readers", min=settings.min_group_size),
        ctx.t("privacy.retention", count=settings.reply_retention_days),
        ctx.t("privacy.model" if settings.openai_api_key else "privacy.no_model"),
        ctx.t("privacy.export", command=command("mydata")),
        ctx.t("privacy.erase", command=command("forget-me")),
        heading=ctx.t("privacy.heading")))
