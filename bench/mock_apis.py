"""Stand-ins for Slack's Web API and a Teams (Bot Framework) connector, for benchmarks.

Run as a separate process (`python -m bench.mock_apis slack|teams --rate 100 …`); it prints
`PORT <n>` when ready. Like the real services they enforce a rate limit (429 + Retry-After),
answer after 20–50 ms, and fail a few percent of calls at random (429 or 500). GET /stats gives
what was delivered: messages per recipient, so a bench can count people missed and duplicates
(`/stats?targets=1` lists every recipient with its count and the arrival of its first message,
`/stats?arrivals=1` when each delivered message's request came in, for the rate over any window).
POST /trouble makes it misbehave for a while, as a service in trouble does: `{"status": 429,
"retry_after": 30, "seconds": 45}` refuses every message call with that status (and Retry-After),
`{"hang": true, "seconds": 20}` holds every message call unanswered until the time is up, then
answers 503 without taking it. `/stats?attempts=1` lists when each call that counts against the limit came, and its status.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import time
from collections import Counter

from aiohttp import web


class Limiter:
    """A token bucket per key; `take` says how long to wait (0: allowed)."""

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self.state: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        now = time.monotonic()
        tokens, last = self.state.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1:
            self.state[key] = (tokens - 1, now)
            return 0.0
        self.state[key] = (tokens, now)
        return (1 - tokens) / self.rate


class Mock:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.limit = Limiter(args.rate, args.burst or max(1.0, args.rate / 10))
        self.per_target = Limiter(args.per_target_rate, args.per_target_burst) if args.per_target_rate else None
        self.delivered: Counter = Counter()
        self.reached: dict[str, float] = {}  # target → when its first message arrived (time.monotonic)
        self.arrivals: list[float] = []  # when each delivered message's request came in (time.monotonic)
        self.calls = Counter()
        self.answers: dict[str, float] = {}  # response_url key → when the first answer arrived
        self.history: dict[str, list[dict]] = {}  # conversation → its messages (ts, metadata), oldest first
        self.ids = itertools.count(1)
        self.first = self.last = None
        self.attempts: list[tuple[float, int]] = []  # every limited call: (when it came, the status answered)
        self.trouble: dict = {}  # what POST /trouble asked for, with "until" (time.monotonic)

    async def troubled(self, received: float) -> web.Response | None:
        """The answer while in trouble (None: behave); notes every message call's status."""
        trouble = self.trouble
        if trouble and received < trouble["until"]:
            if trouble.get("hang"):
                await asyncio.sleep(trouble["until"] - received)
                refused = web.Response(status=503, text="upstream timed out")
            elif trouble["status"] == 429:
                refused = self.too_many(int(trouble.get("retry_after") or 1))
            else:
                refused = web.Response(status=trouble["status"], text="service unavailable")
            self.calls[f"{trouble.get('hang') and 'hang' or trouble['status']} trouble"] += 1
            self.attempts.append((received, refused.status))
            return refused
        return None

    async def set_trouble(self, request: web.Request) -> web.Response:
        asked = await request.json()
        self.trouble = {**asked, "status": int(asked.get("status") or 503),
                        "until": time.monotonic() + float(asked["seconds"])}
        return web.json_response({"ok": True, "until": self.trouble["until"]})

    async def latency(self) -> None:
        await asyncio.sleep(self.rng.uniform(self.args.latency_min, self.args.latency_max))

    def refusal(self, target: str) -> web.Response | None:
        """A rate limit or a random failure, as the service would answer."""
        wait = self.limit.take("method")
        if wait == 0 and self.per_target is not None:
            wait = self.per_target.take(target)
        if wait > 0:
            self.calls["429 limit"] += 1
            return self.noted(self.too_many(max(1, round(wait + 0.5))))
        roll = self.rng.random()
        if roll < self.args.random_429:
            self.calls["429 random"] += 1
            return self.noted(self.too_many(1))
        if roll < self.args.random_429 + self.args.random_500:
            self.calls["500 random"] += 1
            return self.noted(web.Response(status=500, text="upstream trouble"))
        self.attempts.append((time.monotonic(), 200))
        return None

    def noted(self, response: web.Response) -> web.Response:
        self.attempts.append((time.monotonic(), response.status))
        return response

    def too_many(self, seconds: int) -> web.Response:
        raise NotImplementedError

    def record(self, target: str, received: float) -> None:
        self.delivered[target] += 1
        now = time.monotonic()
        self.arrivals.append(received)  # when the request came in, as a service's limiter counts it
        self.reached.setdefault(target, now)
        self.first = self.first or now
        self.last = now

    async def stats(self, request: web.Request) -> web.Response:
        copies = Counter(self.delivered.values())
        body = {
            "recipients": len(self.delivered), "messages": sum(self.delivered.values()),
            "duplicates": sum(n - 1 for n in self.delivered.values() if n > 1),
            "copies": {str(k): v for k, v in sorted(copies.items())}, "calls": dict(self.calls),
            "first_to_last_seconds": (self.last - self.first) if self.first else 0.0,
            # CLOCK_MONOTONIC is one clock for every process on the machine: a bench can compare
            # these with its own time.monotonic() readings
            "first_at": self.first, "last_at": self.last,
        }
        if request.query.get("answers"):
            body["answers"] = self.answers
        if request.query.get("arrivals"):
            body["arrivals"] = self.arrivals
        if request.query.get("attempts"):
            body["attempts"] = self.attempts
        if request.query.get("targets"):  # per target: [messages, when the first arrived]
            body["targets"] = {t: [n, self.reached.get(t)] for t, n in self.delivered.items()}
        return web.json_response(body)

    async def reset(self, request: web.Request) -> web.Response:
        self.delivered.clear()
        self.reached.clear()
        self.arrivals.clear()
        self.calls.clear()
        self.answers.clear()
        self.history.clear()
        self.attempts.clear()
        self.trouble = {}
        self.first = self.last = None
        return web.json_response({"ok": True})


class SlackMock(Mock):
    def too_many(self, seconds: int) -> web.Response:
        return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                 headers={"Retry-After": str(seconds)})

    async def api(self, request: web.Request) -> web.Response:
        received = time.monotonic()
        method = request.match_info["method"]
        params = dict(request.query)
        if request.can_read_body:
            params.update(await request.json() if request.content_type == "application/json"
                          else dict(await request.post()))
        if method == "chat.postMessage" and (troubled := await self.troubled(received)) is not None:
            return troubled
        await self.latency()
        if method == "chat.postMessage":
            target = str(params.get("channel", ""))
            refused = self.refusal(target)
            if refused is not None:
                return refused
            self.record(target, received)
            ts = f"{int(time.time())}.{next(self.ids):06d}"  # as Slack: when, and unique
            channel = "D" + target[1:] if target.startswith("U") else target
            posted = {"type": "message", "ts": ts}
            if params.get("metadata"):
                posted["metadata"] = params["metadata"]
            self.history.setdefault(channel, []).append(posted)
            return web.json_response({"ok": True, "channel": channel, "ts": ts})
        if method == "conversations.open":
            users = str(params.get("users", ""))
            return web.json_response({"ok": True, "channel": {"id": "D" + users[1:]}})
        if method == "conversations.history":
            self.calls["history"] += 1
            oldest = float(params.get("oldest") or 0)
            with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
            found = [{k: v for k, v in m.items() if k != "metadata" or with_metadata}
                     for m in self.history.get(str(params.get("channel", "")), []) if float(m["ts"]) >= oldest]
            return web.json_response({"ok": True, "messages": found[::-1], "has_more": False})
        if method == "auth.test":
            return web.json_response({"ok": True, "team_id": "TBENCH", "user_id": "UBOT", "bot_id": "BBOT",
                                      "url": "https://bench.slack.com/", "team": "Bench", "user": "kipina"})
        if method == "users.info":
            user = str(params.get("user", ""))
            return web.json_response({"ok": True, "user": {"id": user, "name": user.lower(), "tz": "Europe/Helsinki",
                                                           "locale": "fi-FI", "team_id": "TBENCH",
                                                           "profile": {"display_name": user}}})
        if method == "users.list":
            return web.json_response({"ok": True, "members": [], "response_metadata": {"next_cursor": ""}})
        return web.json_response({"ok": True, "ts": f"{int(time.time())}.{next(self.ids):06d}"})

    async def respond(self, request: web.Request) -> web.Response:
        """A command's response_url: when its answer arrived is what the person waited for."""
        self.answers.setdefault(request.match_info["key"], time.monotonic())
        await request.read()
        await self.latency()
        return web.Response(text="ok")

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/{method}", self.api)
        app.router.add_post("/respond/{key}", self.respond)


class TeamsMock(Mock):
    def too_many(self, seconds: int) -> web.Response:
        return web.json_response({"error": {"code": "TooManyRequests"}}, status=429,
                                 headers={"Retry-After": str(seconds)})

    async def send(self, request: web.Request) -> web.Response:
        received = time.monotonic()
        conversation = request.match_info["conversation"]
        await request.read()
        if (troubled := await self.troubled(received)) is not None:
            return troubled
        await self.latency()
        refused = self.refusal(conversation)
        if refused is not None:
            return refused
        self.record(conversation, received)
        return web.json_response({"id": f"1:{next(self.ids)}"}, status=201)

    async def create(self, request: web.Request) -> web.Response:
        received = time.monotonic()
        body = await request.json()
        if (troubled := await self.troubled(received)) is not None:
            return troubled
        await self.latency()
        member = (body.get("members") or [{}])[0].get("id", "")
        refused = self.refusal("create")
        if refused is not None:
            return refused
        return web.json_response({"id": f"a:{member}"}, status=201)

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/{prefix:.*}v3/conversations/{conversation}/activities", self.send)
        app.router.add_post("/{prefix:.*}v3/conversations/{conversation}/activities/{reply}", self.send)
        app.router.add_post("/{prefix:.*}v3/conversations", self.create)


async def serve(args) -> None:
    mock = SlackMock(args) if args.kind == "slack" else TeamsMock(args)
    app = web.Application(client_max_size=4 * 1024 * 1024)
    mock.routes(app)
    app.router.add_get("/stats", mock.stats)
    app.router.add_post("/reset", mock.reset)
    app.router.add_post("/trouble", mock.set_trouble)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", args.port, backlog=1024)
    await site.start()
    print(f"PORT {site._server.sockets[0].getsockname()[1]}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mock_apis")
    parser.add_argument("kind", choices=("slack", "teams"))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=float, default=100.0, help="messages per second the service allows")
    parser.add_argument("--burst", type=float, default=0.0, help="bucket size (default rate/10)")
    parser.add_argument("--per-target-rate", type=float, default=0.0, help="per channel/conversation limit")
    parser.add_argument("--per-target-burst", type=float, default=1.0)
    parser.add_argument("--latency-min", type=float, default=0.020)
    parser.add_argument("--latency-max", type=float, default=0.050)
    parser.add_argument("--random-429", type=float, default=0.02)
    parser.add_argument("--random-500", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=7)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
