"""A TCP proxy in front of PostgreSQL (tests and benches) that can be 'restarted': every connection through it is
cut and new ones are refused for a while, as a real database restart does to its clients."""
from __future__ import annotations

import asyncio
import threading


class RestartableProxy:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.loop = asyncio.new_event_loop()
        self.server = None
        self.port = 0
        self.writers: set[asyncio.StreamWriter] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> int:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(0), self.loop).result(10)
        return self.port

    async def _listen(self, port: int) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _handle(self, reader, writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers.update((writer, up_writer))

        async def pipe(src, dst):
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        try:
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        except asyncio.CancelledError:  # the proxy stopping: the connection just ends, without a traceback
            pass

    async def _restart(self, down_for: float) -> None:
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        self.writers.clear()
        await self.server.wait_closed()
        await asyncio.sleep(down_for)
        await self._listen(self.port)

    def restart(self, down_for: float = 1.0) -> None:
        """Cut every connection, refuse new ones for `down_for` seconds, then accept again."""
        asyncio.run_coroutine_threadsafe(self._restart(down_for), self.loop).result(down_for + 10)

    def stop(self) -> None:
        async def close():
            self.server.close()
            for writer in list(self.writers):
                writer.close()
            others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in others:  # the pipes of connections still open
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
