"""Child processes for the benches: the bot, the stand-in services, and signed Slack requests to them.

Every child is started in a scratch folder (no .env is read) with only the settings given, its log in
a file, and is stopped by `stop` (SIGTERM, then SIGKILL) — callers do that in a `finally`.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SECRET = "b3nch5ecret0f8k1p1na0000000000aa"
TEAM = "TBENCH"  # the team bench.mock_apis answers auth.test with
# Every hour of every day is a working slot, so a fan-out started now is sent now.
ALWAYS_WORKING = {"WORKING_HOURS": "00:00-23:59", "WORKING_DAYS": "mon-sun", "HOLIDAY_COUNTRY": ""}
OURS = ("DATABASE_URL", "SLACK_", "MICROSOFT_", "TEAMS_", "OPENAI_", "HR_USERS", "ADMIN_USERS", "PORT",
        "WORKING_", "HOLIDAY_", "TIMEZONE", "DEFAULT_LANGUAGE", "OUTBOX_", "SENDER_", "CLOCK_", "LOG_FORMAT")


class Child:
    """A started process with its log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], folder: str, read_port: bool = False):
        self.name = name
        self.log_path = Path(folder) / f"{name}.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, cwd=folder, env=env, stdout=subprocess.PIPE if read_port else self.log,
                                     stderr=self.log)
        self.port: int | None = None
        if read_port:
            line = self.proc.stdout.readline().decode().strip()
            if not line.startswith("PORT "):
                self.stop()
                raise RuntimeError(f"{name} did not start: {line!r}; see {self.log_path}")
            self.port = int(line.split()[1])

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: a crash, as far as the process can tell."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 30) -> int | None:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.log.close()
        return self.proc.returncode

    def tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


class Children:
    """Every process a bench started, stopped together however the bench ends."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="kipina-bench-")
        self.started: list[Child] = []

    def __enter__(self) -> "Children":
        return self

    def __exit__(self, failed, *exc) -> None:
        for child in reversed(self.started):
            child.stop()
        if failed is None:
            shutil.rmtree(self.folder, ignore_errors=True)
        else:
            print(f"logs of the bench's processes: {self.folder}", file=sys.stderr)

    def start(self, name: str, args: list[str], env: dict[str, str], read_port: bool = False) -> Child:
        child = Child(name, args, env, self.folder, read_port)
        self.started.append(child)
        return child

    def mock(self, kind: str = "slack", *options: str) -> Child:
        return self.start(f"mock-{kind}", [sys.executable, "-m", "bench.mock_apis", kind, *options], child_env(),
                          read_port=True)

    def bot(self, name: str, command: list[str], **settings: str) -> Child:
        return self.start(name, [sys.executable, "-m", "bot", *command], child_env(**settings))

    def bare_bolt(self, api_url: str) -> Child:
        return self.start("bare-bolt", [sys.executable, str(ROOT / "bench" / "bare_bolt.py"), "--api", api_url],
                          child_env(SLACK_SIGNING_SECRET=SECRET), read_port=True)


def child_env(**settings: str) -> dict[str, str]:
    """This environment without any bot setting of its own, plus `settings`; bench importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update({"LOG_FORMAT": "json", **settings})
    return env


def slack_settings(database_url: str, mock: Child, rate: float, **more: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": f"{mock.url}/api/", "SLACK_MESSAGES_PER_SECOND": f"{rate:g}", **ALWAYS_WORKING,
            **more}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, data: bytes | None = None, timeout: float = 10) -> dict:
    import json

    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=timeout) as response:
        return json.loads(response.read())


def wait_healthy(child: Child, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited: {child.tail()}")
        with contextlib.suppress(OSError, ValueError):
            if get_json(f"http://127.0.0.1:{port}/healthz", timeout=2).get("ok"):
                return
        time.sleep(0.2)
    raise RuntimeError(f"{child.name} not healthy after {timeout:g}s: {child.tail()}")


def slash_command(user: str, text: str, channel: str, response_url: str, n: int) -> tuple[bytes, dict]:
    """A /circle request as Slack sends it: form body and signed headers."""
    body = urlencode({"token": "legacy", "team_id": TEAM, "team_domain": "bench", "channel_id": channel,
                      "channel_name": channel.lower(), "user_id": user, "user_name": user.lower(),
                      "command": "/circle", "text": text, "api_app_id": "ABENCH", "response_url": response_url,
                      "trigger_id": f"trigger-{n}"})
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return body.encode(), {"Content-Type": "application/x-www-form-urlencoded",
                           "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}
