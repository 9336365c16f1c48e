"""The aiohttp app: platform routes (/slack/events, /api/messages) and /healthz."""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from sqlalchemy import text

from bot import dashboard
from bot.runtime.app import App

log = logging.getLogger("kipina.web")

APP_KEY = web.AppKey("kipina", App)


class ClientFaults(logging.Filter):
    """aiohttp logs a request it cannot parse (a bad header, a Content-Encoding it cannot decode) at
    ERROR with a traceback before any route sees it. That is the sender's fault, answered with a
    400 already: one warning line, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError) and 400 <= (error.code or 0) < 500:
            record.msg, record.args = f"{record.getMessage()}: {type(error).__name__} ({error.code})", ()
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


CLIENT_FAULTS = ClientFaults()


def make_web_app(app: App, stop_within: float = 10.0) -> web.Application:
    web_app = web.Application(client_max_size=1024 * 1024)
    logging.getLogger("aiohttp.server").addFilter(CLIENT_FAULTS)  # once: the same filter is not added twice
    web_app[APP_KEY] = app
    web_app.router.add_get("/healthz", healthz)
    for platform in app.platforms.values():
        platform.add_routes(web_app)
    dashboard.add_routes(web_app, app)  # /dashboard…: sign-in links and pages

    async def start_platforms(_):
        for platform in app.platforms.values():
            await platform.start()

    async def stop_all(_):
        await stop_platforms(app.platforms.values(), stop_within)

    web_app.on_startup.append(start_platforms)
    web_app.on_cleanup.append(stop_all)
    return web_app


async def stop_platforms(platforms, within: float) -> None:
    """A platform's stop() first waits for the work of requests it already answered (10 s); a
    restart waits for all of them `within` seconds at most."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    for platform in platforms:
        try:
            await asyncio.wait_for(platform.stop(), max(deadline - loop.time(), 0.1))
        except asyncio.TimeoutError:
            log.warning("%s still busy after %.0f s; stopped without waiting", platform.name, within)
        except Exception as exc:
            log.warning("%s did not stop cleanly: %s", platform.name, type(exc).__name__)


async def healthz(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]

    def ping() -> None:
        with app.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(asyncio.to_thread(ping), 5)
    except Exception:
        return web.json_response({"ok": False, "database": "unreachable"}, status=503)
    return web.json_response({"ok": True, "platforms": sorted(app.platforms)})
