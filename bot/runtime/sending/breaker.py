"""When a workspace's platform is in trouble: holds for Retry-After, and a circuit for 5xx storms.

A 429 holds every send to that workspace (Slack team, Teams tenant) for its Retry-After: the
service said when it will take more. Server errors and time-outs are different: nobody says
when it is over. One in a while is retried with its row's backoff; many (FAIL_COUNT, at least
FAIL_SHARE of the calls within FAIL_WINDOW) open the circuit: no call for OPEN_FIRST seconds,
then one call probes; its success closes the circuit, its failure opens it again for twice as
long (at most OPEN_MOST). Each storm is logged once when it begins and once when it ends, with
its figures. On PostgreSQL every sender process keeps to a hold another one began (budget.py).
"""
from __future__ import annotations

import logging
from collections import deque

log = logging.getLogger("kipina.dispatch")

FAIL_WINDOW = 10.0  # seconds
FAIL_COUNT = 5
FAIL_SHARE = 0.5
OPEN_FIRST = 2.0  # seconds
OPEN_MOST = 60.0
PROBE_WAIT = 1.0  # seconds a send is put back while the probe is out


class Weather:
    """One workspace's trouble, as this process has seen it, on the pacer's clock."""

    def __init__(self, platform: str, workspace: str):
        self.platform, self.workspace = platform, workspace
        self.held_until = 0.0  # a 429's Retry-After, or an open circuit
        self.outcomes: deque[tuple[float, bool]] = deque()  # (when, went through) within FAIL_WINDOW
        self.open_for = 0.0  # 0: the circuit is closed
        self.probing = False
        self.storm_began: float | None = None
        self.refused = 0  # calls answered 429, 5xx or not at all in this storm

    def wait(self, now: float) -> float:
        """Seconds before a send to this workspace may go (0: now). While the circuit is open past
        its time, the first to ask is the probe and goes; the others are put back until its outcome."""
        if now < self.held_until:
            return self.held_until - now
        if self.open_for and not self.probing:
            self.probing = True
            return 0.0
        return PROBE_WAIT if self.probing else 0.0

    def left(self, now: float) -> float:
        return max(0.0, self.held_until - now)

    def heard(self, now: float, seconds: float) -> None:
        """A hold another process began: kept, not logged (that process logs its storm)."""
        self.held_until = max(self.held_until, now + seconds)

    def limited(self, now: float, seconds: float, asked: float | None = None) -> bool:
        """A 429: hold `seconds` (its Retry-After, `asked`, and a margin); True if that is a new
        hold (others should hear of it)."""
        self._storm(now, f"asked to wait {seconds if asked is None else asked:g} s (429)")
        self.refused += 1
        new = now + seconds > self.held_until
        self.held_until = max(self.held_until, now + seconds)
        self.probing = False
        return new

    def went(self, now: float, ok: bool) -> float:
        """A call's outcome (429s aside); returns how long sends now stop (0: they go on)."""
        self._forget(now)
        self.outcomes.append((now, ok))
        if ok:
            if self.storm_began is not None and now >= self.held_until:
                log.info("%s workspace %s answers again after %.0f s (%d calls refused meanwhile)",
                         self.platform, self.workspace, now - self.storm_began, self.refused)
                self.storm_began, self.refused = None, 0
            self.open_for, self.probing = 0.0, False
            return 0.0
        self.refused += 1
        failed = sum(1 for _, fine in self.outcomes if not fine)
        if self.probing or (not self.open_for and failed >= FAIL_COUNT and failed >= FAIL_SHARE * len(self.outcomes)):
            self.open_for = min(OPEN_MOST, self.open_for * 2) if self.open_for else OPEN_FIRST
            self.probing = False
            self._storm(now, f"{failed} of {len(self.outcomes)} calls failed in {FAIL_WINDOW:g} s (server errors "
                             f"or no answer); calls pause, then one tries")
            self.held_until = max(self.held_until, now + self.open_for)
            return self.open_for
        return 0.0

    def _storm(self, now: float, what: str) -> None:
        if self.storm_began is None:
            self.storm_began = now
            log.warning("%s workspace %s: %s", self.platform, self.workspace, what)

    def _forget(self, now: float) -> None:
        while self.outcomes and now - self.outcomes[0][0] > FAIL_WINDOW:
            self.outcomes.popleft()
