"""Logging: one JSON object per line in production, readable lines on a terminal.

Logs carry ids and counts, never answer text; `scrub` removes anything that looks like a
token or a configured secret before a message is logged or stored. Times are UTC with
milliseconds (2026-12-05T14:03:07.123Z). Every line a request causes carries its request id
(`request_id`, a context variable: tasks and threads started inside the request inherit it), and
so do the outbox rows it writes, so one command can be followed from request to delivery.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import datetime, timezone

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


request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def sane_request_id(raw: str | None) -> str:
    """The caller's X-Request-Id when it is a plain token (a proxy's, a load balancer's), else a new one."""
    if raw and _SANE_ID.fullmatch(raw):
        return raw
    return uuid.uuid4().hex


class RequestIds(logging.Filter):
    """Puts the current request id on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


def utc_time(record: logging.LogRecord) -> str:
    at = datetime.fromtimestamp(record.created, timezone.utc)
    return f"{at:%Y-%m-%dT%H:%M:%S}.{int(record.msecs):03d}Z"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": utc_time(record), "level": record.levelname.lower(), "logger": record.name,
                 "message": scrub(record.getMessage())}
        if getattr(record, "request_id", None):
            entry["request_id"] = record.request_id
        if record.exc_info:
            entry["error"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TerminalFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)-7s %(name)s%(request)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return utc_time(record)

    def format(self, record: logging.LogRecord) -> str:
        record.request = f" [{record.request_id}]" if getattr(record, "request_id", None) else ""
        return scrub(super().format(record))


def setup(fmt: str = "auto", level: int = logging.INFO, stream=None, quiet: tuple[str, ...] = ()) -> None:
    """`quiet`: more loggers kept at WARNING (the platforms' SDKs)."""
    stream = stream or sys.stderr
    use_json = fmt == "json" or (fmt == "auto" and not stream.isatty())
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if use_json else TerminalFormatter())
    handler.addFilter(RequestIds())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("apscheduler", "aiohttp.access", "httpx", *quiet):
        logging.getLogger(noisy).setLevel(logging.WARNING)
