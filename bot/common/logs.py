"""Logging: one JSON object per line in production, readable lines on a terminal.

Logs carry ids and counts, never answer text; `scrub` removes anything that looks like a
token or a configured secret before a message is logged or stored.
"""
from __future__ import annotations

import json
import logging
import re
import sys

_TOKEN = re.compile(r"(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|sk-[A-Za-z0-9_-]{8,}|Bearer\s+[A-Za-z0-9._~+/=-]+|"
                    r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9._-]+)")
_secrets: set[str] = set()


def register_secrets(*values: str) -> None:
    _secrets.update(v for v in values if v and len(v) >= 6)


def scrub(text: str) -> str:
    text = _TOKEN.sub("[redacted]", text)
    for secret in _secrets:
        text = text.replace(secret, "[redacted]")
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname.lower(),
                 "logger": record.name, "message": scrub(record.getMessage())}
        if record.exc_info:
            entry["error"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TerminalFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def setup(fmt: str = "auto", level: int = logging.INFO, stream=None, quiet: tuple[str, ...] = ()) -> None:
    """`quiet`: more loggers kept at WARNING (the platforms' SDKs)."""
    stream = stream or sys.stderr
    use_json = fmt == "json" or (fmt == "auto" and not stream.isatty())
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if use_json else TerminalFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("apscheduler", "aiohttp.access", "httpx", *quiet):
        logging.getLogger(noisy).setLevel(logging.WARNING)
