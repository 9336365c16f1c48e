"""The aiohttp app: platform routes (/slack/events, /api/messages) and /healthz."""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from sqlalchemy import text

from bot.app import App

log = logging.getLogger("kipina.web")

APP_KEY = web.AppKey("kipina", App)


def make_web_app(app: App) -> web.Application:
    web_app = web.Application(client_max_size=1024 * 1024)
    web_app[APP_KEY] = app
    web_app.router.add_get("/healthz", healthz)
    for platform in app.platforms.values():
        platform.add_routes(web_app)

    async def start_platforms(_):
        for platform in app.platforms.values():
            await platform.start()

    async def stop_platforms(_):
        for platform in app.platforms.values():
            await platform.stop()

    web_app.on_startup.append(start_platforms)
    web_app.on_cleanup.append(stop_platforms)
    return web_app


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
