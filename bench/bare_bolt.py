"""The yardstick of the latency bench: a bare slack-bolt AsyncApp whose /circle handler only acks.

`python bench/bare_bolt.py --api http://127.0.0.1:N/api/` serves POST /slack/events with aiohttp on a
free port (printed as `PORT <n>`), checks signatures with SLACK_SIGNING_SECRET like Kipinä does and
answers bolt's auth.test at the given Web API, so the only difference left is Kipinä's own work.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def make_app(api_url: str) -> web.Application:
    token = os.environ.get("SLACK_BOT_TOKEN", "xoxb-bench")
    bolt = AsyncApp(client=AsyncWebClient(token=token, base_url=api_url),
                    signing_secret=os.environ["SLACK_SIGNING_SECRET"], logger=logging.getLogger("bare"))

    @bolt.command(re.compile(r"^/"))
    async def command(ack) -> None:
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    return app


async def serve(api_url: str) -> None:
    runner = web.AppRunner(make_app(api_url), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    print(f"PORT {site._server.sockets[0].getsockname()[1]}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/bare_bolt.py")
    parser.add_argument("--api", required=True, help="Slack Web API base URL (with the trailing slash)")
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve(parser.parse_args().api))


if __name__ == "__main__":
    main()
