"""What the sender counts for /metrics (bot/common/metrics.py): each send's outcome by platform,
the time its platform call took, 429s and their Retry-After. While a row is sent, its request id
(the request that planned it) is the current one, so every line logged about it carries that id.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime

from bot.common import metrics
from bot.common.logs import request_id
from bot.ports import RateLimited
from storage.models import Delivery

log = logging.getLogger("kipina.dispatch")


class Metered:
    """A platform whose outbox calls are timed and whose 429s are counted (Dispatcher._send)."""

    def __init__(self, platform):
        self.platform = platform
        self.name = platform.name

    def __getattr__(self, name: str):
        return getattr(self.platform, name)

    async def _timed(self, call):
        started = time.perf_counter()
        try:
            return await call
        except RateLimited as limited:
            metrics.rate_limited.labels(self.name).inc()
            metrics.retry_after_seconds.labels(self.name).inc(max(limited.retry_after, 0))
            raise
        finally:
            metrics.send_seconds.labels(self.name).observe(time.perf_counter() - started)

    async def send(self, target, message, key: str = ""):
        return await self._timed(self.platform.send(target, message, key=key))

    async def update(self, target, sent, message):
        return await self._timed(self.platform.update(target, sent, message))

    async def find_sent(self, target, key: str, since: datetime):
        return await self._timed(self.platform.find_sent(target, key, since))


async def counted(send, item, row: Delivery, now, stats, marks) -> bool:
    """Dispatcher._send for one row, counted by outcome, with the request id of the request that
    planned the row on every line it logs (and one line of its own for such rows)."""
    mine = type(stats)()  # this send's share of the drain's figures
    token = request_id.set(row.request_id)
    try:
        recorded = await send(item, row, now, mine, marks)
        outcome = outcome_of(mine) if recorded else None
        if outcome is not None:
            metrics.sends.labels(row.platform, outcome).inc()
            if row.request_id:
                log.info("delivery %s (%s) %s", row.id, row.kind, outcome)
        return recorded
    finally:
        request_id.reset(token)
        for name in ("sent", "cancelled", "retried", "failed", "found"):
            setattr(stats, name, getattr(stats, name) + getattr(mine, name))
        for kind, count in mine.by_kind.items():
            stats.by_kind[kind] = stats.by_kind.get(kind, 0) + count


def outcome_of(stats) -> str:
    """What one recorded send came to; a row given back without a try (a hold) counts nothing else."""
    for outcome in ("found", "sent", "failed", "retried"):
        if getattr(stats, outcome):
            return outcome
    return "held"
