"""What every platform needs around the port: work after the ack, asking the core, rate limits.

Slack and Teams both answer a request at once and do the work afterwards, one person's requests
in one conversation in the order they came (Lanes); both run the core in a thread (it blocks on
the database) and then wake the dispatcher for what the request planned; both meet 429s with a
Retry-After. That is written once, here.
"""
from __future__ import annotations

import asyncio
import contextvars
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import replace
from typing import TypeVar

from bot.common.logs import scrub
from bot.ports import Limits, RateLimited, SendError, TemporaryFailure

log = logging.getLogger("kipina.platforms")

T = TypeVar("T")
MAX_INLINE_WAIT = 10.0  # seconds a direct reply may wait for a rate limit to pass


class Background:
    """Work started after an ack, kept until done so that stop() (and tests) can wait for it."""

    def __init__(self, name: str):
        self.name = name
        self.tasks: set[asyncio.Task] = set()

    def spawn(self, work: Awaitable[T], context: contextvars.Context | None = None) -> asyncio.Task:
        """`context`: the context variables it runs with (the request id); None: the caller's."""
        task = asyncio.get_running_loop().create_task(work, context=context) if context is not None \
            else asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s request failed after its ack: %s", self.name, scrub(repr(task.exception())))

    async def idle(self, timeout: float | None = 30) -> None:
        """Wait until the work started by requests is done (work may start more work)."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self.tasks:
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                return
            done, _ = await asyncio.wait(set(self.tasks), timeout=left)
            if not done:
                return


class Lanes:
    """One person's requests in one conversation, handled one after another in the order they
    arrived; other people's lanes run side by side.

    A platform acks at once and hands the work to `add`: the ack never waits on the queue. Order
    holds within this process only (see README, "Several web processes"). A request that takes
    longer than STUCK no longer holds the lane: it finishes on its own and the next one starts.
    """

    STUCK = 60.0  # seconds

    def __init__(self, background: Background):
        self.background = background
        self.waiting: dict[Hashable, deque[tuple[Callable[[], Awaitable], contextvars.Context]]] = {}

    def add(self, key: Hashable, work: Callable[[], Awaitable]) -> None:
        # Work queued behind another request's runs in the context of the request that queued it
        # (its request id), not in the lane's.
        queued = (work, contextvars.copy_context())
        queue = self.waiting.get(key)
        if queue is not None:
            queue.append(queued)
            return
        self.waiting[key] = deque([queued])
        self.background.spawn(self._run(key))

    async def _run(self, key: Hashable) -> None:
        queue = self.waiting[key]
        try:
            while queue:
                work, context = queue.popleft()
                try:
                    task = self.background.spawn(context.run(work), context)
                except Exception as error:  # a request that could not even start must not stop the lane
                    log.error("%s request not started: %s", self.background.name, scrub(repr(error)))
                    continue
                done, _ = await asyncio.wait({task}, timeout=self.STUCK)
                if not done:
                    log.warning("%s request still running after %.0f s; the next one goes ahead",
                                self.background.name, self.STUCK)
        finally:
            del self.waiting[key]  # nothing awaits between the last check and here

    def busy(self) -> int:
        """Lanes with work queued or running (tests, diagnostics)."""
        return len(self.waiting)


def retry_after(headers, default: float = 30.0) -> float:
    """Seconds from a Retry-After header (a number; anything else gives the default)."""
    try:
        value = float((headers or {}).get("Retry-After") or default)
    except (TypeError, ValueError):
        return default
    return value if value >= 0 else default


def jitter(low: float, high: float) -> float:
    return random.uniform(low, high)


def paced(limits: Limits, rate: float) -> Limits:
    """The platform's limits at the configured workspace-wide rate. A small burst: the limit is
    shared with nothing we can see, and a burst beyond what the service tolerates comes back
    as a wave of 429s at the start of a fan-out."""
    return replace(limits, global_rate=rate, global_burst=max(1, round(rate / 20)))


async def once_more(call: Callable[[], Awaitable[T]], what: str, raise_errors: bool = False) -> T | None:
    """A direct reply meets the same limits as the outbox: one more try after a short pause (or a
    Retry-After of at most MAX_INLINE_WAIT); otherwise logged (or raised)."""
    try:
        return await call()
    except (RateLimited, TemporaryFailure) as error:
        wait = error.retry_after if isinstance(error, RateLimited) else jitter(0.5, 1.5)
        failure: SendError = error
        if wait <= MAX_INLINE_WAIT:
            await asyncio.sleep(wait)
            try:
                return await call()
            except SendError as again:
                failure = again
    except SendError as error:
        failure = error
    if raise_errors:
        raise failure
    log.warning("%s not delivered: %s", what, scrub(str(failure))[:200])
    return None


async def reshape(more: tuple[str, ...], parts: list, edit: Callable[[str, object], Awaitable[bool]],
                  drop: Callable[[str], Awaitable[bool]], add: Callable[[object], Awaitable[str | None]]
                  ) -> tuple[str, ...]:
    """The posts a long message continued in (`more`, ids in order) brought to its new
    continuations (`parts`): each edited in place, those no longer needed dropped (an answer taken
    back must not stay in the thread), new ones added. edit/drop answer False for a post that is
    gone; returns the ids the message continues in now."""
    kept = [post for post, part in zip(more, parts) if await edit(post, part)]
    for post in more[len(parts):]:
        await drop(post)
    kept += [await add(part) for part in parts[len(more):]]
    return tuple(post for post in kept if post)
