"""A local OpenAI-compatible server on port 0: POST /v1/chat/completions, recording every request body.

It runs its own event loop in a thread, so the synchronous `openai` client can call it from a
plain test. It can be told to answer slowly (for time-outs), with an HTTP error, or with any
content the model would write.
"""
from __future__ import annotations

import asyncio
import json
import threading

from aiohttp import web


class OpenAIStub:
    def __init__(self):
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.content = json.dumps({"en": [{"title": "Asking for feedback", "summary": "People ask early."}]})
        self.delay = 0.0
        self.status = 200
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> "OpenAIStub":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _completions(self, request: web.Request) -> web.Response:
        self.requests.append(await request.json())
        self.headers.append(dict(request.headers))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status != 200:
            return web.json_response({"error": {"message": "model unavailable", "type": "server_error"}},
                                     status=self.status)
        return web.json_response({
            "id": f"chatcmpl-{len(self.requests)}", "object": "chat.completion", "created": 0, "model": "stub",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": self.content}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        })

    def sent_text(self) -> str:
        """Everything that left the process, as one string."""
        return "\n".join(json.dumps(body, ensure_ascii=False) for body in self.requests)
