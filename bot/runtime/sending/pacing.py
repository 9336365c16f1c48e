"""Keep within a platform's rate limits without sleeping per call.

Each limit is a GCRA bucket: a sender reserves the next free slot and waits only for it,
so thousands of concurrent senders queue in order without a thundering herd. A 429's
Retry-After blocks only the bucket it concerns (one channel, or the whole method). With a
`shared` budget (bot/runtime/sending/budget.py, PostgreSQL) each send also takes a slot of its
workspace's rate booked in the database, which every sender process shares.
"""
from __future__ import annotations

import asyncio
import time
from collections import deque

from bot.ports import Limits


STORM_WINDOW = 2.0  # seconds
# Platform-wide 429s within the window mean we really are over the limit when there are at least
# this many and they are at least this share of what was sent: a service that refuses a few
# percent of calls at random sends several a second at 100 messages a second, and that is noise.
STORM_SIZE = 3
STORM_SHARE = 0.1
LATE_WAKES = 3  # a slot slept through is given up at most this often per send, then it goes anyway


class Bucket:
    def __init__(self, rate: float, burst: int):
        self.interval = 1.0 / rate
        self.tolerance = max(burst - 1, 0) * self.interval
        self.tat = 0.0  # theoretical arrival time of the next request
        self.blocked_until = 0.0

    def reserve(self, now: float) -> float:
        """Book the next slot; returns how long to wait for it."""
        tat = max(self.tat, now, self.blocked_until)
        self.tat = tat + self.interval
        return max(0.0, tat - self.tolerance - now, self.blocked_until - now)

    def block(self, now: float, seconds: float) -> None:
        """Nothing before `now + seconds`, and then no burst: senders queued meanwhile go one
        interval apart, or they would meet the limit all at once when the block ends."""
        self.blocked_until = max(self.blocked_until, now + seconds)
        self.tat = max(self.tat, self.blocked_until + self.tolerance)


class Pacer:
    def __init__(self, limits: Limits, clock=time.monotonic, shared=None):
        self.limits = limits
        self.clock = clock
        self.shared = shared  # a SharedBudget on the same clock, or None: this process alone
        self.overall = Bucket(limits.global_rate, limits.global_burst)
        self.targets: dict[str, Bucket] = {}
        self.recent_429s: list[float] = []
        self.recent_sends: deque[float] = deque()  # when requests went out, within STORM_WINDOW
        self._slots: tuple[object, asyncio.Semaphore] | None = None

    @property
    def in_flight(self) -> asyncio.Semaphore:
        """At most `concurrency` requests at once (one semaphore per event loop)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(self.limits.concurrency))
        return self._slots[1]

    def _target(self, key: str) -> Bucket:
        bucket = self.targets.get(key)
        if bucket is None:
            if len(self.targets) > 50_000:
                self.targets.clear()  # idle buckets carry no debt worth keeping
            bucket = self.targets[key] = Bucket(self.limits.per_target_rate, self.limits.per_target_burst)
        return bucket

    async def wait(self, key: str, workspace: str = "") -> None:
        """Wait until one more message to `key` fits every limit (re-checked after a block)."""
        while True:
            now = self.clock()
            target = self._target(key)
            delay = max(target.reserve(now), self.overall.reserve(now))
            if delay > 0:
                await asyncio.sleep(delay)
                now = self.clock()
            # The shared slot comes last: a send held up by its channel would waste it.
            if self.shared is not None and self._open(target, now):
                now = await self._shared_slot(workspace)
            if self._open(target, now):
                self._sent(now)
                return

    async def _shared_slot(self, workspace: str) -> float:
        """Wait for this process's next slot of the workspace's shared rate; returns the time."""
        for _ in range(LATE_WAKES):
            at = await self.shared.slot(workspace)
            now = self.clock()
            if at is None:  # the database is away: this process paces alone meanwhile
                return now
            if at > now:
                await asyncio.sleep(at - now)
                now = self.clock()
            if now - at <= self.shared.late:
                return now
            # Woken late (a busy loop): the sends that slept through a stall would all go at once.
        return now

    def _open(self, target: Bucket, now: float) -> bool:
        return now >= target.blocked_until and now >= self.overall.blocked_until

    def _sent(self, now: float) -> None:
        self.recent_sends.append(now)
        self._forget(now)

    def _forget(self, now: float) -> None:
        while self.recent_sends and now - self.recent_sends[0] >= STORM_WINDOW:
            self.recent_sends.popleft()

    def back_off(self, key: str | None, seconds: float) -> None:
        """Honour a Retry-After: for one target, or (key None) for everything on this platform."""
        now = self.clock()
        (self.overall if key is None else self._target(key)).block(now, seconds)

    def rate_limited(self, key: str, seconds: float, platform_wide: bool) -> None:
        """A 429. Its target waits Retry-After. A platform-wide limit stops every send only when
        429s come in a burst (see STORM_*): we pace within the published limit, so a lone 429 is
        noise, and stopping everything for each one would stall a fan-out for no gain."""
        now = self.clock()
        self._target(key).block(now, seconds)
        if platform_wide:
            self.recent_429s = [t for t in self.recent_429s if now - t < STORM_WINDOW] + [now]
            self._forget(now)
            many = len(self.recent_429s) >= STORM_SIZE
            if many and len(self.recent_429s) >= STORM_SHARE * len(self.recent_sends):
                self.overall.block(now, seconds)
