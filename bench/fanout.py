"""How fast a prompt reaches 10,000 people when the platform's own rate limit is the only brake.

For each backend and platform: one circle of 10,000 members in a fresh database, a stand-in
Slack Web API or Teams connector in its own process (a rate limit answered with 429 +
Retry-After, 20–50 ms per call, 1 % of calls refused at random with a 500), and the real bot
(`python -m bot serve`) in another. The mentor asks for a prompt now, the way they would in
Slack or Teams; the bench waits until the service has seen every member and reports the time
against the floor (members / limit), people missed, duplicates and the bot's peak memory. The
same service then gets a plain loop over the platform's client (bench.fanout_naive) for comparison.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import aiohttp

from bench import fanout_naive
from bench.common import analyze, database, peak_rss_mb
from bench.fanout_world import SIGNING_SECRET, seed, slack_command, teams_mention
from bench.procs import ALWAYS_WORKING, Children, free_port, wait_healthy

TARGET_RATIO, TARGET_MB = 1.10, 250


@dataclass(frozen=True)
class Platform:
    name: str
    rate: float  # messages per second the service allows, and what the bot is told to use
    per_target: tuple[float, float]  # per conversation: rate, burst


# Slack: the example limit for chat.postMessage. Teams: its published global limit of
# 50 requests a second per app and tenant; a conversation's own limit (about 7 per second,
# 8 per 2 s) stays on, although a prompt is one message per 1:1 chat.
PLATFORMS = (Platform("slack", 100.0, (1.0, 3.0)), Platform("teams", 50.0, (2.0, 8.0)))
FULL, SMALL = 10_000, 200
NAIVE: dict[str, dict] = {}  # one baseline per platform: it does not depend on the bot's database


def mock_options(platform: Platform) -> list[str]:
    # No random 429s: a real service's 429 means "the workspace is over its limit, wait", and the bot
    # holds the whole workspace for it (bench/platform_faults.py measures that); random 500s stay.
    rate, burst = platform.per_target
    return ["--rate", str(platform.rate), "--per-target-rate", str(rate), "--per-target-burst", str(burst),
            "--random-429", "0"]


def bot_settings(platform: Platform, url: str, service: str, port: int) -> dict:
    settings = {"DATABASE_URL": url, "PORT": str(port), "LOG_FORMAT": "text", **ALWAYS_WORKING}
    if platform.name == "slack":
        settings.update({"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                         "SLACK_API_URL": f"{service}api/", "SLACK_MESSAGES_PER_SECOND": str(platform.rate)})
    else:
        settings.update({"TEAMS_ENABLED": "true", "TEAMS_MESSAGES_PER_SECOND": str(platform.rate)})
    return settings


async def stats(http: aiohttp.ClientSession, service: str, targets: bool = False) -> dict:
    async with http.get(f"{service}stats", params={"targets": "1"} if targets else {}) as answer:
        return await answer.json()


async def reached(http: aiohttp.ClientSession, service: str, expected: list[str], began: float,
                  timeout: float, settle: float = 2.0) -> dict:
    """Wait until every expected recipient has a message (or nothing moves for too long)."""
    deadline, want = began + timeout, len(expected)
    seen, progress_at = -1, time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - progress_at < 120:
        summary = await stats(http, service)
        if summary["recipients"] != seen:
            seen, progress_at = summary["recipients"], time.monotonic()
        if seen >= want:
            detail = await stats(http, service, targets=True)
            if all(t in detail["targets"] for t in expected):
                break
        await asyncio.sleep(0.25)
    await asyncio.sleep(settle)  # late retries would show up as duplicates
    detail = await stats(http, service, targets=True)
    got = detail["targets"]
    arrivals = [got[t][1] for t in expected if t in got]
    calls = detail.get("calls", {})
    return {
        "seconds": round(max(arrivals) - began, 2) if arrivals else None,
        "first_seconds": round(min(arrivals) - began, 2) if arrivals else None,
        "missed": sum(1 for t in expected if t not in got),
        "duplicates": sum(got[t][0] - 1 for t in expected if t in got),
        "other_messages": sum(n for t, (n, _) in got.items() if t not in set(expected)),
        "limit_429": calls.get("429 limit", 0), "random_429": calls.get("429 random", 0),
        "random_500": calls.get("500 random", 0),
    }


async def naive(http: aiohttp.ClientSession, platform: Platform, service: str, expected: list[str]) -> dict:
    async with http.post(f"{service}reset") as answer:
        answer.raise_for_status()
    sender = fanout_naive.slack(f"{service}api/", expected) if platform.name == "slack" else \
        fanout_naive.teams(service, expected)
    outcome = await sender
    after = await stats(http, service, targets=True)
    got = after["targets"]
    return {"naive_seconds": round(outcome["seconds"], 2),
            "naive_missed": sum(1 for t in expected if t not in got),
            "naive_duplicates": sum(got[t][0] - 1 for t in expected if t in got)}


async def fan_out(children: Children, platform: Platform, url: str, members: int) -> dict:
    service = f"{children.mock(platform.name, *mock_options(platform)).url}/"
    expected = seed(url, platform.name, members, connector=service)
    analyze(url)
    port = free_port()
    bot = children.bot("serve", ["serve", "--port", str(port)], **bot_settings(platform, url, service, port))
    wait_healthy(bot, port)
    floor = members / platform.rate
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        async with http.post(f"{service}reset") as answer:
            answer.raise_for_status()
        began = time.monotonic()
        if platform.name == "slack":
            body, headers = slack_command("prompt now", f"{service}api/respond")
            request = http.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers)
        else:
            request = http.post(f"http://127.0.0.1:{port}/api/messages", json=teams_mention("prompt now", service))
        async with request as answer:
            if answer.status >= 300:
                raise RuntimeError(f"the bot refused the request: HTTP {answer.status}")
        result = await reached(http, service, expected, began, timeout=3 * floor + 120)
        result["peak_rss_mb"] = round(peak_rss_mb(bot.pid), 1)  # VmHWM, read before the bot stops
        bot.stop()
        if platform.name not in NAIVE:
            NAIVE[platform.name] = await naive(http, platform, service, expected)
    result.update(NAIVE[platform.name])
    return {"limit": platform.rate, "floor_seconds": round(floor, 2), **result}


def run(backend: str, platform: Platform, members: int) -> dict:
    result = {"backend": backend, "platform": platform.name, "n": members}
    with Children() as children:
        try:
            with database(backend) as url:
                result.update(asyncio.run(fan_out(children, platform, url, members)))
        except LookupError as missing:
            return {**result, "skipped": str(missing)}
        except Exception as error:
            logs = "\n".join(child.tail(10) for child in children.started)
            return {**result, "error": f"{type(error).__name__}: {error}", "logs": logs[-1500:]}
    seconds = result.get("seconds")
    result["ratio"] = round(seconds / result["floor_seconds"], 3) if seconds else None
    result["ours_vs_naive"] = round(seconds / result["naive_seconds"], 3) if seconds else None
    result["within_target"] = bool(seconds) and result["ratio"] <= TARGET_RATIO and result["missed"] == 0 \
        and result["duplicates"] == 0 and result["peak_rss_mb"] < TARGET_MB
    return result


def results(small: bool, backends: tuple[str, ...]):
    for backend in backends:
        for platform in PLATFORMS:
            yield run(backend, platform, SMALL if small else FULL)
