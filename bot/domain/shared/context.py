"""What every use case needs: the session, settings, the speaker and their language."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from bot.domain.shared import people
from bot.domain.commands import typed
from bot.common.config import Settings
from bot.common.i18n import clock, listing, t
from bot.domain.shared.rhythm import Calendar, zone
from prompts import Library
from storage.models import Circle, Membership, Person, Workspace


class Refusal(Exception):
    """A use case says no; `key` is the i18n text shown to the caller."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


@dataclass
class Services:
    """Long-lived collaborators, built once by the composition root."""

    settings: Settings
    library: Library
    calendar: Calendar


@dataclass
class Ctx:
    session: Session
    services: Services
    now: datetime
    person: Person
    workspace: Workspace

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def lang(self) -> str:
        return people.language(self.person, self.workspace, self.settings)

    @property
    def tz(self) -> str:
        return people.timezone_of(self.person, self.workspace, self.settings)

    def t(self, key: str, **params) -> str:
        return t(self.lang, key, **params)

    def listing(self, items) -> str:
        """Names joined the speaker's language's way: 'Aino ja Ville'."""
        return listing(self.lang, items)

    def when(self, at: datetime, tz: str | None = None) -> str:
        return format_when(self.lang, at, tz or self.tz)

    def clock(self, at: datetime | str) -> str:
        """A time of day ('14:00' as schedules store it) as the speaker writes it: 14.00 or 14:00."""
        return clock(self.lang, at)

    def command(self, name: str) -> str:
        """A command to name in a text, as the speaker types it here: '/circle jatka', or 'jatka' on Teams."""
        return typed(self.workspace.platform, self.lang, name)


def format_when(lang: str, at: datetime, tz: str) -> str:
    local = at.astimezone(zone(tz))
    days = t(lang, "fmt.days").split()
    months = t(lang, "fmt.months").split()
    return t(lang, "fmt.when", weekday=days[local.weekday()], day=local.day, month_name=months[local.month - 1],
             month=local.month, time=clock(lang, local))


def membership(session: Session, circle_id: int, person_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.circle_id == circle_id, Membership.person_id == person_id)
    ).first()


def my_circles(ctx: Ctx) -> list[Circle]:
    return list(ctx.session.exec(
        select(Circle).join(Membership, Membership.circle_id == Circle.id)
        .where(Membership.person_id == ctx.person.id, Circle.archived_at.is_(None))
        .order_by(Circle.name)
    ))


def circle_here(ctx: Ctx, channel_id: str | None, mentor_only: bool = False) -> Circle:
    """The circle a command is about: this channel's, else the caller's only one."""
    if channel_id:
        found = ctx.session.exec(
            select(Circle).where(Circle.workspace_id == ctx.workspace.id, Circle.channel_id == channel_id,
                                 Circle.archived_at.is_(None))
        ).first()
        if found:
            return found
    member_of = my_circles(ctx)
    mine = [c for c in member_of if not mentor_only or c.mentor_id == ctx.person.id]
    if len(mine) == 1:
        return mine[0]
    if not mine and member_of:  # a member asking for a mentor's command: say whose it is
        raise Refusal("circle.not_your_circle", circles=ctx.listing(c.name for c in member_of), count=len(member_of))
    if not mine:
        raise Refusal("circle.none_here", new=ctx.command("example.new"))
    raise Refusal("circle.which", names=ctx.listing(c.name for c in mine))


def mentors_circle(ctx: Ctx, place) -> Circle:
    """The circle a mentor's command is about (circle_here), refused to anyone but its mentor."""
    circle = circle_here(ctx, place.channel_id, mentor_only=True)
    require_mentor(ctx, circle)
    return circle


def require_mentor(ctx: Ctx, circle: Circle) -> None:
    if circle.mentor_id != ctx.person.id:
        raise Refusal("circle.mentor_only", circle=circle.name)
