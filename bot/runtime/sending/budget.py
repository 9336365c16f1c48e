"""One send rate per workspace for all sender processes together, kept in the database.

The Pacer keeps each channel's limit and answers 429s in process. The workspace-wide rate is
shared by every `worker`, `clock` and `serve` on PostgreSQL, so it is a GCRA in a `sendbudget`
row: a process books a block of slots (at most a quarter second's worth) in one statement and
spaces its sends over exactly those slots. Only the database's clock is read, so the hosts'
clocks need not agree. SQLite has one sender: no shared budget there.
"""
from __future__ import annotations

import asyncio
import logging
import math
import time

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.common.logs import scrub
from bot.ports import Limits
from storage.db import is_postgres

log = logging.getLogger("kipina.budget")

BLOCK_SECONDS = 0.25  # booked at once: a busy sender asks the database about four times a second
ANSWER_WITHIN = 2.0  # seconds; a slower database is a hiccup
FALLBACK_SECONDS = 10.0  # after a hiccup, pace in process this long before asking again
MIN_LATE = 0.05  # seconds a slot may still be used after its time (loop lag, the thread hop)

# `tat` is the next free slot; an idle workspace starts from now, never from credit saved up.
# clock_timestamp(), not now(): the time of this statement, not of its transaction's start.
BOOK = text(
    "WITH clock AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t) "
    "INSERT INTO sendbudget (key, tat) SELECT :key, t + :span FROM clock "
    "ON CONFLICT (key) DO UPDATE SET tat = GREATEST(sendbudget.tat, (SELECT t FROM clock)) + :span "
    "RETURNING tat, (SELECT t FROM clock)")
# A hold (a 429's Retry-After, an open circuit): no slot before then, for any process. It is kept
# twice: in the workspace's own row, which books slots, and in a row of its own (HOLD_PREFIX) that
# every sender reads as it records its sends (marks.py), so a slot booked before it is not used.
HOLD_PREFIX = "hold:"
HOLD = text(
    "WITH clock AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t) "
    "INSERT INTO sendbudget (key, tat) SELECT :key, t + :seconds FROM clock "
    "ON CONFLICT (key) DO UPDATE SET tat = GREATEST(sendbudget.tat, (SELECT t FROM clock) + :seconds)")
HOLDS = text(
    "SELECT key, tat - extract(epoch FROM clock_timestamp())::float8 FROM sendbudget "
    "WHERE key LIKE 'hold:%' AND tat > extract(epoch FROM clock_timestamp())")


class Block:
    """Slots this process booked, on its own clock, used in order. A slot not taken within `late`
    of its time lapses: booked but unused slots are never saved up for a burst."""

    def __init__(self, interval: float, late: float):
        self.interval, self.late = interval, late
        self.next, self.left = 0.0, 0

    def add(self, start: float, count: int) -> None:
        self.next, self.left = start, count

    def take(self, now: float) -> float | None:
        """The time of the next usable slot (maybe still ahead), or None: book another block."""
        if self.left and now - self.next > self.late:
            lapsed = min(self.left, math.ceil((now - self.next - self.late) / self.interval))
            self.next += lapsed * self.interval
            self.left -= lapsed
        if not self.left:
            return None
        at = self.next
        self.next += self.interval
        self.left -= 1
        return at


class SharedBudget:
    """One platform's workspace-wide rate, booked in the database for every process together."""

    def __init__(self, engine: Engine, platform: str, rate: float, burst: int = 1, clock=time.monotonic):
        self.engine, self.platform, self.clock = engine, platform, clock
        self.interval = 1.0 / rate
        self.most = max(1, math.ceil(rate * BLOCK_SECONDS))
        # Late by up to the burst the platform's limits allow anyway (see plumbing.paced).
        self.late = max(MIN_LATE, max(burst, 1) * self.interval)
        self.blocks: dict[str, Block] = {}
        self.lock: tuple[object, asyncio.Lock] | None = None  # one per event loop
        self.wanting = 0  # sends waiting for a slot: the next block is no bigger than that
        self.fallback = FALLBACK_SECONDS
        self.down_until = 0.0
        self.failing = False
        self.stuck: asyncio.Future | None = None  # a booking that outlived ANSWER_WITHIN

    async def slot(self, workspace: str) -> float | None:
        """When the next send to `workspace` may go (this process's clock), or None while the
        database does not answer: the caller paces in process meanwhile."""
        block = self.blocks.get(workspace)
        if block is None:
            block = self.blocks[workspace] = Block(self.interval, self.late)
        at = block.take(self.clock())
        if at is not None:
            return at
        self.wanting += 1
        try:
            async with self._lock():  # one booking at a time; those waiting share its block
                while True:  # a block can lapse before it is used only on a loop stalled that long
                    at = block.take(self.clock())
                    if at is not None or self.clock() < self.down_until:
                        return at
                    booked = await self._book(workspace, min(self.wanting, self.most))
                    if booked is None:
                        return None
                    block.add(*booked)
        finally:
            self.wanting -= 1

    async def hold(self, workspace: str, seconds: float) -> None:
        """No send to `workspace` by any process for `seconds`: the slots start after it. The slots
        other processes booked already (a quarter second's worth at most) still go."""
        self.blocks.pop(workspace, None)

        def write():
            with self.engine.begin() as conn:
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(ANSWER_WITHIN * 1000)}")
                key = f"{self.platform}:{workspace}"
                for row in (key[:160], (HOLD_PREFIX + key)[:160]):
                    conn.execute(HOLD, {"key": row, "seconds": seconds})

        try:
            await asyncio.to_thread(write)
        except Exception as exc:  # this process holds anyway; the others learn of it on their own
            self._failed(exc)

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self.lock is None or self.lock[0] is not loop:
            self.lock = (loop, asyncio.Lock())
        return self.lock[1]

    async def _book(self, workspace: str, count: int) -> tuple[float, int] | None:
        if self.stuck is not None and not self.stuck.done():
            return self._failed(TimeoutError("the last booking has not come back"))
        booking = asyncio.ensure_future(asyncio.to_thread(self._book_now, f"{self.platform}:{workspace}"[:160],
                                                          count))
        booking.add_done_callback(_heard)
        try:
            start = await asyncio.wait_for(asyncio.shield(booking), ANSWER_WITHIN)
        except asyncio.TimeoutError as exc:
            self.stuck = booking  # its thread ends on statement_timeout; its slots just lapse
            return self._failed(exc)
        except Exception as exc:
            return self._failed(exc)
        if self.failing:
            self.failing = False
            log.info("shared send budget for %s answers again", self.platform)
        return start, count

    def _book_now(self, key: str, count: int) -> float:
        """Book `count` slots; returns when the first one is, on this process's clock."""
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(ANSWER_WITHIN * 1000)}")
            tat, db_now = conn.execute(BOOK, {"key": key, "span": count * self.interval}).one()
            answered = self.clock()
        # The database's "now" is placed at the answer, the latest it can be: every slot then
        # falls a little late on this clock, never early.
        return answered + (tat - count * self.interval - db_now)

    def _failed(self, error: BaseException) -> None:
        self.down_until = self.clock() + self.fallback
        if not self.failing:
            self.failing = True
            log.warning("shared send budget for %s unavailable, pacing in this process for now: %s",
                        self.platform, scrub(repr(error)))
        return None


def holds(conn) -> dict[tuple[str, str], float]:
    """The holds in force now, any process's: (platform, workspace) → seconds left."""
    found = {}
    for key, left in conn.execute(HOLDS):
        platform, _, workspace = key.removeprefix(HOLD_PREFIX).partition(":")
        found[(platform, workspace)] = left
    return found


def _heard(booking: asyncio.Future) -> None:
    """A booking nobody waits for any more (timed out, or its sender cancelled) may fail unheard."""
    if not booking.cancelled():
        booking.exception()


def shared_budget(engine: Engine, platform: str, limits: Limits) -> SharedBudget | None:
    """The budget several senders share, on PostgreSQL; None on SQLite (one sender only)."""
    if not is_postgres(engine):
        return None
    return SharedBudget(engine, platform, limits.global_rate, limits.global_burst)
