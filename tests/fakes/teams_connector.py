"""A local Bot Framework connector (the REST service Teams gives the bot as `serviceUrl`).

It listens on port 0, implements the calls a Teams bot makes — create a 1:1 conversation,
send, reply in a thread, update — and records each one. Failures can be programmed: the next
calls answer 429/412/502 (with Retry-After), or a user cannot be reached (403, as Teams answers
when the app is not installed for them).
"""
from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field

from aiohttp import web

PREFIX = "/emea/"  # Teams service URLs have a regional path; the bot must keep it


@dataclass
class Call:
    kind: str  # create | send | reply | update | delete
    conversation_id: str
    id: str | None  # the message's id (a new one for send/reply, the updated one for update)
    body: dict
    headers: dict = field(default_factory=dict)
    replied_to: str | None = None  # reply: the message replied to

    @property
    def card(self) -> dict | None:
        for attachment in self.body.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment["content"]
        return None

    @property
    def text(self) -> str:
        """Everything readable in the card, for assertions."""
        parts: list[str] = []

        def walk(node):
            if isinstance(node, dict):
                keys = ("text", "title", "label", "placeholder")
                keys += ("value",) if node.get("type") == "Input.Text" else ()
                for key in keys:
                    if isinstance(node.get(key), str):
                        parts.append(node[key])
                for value in node.values():
                    if isinstance(value, (dict, list)):
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.card or {})
        return "\n".join(parts)


class MockConnector:
    def __init__(self):
        self.calls: list[Call] = []
        self.failures: list[tuple[str | None, int, dict]] = []  # (kind or None for any, status, headers)
        self.unreachable: set[str] = set()  # user ids whose 1:1 conversation cannot be created
        self.gone: set[str] = set()  # conversation ids that answer 404
        self.attempts: list[tuple[str, int]] = []  # every request, including failed ones: (kind, status)
        self.attempted_at: list[float] = []  # when each of them came (time.monotonic)
        self.ids = itertools.count(1000)
        self.uploads: list[tuple[str, dict, bytes]] = []  # (file name, headers, bytes) put to an upload URL
        self.upload_status = 201
        self.deleted: set[str] = set()  # activity ids deleted
        self.runner: web.AppRunner | None = None
        self.url = ""

    def _attempt(self, kind: str, status: int) -> None:
        self.attempts.append((kind, status))
        self.attempted_at.append(time.monotonic())

    # -- programming ---------------------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1, retry_after: float | None = None, kind: str | None = None):
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.failures.extend([(kind, status, headers)] * times)

    # -- what was called -----------------------------------------------------------------------

    def of(self, kind: str) -> list[Call]:
        return [c for c in self.calls if c.kind == kind]

    @property
    def posted(self) -> list[Call]:
        """New messages (sends and thread replies), in order."""
        return [c for c in self.calls if c.kind in ("send", "reply")]

    def to(self, conversation_id: str) -> list[Call]:
        return [c for c in self.posted if c.conversation_id == conversation_id]

    def visible(self, conversation_id: str) -> list[Call]:
        """What people see in a conversation now, its threads included: each message as last
        updated, none that was deleted."""
        latest = {c.id: c for c in self.calls if c.kind in ("send", "reply", "update")}
        return [latest[c.id] for c in self.posted if c.conversation_id.split(";")[0] == conversation_id
                and c.id not in self.deleted]

    # -- server --------------------------------------------------------------------------------

    async def start(self, port: int = 0) -> "MockConnector":
        app = web.Application()
        app.router.add_post(PREFIX + "v3/conversations", self._create)
        app.router.add_post(PREFIX + "v3/conversations/{cid}/activities", self._send)
        app.router.add_post(PREFIX + "v3/conversations/{cid}/activities/{aid}", self._reply)
        app.router.add_put(PREFIX + "v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_delete(PREFIX + "v3/conversations/{cid}/activities/{aid}", self._delete)
        app.router.add_put("/onedrive/upload/{name}", self._upload)  # where a file consent's uploadUrl points
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}{PREFIX}"
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    def _failure(self, kind: str) -> web.Response | None:
        for i, (only, status, headers) in enumerate(self.failures):
            if only is None or only == kind:
                del self.failures[i]
                self._attempt(kind, status)
                body = {"error": {"code": "Throttled" if status == 429 else "ServiceError", "message": "try later"}}
                return web.json_response(body, status=status, headers=headers)
        return None

    async def _body(self, request: web.Request) -> dict:
        raw = await request.read()
        return json.loads(raw) if raw else {}

    async def _create(self, request: web.Request) -> web.Response:
        failed = self._failure("create")
        if failed is not None:
            return failed
        body = await self._body(request)
        user = (body.get("members") or [{}])[0].get("id", "")
        if user in self.unreachable:
            self._attempt("create", 403)
            refusal = {"code": "Forbidden", "message": "Bot is not installed in user's personal scope"}
            return web.json_response({"error": refusal}, status=403)
        self._attempt("create", 201)
        conversation = f"a:personal-{user}"
        self.calls.append(Call("create", conversation, None, body, dict(request.headers)))
        return web.json_response({"id": conversation}, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        return await self._post(request, "send")

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._post(request, "reply")

    async def _post(self, request: web.Request, kind: str) -> web.Response:
        failed = self._failure(kind)
        if failed is not None:
            return failed
        cid = request.match_info["cid"]
        if cid.split(";")[0] in self.gone:
            self._attempt(kind, 404)
            return web.json_response({"error": {"code": "ConversationNotFound", "message": "gone"}}, status=404)
        body = await self._body(request)
        self._attempt(kind, 201)
        activity_id = str(next(self.ids))
        self.calls.append(Call(kind, cid, activity_id, body, dict(request.headers), request.match_info.get("aid")))
        return web.json_response({"id": activity_id}, status=201)

    def upload_info(self, name: str) -> dict:
        """What Teams puts in a fileConsent/invoke when a person accepts a file (bots/how-to/bots-filesv4.md)."""
        base = self.url.split(PREFIX)[0]
        return {"contentUrl": f"https://contoso.sharepoint.com/personal/ann/Documents/Applications/Kipinä/{name}",
                "name": name, "uploadUrl": f"{base}/onedrive/upload/{name}?session=1a2b3c",
                "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D", "fileType": name.rsplit(".", 1)[-1]}

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.uploads.append((request.match_info["name"], dict(request.headers), data))
        if self.upload_status >= 300:
            return web.json_response({"error": {"code": "generalException"}}, status=self.upload_status)
        return web.json_response({"id": "file-1", "name": request.match_info["name"], "size": len(data)},
                                 status=self.upload_status)

    async def _update(self, request: web.Request) -> web.Response:
        failed = self._failure("update")
        if failed is not None:
            return failed
        if request.match_info["aid"] in self.deleted:
            return web.json_response({"error": {"code": "ActivityNotFound"}}, status=404)
        body = await self._body(request)
        self._attempt("update", 200)
        self.calls.append(Call("update", request.match_info["cid"], request.match_info["aid"], body,
                               dict(request.headers)))
        return web.json_response({"id": request.match_info["aid"]}, status=200)

    async def _delete(self, request: web.Request) -> web.Response:
        failed = self._failure("delete")
        if failed is not None:
            return failed
        aid = request.match_info["aid"]
        known = any(c.id == aid for c in self.posted)
        if not known or aid in self.deleted:
            return web.json_response({"error": {"code": "ActivityNotFound"}}, status=404)
        self.deleted.add(aid)
        self.calls.append(Call("delete", request.match_info["cid"], aid, {}, dict(request.headers)))
        return web.Response(status=200)


async def _serve_forever(port: int) -> None:
    """`python tests/fakes/teams_connector.py [port]`: a connector to point local activities at."""
    import asyncio

    connector = await MockConnector().start(port)
    print(f"mock Teams connector at {connector.url} (use it as serviceUrl); Ctrl-C stops", flush=True)
    seen = 0
    while True:
        await asyncio.sleep(0.5)
        for call in connector.calls[seen:]:
            print(f"{call.kind:6} {call.conversation_id}\n    " + call.text.replace("\n", "\n    "), flush=True)
        seen = len(connector.calls)


if __name__ == "__main__":
    import asyncio
    import sys

    try:
        asyncio.run(_serve_forever(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    except KeyboardInterrupt:
        pass
