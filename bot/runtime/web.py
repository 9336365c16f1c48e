"""The aiohttp app: platform routes (/slack/events, /api/messages) and /healthz."""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from sqlalchemy import text

from bot import dashboard
from bot.runtime.app import App

log = logging.getLogger("kipina.web")

APP_KEY = web.AppKey("kipina", App)


def make_web_app(app: App, stop_within: float = 10.0) -> web.Application:
    web_app = web.Application(client_max_size=1024 * 1024)
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
