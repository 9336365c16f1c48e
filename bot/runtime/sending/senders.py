"""Who is sending: every dispatcher is a Sender row that heartbeats every few seconds.

Rows in 'sending' belong to their sender while its heartbeat is fresh. When it goes stale
(SENDER_TIMEOUT_SECONDS, default 30), or the sender never registered, anyone may claim them: the
process died mid-send. A sender that cannot heartbeat stops starting sends before the others
may count it dead (`Heartbeat.alive`), so a slow but living sender is not sent twice.

PostgreSQL's clock stamps and judges the heartbeats, so the hosts' clocks need not agree. SQLite
has one process, on its own clock.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import threading
import time
from datetime import timedelta

from sqlalchemy import delete, func, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.common.logs import scrub
from storage.db import unit_of_work
from storage.models import Sender
from storage.types import utcnow

log = logging.getLogger("kipina.senders")

TIMEOUT = 30.0  # seconds without a heartbeat before a sender counts as dead
BEATS = 6  # heartbeats within one TIMEOUT: a few may be late before the sender stops sending
LONG_DEAD = 10  # TIMEOUTs after which a dead sender's row is removed
TIDY_EVERY = 12  # heartbeats between two removals of long-dead senders


def sender_name() -> str:
    """host/pid/random: unique even when every container's process is pid 1."""
    return f"{socket.gethostname()[:40]}/{os.getpid()}/{secrets.token_hex(4)}"


def database_now(session: Session):
    """Now, as the database sees it on PostgreSQL; as this process does on SQLite."""
    return func.now() if session.get_bind().dialect.name == "postgresql" else utcnow()


def alive_after(session: Session, timeout: float = TIMEOUT):
    """A sender whose heartbeat is older than this is dead."""
    return database_now(session) - timedelta(seconds=timeout)


def beat(session: Session, name: str) -> None:
    """Register, or say this sender is still alive."""
    at = database_now(session)
    if session.execute(update(Sender).where(Sender.name == name).values(heartbeat_at=at)).rowcount == 0:
        session.execute(insert(Sender).values(name=name, started_at=at, heartbeat_at=at))


def leave(session: Session, name: str) -> None:
    session.execute(delete(Sender).where(Sender.name == name))


def forget_others(session: Session, name: str) -> int:
    """SQLite runs one sender: at start, whoever sent before is gone, and its rows are free to claim."""
    return session.execute(delete(Sender).where(Sender.name != name)).rowcount


def remove_dead(session: Session, timeout: float = TIMEOUT) -> int:
    """Forget senders dead for long (their rows are claimable either way)."""
    return session.execute(delete(Sender).where(Sender.heartbeat_at < alive_after(session, timeout * LONG_DEAD))).rowcount


class Heartbeat:
    """This sender's pulse.

    `alive()` is False once the last stored heartbeat is nearly TIMEOUT old: the others may soon
    claim this sender's rows, so it must not start sending them. `lapses` counts the times that
    could have happened; a row claimed before the latest lapse is not sent (another may have it)."""

    def __init__(self, engine: Engine, name: str, timeout: float = TIMEOUT):
        self.engine, self.name, self.timeout = engine, name, timeout
        self.interval = timeout / BEATS
        self.fence = timeout - self.interval  # a margin for clocks and the time a beat takes to commit
        self.last: float | None = None  # monotonic time just before the last stored beat
        self.healthy_since: float | None = None  # since when every beat has been stored in time
        self.lapses = 0
        self.beats = 0
        self.stopped = False
        self.failing = False
        self.lock = threading.Lock()  # a beat in a thread never re-registers a sender that left

    def due(self) -> bool:
        return self.last is None or time.monotonic() - self.last >= self.interval

    def alive(self) -> bool:
        return self.last is not None and time.monotonic() - self.last < self.fence

    def healthy_for(self) -> float:
        """Seconds since this sender last could not reach the database (0 while it cannot)."""
        return 0.0 if self.healthy_since is None else time.monotonic() - self.healthy_since

    def unwell(self) -> None:
        """The database did not answer: until beats are stored again, this sender is not healthy."""
        self.healthy_since = None

    def stored(self, started: float, finished: float) -> None:
        """A beat committed: `started` just before it was written, `finished` after its commit."""
        if self.last is not None and finished - self.last >= self.fence:
            self.lapses += 1
            self.healthy_since = None
            log.warning("sender %s went %.0f s without a heartbeat; rows it held are left to others",
                        self.name, finished - self.last)
        if self.healthy_since is None:
            self.healthy_since = started
        self.last = started if self.last is None else max(self.last, started)
        self.beats += 1

    async def beat(self) -> None:
        started = time.monotonic()
        if await asyncio.to_thread(self._write, self.beats % TIDY_EVERY == TIDY_EVERY - 1):
            self.stored(started, time.monotonic())

    def _write(self, tidy: bool) -> bool:
        with self.lock:
            if self.stopped:
                return False
            with unit_of_work(self.engine) as session:
                beat(session, self.name)
                if tidy:
                    removed = remove_dead(session, self.timeout)
                    if removed:
                        log.info("removed %d long-dead senders", removed)
            return True

    async def keep(self) -> None:
        """Beat every `interval` until cancelled; survive database hiccups."""
        self.stopped = False  # a dispatcher run again after stopping beats again
        while True:
            wait = self.interval if self.last is None else self.last + self.interval - time.monotonic()
            await asyncio.sleep(max(wait, 0.05))
            try:
                await self.beat()
            except Exception as exc:
                if not self.failing:
                    log.warning("sender %s could not heartbeat: %s", self.name, scrub(repr(exc)))
                self.failing = True
                self.unwell()
                await asyncio.sleep(min(self.interval, 1.0))
            else:
                if self.failing:
                    log.info("sender %s heartbeats again", self.name)
                self.failing = False

    def stop(self) -> None:
        """No beat after this returns (one already writing finishes first)."""
        with self.lock:
            self.stopped = True
