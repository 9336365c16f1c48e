"""/metrics in Prometheus' text format (what is counted: bot/common/metrics.py).

The outbox's figures are read from the database when scraped (one GROUP BY), so every process
shows the same ones. METRICS_TOKEN, when set, is asked as a bearer token. With
PROMETHEUS_MULTIPROC_DIR set, a scrape sums the counters of every process that shares the folder.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import os
from datetime import datetime

from aiohttp import web
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from bot.common.logs import scrub
from bot.runtime.sending.senders import alive_after
from storage.db import unit_of_work
from storage.models import Delivery, Sender

log = logging.getLogger("kipina.metrics")

SCRAPE_WAIT = 10.0  # seconds a scrape may take before it is answered 503
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


# -- the scrape ----------------------------------------------------------------------------------


class Outbox:
    """The outbox and the senders as the database has them now (a prometheus-client collector)."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        try:
            rows, oldest, senders = self.read(self.app.clock.now())
        except Exception as error:  # the process's own figures still go out
            log.warning("outbox figures not read for /metrics: %s", scrub(type(error).__name__))
            return
        by_state = GaugeMetricFamily("kipina_outbox_rows", "Outbox rows by state and kind", labels=["state", "kind"])
        for state, kind, count in rows:
            by_state.add_metric([state, kind], count)
        yield by_state
        yield GaugeMetricFamily("kipina_outbox_oldest_due_seconds",
                                "How long the oldest due pending row has waited (0: none)", value=oldest)
        yield GaugeMetricFamily("kipina_senders_alive", "Senders whose heartbeat is fresh", value=senders)

    def read(self, now: datetime) -> tuple[list, float, int]:
        timeout = self.app.settings.sender_timeout_seconds
        with unit_of_work(self.app.engine) as session:
            rows = session.execute(select(Delivery.status, Delivery.kind, func.count())
                                   .group_by(Delivery.status, Delivery.kind)).all()
            due = session.execute(select(func.min(Delivery.due_at)).where(
                Delivery.status == "pending", Delivery.due_at <= now)).scalar()
            senders = session.execute(select(func.count()).select_from(Sender).where(
                Sender.heartbeat_at >= alive_after(session, timeout))).scalar()
        oldest = max((now - due).total_seconds(), 0.0) if due is not None else 0.0
        return [tuple(r) for r in rows], oldest, int(senders or 0)


def process_registry():
    """This process's metrics, or with PROMETHEUS_MULTIPROC_DIR those of every process sharing it."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def leaving() -> None:
    """A process that stops takes its live gauges (kipina_clock_leader) out of the shared folder."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(os.getpid())


def authorised(request: web.Request, token: str) -> bool:
    if not token:
        return True
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def handler(app, executor):
    """GET /metrics: the process's metrics, then the outbox's read from the database."""
    outbox = CollectorRegistry(auto_describe=False)
    outbox.register(Outbox(app))
    token = app.settings.metrics_token

    def render() -> bytes:
        return generate_latest(process_registry()) + generate_latest(outbox)

    async def scrape(request: web.Request) -> web.Response:
        if not authorised(request, token):
            return web.json_response({"error": "unauthorized"}, status=401,
                                     headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        loop = asyncio.get_running_loop()
        try:
            body = await asyncio.wait_for(loop.run_in_executor(executor, render), SCRAPE_WAIT)
        except asyncio.TimeoutError:
            return web.json_response({"error": "metrics took too long"}, status=503)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    return scrape
