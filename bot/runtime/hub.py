"""The programme hub's API (PROGRAMME_HUB=on), where member organisations send their weeks:

    PUT    /programme/v1/weeks/<2026-W49>   a week's aggregates (JSON, checked by the schema); 201 new, 200 replaced
    DELETE /programme/v1/organisation        the organisation leaves: everything of it is deleted; 200

Both take the organisation's token as `Authorization: Bearer …` (401 without one, 403 for one the hub
does not know). A body over the size limit is 413, one that is not JSON 400, one the schema refuses
422 with the paths it broke. Logs carry the organisation's id, the week and the status, never the body.
"""
from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web

from bot.domain import programme
from bot.domain.reports import parse_week
from storage.db import unit_of_work

log = logging.getLogger("kipina.hub")


def add_routes(web_app: web.Application, app) -> None:
    async def put(request: web.Request) -> web.Response:
        return await put_week(request, app)

    async def delete(request: web.Request) -> web.Response:
        return await leave(request, app)

    web_app.router.add_put("/programme/v1/weeks/{week}", put)
    web_app.router.add_delete("/programme/v1/organisation", delete)


def _problem(status: int, detail: str, **more) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="kipina-programme"'} if status == 401 else None
    return web.json_response({"error": detail, **more}, status=status, headers=headers)


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _organisation(request: web.Request, app) -> tuple[int | None, web.Response | None]:
    token = _bearer(request)
    if token is None:
        return None, _problem(401, "a bearer token is needed (PROGRAMME_TOKEN)")

    def look() -> int | None:
        with unit_of_work(app.engine) as session:
            found = programme.organisation_for(session, token)
            return found.id if found is not None and found.left_at is None else None

    org_id = await asyncio.to_thread(look)
    if org_id is None:
        return None, _problem(403, "this token is not a member organisation's")
    return org_id, None


async def put_week(request: web.Request, app) -> web.Response:
    if request.content_length is not None and request.content_length > programme.MAX_BYTES:
        return _problem(413, f"at most {programme.MAX_BYTES} bytes")
    org_id, refused = await _organisation(request, app)
    if refused is not None:
        return refused
    label = request.match_info["week"]
    try:
        week = parse_week(label, app.settings.timezone)
    except ValueError:
        return _problem(400, "the path names an ISO week such as 2026-W49")
    body = await request.content.read(programme.MAX_BYTES + 1)
    if len(body) > programme.MAX_BYTES:
        return _problem(413, f"at most {programme.MAX_BYTES} bytes")
    def check() -> tuple[object, list[str]] | None:  # a large payload takes a while: not on the event loop
        try:
            found = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        return found, programme.problems(found)

    checked = await asyncio.to_thread(check)
    if checked is None:
        return _problem(400, "the body is not JSON")
    payload, problems = checked
    if not problems and payload["week"] != week.label:
        problems = [f"week: the body's week is not {week.label}"]
    if problems:
        log.warning("programme week %s from organisation %s refused: %d problems", week.label, org_id, len(problems))
        return _problem(422, "the payload does not match the schema", problems=problems)
    now = app.now()

    def store() -> bool:
        with unit_of_work(app.engine) as session:
            return programme.store_week(session, org_id, week.label, payload, now)

    new = await asyncio.to_thread(store)
    log.info("programme week %s from organisation %s %s", week.label, org_id, "stored" if new else "replaced")
    return web.json_response({"week": week.label, "stored": "new" if new else "replaced"}, status=201 if new else 200)


async def leave(request: web.Request, app) -> web.Response:
    org_id, refused = await _organisation(request, app)
    if refused is not None:
        return refused
    now = app.now()

    def forget() -> int:
        with unit_of_work(app.engine) as session:
            return programme.leave_hub(session, org_id, now)

    weeks = await asyncio.to_thread(forget)
    log.info("organisation %s left the programme; %d weeks deleted", org_id, weeks)
    return web.json_response({"deleted_weeks": weeks})
