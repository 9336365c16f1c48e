"""What every benchmark needs: a fresh migrated database, bulk seeding, memory readings."""
from __future__ import annotations

import contextlib
import os
import resource
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone

from sqlalchemy import insert, text

from storage.db import make_engine, migrate, scratch_schema
from storage.models import Circle, Membership, Person, Workspace

CHUNK = 5000
CREATED = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)


def postgres_base() -> str | None:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or None


@contextlib.contextmanager
def database(backend: str) -> Iterator[str]:
    """A migrated, empty database for one benchmark: a temporary SQLite file or PostgreSQL schema."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            engine = make_engine(url)
            migrate(engine)
            engine.dispose()
            yield url
        return
    base = postgres_base()
    if base is None:
        raise LookupError("set BENCH_DATABASE_URL or TEST_DATABASE_URL for PostgreSQL")
    with scratch_schema(base, "kipina_bench") as url:
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url


def analyze(url: str) -> None:
    """Fresh statistics after a bulk load, as a real database would have them."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()


def chunks(conn, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(model.__table__), rows[start:start + CHUNK])


def seed_people(conn, workspace_id: int, count: int, user_id, address=None, first_id: int = 1) -> list[int]:
    """`count` active people; `user_id(i)` and `address(i)` give each one's platform id and DM address."""
    ids = list(range(first_id, first_id + count))
    chunks(conn, Person, [{
        "id": i, "workspace_id": workspace_id, "platform_user_id": user_id(i), "name": f"Person {i}",
        "locale": "fi-FI", "timezone": "Europe/Helsinki", "is_hr": False, "is_admin": False, "is_bot": False,
        "is_active": True, "address": address(i) if address else None, "created_at": CREATED} for i in ids])
    return ids


def seed_workspace(conn, platform: str, external_id: str, workspace_id: int = 1) -> int:
    conn.execute(insert(Workspace.__table__), [{"id": workspace_id, "platform": platform, "external_id": external_id,
                                                "name": "Bench", "created_at": CREATED}])
    return workspace_id


def seed_circles(conn, workspace_id: int, groups: list[list[int]], channel=lambda c: f"C{c:06d}",
                 channel_address=None, first_id: int = 1) -> list[int]:
    """One circle per group of person ids; the first of each group is its mentor."""
    ids = list(range(first_id, first_id + len(groups)))
    chunks(conn, Circle, [{
        "id": c, "workspace_id": workspace_id, "name": f"Circle {c}", "channel_id": channel(c),
        "channel_address": channel_address(c) if channel_address else None, "mentor_id": group[0],
        "language": "fi", "timezone": "Europe/Helsinki", "default_visibility": "circle", "store_coffee_text": False,
        "created_at": CREATED} for c, group in zip(ids, groups)])
    chunks(conn, Membership, [{"circle_id": c, "person_id": p, "role": "mentor" if k == 0 else "member",
                               "joined_at": CREATED} for c, group in zip(ids, groups) for k, p in enumerate(group)])
    return ids


def peak_rss_mb(pid: int | str = "self") -> float:
    """A process's resident-memory high-water mark (VmHWM), in MB."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def most_within(times: list[float], seconds: float) -> int:
    """The most of these moments (sorted) that fall in any window `seconds` long."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= seconds:
            first += 1
        most = max(most, last - first + 1)
    return most
