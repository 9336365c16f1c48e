"""Long-running processes: web app, clock (scheduler + dispatcher), worker (dispatcher only)."""
from __future__ import annotations

import asyncio
import logging
import signal
import sys
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from bot.app import build
from bot.clock import build_scheduler
from bot.config import Settings
from bot.leader import Leadership

log = logging.getLogger("kipina.service")


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
        log.warning("no platform configured: only /healthz is served (set SLACK_* or MICROSOFT_APP_ID)")
    runner = None
    if with_web:
        from bot.web import make_web_app

        runner = web.AppRunner(make_web_app(app), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "0.0.0.0", port or settings.port).start()
        log.info("listening on port %d for %s", port or settings.port, ", ".join(app.platforms) or "health checks")
    else:
        for platform in app.platforms.values():
            await platform.start()
    tasks = []
    if with_clock:
        tasks.append(asyncio.create_task(lead_the_clock(app, stop, poll=settings.clock_standby_poll_seconds)))
    if with_clock or not with_web:
        tasks.append(asyncio.create_task(app.dispatcher.run(app.clock.now, stop)))
    await stop.wait()
    log.info("shutting down")
    for task in tasks:
        await asyncio.wait_for(task, 30)
    if runner is not None:
        await runner.cleanup()
    else:
        for platform in app.platforms.values():
            await platform.stop()
    return 0


async def lead_the_clock(app, stop: asyncio.Event, check_every: float = 10.0, poll: float = 5.0) -> None:
    """Run the scheduler only while this process holds the clock lock; stand by otherwise.

    A standby tries for the lock every `poll` seconds (CLOCK_STANDBY_POLL_SECONDS), so it leads
    within that long after the leader's session ends."""
    leadership = Leadership(app.engine)
    while await leadership.wait(stop, poll):
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
    leadership.release()
