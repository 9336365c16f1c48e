"""Backup and restore as docs/operations.md says to do them, on SQLite (the online backup API through
`python -m bot backup`, and the sqlite3 shell's .backup where it is installed) and on PostgreSQL
(pg_dump -Fc, pg_restore): a database filled through the core while it is in use, copied, restored
into a fresh database, migrated with `python -m bot migrate`, and every answer is there and still
readable by its author only. An erasure made after the backup is applied again with
`python -m bot erasures export` / `apply`."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from bot.common.config import Settings
from harness import at, make_world
from storage.db import alembic_config, make_engine, migrate
from storage.models import AuditEntry, Reply
from test_privacy import C1, SECRET, SHARED, everything_shown_to

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
ERASED_BEFORE = "Cid's answer, erased before the backup"
BACKUP_AT = "2026-12-07T14:30:00+02:00"  # the copy is taken after Cid's erasure (14.00), before Ann's (15.00)


def bot(tmp_path, database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_", "OPENAI_"))}
    env.update({"DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), "REPLY_RETENTION_DAYS": "365"})
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)


def settings_for(url: str) -> Settings:
    return replace(Settings(), database_url=url, hr_users=frozenset({"test:hanna"}), admin_users=frozenset({"test:otto"}))


def fill(url: str):
    """Circles, a private and shared answers, a recap, and one erasure, through the core."""
    engine = make_engine(url)
    world = make_world(settings_for(url), engine)
    world.command("Mia", "new Learners <@ann|Ann> <@bob|Bob> <@cid|Cid>", channel=C1)
    world.command("Mia", "schedule reflection thu 14:00", channel=C1)
    world.tick(at("2026-12-03 14:00"))
    world.submit("Ann", world.prompts("ann")[0].message, SECRET, "private")
    world.submit("Bob", world.prompts("bob")[0].message, SHARED, "circle")
    world.submit("Cid", world.prompts("cid")[0].message, ERASED_BEFORE, "circle")
    world.tick(at("2026-12-07 14:00"))
    ask = world.command("Cid", "forget-me").to_caller[0]
    world.press("Cid", ask, "Yes, erase my data")
    return world, engine


def answers(engine) -> list[tuple]:
    with Session(engine) as s:
        rows = s.exec(select(Reply).order_by(Reply.id)).all()
    return [(r.id, r.person_id, r.visibility, r.text) for r in rows]


def after_the_backup(world) -> None:
    """Ann erases herself once the copy is taken: the restored database still has her answer."""
    world.set_time(at("2026-12-07 15:00"))
    ask = world.command("Ann", "forget-me").to_caller[0]
    world.press("Ann", ask, "Yes, erase my data")


def check_restored(tmp_path, live_url: str, restored_url: str, snapshot: list[tuple]) -> None:
    migrated = bot(tmp_path, restored_url, "migrate")
    assert migrated.returncode == 0 and "database is up to date" in migrated.stdout, migrated.stderr
    engine = make_engine(restored_url)
    try:
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
        restored = answers(engine)
        assert len(restored) == 3 and restored == snapshot  # every answer, as it was at the backup
        assert {t for *_, t in restored} == {SECRET, SHARED, ""}  # Cid's erasure is in the copy too
        world = make_world(settings_for(restored_url), engine, start=at("2026-12-08 10:00"))
        assert SECRET in everything_shown_to(world, "Ann")
        for other in ("Mia", "Bob", "Hanna", "Otto"):  # mentor, circle mate, HR, admin
            assert SECRET not in everything_shown_to(world, other), other
        assert SHARED in everything_shown_to(world, "Bob")  # and the shared one to its author

        exported = bot(tmp_path, live_url, "erasures", "export", "--since", BACKUP_AT, "--out", "erasures.jsonl")
        assert exported.returncode == 0 and "1 erasures" in exported.stderr, exported.stderr
        applied = bot(tmp_path, restored_url, "erasures", "apply", "erasures.jsonl", "--at", "2026-12-08T10:00+02:00")
        assert applied.returncode == 0 and "erased again 1, erased already 0" in applied.stdout, applied.stderr
        assert SECRET not in [t for *_, t in answers(engine)] and len(answers(engine)) == 3
        assert SECRET not in everything_shown_to(world, "Ann")
        with Session(engine) as s:
            assert s.exec(select(AuditEntry).where(AuditEntry.action == "erase")).all()[-1].detail == {"by": "reapplied"}
        again = bot(tmp_path, restored_url, "erasures", "apply", "erasures.jsonl", "--at", "2026-12-08T10:00+02:00")
        assert "erased again 0, erased already 1" in again.stdout  # applying twice changes nothing
    finally:
        engine.dispose()


@pytest.mark.parametrize("how", ["python -m bot backup", "sqlite3 .backup"])
def test_sqlite_backup_while_running_restores_with_every_answer(tmp_path, how):
    if how.startswith("sqlite3") and shutil.which("sqlite3") is None:
        pytest.skip("the sqlite3 shell is not installed (apt-get install sqlite3); `python -m bot backup` is tested")
    live = tmp_path / "live.db"
    live_url = f"sqlite:///{live}"
    migrate(make_engine(live_url))
    world, engine = fill(live_url)
    snapshot = answers(engine)
    assert (tmp_path / "live.db-wal").exists()  # the bot is still running: recent writes sit in the WAL
    copy = tmp_path / "copy.db"
    if how.startswith("python"):
        done = bot(tmp_path, live_url, "backup", str(copy))
        assert done.returncode == 0 and "integrity ok" in done.stdout, done.stderr
        refused = bot(tmp_path, live_url, "backup", str(copy))
        assert refused.returncode == 2 and "exists already" in refused.stderr
    else:
        done = subprocess.run(["sqlite3", str(live), f".backup '{copy}'"], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    after_the_backup(world)
    restored = tmp_path / "restored" / "kipina.db"  # a fresh place, as on a new machine
    restored.parent.mkdir()
    shutil.copy(copy, restored)
    check_restored(tmp_path, live_url, f"sqlite:///{restored}", snapshot)
    engine.dispose()


def test_backup_of_postgresql_points_to_pg_dump(tmp_path):
    done = bot(tmp_path, "postgresql://nobody@127.0.0.1:9/none", "backup", "x.db")
    assert done.returncode == 2 and "pg_dump -Fc" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture
def pg_databases():
    """Two new, empty PostgreSQL databases on the test server (the live one and the restore's), dropped after."""
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (apt-get install postgresql-client)")
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    names = [f"kipina_backup_{uuid.uuid4().hex[:8]}", f"kipina_restore_{uuid.uuid4().hex[:8]}"]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = make_url(PG_URL).set(drivername="postgresql")
    yield [base.set(database=name).render_as_string(hide_password=False) for name in names]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgresql_pg_dump_and_pg_restore_restore_every_answer(tmp_path, pg_databases):
    live_url, restored_url = pg_databases
    migrate(make_engine(live_url))
    world, engine = fill(live_url)
    snapshot = answers(engine)
    dump = tmp_path / "kipina.dump"
    done = subprocess.run(["pg_dump", "-Fc", "-d", live_url, "-f", str(dump)], capture_output=True, text=True,
                          timeout=120)  # while the bot's connections are open
    assert done.returncode == 0 and dump.stat().st_size > 0, done.stderr
    after_the_backup(world)
    restored = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", restored_url, str(dump)],
                              capture_output=True, text=True, timeout=120)
    assert restored.returncode == 0, restored.stderr
    check_restored(tmp_path, live_url, restored_url, snapshot)
    engine.dispose()


def test_erasures_can_be_applied_from_the_log_and_a_bad_file_is_refused(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    migrate(make_engine(url))
    with caplog.at_level("INFO", logger="kipina.erasure"):
        world, engine = fill(url)
    [line] = [r.getMessage() for r in caplog.records if r.name == "kipina.erasure"]
    assert line.startswith('erasure recorded {"person": 4, "platform": "test", "workspace": "T1"')
    assert "cid" not in line.lower() and ERASED_BEFORE not in line  # ids only
    (tmp_path / "from-log.txt").write_text(f"{line}\n\n" + line.replace('"T1"', '"T9"') + "\n", encoding="utf-8")
    done = bot(tmp_path, url, "erasures", "apply", "from-log.txt", "--at", "2026-12-08T10:00+02:00")
    assert "erased already 1, not in this database 0, of another workspace 1" in done.stdout, done.stderr
    (tmp_path / "bad.txt").write_text('{"person": 4}\n', encoding="utf-8")
    bad = bot(tmp_path, url, "erasures", "apply", "bad.txt")
    assert bad.returncode == 2 and "line 1 is not an erasure record" in bad.stderr and "Traceback" not in bad.stderr
    engine.dispose()
