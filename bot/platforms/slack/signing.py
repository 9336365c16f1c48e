"""What POST /slack/events checks before bolt sees a request: a body that can be read, and
Slack's signature. Anything else from anyone gets a 4xx, never a 500 and a traceback."""
from __future__ import annotations

import logging
import re

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger("kipina.slack")

STAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds in ASCII digits, as Slack sends them
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def signed(verifier: SignatureVerifier | None, body: bytes, headers) -> bool:
    # Only the shapes Slack sends reach the verifier: it raises on a 400-digit timestamp
    # (OverflowError), a non-ASCII signature (TypeError) and a body that is not UTF-8.
    stamp, signature = headers.get("X-Slack-Request-Timestamp", ""), headers.get("X-Slack-Signature", "")
    if verifier is None or not STAMP.fullmatch(stamp) or not SIGNATURE.fullmatch(signature):
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return verifier.is_valid(text, stamp, signature)


def unreadable(request: web.Request) -> web.Response:
    """400 for a body aiohttp could not decode (Content-Encoding: gzip on a plain body). aiohttp's
    parser is stuck on this connection, so it is closed; marking the body read keeps aiohttp from
    reading it again after the answer and logging the same error with a traceback."""
    request.content.feed_eof()
    log.warning("Slack request with an unreadable body refused")
    response = web.json_response({"error": "unreadable body"}, status=400)
    response.force_close()
    return response
