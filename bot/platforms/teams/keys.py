"""The channel's token signing keys and the threads that wait for them, for either SDK.

Both SDKs would fetch the channel's OpenID metadata and keys with blocking calls (`requests`,
PyJWT's urllib) in a thread of the shared pool: botbuilder with no time-out at all, the Agents
SDK with 30 s. A hung key endpoint would then take every thread the core needs. So the keys come
from a cache of ours that fetches them with a time-out, keeps them a day and keeps the last good
ones while the endpoint is down; a fetch runs on AUTH_THREADS threads of our own; and a request
waits at most CHECK_TIMEOUT for its check (then 503). Nothing here imports an SDK: sdk_agents.py
and sdk_botbuilder.py each plug this cache into their SDK.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from jwt.algorithms import RSAAlgorithm

from bot.common.logs import scrub

log = logging.getLogger("kipina.teams")

AUTH_THREADS = 2
CHECK_TIMEOUT = 5.0  # seconds a request waits for its token check before a 503
FETCH_TIMEOUT = 3.0  # seconds per HTTP call for the metadata and the keys
FRESH = 24 * 3600.0  # keys are fetched again after a day, as the SDK does
UNKNOWN_KEY_WAIT = 300.0  # a token signed with a key we don't know fetches again at most this often
FAILURE_WAIT = 30.0  # after a failed fetch, the next try waits this long (requests get 503 meanwhile)
MAX_BYTES = 1024 * 1024


class KeysUnavailable(ConnectionError):
    """The signing keys could not be fetched: the request gets a 503 (an OSError, as the SDK's are)."""


@dataclass(frozen=True)
class Key:
    """What the SDK reads of a signing key (its _OpenIdConfig)."""

    public_key: object
    endorsements: list


def _get_json(url: str) -> dict:
    if not url.startswith(("https://", "http://")):  # urllib would open file: URLs too
        raise ValueError(f"not an HTTP URL: {url[:80]}")
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as answer:
        data = json.loads(answer.read(MAX_BYTES))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def fetch_keys(metadata_url: str) -> dict[str, Key]:
    """The OpenID metadata document, then its JWKS: key id → key."""
    keys = _get_json(str(_get_json(metadata_url)["jwks_uri"]))["keys"]
    found = {}
    for jwk in keys if isinstance(keys, list) else []:
        if not (isinstance(jwk, dict) and isinstance(jwk.get("kid"), str) and jwk.get("kty") == "RSA"):
            continue
        try:
            found[jwk["kid"]] = Key(RSAAlgorithm.from_jwk(json.dumps(jwk)), list(jwk.get("endorsements") or []))
        except Exception as error:  # one unreadable key must not cost the others
            log.warning("Teams signing key %s skipped: %s", jwk["kid"][:40], type(error).__name__)
    if not found:
        raise ValueError("no RSA signing keys published")
    return found


class SigningKeys:
    """One issuer's keys, shared by the auth threads (botbuilder reads them as its _OpenIdMetadata)."""

    def __init__(self, metadata_url: str):
        self.url = metadata_url
        self.keys: dict[str, Key] = {}
        self.fetched_at = float("-inf")  # time.monotonic() of the last good fetch
        self.failed_at = float("-inf")
        self.lock = threading.Lock()

    async def get(self, key_id: str) -> Key:
        """botbuilder's interface; blocks (it runs on the auth pool, in an event loop of its own)."""
        return self.find(key_id)

    def cached(self, key_id: str) -> Key | None:
        """The key when no fetch is due for it (no waiting, no thread), else None."""
        now = time.monotonic()
        key = self.keys.get(key_id)
        return key if key is not None and now - self.fetched_at <= FRESH else None

    def find(self, key_id: str) -> Key:
        now = time.monotonic()
        if now - self.fetched_at > FRESH or (key_id not in self.keys and now - self.fetched_at > UNKNOWN_KEY_WAIT):
            self.refresh()
        key = self.keys.get(key_id)
        if key is None:
            raise PermissionError("token signed with an unknown key")
        return key

    def refresh(self) -> None:
        seen = (self.fetched_at, self.failed_at)
        if not self.lock.acquire(timeout=CHECK_TIMEOUT):
            self._unavailable("another check is still fetching them")
            return
        try:
            if (self.fetched_at, self.failed_at) != seen:  # another thread fetched while we waited
                self._unavailable("the fetch just before brought none")
                return
            if time.monotonic() - self.failed_at < FAILURE_WAIT:
                self._unavailable("the last fetch failed moments ago")
                return
            try:
                keys = fetch_keys(self.url)
            except (OSError, ValueError, KeyError, TypeError) as error:
                self.failed_at = time.monotonic()
                log.error("Teams signing keys could not be fetched from %s: %s", self.url,
                          scrub(f"{type(error).__name__}: {error}")[:200])
                self._unavailable("the fetch failed")
                return
            self.keys, self.fetched_at = keys, time.monotonic()
        finally:
            self.lock.release()

    def _unavailable(self, why: str) -> None:
        """Without a fresh fetch: the last good keys if there are any, else a 503."""
        if not self.keys:
            raise KeysUnavailable(f"no Teams signing keys: {why}")


class Checks:
    """AUTH_THREADS threads of our own for whatever may wait on a key endpoint, and the time limit."""

    def __init__(self):
        self.pool = ThreadPoolExecutor(max_workers=AUTH_THREADS, thread_name_prefix="teams-auth")

    async def run(self, call, *args):
        """call(*args) on our threads; KeysUnavailable (503) if it takes more than CHECK_TIMEOUT."""
        work = asyncio.get_running_loop().run_in_executor(self.pool, call, *args)
        return await within_time(work)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


async def within_time(work):
    try:
        return await asyncio.wait_for(work, CHECK_TIMEOUT)
    except asyncio.TimeoutError:
        raise KeysUnavailable(f"the token check took more than {CHECK_TIMEOUT:g} s") from None


def bearer_token(header: str) -> str:
    """The token of `Authorization: Bearer <token>`; PermissionError (401) for anything else."""
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise PermissionError("no bearer token")
    return parts[1]
