"""The command line as an operator uses it, and the /healthz route."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.runtime.app import build
from bot.common.config import load_settings
from bot.platforms import read_all
from bot.ports import ConfigError
from bot.runtime.web import make_web_app

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, tmp_path: Path, stdin: str = "", **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_"))}
    environment.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "PYTHONPATH": str(ROOT), **env})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=tmp_path, env=environment, timeout=120)


def test_every_command_has_help(tmp_path):
    done = cli("--help", tmp_path=tmp_path)
    assert done.returncode == 0
    for name in ("serve", "clock", "worker", "console", "migrate", "tick", "run"):
        assert name in done.stdout
        assert cli(name, "--help", tmp_path=tmp_path).returncode == 0


def test_migrate_then_tick_drains_console_deliveries(tmp_path):
    assert "up to date" in cli("migrate", tmp_path=tmp_path).stdout
    script = "/tick 2026-12-01T09:00\n/as Mia\n/in #c\n/circle new Piiri @Ann\n/circle schedule reflection thu 14:00\n"
    assert cli("console", tmp_path=tmp_path, stdin=script).returncode == 0
    done = cli("tick", "--at", "2026-12-03T14:00", "--settle", "0", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "'runs': 1" in done.stdout and "sent 2" in done.stdout
    again = cli("tick", "--at", "2026-12-03T14:00", "--settle", "0", tmp_path=tmp_path)
    assert "'runs': 0" in again.stdout and "sent 0" in again.stdout


def test_run_without_platform_starts_the_console_with_a_banner(tmp_path):
    done = cli("run", tmp_path=tmp_path, stdin="/as Ann\n/circle list\n")
    assert done.returncode == 0
    assert "Kipinä console" in done.stdout and "SLACK_BOT_TOKEN" in done.stdout
    assert "You aren't in any circle yet" in done.stdout


def test_bad_configuration_is_a_clear_message(tmp_path):
    done = cli("migrate", tmp_path=tmp_path, MIN_GROUP_SIZE="2")
    assert done.returncode == 2
    assert "MIN_GROUP_SIZE must be between 3" in done.stderr and "Traceback" not in done.stderr


def test_bad_tick_time_is_a_clear_message(tmp_path):
    done = cli("tick", "--at", "next thursday", tmp_path=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr


async def test_healthz_reports_database(settings, engine):
    app = build(settings, platform_names=[], engine=engine)
    async with TestClient(TestServer(make_web_app(app))) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        assert (await response.json())["ok"] is True
    engine.dispose()


@pytest.mark.parametrize("name,raw,says", [
    ("SLACK_MESSAGES_PER_SECOND", "fast", "must be a number of messages per second, got 'fast'"),
    ("TEAMS_MESSAGES_PER_SECOND", "5000", "must be between 0.1 and 1000 messages per second, got 5000"),
    ("CLOCK_STANDBY_POLL_SECONDS", "0", "must be between 0.1 and 60 seconds, got 0"),
    ("SENDER_TIMEOUT_SECONDS", "0.5", "must be between 1 and 3600 seconds, got 0.5"),
])
def test_numbers_out_of_range_name_the_variable_and_the_limits(name, raw, says):
    with pytest.raises(ConfigError) as refused:
        read_all(load_settings({name: raw}, dotenv=False).env)
    assert str(refused.value) == f"{name} {says}"


def test_rates_and_waits_are_read_as_given():
    settings = load_settings({"SLACK_MESSAGES_PER_SECOND": "50", "CLOCK_STANDBY_POLL_SECONDS": "0.5"}, dotenv=False)
    assert read_all(settings.env)["slack"].messages_per_second == 50.0
    assert settings.clock_standby_poll_seconds == 0.5
