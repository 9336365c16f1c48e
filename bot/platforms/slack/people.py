"""People as Slack knows them: name, locale and time zone from users.info, refreshed once a day.

What is learnt is handed to the core (`Runtime.remember`), so rhythm and language follow each person
and deactivated accounts and bots are never nudged. Look-ups happen after an ack, never before.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.platforms.plumbing import retry_after
from bot.ports import Actor

log = logging.getLogger("kipina.slack")

FRESH = timedelta(days=1)
MISSED = timedelta(minutes=10)  # a users.info that failed (user_not_found, an error, no answer) is not repeated sooner
MISSED_KEPT = 10_000  # failed look-ups remembered at most; the oldest are forgotten first
SWEEP_LIMITED = 5  # 429s in a row on one page before the sweep gives up until tomorrow
SWEEP_BUDGET = 1800.0  # seconds one sweep may take, waits included


def actor_from_user(team: str, user: dict) -> Actor:
    profile = user.get("profile") or {}
    name = (profile.get("display_name") or profile.get("real_name") or user.get("real_name")
            or user.get("name") or "")
    return Actor(
        platform="slack", workspace=team, user_id=user.get("id", ""), name=name.strip(),
        locale=user.get("locale") or None, timezone=user.get("tz") or None,
        is_bot=bool(user.get("is_bot")) or user.get("id") == "USLACKBOT",
        active=not user.get("deleted", False),
    )


class Profiles:
    """A day-long cache of users.info answers; the database keeps what matters."""

    def __init__(self, runtime, client):
        self.runtime, self.client = runtime, client
        self.known: dict[tuple[str, str], tuple[datetime, Actor]] = {}
        self.quiet_until = 0.0  # after a 429 on users.info, ask again only once Retry-After has passed
        # (team, user) → when users.info failed for them: an id that is not a person (a typo, a
        # user group, someone from another workspace) is mentioned again and again
        self.missed: dict[tuple[str, str], datetime] = {}

    def actor(self, team: str, user: str, fallback_name: str = "") -> Actor:
        """The speaker as far as we know them now (a first-time speaker by their handle)."""
        found = self.known.get((team, user))
        if found is not None:
            return found[1]
        return Actor("slack", team, user, fallback_name, name_is_fallback=True)

    def fresh(self, team: str, user: str) -> bool:
        found = self.known.get((team, user))
        return found is not None and self.runtime.now() - found[0] < FRESH

    def missed_lately(self, team: str, user: str) -> bool:
        """users.info failed for them within MISSED: don't ask again yet."""
        when = self.missed.get((team, user))
        return when is not None and self.runtime.now() - when < MISSED

    def _miss(self, team: str, user: str, reason) -> None:
        # Logged here only, and this runs at most once per MISSED for an id: one line per id per window.
        log.info("users.info for %s failed: %s", user, reason)
        self.missed.pop((team, user), None)
        self.missed[(team, user)] = self.runtime.now()
        while len(self.missed) > MISSED_KEPT:
            del self.missed[next(iter(self.missed))]

    def settled(self, checked_at) -> bool:
        """The database says the profile was checked within a day (the clock's daily sweep, or
        another web process): no users.info needed, whatever this process has cached."""
        return checked_at is not None and self.runtime.now() - checked_at < FRESH

    async def sweep(self, page_size: int = 200) -> int:
        """Refresh everyone Kipinä knows from users.list, a page of `page_size` per call: a few
        dozen calls for a large workspace instead of one users.info per person. Returns how many
        people changed (renamed, moved, deactivated). Bounded: SWEEP_LIMITED 429s in a row or
        SWEEP_BUDGET seconds end it (logged); tomorrow's sweep starts again."""
        changed, cursor, team, limited = 0, None, "", 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SWEEP_BUDGET
        while True:
            if loop.time() > deadline:
                log.warning("users.list sweep stopped after %.0f s; the next daily sweep tries again", SWEEP_BUDGET)
                return changed
            try:
                answer = await self.client.users_list(limit=page_size, cursor=cursor, include_locale=True)
            except SlackApiError as error:
                if error.response.status_code == 429:
                    limited += 1
                    wait = min(retry_after(error.response.headers), 120)
                    if limited >= SWEEP_LIMITED or loop.time() + wait > deadline:
                        log.warning("users.list still rate limited after %d tries; the next daily sweep "
                                    "tries again", limited)
                        return changed
                    await asyncio.sleep(wait)
                    continue
                log.warning("users.list failed: %s", (error.response.data or {}).get("error", "?")
                            if isinstance(error.response.data, dict) else error.response.status_code)
                return changed
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
                log.warning("users.list failed: %s", type(error).__name__)
                return changed
            limited = 0
            now = self.runtime.now()
            members = answer.get("members") or []
            actors = [actor_from_user(member.get("team_id") or team, member) for member in members]
            team = team or next((a.workspace for a in actors if a.workspace), "")
            changed += await self.runtime.remember_many(actors)
            for actor in actors:
                self.known[(actor.workspace, actor.user_id)] = (now, actor)
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return changed

    async def stored(self, team: str, user: str) -> bool:
        """Take the database's copy when a platform told it within a day (another process, the
        sweep): True if it was fresh enough to use."""
        try:
            found = await self.runtime.profile(Actor("slack", team, user))
        except Exception as error:  # the database is down: not known; the core says so in its answer
            log.warning("stored profile of %s not read: %s", user, type(error).__name__)
            return False
        if found is None or not self.settled(found.checked_at):
            return False
        self.known[(team, user)] = (found.checked_at, found.actor)
        return True

    async def refresh(self, team: str, users: list[str]) -> None:
        """Look up who this process has not met today, unless the database's copy is recent."""
        for user in dict.fromkeys(users):
            if self.fresh(team, user) or self.missed_lately(team, user):
                continue
            if not await self.stored(team, user):
                await self.check(team, user)

    async def check(self, team: str, user: str) -> Actor | None:
        """The person's current profile, asking Slack when ours is older than a day (None if Slack can't say)."""
        found = self.known.get((team, user))
        loop = asyncio.get_running_loop()
        if self.fresh(team, user) or self.missed_lately(team, user) or loop.time() < self.quiet_until:
            return found[1] if found else None
        try:
            answer = await self.client.users_info(user=user, include_locale=True)
        except SlackApiError as error:
            data, status = error.response.data, error.response.status_code
            if status == 429:  # about the workspace, not this person: nobody is asked until Retry-After
                self.quiet_until = loop.time() + retry_after(error.response.headers)
                log.info("users.info rate limited for %gs", self.quiet_until - loop.time())
            else:
                self._miss(team, user, data.get("error") if isinstance(data, dict) else status)
            return found[1] if found else None
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
            self._miss(team, user, type(error).__name__)
            return found[1] if found else None
        actor = actor_from_user(team, answer.get("user") or {"id": user})
        now = self.runtime.now()
        try:
            await self.runtime.remember(actor)
        except Exception as error:  # not stored now; asked again next time
            log.warning("profile of %s not stored: %s", user, type(error).__name__)
            return actor
        self.known[(team, user)] = (now, actor)
        return actor
