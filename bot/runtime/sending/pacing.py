"""Keep within a platform's rate limits without sleeping per call.

Each limit is a GCRA bucket: a sender reserves the next free slot and waits only for it,
so thousands of concurrent senders queue in order without a thundering herd. A 429's
Retry-After holds the whole workspace (or, where the platform says so, one conversation);
storms of server errors open a circuit (breaker.py). With a `shared` budget
(bot/runtime/sending/budget.py, PostgreSQL) each send also takes a slot of its workspace's rate
booked in the database, which every sender process shares, holds included.
"""
from __future__ import annotations

import asyncio
import time

from bot.ports import Limits
from bot.runtime.sending.breaker import Weather

HOLD_MARGIN = 0.1  # seconds a 429's hold is kept past its Retry-After: the senders' clocks differ a little
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
    def __init__(self, limits: Limits, clock=time.monotonic, shared=None, platform: str = "", time_now=time.time):
        self.limits = limits
        self.clock = clock
        self.time_now = time_now  # seconds on the bot's clock: holds are kept on it (a test's moves)
        self.platform = platform
        self.shared = shared  # a SharedBudget on the same clock, or None: this process alone
        self.overall = Bucket(limits.global_rate, limits.global_burst)
        self.targets: dict[str, Bucket] = {}
        self.weather: dict[str, Weather] = {}  # workspace → its holds and circuit
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

    def _weather(self, workspace: str) -> Weather:
        found = self.weather.get(workspace)
        if found is None:
            found = self.weather[workspace] = Weather(self.platform, workspace)
        return found

    def held(self, workspace: str) -> float:
        """Seconds during which nothing may go to `workspace` (a 429, an open circuit); 0: go. The
        dispatcher gives such rows back for that long instead of keeping them waiting in a slot."""
        return self._weather(workspace).wait(self.time_now())

    def holding(self, workspace: str) -> float:
        """Seconds left of a hold on `workspace` (a 429, an open circuit before its probe); 0: none.
        Unlike held(), asking does not make the asker the circuit's probe."""
        return self._weather(workspace).left(self.time_now())

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

    def back_off(self, key: str | None, seconds: float) -> None:
        """Honour a Retry-After: for one target, or (key None) for everything on this platform."""
        now = self.clock()
        (self.overall if key is None else self._target(key)).block(now, seconds)

    def rate_limited(self, key: str, seconds: float, whole_workspace: bool, workspace: str = "") -> float:
        """A 429. Its conversation waits Retry-After; so does every send to the workspace when the
        platform's limit is the workspace's (both do so). Returns the seconds of a new workspace
        hold, for the other sender processes to keep to as well (0: none)."""
        held = seconds + HOLD_MARGIN
        self._target(key).block(self.clock(), held)
        if whole_workspace and self._weather(workspace).limited(self.time_now(), held, asked=seconds):
            return held
        return 0.0

    def heard(self, workspace: str, seconds: float) -> None:
        """Another sender process holds `workspace` for `seconds` more (budget.holds)."""
        self._weather(workspace).heard(self.time_now(), seconds)

    def went(self, workspace: str, ok: bool) -> float:
        """A call to the workspace went through (True) or failed with a server error or no answer;
        returns how long sends stop there when that opened the circuit (0: they go on)."""
        return self._weather(workspace).went(self.time_now(), ok)


def hear(pacers: dict[str, Pacer], holds: dict[tuple[str, str], float]) -> None:
    """Holds read from the database, (platform, workspace) → seconds left, kept by these pacers."""
    for (platform, workspace), seconds in holds.items():
        if platform in pacers:
            pacers[platform].heard(workspace, seconds)
