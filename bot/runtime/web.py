"""The aiohttp app: platform routes (/slack/events, /api/messages), the dashboard, the probes
(/livez, /readyz, /healthz, /metrics: bot/runtime/health.py), and what every request gets."""
from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from bot import dashboard
from bot.common.logs import request_id, sane_request_id
from bot.common.metrics import http_requests, http_seconds
from bot.runtime import health, hub
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
    routes: dict[str, str] = {}  # a route's pattern → the platform that added it (metrics labels)
    web_app = web.Application(client_max_size=1024 * 1024, middlewares=[observe(routes)])
    logging.getLogger("aiohttp.server").addFilter(CLIENT_FAULTS)  # once: the same filter is not added twice
    web_app[APP_KEY] = app
    health.add_routes(web_app, app)  # /livez, /readyz (/healthz), /metrics
    for platform in app.platforms.values():
        before = set(web_app.router.resources())
        platform.add_routes(web_app)
        routes.update((r.canonical, platform.name) for r in web_app.router.resources() if r not in before)
    dashboard.add_routes(web_app, app)  # /dashboard…: sign-in links and pages
    if app.settings.programme_hub:
        hub.add_routes(web_app, app)  # /programme/v1/…: member organisations send their weeks

    async def start_platforms(_):
        for platform in app.platforms.values():
            await platform.start()
            app.started.add(platform.name)

    async def stop_all(_):
        await stop_platforms(app.platforms.values(), stop_within)

    web_app.on_startup.append(start_platforms)
    web_app.on_cleanup.append(stop_all)
    return web_app


def observe(routes: dict[str, str]):
    """Every request: an id (the caller's sane X-Request-Id, else a new one) on every line it logs,
    on the outbox rows it writes and on its answer; counted and timed by route pattern (ids in a
    path never become labels; unknown paths count as "other")."""

    @web.middleware
    async def middleware(request: web.Request, handler):
        rid = sane_request_id(request.headers.get("X-Request-Id"))
        token = request_id.set(rid)
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "other"
        platform = routes.get(route, "none")
        started, status = time.perf_counter(), 500
        try:
            response = await handler(request)
            status = response.status
            if not response.prepared:
                response.headers["X-Request-Id"] = rid
            return response
        except web.HTTPException as answer:
            status = answer.status
            answer.headers["X-Request-Id"] = rid
            raise
        except asyncio.CancelledError:
            status = 499  # the client went away
            raise
        finally:
            request_id.reset(token)
            http_requests.labels(platform, route, str(status)).inc()
            http_seconds.labels(platform, route).observe(time.perf_counter() - started)

    return middleware


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
