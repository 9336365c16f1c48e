"""Recording sends: a row is marked 'unsure' just before its send goes out and 'sent' when it is
done, the marks of the last few milliseconds written together, and kept until the database takes them.

Marks go in one transaction for the rows of the last few milliseconds, not one per row (at 100
messages a second that was most of the sender's CPU). A send waits for its 'unsure' mark before
it goes, so after a crash exactly the rows that may have arrived are the 'unsure' ones: only
those are looked up (Platform.find_sent) or, where the platform cannot tell, sent again. When the
database does not take the marks (an outage, a failover) they stay here and are written again,
with growing pauses, until it does; meanwhile `clear` is unset and no new send starts: a sender
that cannot record its sends stops sending, and when the database is back the first thing written
is what it already sent. The senders waiting for their marks keep their slots, so at most
`concurrency` rows are ever on their way. On PostgreSQL the same transaction reads the holds other
sender processes began (a 429 there): a send whose mark comes back with its workspace held is put back.
"""
from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.common.logs import scrub
from bot.ports import Sent
from bot.runtime.sending import budget, claims
from storage.db import unit_of_work

log = logging.getLogger("kipina.dispatch")

GATHER = 0.02  # seconds a mark waits for others to go with it
MOST_PAUSE = 2.0  # seconds between two tries at most while the database does not take the marks


class Marks:
    def __init__(self, engine: Engine, worker: str, gather: float = GATHER, heard=None):
        self.engine, self.worker, self.gather = engine, worker, gather
        self.heard = heard  # called with budget.holds() when sends start; None: no shared holds
        # (row id, None) for a send about to go, (row id, (when, where)) for one done
        self.waiting: list[tuple[tuple[int, tuple[datetime, Sent] | None], asyncio.Future]] = []
        self.writer: asyncio.Task | None = None
        self.failing_since: float | None = None  # time.monotonic() of the first failed write
        self.clear = asyncio.Event()  # set while marks are being stored
        self.clear.set()

    @property
    def unrecorded(self) -> set[int]:
        """Rows whose mark is not stored yet."""
        return {mark[0] for mark, _ in self.waiting}

    async def starting(self, row_id: int) -> None:
        """Returns once the row is marked 'unsure': its send may go out now."""
        await self._add((row_id, None))

    async def sent(self, row_id: int, at: datetime, post: Sent) -> None:
        """Returns once the row is marked 'sent'; cancelling the wait leaves the mark to be written."""
        await self._add((row_id, (at, post)))

    async def _add(self, mark: tuple) -> None:
        done = asyncio.get_running_loop().create_future()
        self.waiting.append((mark, done))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write())
        await asyncio.shield(done)

    async def settled(self, timeout: float) -> bool:
        """Wait up to `timeout` for every mark to be stored; True if they were."""
        if self.writer is not None and not self.writer.done():
            await asyncio.wait({self.writer}, timeout=timeout)
        return not self.waiting

    async def _write(self) -> None:
        pause = self.gather
        while self.waiting:
            await asyncio.sleep(pause)
            batch = list(self.waiting)  # marks only ever join at the end
            try:
                held = await asyncio.to_thread(self._store, [mark for mark, _ in batch])
            except Exception as exc:
                if self.failing_since is None:
                    self.failing_since = time.monotonic()
                    self.clear.clear()
                    log.warning("could not record %d sends: %s; no more sends until they are recorded",
                                len(batch), scrub(repr(exc)))
                pause = min(max(pause * 2, 0.1), MOST_PAUSE)
                continue
            del self.waiting[:len(batch)]
            if held:
                self.heard(held)  # before the senders go on: they look at the holds next
            for _, done in batch:
                if not done.done():
                    done.set_result(None)
            if self.failing_since is not None:
                log.info("recorded sends again after %.1f s; sending goes on",
                         time.monotonic() - self.failing_since)
                self.failing_since = None
                self.clear.set()
            pause = self.gather

    def _store(self, marks: list[tuple]) -> dict:
        started = [row for row, done in marks if done is None]
        sent = [(row, at, post) for row, done in marks if done is not None for at, post in (done,)]
        with unit_of_work(self.engine) as session:
            if started:
                claims.mark_started_many(session, self.worker, started)
            if sent:
                claims.mark_sent_many(session, sent)
            if started and self.heard is not None:
                return budget.holds(session.connection())
        return {}
