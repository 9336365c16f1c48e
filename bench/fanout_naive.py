"""The baseline: what a plain loop over the platform's client achieves against the same service.

Slack: one `chat_postMessage` after another through slack_sdk's AsyncWebClient, which sleeps
out each 429's Retry-After (AsyncRateLimitErrorRetryHandler) and retries 5xx answers
(AsyncServerErrorRetryHandler), so that it too reaches everyone. Teams: one activity after
another POSTed to the connector, sleeping out a 429 and retrying a 5xx after a second.
"""
from __future__ import annotations

import asyncio
import time

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler, AsyncServerErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bench.fanout_world import BOT, TENANT

TEXT = "What did you learn this week?"
TRIES = 30


async def slack(api_url: str, users: list[str]) -> dict:
    client = AsyncWebClient(token="xoxb-bench", base_url=api_url, timeout=30)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=TRIES))
    client.retry_handlers.append(AsyncServerErrorRetryHandler(max_retry_count=TRIES))
    failed = 0
    began = time.monotonic()
    for user in users:
        try:
            await client.chat_postMessage(channel=user, text=TEXT)
        except Exception:  # what a plain loop does: note it and go on
            failed += 1
    return {"seconds": time.monotonic() - began, "failed": failed}


async def teams(connector: str, chats: list[str]) -> dict:
    failed = 0
    began = time.monotonic()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        for chat in chats:
            activity = {"type": "message", "from": BOT, "conversation": {"id": chat}, "text": TEXT,
                        "channelData": {"tenant": {"id": TENANT}}}
            for _ in range(TRIES):
                async with session.post(f"{connector}v3/conversations/{chat}/activities", json=activity) as answer:
                    await answer.read()
                    if answer.status < 300:
                        break
                    wait = float(answer.headers.get("Retry-After") or 1) if answer.status == 429 else 1.0
                await asyncio.sleep(wait)
            else:
                failed += 1
    return {"seconds": time.monotonic() - began, "failed": failed}
