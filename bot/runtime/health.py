"""Probes for an orchestrator: /livez (the process runs), /readyz (it can do its work; /healthz is the
same), and /metrics (bot/runtime/metrics.py).

The web process serves them on PORT with the rest of its routes; clock and worker processes have
no web app, and serve only these on HEALTH_PORT when it is set (`listen`).
"""
from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web
from sqlalchemy.engine import Engine

from bot import platforms as registry
from bot.runtime import metrics
from storage.db import alembic_config

log = logging.getLogger("kipina.health")

DATABASE_WAIT = 3.0  # seconds the database has to answer a readiness probe
# Probes and scrapes ask the database on threads of their own: while it hangs, they pile up here
# and not in the pool the core's requests run on.
PROBES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kipina-probe")


@functools.cache
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()


def database_revision(engine: Engine) -> str | None:
    """The database's Alembic revision (None: never migrated). Read on the driver's own connection,
    outside a transaction: on SQLite a transaction here would take the write lock (storage.db)."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute("SELECT version_num FROM alembic_version")
            row = cursor.fetchone()
        except Exception as error:
            if "alembic_version" not in str(error):  # anything but a missing table: the database's fault
                raise
            row = None
        finally:
            cursor.close()
            connection.rollback()
        return row[0] if row else None
    finally:
        connection.close()


async def in_probe_thread(work, timeout: float):
    loop = asyncio.get_running_loop()
    return await asyncio.wait_for(loop.run_in_executor(PROBES, work), timeout)


async def readiness(app) -> tuple[bool, dict]:
    """Ready: the database answers within DATABASE_WAIT, its schema is the code's, and every platform
    configured in the environment has started."""
    try:
        revision = await in_probe_thread(functools.partial(database_revision, app.engine), DATABASE_WAIT)
    except Exception as error:
        log.warning("not ready: database unreachable (%s)", type(error).__name__)
        return False, {"ok": False, "reason": "database unreachable"}
    head = head_revision()
    if revision != head:
        return False, {"ok": False, "reason": "migrations behind: run `python -m bot migrate`",
                       "revision": revision, "expected": head}
    missing = sorted(set(registry.enabled(app.settings.env)) - app.started)
    if missing:
        return False, {"ok": False, "reason": f"platforms not set up: {', '.join(missing)}"}
    return True, {"ok": True, "revision": revision, "platforms": sorted(app.platforms)}


def add_routes(web_app: web.Application, app) -> None:
    """/livez, /readyz, /healthz and /metrics for `app`."""

    async def livez(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})  # no database call: the process answers, that is all

    async def readyz(_request: web.Request) -> web.Response:
        ok, body = await readiness(app)
        return web.json_response(body, status=200 if ok else 503)

    web_app.router.add_get("/livez", livez)
    web_app.router.add_get("/readyz", readyz)
    web_app.router.add_get("/healthz", readyz)
    web_app.router.add_get("/metrics", metrics.handler(app, PROBES))


async def listen(app, port: int) -> web.AppRunner:
    """The probes alone on `port` (HEALTH_PORT), for the clock and worker processes."""
    web_app = web.Application()
    add_routes(web_app, app)
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", port).start()
    log.info("health and metrics on port %d", port)
    return runner
