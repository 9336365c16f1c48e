"""The outbox sender: claims due rows, composes, sends within rate limits, marks each once.

Exactly once, as far as a platform lets us tell: a row is marked 'unsure' before its send goes
out and 'sent' after (marks.py); a sender that cannot store marks stops sending until it can; a
row found 'unsure' (its sender died or stopped mid-send) is first looked up on the platform
(Platform.find_sent: Slack can tell, Teams cannot) and only then sent again.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.domain.shared import outbox
from bot.runtime.sending import claims, senders
from bot.runtime.sending.marks import Marks
from bot.domain.compose import Outgoing, compose
from bot.domain.shared.context import Services
from bot.common.logs import scrub
from bot.runtime.sending.counting import Metered, counted
from bot.runtime.sending.budget import shared_budget
from bot.runtime.sending.pacing import Pacer, hear
from bot.ports import PermanentFailure, Platform, RateLimited, SendError, TemporaryFailure, Unanswered, Unreachable
from storage.db import unit_of_work
from storage.models import Delivery

log = logging.getLogger("kipina.dispatch")


@dataclass
class DrainStats:
    sent: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0
    found: int = 0  # rows in doubt found already sent (not sent again)
    by_kind: dict = field(default_factory=dict)


class Dispatcher:
    def __init__(self, engine: Engine, services: Services, platforms: dict[str, Platform],
                 worker: str | None = None, batch: int = 200, grace: float = 4.0, clock=None):
        self.engine, self.services, self.platforms = engine, services, platforms
        self.worker, self.batch = worker or senders.sender_name(), batch
        # On PostgreSQL the workspace's rate is shared with the other senders (bot/runtime/sending/budget.py).
        seconds = (lambda: clock().timestamp()) if clock is not None else time.time
        self.pacers = {name: Pacer(p.limits, shared=shared_budget(engine, name, p.limits), platform=name,
                                   time_now=seconds) for name, p in platforms.items()}
        shared = any(pacer.shared is not None for pacer in self.pacers.values())
        self.heard = functools.partial(hear, self.pacers) if shared else None  # holds other senders began
        self.heartbeat = senders.Heartbeat(engine, self.worker, services.settings.sender_timeout_seconds)
        self.beating: asyncio.Task | None = None  # the heartbeat, while run() or a drain goes on
        # Rows claimed by this process and not yet finished → the heartbeat's lapses when claimed.
        self.holding: dict[int, int] = {}
        self.on_the_wire: set[asyncio.Task] = set()  # sends under way: when stopping they may finish
        self.doubtful: set[int] = set()  # rows claimed 'unsure': maybe sent already, looked up first
        self.claim_failing = False
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
            return await self._pipeline(now, settle, stats, sending, Marks(self.engine, self.worker, heard=self.heard))
        except BaseException:
            for task in sending:  # never left to run unwatched (and fail unheard)
                task.cancel()
            raise
        finally:
            if beating is not None:
                beating.cancel()

    async def _pipeline(self, now, settle: float, stats: DrainStats, sending: set, marks: Marks) -> DrainStats:
        # A pipeline, not batch by batch: more rows are claimed while half a batch is still in
        # flight, so one slow send (a paced channel, a retry) never holds up the others.
        while True:
            rows = []
            if len(sending) <= self.batch // 2 and not self.stopping() and marks.clear.is_set():
                rows = await self._claim_safely(now, self.batch - len(sending), bool(sending))
            if rows:
                sending |= await self._start(rows, now, stats, marks)
                continue
            if sending and self.stopping():
                await self._wind_down(sending, marks)
                return stats
            if sending:
                sending = await self._some_done(sending)
                continue
            if self.stopping() or self.claim_failing:
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

    async def _claim_safely(self, now, limit: int, busy: bool) -> list[Delivery]:
        """Claim more rows; while the database does not answer, the sends under way go on (and
        are recorded once it answers) and nothing new is claimed."""
        try:
            rows = await asyncio.to_thread(self._claim, now(), limit, list(self.holding))
        except Exception as exc:
            self.heartbeat.unwell()
            if not self.claim_failing:
                log.warning("could not claim outbox rows: %s", scrub(repr(exc)))
            self.claim_failing = True
            if not busy:
                raise
            return []
        if self.claim_failing:
            log.info("claiming outbox rows again")
            self.claim_failing = False
        return rows

    async def _wind_down(self, sending: set, marks: Marks) -> None:
        """Stopping: sends already under way get `grace` seconds to finish and be recorded; the
        others never start. What was never started is released by _leave(); what started and is
        not recorded stays 'unsure', for whoever sends it next to look up first."""
        for task in sending - self.on_the_wire:
            task.cancel()
        _, late = await asyncio.wait(sending, timeout=self.grace)
        if late:
            log.warning("%d sends still under way after %.0f s; stopping them (they are looked up before "
                        "they are sent again)", len(late), self.grace)
            for task in late:
                task.cancel()
            await asyncio.wait(late, timeout=0.5)
        if not await marks.settled(1.5):
            log.warning("%d sends could not be recorded before stopping; they are looked up before they "
                        "are sent again", len(marks.unrecorded))

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
                    if not self.claim_failing:  # an outage is told once (_claim_safely), not every second
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
        # SQLite has one sender: nobody else's rows to wait for. Elsewhere, rows of a sender that
        # looks dead are taken over only by one that has reached the database for a whole TIMEOUT:
        # after an outage that cut off everyone, each first records its own sends.
        take_over = self.engine.dialect.name == "sqlite" or self.heartbeat.healthy_for() >= self.heartbeat.timeout
        doubtful: set[int] = set()
        with unit_of_work(self.engine) as session:
            if beating:
                senders.beat(session, self.worker)
            rows = claims.claim(session, self.platforms.keys(), at, self.worker, limit, holding,
                                self.heartbeat.timeout, take_over=take_over, doubtful=doubtful)
        self.doubtful |= doubtful
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
        recorded = False
        try:
            recorded = await counted(self._send, item, row, now, stats, marks)  # metrics, request id
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # its outcome could not be stored: claimed again, and looked up, later
            log.warning("delivery %s: outcome not recorded: %s", row.id, scrub(repr(exc)))
        finally:
            if recorded:
                self.doubtful.discard(row.id)
            if row.id not in marks.unrecorded:
                self.holding.pop(row.id, None)
            self.on_the_wire.discard(asyncio.current_task())

    async def _not_composed(self, rows: list[Delivery], at: datetime) -> None:
        """Composing failed (a database hiccup, a bug): the rows count a try and wait, so one that
        never composes ends 'failed' instead of holding up the outbox."""
        def retry():
            with unit_of_work(self.engine) as session:
                for row in rows:
                    claims.mark_retry(session, row, at, "could not compose", claims.backoff(row.attempts), True)

        try:
            await asyncio.to_thread(retry)
        except Exception:  # the database is away: they are still ours, and the next claim takes them again
            pass
        for row in rows:
            self.holding.pop(row.id, None)

    async def _send(self, item: Outgoing, row: Delivery, now, stats: DrainStats, marks: Marks) -> bool:
        """Send one row and record how it went; True once that is stored (False: not sent, still claimed)."""
        platform = Metered(self.platforms[row.platform])  # its calls timed (counting.py)
        pacer = self.pacers[row.platform]
        key = platform.pace_key(item.target)
        # The mark happens inside the slot too, so at most `concurrency` rows are ever sent
        # but not yet recorded: that is the bound on what a crash can leave in doubt.
        async with pacer.in_flight:
            # Checked before a slot is booked as well: a slot booked during a hold is taken ahead of
            # a hold another process may begin meanwhile (budget.py), and would go inside it.
            held = pacer.holding(item.target.workspace)
            if not held:
                await pacer.wait(key, item.target.workspace)
                held = pacer.held(item.target.workspace)
            if held > 0:  # a 429's Retry-After or an open circuit: back in the outbox until it is over
                return await self._held(row, now(), held)
            if not marks.clear.is_set():  # sends are not being recorded: none more until they are
                await self._until_recorded(marks)
            if self.stopping() or not self._trusted(row.id):
                return False  # stays claimed: released when stopping, else claimed again (senders.Heartbeat)
            self.on_the_wire.add(asyncio.current_task())
            await marks.starting(row.id)  # from here on it may arrive: 'unsure' until recorded
            if (held := pacer.holding(item.target.workspace)) > 0:  # a 429 came while the mark was stored
                return await self._held(row, now(), held)
            started = time.monotonic()
            try:
                if item.edits is not None:  # the edit row keeps the post's new shape for the next edit
                    sent = await platform.update(item.target, item.edits, item.message)
                elif row.id in self.doubtful and (found := await platform.find_sent(item.target, row.key,
                                                                                   row.due_at)) is not None:
                    log.info("delivery %s had arrived before its sender stopped; not sent again", row.id)
                    stats.found += 1
                    sent = found
                else:
                    sent = await platform.send(item.target, item.message, key=row.key)
            except RateLimited as exc:
                await self._hold(pacer, item.target.workspace,
                                 pacer.rate_limited(key, exc.retry_after, exc.whole_workspace, item.target.workspace))
                await self._finish(claims.mark_retry, row, now(), f"rate limited: {exc}",
                                   timedelta(seconds=exc.retry_after), False, row.id in self.doubtful)
                stats.retried += 1
                return True
            except PermanentFailure as exc:
                await self._finish(claims.mark_failed, row.id, scrub(str(exc)))
                if isinstance(exc, Unreachable):
                    await self._finish(outbox.tell_mentor_unreachable, row, now())
                stats.failed += 1
                log.warning("delivery %s failed for good: %s", row.id, scrub(str(exc)))
                return True
            except (TemporaryFailure, SendError, OSError, asyncio.TimeoutError) as exc:
                await self._hold(pacer, item.target.workspace, pacer.went(item.target.workspace, False))
                unsure = row.id in self.doubtful or isinstance(exc, (Unanswered, asyncio.TimeoutError))
                status = await self._finish(claims.mark_retry, row, now(), scrub(f"{type(exc).__name__}: {exc}"),
                                            claims.backoff(row.attempts), True, unsure)
                stats.failed += status == "failed"
                stats.retried += status != "failed"
                return True
            except Exception as exc:  # a bug in a renderer must not stop the other sends
                log.exception("delivery %s crashed the sender", row.id)
                status = await self._finish(claims.mark_retry, row, now(), scrub(f"{type(exc).__name__}: {exc}"),
                                            claims.backoff(row.attempts), True)
                stats.failed += status == "failed"
                stats.retried += status != "failed"
                return True
            pacer.went(item.target.workspace, True)
            await marks.sent(row.id, now(), sent)
        stats.sent += 1
        stats.by_kind[row.kind] = stats.by_kind.get(row.kind, 0) + 1
        log.debug("delivery %s sent in %.0f ms", row.id, (time.monotonic() - started) * 1000)
        return True

    async def _held(self, row: Delivery, at: datetime, seconds: float) -> bool:
        await self._finish(claims.mark_retry, row, at, "the workspace is held", timedelta(seconds=seconds),
                           False, row.id in self.doubtful)
        return True

    @staticmethod
    async def _hold(pacer: Pacer, workspace: str, seconds: float) -> None:
        """A hold this process began (a 429, an open circuit): every sender process keeps to it."""
        if seconds > 0 and pacer.shared is not None:
            await pacer.shared.hold(workspace, seconds)

    async def _until_recorded(self, marks: Marks) -> None:
        """Wait until the sends already made are stored, or until stopping."""
        recorded = asyncio.ensure_future(marks.clear.wait())
        stopping = asyncio.ensure_future(self.stop.wait()) if self.stop is not None else None
        await asyncio.wait({recorded, stopping} - {None}, return_when=asyncio.FIRST_COMPLETED)
        for waiting in (recorded, stopping):
            if waiting is not None:
                waiting.cancel()

    async def _finish(self, mark, *args):
        def work():
            with unit_of_work(self.engine) as session:
                return mark(session, *args)

        return await asyncio.to_thread(work)
