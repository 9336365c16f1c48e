"""Long-running processes: web app, clock (scheduler + dispatcher), worker (dispatcher only)."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from bot.common.metrics import clock_leader
from bot.runtime import health, metrics
from bot.runtime.app import build
from bot.runtime.clock import build_scheduler
from bot.common.config import Settings
from bot.runtime.leader import Leadership
from bot.runtime.web import make_web_app, stop_platforms

log = logging.getLogger("kipina.service")

STOP_WITHIN = 10.0  # seconds from SIGTERM to exit: a PaaS restart waits this long at most


async def serve(settings: Settings, with_web: bool = True, with_clock: bool = True, port: int | None = None) -> int:
    app = build(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Core requests and outbox marks run in threads. More threads than the database pool keeps
    # (10) open connections beyond it for every burst and lets a fan-out's marks crowd the GIL;
    # requests answered during a fan-out came back faster with 8 than with 24 (bench/latency.py).
    loop.set_default_executor(ThreadPoolExecutor(max_workers=8, thread_name_prefix="kipina"))
    # Those threads hand the GIL back to the event loop every switch interval; at the default
    # 5 ms an ack waits behind a busy core thread for up to that long each time it needs the GIL.
    sys.setswitchinterval(0.001)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if not app.platforms:
        log.warning("no platform configured: only /livez, /readyz and /metrics are served (set SLACK_* or "
                    "MICROSOFT_APP_ID)")
    runner = None
    if with_web:
        # Stopping, requests under way get 1 s and the work they started 2 s more (shut_down).
        runner = web.AppRunner(make_web_app(app, stop_within=2.0), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, "0.0.0.0", port or settings.port).start()
        log.info("listening on port %d for %s", port or settings.port, ", ".join(app.platforms) or "health checks")
    else:
        for platform in app.platforms.values():
            await platform.start()
            app.started.add(platform.name)
    probes = None
    if not with_web and settings.health_port:  # clock and worker: the probes alone, for an orchestrator
        probes = await health.listen(app, settings.health_port)
    tasks = []
    if with_clock:
        tasks.append(asyncio.create_task(lead_the_clock(app, stop, poll=settings.clock_standby_poll_seconds)))
    if with_clock or not with_web:
        tasks.append(asyncio.create_task(app.dispatcher.run(app.clock.now, stop)))
    await stop.wait()
    await shut_down(app, runner, tasks, probes)
    return 0


async def shut_down(app, runner: web.AppRunner | None, tasks: list[asyncio.Task],
                    probes: web.AppRunner | None = None) -> None:
    """SIGTERM: take no new requests; the dispatcher stops claiming, lets sends under way finish
    and releases the rest (Dispatcher.run); then the platforms close. All within STOP_WITHIN."""
    log.info("shutting down")
    exit_by_force_after(STOP_WITHIN - 0.5)
    if probes is not None:
        for site in list(probes.sites):  # not ready any more: an orchestrator sees the port close
            await site.stop()
    if runner is not None:
        for site in list(runner.sites):
            await site.stop()  # requests already being handled still get their answer
    if tasks:
        _, late = await asyncio.wait(tasks, timeout=5.0)  # the dispatcher's grace is 3 s
        for task in late:
            task.cancel()
        if late:
            log.warning("%d tasks still running after 5 s; cancelled", len(late))
            await asyncio.wait(late, timeout=1.0)
    if runner is not None:
        await runner.cleanup()  # 1 s for requests under way, 2 s for the work they started
    else:
        await stop_platforms(app.platforms.values(), 2.0)
    if probes is not None:
        await probes.cleanup()
    metrics.leaving()
    log.info("stopped")


def exit_by_force_after(seconds: float) -> None:
    """Whatever still hangs by then (a database call in a thread), the process exits: rows it
    claimed are released already, or taken over once its heartbeat is stale."""
    def exit_now():
        log.error("still stopping after %.1f s; exiting now", seconds)
        os._exit(1)

    timer = threading.Timer(seconds, exit_now)
    timer.daemon = True
    timer.start()


async def lead_the_clock(app, stop: asyncio.Event, check_every: float = 10.0, poll: float = 5.0) -> None:
    """Run the scheduler only while this process holds the clock lock; stand by otherwise.

    A standby tries for the lock every `poll` seconds (CLOCK_STANDBY_POLL_SECONDS), so it leads
    within that long after the leader's session ends."""
    leadership = Leadership(app.engine)
    while await leadership.wait(stop, poll):
        clock_leader.set(1)
        scheduler = build_scheduler(app)
        scheduler.start()
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), check_every)
            except asyncio.TimeoutError:
                pass
            if not stop.is_set() and not await asyncio.to_thread(leadership.still_held):
                log.warning("lost the clock lock; standing by")
                break
        scheduler.shutdown(wait=False)
        clock_leader.set(0)
    leadership.release()
