"""`privacy`: who is responsible (the controller and its data protection officer), on what legal
basis, what Kipinä keeps about you and reads in circle channels, who can read it, for how long, what
may go to a language model, your rights and where to complain, in your language and with the
commands spelled for your platform.

The notice reads the deployment's own settings (organisation, DPO, legal basis, retention days,
group size, whether a model is configured), so it says what this installation does rather than what
it could do.
"""
from __future__ import annotations

from bot.domain.commands import spelled, usage_in
from bot.domain.shared.context import Ctx
from bot.ports import Block, Message, Response


def legal_basis(settings, lang: str, t) -> str:
    """The agency's own wording (PRIVACY_LEGAL_BASIS), else the default for a public employer."""
    return settings.legal_basis(lang) or t("privacy.basis_default")


def notice(ctx: Ctx) -> Response:
    settings, platform = ctx.settings, ctx.workspace.platform

    def command(name: str) -> str:
        return spelled(platform, usage_in(ctx.lang, name), ctx.lang)

    organisation = settings.organisation(ctx.lang)
    dpo = settings.data_protection_officer
    base = settings.public_base
    lines = [
        ctx.t("privacy.controller", organisation=organisation) if organisation else ctx.t("privacy.controller_missing"),
        *([ctx.t("privacy.dpo", dpo=dpo)] if dpo else []),
        ctx.t("privacy.basis", basis=legal_basis(settings, ctx.lang, ctx.t)),
        ctx.t("privacy.stored"),
        ctx.t("privacy.channels"),
        ctx.t("privacy.readers", min=settings.min_group_size),
        ctx.t("privacy.retention", count=settings.reply_retention_days),
        ctx.t("privacy.model" if settings.openai_api_key else "privacy.no_model"),
        ctx.t("privacy.export", command=command("mydata")),
        ctx.t("privacy.erase", command=command("forget-me")),
        *([ctx.t("privacy.rights")] if dpo else []),
    ]
    # Addresses as link blocks of their own: tappable in a card, and they wrap on a phone.
    links = [("privacy.complaint", ctx.t("privacy.complaint_url")),
             *([("privacy.own_notice", settings.privacy_notice_url)] if settings.privacy_notice_url else []),
             ("privacy.web_notice", f"{base}/privacy?lang={ctx.lang}"),
             ("privacy.accessibility", f"{base}/accessibility")]
    blocks = [Block("heading", ctx.t("privacy.heading")), *(Block("text", line) for line in lines)]
    for key, url in links:
        blocks += [Block("text", ctx.t(key)), Block("link", url)]
    return Response().say(Message(blocks=tuple(blocks), summary=ctx.t("privacy.heading")))
