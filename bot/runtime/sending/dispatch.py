"""The outbox sender: claims due rows, composes, sends within rate limits, marks each once."""
from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.domain.shared import outbox
from bot.runtime.sending import claims, senders
from bot.domain.compose import Outgoing, compose
from bot.domain.shared.context import Services
from bot.common.logs import scrub
from bot.runtime.sending.budget import shared_budget
from bot.runtime.sending.pacing import Pacer
from bot.ports import PermanentFailure, Platform, RateLimited, SendError, Sent, TemporaryFailure, Unreachable
from storage.db import unit_of_work
from storage.models import Delivery

log = logging.getLogger("kipina.dispatch")


@dataclass
class DrainStats:
    sent: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0
    by_kind: dict = field(default_factory=dict)


RETRY_AFTER = (1, 5, 30, 120, 600)  # seconds after the 1st, 2nd … failed try: rides out a ~13-minute outage


def backoff(attempts: int) -> timedelta:
    """Growing waits with jitter, so many failed rows don't all come back at the same moment."""
    base = RETRY_AFTER[min(max(attempts, 1), len(RETRY_AFTER)) - 1]
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


class Marks:
    """'Sent' marks written together: one transaction for the rows sent in the last few
    milliseconds, not one per row (at 100 messages a second that was most of the sender's CPU).
    A sender waits for its mark, keeping its slot, so that at most `concurrency` rows are ever
    sent but not yet marked."""

    def __init__(self, engine: Engine, gather: float = 0.02):
        self.engine, self.gather = engine, gather
        self.waiting: list[tuple[tuple, asyncio.Future]] = []
        self.writer: asyncio.Task | None = None

    async def sent(self, row_id: int, at: datetime, post: Sent) -> None:
        done = asyncio.get_running_loop().create_future()
        self.waiting.append(((row_id, at, post), done))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write())
        await done

    async def _write(self) -> None:
        while self.waiting:
            await asyncio.sleep(self.gather)
            batch, self.waiting = self.waiting, []
            try:
                await asyncio.to_thread(self._store, [mark for mark, _ in batch])
            except Exception as exc:  # each sender hears it, as with a mark of its own
                for _, done in batch:
                    done.set_exception(exc)
            else:
                for _, done in batch:
                    done.set_result(None)

    def _store(self, marks: list[tuple]) -> None:
        with unit_of_work(self.engine) as session:
            claims.mark_sent_many(session, marks)


class Dispatcher:
    def __init__(self, engine: Engine, services: Services, platforms: dict[str, Platform],
                 worker: str | None = None, batch: int = 200, grace: float = 3.0):
        self.engine, self.services, self.platforms = engine, services, platforms
        self.worker, self.batch = worker or senders.sender_name(), batch
        # On PostgreSQL the workspace's rate is shared with the other senders (bot/runtime/sending/budget.py).
        self.pacers = {name: Pacer(p.limits, shared=shared_budget(engine, name, p.limits))
                       for name, p in platforms.items()}
        self.heartbeat = senders.Heartbeat(engine, self.worker, services.settings.sender_timeout_seconds)
        self.beating: asyncio.Task | None = None  # the heartbeat, while run() or a drain goes on
        # Rows claimed by this process and not yet finished → the heartbeat's lapses when claimed.
        self.holding: dict[int, int] = {}
        self.on_the_wire: set[asyncio.Task] = set()  # sends under way: when stopping they may finish
        self.stop: asyncio.Event | None = None  # run()'s: once set, nothing more is claimed or started
        self.grace = grace  # seconds sends under way get to finish when stopping
        self.awake: asyncio.Event | None = None  # set by wake() while run() is idle

    async def drain(self, now: Callable[[], datetime], settle: float = 0.0) -> DrainStats:
        """Send everything due; wait up to `settle` seconds for rows that come due meanwhile (retries)."""
        stats = DrainStats()
        if not self.platforms:
            return stats
        sending: set[asyncio.Task] = set()
        beating = None
        if self.beating is None or self.beating.done():  # run() keeps one going between drains
            beating = self.beating = asyncio.create_task(self.heartbeat.keep())
        try:
            return await self._pipeline(now, settle, stats, sending, Marks(self.engine))
        finally:
            if beating is not None:
                beating.cancel()

    async def _pipeline(self, now, settle: float, stats: DrainStats, sending: set, marks: Marks) -> DrainStats:
        # A pipeline, not batch by batch: more rows are claimed while half a batch is still in
        # flight, so one slow send (a paced channel, a retry) never holds up the others.
        while True:
            rows = []
            if len(sending) <= self.batch // 2 and not self.stopping():
                rows = await asyncio.to_thread(self._claim, now(), self.batch - len(sending), list(self.holding))
            if rows:
                sending |= await self._start(rows, now, stats, marks)
                continue
            if sending and self.stopping():
                await self._wind_down(sending, marks)
                return stats
            if sending:
                sending = await self._some_done(sending)
                continue
            if self.stopping():
                return stats
            upcoming = await asyncio.to_thread(self._next_due)
            if upcoming is None:
                return stats
            wait = (upcoming - now()).total_seconds()
            if wait > settle:
                return stats
            await asyncio.sleep(max(wait, 0.01))

    def stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    async def _some_done(self, sending: set) -> set:
        """Wait until a send finishes, or until stopping; returns the sends still going."""
        if self.stop is None:
            _, rest = await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
            return rest
        stopped = asyncio.ensure_future(self.stop.wait())
        _, rest = await asyncio.wait(sending | {stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        rest.discard(stopped)
        return rest

    async def _wind_down(self, sending: set, marks: Marks) -> None:
        """Stopping: sends already under way get `grace` seconds to finish and be marked; the
        others never start. What stays claimed is released by _leave()."""
        for task in sending - self.on_the_wire:
            task.cancel()
        _, late = await asyncio.wait(sending, timeout=self.grace)
        if late:  # sent or not, nobody can tell: these few may go twice after the restart
            log.warning("%d sends still under way after %.0f s; stopping them", len(late), self.grace)
            for task in late:
                task.cancel()
            await asyncio.wait(late, timeout=1.0)
        if marks.writer is not None:  # the last 'sent' marks go in before _leave releases the rest
            await asyncio.wait({marks.writer}, timeout=2.0)

    async def _arrive(self) -> None:
        """Heartbeat from now on. SQLite runs one sender: whoever sent before this process is
        gone, so its rows are claimed at once instead of after SENDER_TIMEOUT_SECONDS."""
        def forget_others():
            with unit_of_work(self.engine) as session:
                return senders.forget_others(session, self.worker)

        if self.engine.dialect.name == "sqlite":
            try:
                if await asyncio.to_thread(forget_others):
                    log.info("the previous sender is gone; its claimed rows are sent now")
            except Exception as exc:
                log.warning("could not take over from earlier senders: %s", scrub(repr(exc)))
        self.beating = asyncio.create_task(self.heartbeat.keep())

    async def _leave(self) -> None:
        """Stopping: the heartbeat ends, rows still claimed go back to pending (the try not
        counted) and the sender row goes, so the next sender takes them at once and none twice."""
        if self.beating is not None:
            self.beating.cancel()

        def release() -> int:
            self.heartbeat.stop()
            with unit_of_work(self.engine) as session:
                released = claims.release(session, self.worker)
                senders.leave(session, self.worker)
            return released

        try:
            released = await asyncio.to_thread(release)
        except Exception as exc:  # then they are taken over once this heartbeat is stale
            log.warning("could not release claimed rows: %s", scrub(repr(exc)))
            return
        log.info("sender stopped; %d claimed rows released", released)

    async def run(self, now: Callable[[], datetime], stop: asyncio.Event, idle: float = 1.0) -> None:
        """Keep draining until `stop` is set; survive database hiccups. Then finish what is under
        way and release the rest (_wind_down, _leave)."""
        awake = self.awake = asyncio.Event()
        self.stop = stop
        if self.platforms:
            await self._arrive()
        try:
            while not stop.is_set():
                awake.clear()
                try:
                    await self.drain(now, settle=idle)  # retries due within `idle` go on time
                except Exception as exc:  # the loop must outlive a lost connection
                    log.error("dispatch loop error: %s", scrub(repr(exc)))
                waits = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(awake.wait())}
                await asyncio.wait(waits, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
                for waiting in waits:
                    waiting.cancel()
        finally:
            if self.platforms:
                await self._leave()

    def wake(self) -> None:
        """Something was just planned in this process: look at the outbox now, not at the next poll."""
        if self.awake is not None:
            self.awake.set()

    def _claim(self, at: datetime, limit: int, holding: list[int]) -> list[Delivery]:
        # A heartbeat in the claim's own transaction keeps its rows clear of an earlier lapse;
        # without one, a lapse found meanwhile may have let another sender take them.
        lapses, started, beating = self.heartbeat.lapses, time.monotonic(), self.heartbeat.due()
        with unit_of_work(self.engine) as session:
            if beating:
                senders.beat(session, self.worker)
            rows = claims.claim(session, self.platforms.keys(), at, self.worker, limit, holding,
                                self.heartbeat.timeout)
        if beating:
            self.heartbeat.stored(started, time.monotonic())
            lapses = self.heartbeat.lapses
        self.holding.update((row.id, lapses) for row in rows)
        return rows

    def _trusted(self, row_id: int) -> bool:
        """Still this sender's to send: its heartbeat is fresh and has not lapsed since the claim."""
        return self.heartbeat.alive() and self.holding.get(row_id) == self.heartbeat.lapses

    def _next_due(self) -> datetime | None:
        with unit_of_work(self.engine) as session:
            return claims.next_due(session, self.platforms.keys())

    def _compose(self, rows: list[Delivery], at: datetime):
        with unit_of_work(self.engine) as session:
            out, cancelled = compose(session, self.services, rows, at)
            for delivery_id, reason in cancelled:
                claims.mark_cancelled(session, delivery_id, reason)
            return out, cancelled

    async def _start(self, rows: list[Delivery], now, stats: DrainStats, marks: Marks) -> set[asyncio.Task]:
        try:
            out, cancelled = await asyncio.to_thread(self._compose, rows, now())
        except Exception:
            await self._not_composed(rows, now())
            raise
        stats.cancelled += len(cancelled)
        for delivery_id, _ in cancelled:
            self.holding.pop(delivery_id, None)
        by_id = {row.id: row for row in rows}
        return {asyncio.create_task(self._send_one(item, by_id[item.delivery_id], now, stats, marks))
                for item in out}

    async def _send_one(self, item: Outgoing, row: Delivery, now, stats: DrainStats, marks: Marks) -> None:
        try:
            await self._send(item, row, now, stats, marks)
        finally:
            self.holding.pop(row.id, None)
            self.on_the_wire.discard(asyncio.current_task())

    async def _not_composed(self, rows: list[Delivery], at: datetime) -> None:
        """Composing failed (a database hiccup, a bug): the rows count a try and wait, so one that
        never composes ends 'failed' instead of holding up the outbox."""
        def retry():
            with unit_of_work(self.engine) as session:
                for row in rows:
                    claims.mark_retry(session, row, at, "could not compose", backoff(row.attempts), True)

        try:
            await asyncio.to_thread(retry)
        except Exception:  # the database is away: they are still ours, and the next claim takes them again
            pass
        for row in rows:
            self.holding.pop(row.id, None)

    async def _send(self, item: Outgoing, row: Delivery, now, stats: DrainStats, marks: Marks) -> None:
        platform = self.platforms[row.platform]
        pacer = self.pacers[row.platform]
        key = platform.pace_key(item.target)
        # The mark happens inside the slot too, so at most `concurrency` rows are ever sent
        # but not yet marked: that is the bound on duplicates after a crash.
        async with pacer.in_flight:
            await pacer.wait(key, item.target.workspace)
            if self.stopping() or not self._trusted(row.id):
                return  # stays claimed: released when stopping, else claimed again (senders.Heartbeat)
            self.on_the_wire.add(asyncio.current_task())
            started = time.monotonic()
            try:
                if item.edits is not None:  # the edit row keeps the post's new shape for the next edit
                    sent = await platform.update(item.target, item.edits, item.message)
                else:
                    sent = await platform.send(item.target, item.message)
            except RateLimited as exc:
                pacer.rate_limited(key, exc.retry_after, exc.whole_platform)
                await self._finish(claims.mark_retry, row, now(), f"rate limited: {exc}",
                                   timedelta(seconds=exc.retry_after), False)
                stats.retried += 1
                return
            except PermanentFailure as exc:
                await self._finish(claims.mark_failed, row.id, scrub(str(exc)))
                if isinstance(exc, Unreachable):
                    await self._finish(outbox.tell_mentor_unreachable, row, now())
                stats.failed += 1
                log.warning("delivery %s failed for good: %s", row.id, scrub(str(exc)))
                return
            except (TemporaryFailure, SendError, OSError, asyncio.TimeoutError) as exc:
                status = await self._finish(claims.mark_retry, row, now(), scrub(f"{type(exc).__name__}: {exc}"),
                                            backoff(row.attempts), True)
                stats.failed += status == "failed"
                stats.retried += status != "failed"
                return
            except Exception as exc:  # a bug in a renderer must not stop the other sends
                log.exception("delivery %s crashed the sender", row.id)
                status = await self._finish(claims.mark_retry, row, now(), scrub(f"{type(exc).__name__}: {exc}"),
                                            backoff(row.attempts), True)
                stats.failed += status == "failed"
                return
            await marks.sent(row.id, now(), sent)
        stats.sent += 1
        stats.by_kind[row.kind] = stats.by_kind.get(row.kind, 0) + 1
        log.debug("delivery %s sent in %.0f ms", row.id, (time.monotonic() - started) * 1000)

    async def _finish(self, mark, *args):
        def work():
            with unit_of_work(self.engine) as session:
                return mark(session, *args)

        return await asyncio.to_thread(work)
