"""Shared fixtures: a migrated database per test, on SQLite always and PostgreSQL when
TEST_DATABASE_URL is set; a Kipinä app wired to a recording platform."""
from __future__ import annotations

import os
import shutil
from dataclasses import replace

import pytest
from sqlalchemy import text

from bot.common.config import Settings
from storage.db import make_engine, migrate, scratch_schema

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
TABLES = ("programmeweek", "programmeorganisation", "programmepush", "dashboardsummary", "dashboardsession", "dashboardlink", "pairoptout", "pairmember", "pairgroup", "pairround", "pairschedule", "sender", "jobrun", "sendbudget", "auditentry", "delivery", "participation", "reply", "assignment", "promptrun", "circleprompt", "schedule",
          "membership", "circle", "person", "workspace")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "kipina.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def pg_schema_url():
    if not PG_URL:
        yield None
        return
    with scratch_schema(PG_URL, "kipina_test") as url:
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path, sqlite_template):
    if request.param == "sqlite":
        path = tmp_path / "kipina.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_schema_url")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url) -> Settings:
    return replace(Settings(), database_url=database_url, hr_users=frozenset({"test:hanna", "console:hanna"}),
                   admin_users=frozenset({"test:otto"}))
