"""A local Slack Web API (and response_url, and Socket Mode endpoint) for tests, on port 0.

It answers the methods Kipinä calls, records every call, and can be told to fail: answer 429
with Retry-After, 5xx, or a Slack error code, for a number of calls or by a rule. Users are
profiles as users.info returns them; channels the bot has not joined answer not_in_channel.
"""
from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Callable

from aiohttp import WSMsgType, web

BOT_USER = "UKIPINA"
TEAM = "T0KIPINA"


@dataclass
class Call:
    method: str
    params: dict
    token: str = ""
    result: dict = field(default_factory=dict)
    status: int = 200
    url_key: str = ""  # for response_url calls: which command's or button's URL it was
    at: float = field(default_factory=time.time)  # when it came (as log records say it)

    @property
    def text(self) -> str:
        """The notification text and every text in the blocks, for assertions."""
        parts = [self.params.get("text") or ""]

        def walk(node):
            if isinstance(node, dict):
                if isinstance(node.get("text"), str):
                    parts.append(node["text"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.params.get("blocks") or [])
        walk(self.params.get("view") or {})
        return "\n".join(parts)

    def blocks(self) -> list:
        blocks = self.params.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks

    def action_ids(self) -> list[str]:
        return [e["action_id"] for b in self.blocks() if b.get("type") == "actions" for e in b["elements"]]


@dataclass
class Failure:
    status: int = 200
    error: str = ""
    retry_after: int | None = None
    times: int = 1
    when: Callable[[Call], bool] = lambda call: True


@dataclass
class SlackApi:
    users: dict = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    joined: set = field(default_factory=set)  # channels the bot is in
    failures: dict = field(default_factory=dict)  # method → [Failure]
    rules: dict = field(default_factory=dict)  # method → callable(call, n) → Failure | None
    sockets: list = field(default_factory=list)
    socket_acks: dict = field(default_factory=dict)  # envelope id → ack payload
    uploads: dict = field(default_factory=dict)  # file id → filename, length, content, channel, title
    groups: dict = field(default_factory=dict)  # group DM (mpim) id → its people, as conversations.open made them
    messages: dict = field(default_factory=dict)  # (channel, ts) → the call that made it, as edited since
    url: str = ""

    def __post_init__(self):
        self.ts = itertools.count(1)
        self.counts: dict[str, int] = {}
        self._runner: web.AppRunner | None = None
        self._acked = asyncio.Event()

    # -- set-up ------------------------------------------------------------------------------

    def add_user(self, user_id: str, name: str, tz: str = "Europe/Helsinki", locale: str = "en-US",
                 deleted: bool = False, is_bot: bool = False) -> None:
        self.users[user_id] = {"id": user_id, "name": name.lower(), "real_name": name, "tz": tz, "locale": locale,
                               "deleted": deleted, "is_bot": is_bot, "team_id": TEAM,
                               "profile": {"display_name": name, "real_name": name}}

    def fail(self, method: str, status: int = 200, error: str = "", retry_after: int | None = None,
             times: int = 1, when=None) -> None:
        self.failures.setdefault(method, []).append(
            Failure(status, error, retry_after, times, when or (lambda call: True)))

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- queries -----------------------------------------------------------------------------

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def visible(self, channel: str) -> list[Call]:
        """What people see in a channel now, threads included: posted, as last edited, not deleted."""
        return [call for (where, _), call in self.messages.items() if where == channel]

    def posts(self, channel: str | None = None) -> list[Call]:
        """Successful chat.postMessage calls (to a user id or channel)."""
        return [c for c in self.of("chat.postMessage") if c.result.get("ok")
                and (channel is None or c.params.get("channel") == channel)]

    # -- the API -----------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict:
        params = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        return params

    def _failure(self, call: Call) -> Failure | None:
        n = self.counts[call.method] = self.counts.get(call.method, 0) + 1
        rule = self.rules.get(call.method)
        if rule is not None:
            found = rule(call, n)
            if found is not None:
                return found
        for failure in self.failures.get(call.method, []):
            if failure.times > 0 and failure.when(call):
                failure.times -= 1
                return failure
        return None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        call = Call(method, await self._params(request), token)
        self.calls.append(call)
        failure = self._failure(call)
        if failure is not None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            call.status = failure.status
            if failure.status >= 500:
                return web.Response(status=failure.status, text="upstream trouble", headers=headers)
            call.result = {"ok": False, "error": failure.error or ("ratelimited" if failure.status == 429 else "error")}
            return web.json_response(call.result, status=failure.status, headers=headers)
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        call.result = handler(call) if handler is not None else {"ok": False, "error": "unknown_method"}
        return web.json_response(call.result)

    def _auth_test(self, call: Call) -> dict:
        if not call.token.startswith("xoxb-"):
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "url": "https://kipina-test.slack.com/", "team": "Test", "user": "kipina",
                "team_id": TEAM, "user_id": BOT_USER, "bot_id": "BKIPINA", "is_enterprise_install": False}

    def _users_info(self, call: Call) -> dict:
        user = self.users.get(call.params.get("user"))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _users_list(self, call: Call) -> dict:
        """Pages of users, as Slack pages them: an opaque cursor to the next page, empty at the end."""
        users = sorted(self.users.values(), key=lambda u: u["id"])
        start = int(call.params.get("cursor") or 0)
        limit = max(1, min(int(call.params.get("limit") or 200), 1000))
        page = users[start:start + limit]
        following = str(start + limit) if start + limit < len(users) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": following}}

    def _chat_postMessage(self, call: Call) -> dict:
        channel = call.params.get("channel", "")
        if channel.startswith(("U", "W")):
            user = self.users.get(channel)
            if user is not None and user.get("is_bot"):
                return {"ok": False, "error": "cannot_dm_bot"}
            channel = "D" + channel
        elif channel.startswith(("C", "G")) and channel not in self.joined:
            return {"ok": False, "error": "not_in_channel"}
        ts = f"{int(time.time())}.{next(self.ts):06d}"  # as Slack: when, and unique
        self.messages[(channel, ts)] = call
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": call.params.get("text"), "ts": ts}}

    def _chat_update(self, call: Call) -> dict:
        where = (call.params.get("channel"), call.params.get("ts"))
        if where not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[where] = call
        return {"ok": True, "channel": where[0], "ts": where[1]}

    def _chat_delete(self, call: Call) -> dict:
        where = (call.params.get("channel"), call.params.get("ts"))
        if self.messages.pop(where, None) is None:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": where[0], "ts": where[1]}

    def _chat_postEphemeral(self, call: Call) -> dict:
        return {"ok": True, "message_ts": f"{int(time.time())}.{next(self.ts):06d}"}

    def _conversations_join(self, call: Call) -> dict:
        channel = call.params.get("channel", "")
        if channel.startswith("G"):
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        self.joined.add(channel)
        return {"ok": True, "channel": {"id": channel}}

    def _conversations_history(self, call: Call) -> dict:
        """Newest first, as Slack answers; metadata only when asked for."""
        channel, oldest = call.params.get("channel", ""), float(call.params.get("oldest") or 0)
        with_metadata = str(call.params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = []
        for (where, ts), made in self.messages.items():
            if where != channel or float(ts) < oldest or made.params.get("thread_ts"):
                continue
            posted = {"type": "message", "ts": ts, "text": made.params.get("text") or ""}
            metadata = made.params.get("metadata")
            if with_metadata and metadata:
                posted["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
            found.append(posted)
        found.sort(key=lambda posted: float(posted["ts"]), reverse=True)
        return {"ok": True, "messages": found[:int(call.params.get("limit") or 100)], "has_more": False}

    def _conversations_open(self, call: Call) -> dict:
        users = sorted(u for u in str(call.params.get("users", "")).split(",") if u)
        if len(users) < 2:
            return {"ok": True, "channel": {"id": "D" + "".join(users)}}  # as chat.postMessage
        missing = [u for u in users if u not in self.users]
        if missing:
            return {"ok": False, "error": "user_not_found"}
        # A group DM (mpim): the same people always get the same conversation, with the bot in it.
        channel = "G" + hashlib.sha1(",".join(users).encode()).hexdigest()[:10].upper()
        self.groups[channel] = tuple(users)
        self.joined.add(channel)
        return {"ok": True, "channel": {"id": channel, "is_mpim": True}}

    # Files as Slack takes them (files_upload_v2): an upload URL, the bytes posted there, then
    # the share into a conversation.
    def _files_getUploadURLExternal(self, call: Call) -> dict:
        file_id = f"F{next(self.ts)}"
        self.uploads[file_id] = {"filename": call.params.get("filename"), "length": int(call.params.get("length", 0)),
                                 "content": None, "channel": None, "title": None}
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}

    async def _upload(self, request: web.Request) -> web.Response:
        upload = self.uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404)
        upload["content"] = await request.read()
        return web.Response(text="OK - " + str(len(upload["content"])))

    def _files_completeUploadExternal(self, call: Call) -> dict:
        shared = []
        for file in json.loads(call.params.get("files") or "[]"):
            upload = self.uploads.get(file.get("id"))
            if upload is None or upload["content"] is None or len(upload["content"]) != upload["length"]:
                return {"ok": False, "error": "file_not_found"}
            upload.update(channel=call.params.get("channel_id"), title=file.get("title"),
                          thread_ts=call.params.get("thread_ts"))
            shared.append({"id": file["id"], "title": file.get("title"), "name": upload["filename"]})
        return {"ok": True, "files": shared}

    def files(self, channel: str | None = None) -> list[dict]:
        """Files shared into a conversation: filename, title, content (bytes), channel."""
        return [u for u in self.uploads.values() if u["channel"] and (channel is None or u["channel"] == channel)]

    def _views_open(self, call: Call) -> dict:
        view = dict(call.params.get("view") or {})
        view.update(id=f"V{next(self.ts)}", hash=f"h{next(self.ts)}")
        return {"ok": True, "view": view}

    def _views_update(self, call: Call) -> dict:
        return self._views_open(call)

    def _views_publish(self, call: Call) -> dict:
        return self._views_open(call)

    def _apps_connections_open(self, call: Call) -> dict:
        if not call.token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True, "url": self.url.replace("http://", "ws://") + "/socket"}

    async def _respond(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json(), url_key=request.match_info["key"]))
        return web.Response(text="ok")

    # -- Socket Mode -------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                      "connection_info": {"app_id": "AKIPINA"}}))
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                data = json.loads(msg.data)
                if "envelope_id" in data:
                    self.socket_acks[data["envelope_id"]] = data.get("payload")
                    self._acked.set()
        self.sockets.remove(ws)
        return ws

    async def envelope(self, kind: str, payload: dict, envelope_id: str, timeout: float = 10) -> dict | None:
        """Send one Socket Mode envelope and wait for the app's ack of it."""
        for _ in range(int(timeout * 20)):
            if self.sockets:
                break
            await asyncio.sleep(0.05)
        await self.sockets[-1].send_str(json.dumps({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                                    "accepts_response_payload": kind != "events_api"}))
        while envelope_id not in self.socket_acks:
            self._acked.clear()
            await asyncio.wait_for(self._acked.wait(), timeout)
        return self.socket_acks[envelope_id]
