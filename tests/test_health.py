"""Probes an orchestrator uses: /livez answers while the process runs, /readyz (and /healthz) only
while the database answers with the code's schema and the configured platforms have started; the
clock and worker processes serve them on HEALTH_PORT."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from alembic import command
from prometheus_client.parser import text_string_to_metric_families

from bench.tcp_proxy import RestartableProxy
from bot.runtime.app import build
from bot.runtime.health import head_revision
from bot.runtime.web import make_web_app
from harness import with_env
from storage.db import alembic_config, make_engine, migrate
from conftest import PG_URL

ROOT = Path(__file__).resolve().parent.parent


async def probe(app, *paths: str) -> dict[str, tuple[int, dict]]:
    async with TestClient(TestServer(make_web_app(app))) as client:
        answers = {}
        for path in paths:
            response = await client.get(path)
            answers[path] = (response.status, await response.json())
        return answers


async def test_ready_when_the_database_is_migrated_and_answers(settings, engine):
    app = build(settings, platform_names=[], engine=engine)
    answers = await probe(app, "/livez", "/readyz", "/healthz")

    assert answers["/livez"] == (200, {"ok": True})
    status, body = answers["/readyz"]
    assert status == 200 and body["ok"] is True and body["revision"] == head_revision()
    assert answers["/healthz"] == answers["/readyz"]


async def test_not_ready_while_migrations_are_behind(settings, engine):
    app = build(settings, platform_names=[], engine=engine)
    command.downgrade(alembic_config(engine), "0007")  # as if new code met an old database
    try:
        answers = await probe(app, "/readyz", "/healthz", "/livez")
    finally:
        migrate(engine)  # PostgreSQL's schema is shared by the session's tests
    status, body = answers["/readyz"]
    assert status == 503 and body["ok"] is False
    assert body["reason"] == "migrations behind: run `python -m bot migrate`"
    assert body["revision"] == "0007" and body["expected"] == head_revision() != "0007"
    assert answers["/healthz"][0] == 503 and answers["/livez"][0] == 200


async def test_not_ready_until_every_configured_platform_is_set_up(settings, engine):
    configured = with_env(settings, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="not-used-here-123")
    app = build(configured, platform_names=[], engine=engine)  # Slack configured, never set up

    status, body = (await probe(app, "/readyz"))["/readyz"]
    assert (status, body) == (503, {"ok": False, "reason": "platforms not set up: slack"})


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_gone_is_not_ready_but_alive(settings, database_url, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(urlsplit(database_url).path, folder / "kipina.db")
    engine = make_engine(f"sqlite:///{folder / 'kipina.db'}")
    app = build(replace(settings, database_url=f"sqlite:///{folder / 'kipina.db'}"), platform_names=[], engine=engine)
    assert (await probe(app, "/readyz"))["/readyz"][0] == 200

    engine.dispose()
    folder.rename(tmp_path / "moved")  # the volume went away
    answers = await probe(app, "/readyz", "/livez")
    assert answers["/readyz"] == (503, {"ok": False, "reason": "database unreachable"})
    assert answers["/livez"] == (200, {"ok": True})

    (tmp_path / "moved").rename(folder)  # back again: ready again
    assert (await probe(app, "/readyz"))["/readyz"][0] == 200
    engine.dispose()


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_postgres_unreachable_is_not_ready_but_alive(settings, pg_schema_url, database_url):
    parts = urlsplit(pg_schema_url)
    proxy = RestartableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    port = proxy.start()
    netloc = f"{parts.username}@127.0.0.1:{port}" if parts.username else f"127.0.0.1:{port}"
    url = urlunsplit(parts._replace(netloc=netloc))
    engine = make_engine(url)
    try:
        app = build(replace(settings, database_url=url), platform_names=[], engine=engine)
        assert (await probe(app, "/readyz"))["/readyz"][0] == 200
        proxy.stop()  # every connection cut, new ones refused: a closed port
        answers = await probe(app, "/readyz", "/livez")
    finally:
        engine.dispose()
    assert answers["/readyz"] == (503, {"ok": False, "reason": "database unreachable"})
    assert answers["/livez"] == (200, {"ok": True})


# -- the clock process on HEALTH_PORT ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 2) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def samples(text: str) -> dict[str, float]:
    return {s.name: s.value for family in text_string_to_metric_families(text) for s in family.samples
            if not s.labels}


def start(name: str, folder: Path, **env: str) -> subprocess.Popen:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_", "PROMETHEUS_"))}
    log = open(folder / f"{name}.log", "wb")
    child = subprocess.Popen([sys.executable, "-m", "bot", name], cwd=folder, stdout=log, stderr=log,
                             env={**base, "PYTHONPATH": str(ROOT), "LOG_FORMAT": "json", **env})
    child.log = log
    return child


def stop(child: subprocess.Popen) -> int:
    child.send_signal(signal.SIGTERM)
    try:
        return child.wait(30)
    finally:
        child.log.close()


def scrape_until(port: int, ready, seconds: float = 60) -> dict[str, float]:
    deadline, figures = time.monotonic() + seconds, {}
    while time.monotonic() < deadline:
        try:
            status, text = get(f"http://127.0.0.1:{port}/metrics")
            figures = samples(text) if status == 200 else {}
            if ready(figures):
                break
        except OSError:
            pass
        time.sleep(0.2)
    return figures


def test_the_clock_process_serves_probes_and_metrics_on_health_port(database_url, tmp_path):
    port = free_port()
    clock = start("clock", tmp_path, DATABASE_URL=database_url, HEALTH_PORT=str(port))
    try:
        figures = scrape_until(port, lambda f: f.get("kipina_tick_seconds_count", 0) >= 1)
        assert figures.get("kipina_clock_leader") == 1.0, (tmp_path / "clock.log").read_text()
        assert figures["kipina_tick_seconds_count"] >= 1 and figures["kipina_tick_last_success_timestamp_seconds"] > 0
        assert "kipina_outbox_oldest_due_seconds" in figures and "kipina_senders_alive" in figures
        assert get(f"http://127.0.0.1:{port}/livez") == (200, json.dumps({"ok": True}))
        status, body = get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200 and json.loads(body)["ok"] is True
    finally:
        assert stop(clock) == 0
    lines = [json.loads(line) for line in (tmp_path / "clock.log").read_text().splitlines()]
    assert lines and all(line["time"].endswith("Z") and len(line["time"]) == 24 for line in lines)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_processes_sharing_a_multiprocess_folder_are_scraped_as_one(database_url, tmp_path):
    shared = tmp_path / "prometheus"
    shared.mkdir()
    clock_port, worker_port = free_port(), free_port()
    clock = start("clock", tmp_path, DATABASE_URL=database_url, HEALTH_PORT=str(clock_port),
                  PROMETHEUS_MULTIPROC_DIR=str(shared))
    worker = None
    try:
        assert scrape_until(clock_port, lambda f: f.get("kipina_tick_seconds_count", 0) >= 1)
        worker = start("worker", tmp_path, DATABASE_URL=database_url, HEALTH_PORT=str(worker_port),
                       PROMETHEUS_MULTIPROC_DIR=str(shared))
        # the worker neither ticks nor leads: what it shows of both is the clock's
        figures = scrape_until(worker_port, lambda f: "kipina_clock_leader" in f)
        assert figures["kipina_clock_leader"] == 1.0 and figures["kipina_tick_seconds_count"] >= 1
    finally:
        assert stop(clock) == 0
        if worker is not None:
            assert stop(worker) == 0
    assert list(shared.glob("gauge_livemax_*.db")) == []  # stopped processes leave no live gauge behind
