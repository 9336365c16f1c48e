"""Exactly one active clock on PostgreSQL: a session advisory lock elects it.

The lock lives as long as the leader's database session; if the process dies, PostgreSQL drops
the session and a standby takes over at its next try. SQLite runs a single process: always leader.
Advisory locks belong to the whole database, so a deployment in a schema of its own (search_path)
gets a lock of its own: two Kipinäs sharing one database never wait for each other's clock.
"""
from __future__ import annotations

import asyncio
import logging
import zlib

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger("kipina.leader")

LOCK_KEY = 0x4B49504E  # "KIPN": one clock per database (per schema, outside "public")


def lock_key(schema: str | None) -> int:
    if not schema or schema == "public":
        return LOCK_KEY
    return (zlib.crc32(schema.encode()) & 0x7FFFFFFF) << 32 | LOCK_KEY


class Leadership:
    def __init__(self, engine: Engine, key: int | None = None):
        self.engine, self.key = engine, key  # None: LOCK_KEY for the schema the engine works in
        self.conn: Connection | None = None

    @property
    def needed(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def try_acquire(self) -> bool:
        if not self.needed:
            return True
        self.release()
        conn = self.engine.connect()
        conn.detach()  # a session of its own: closing it must really end it (and the lock)
        try:
            if self.key is None:
                self.key = lock_key(conn.execute(text("SELECT current_schema()")).scalar())
            won = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar())
            conn.commit()
        except Exception:
            conn.close()
            raise
        if won:
            self.conn = conn
        else:
            conn.close()
        return won

    def still_held(self) -> bool:
        """False when the session holding the lock is gone (database restart, network cut)."""
        if not self.needed:
            return True
        if self.conn is None:
            return False
        try:
            # Ask PostgreSQL, not the connection object: after a cut it may have quietly reconnected.
            held = self.conn.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                "AND classid = :hi AND objid = :lo AND objsubid = 1"),
                {"hi": (self.key >> 32) & 0xFFFFFFFF, "lo": self.key & 0xFFFFFFFF}).scalar()
            self.conn.commit()
        except Exception:
            held = 0
        if not held:
            self.release()
        return bool(held)

    def release(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()  # closing the session releases the lock
            except Exception:
                pass
            self.conn = None

    async def wait(self, stop: asyncio.Event, poll: float = 5.0) -> bool:
        """Wait until this process leads (True) or `stop` is set (False)."""
        announced = False
        while not stop.is_set():
            try:
                if await asyncio.to_thread(self.try_acquire):
                    log.info("this clock is the leader")
                    return True
            except Exception as exc:
                log.warning("leader election failed, retrying: %s", type(exc).__name__)
            if not announced:
                log.info("another clock leads; standing by")
                announced = True
            try:
                await asyncio.wait_for(stop.wait(), poll)
            except asyncio.TimeoutError:
                pass
        return False
