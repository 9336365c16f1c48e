"""The workspace's send rate with one and with three sender processes on PostgreSQL.

One circle of N members (2,400; --small: 600) gets a prompt through the core, as `/circle prompt
now` would; `python -m bot worker` processes told SLACK_MESSAGES_PER_SECOND=40 send it to the
stand-in Slack API, which allows 2,000 a second with no random failures, so only the bot's own
pacing holds the rate. The stand-in records when each message arrived. The figure is the most
that arrived in any 5 s window over what 5 s at the configured rate allow (target: at most
1.15, for every sender together: bot/runtime/sending/budget.py), with the time from first to last
message against the floor (members / rate), people missed and duplicates. SQLite runs a single
sender: skipped.
"""
from __future__ import annotations

from sqlalchemy import text

from bench.common import database, most_within
from bench.procs import Children, get_json
from bench.workers import Bench, Size

RATE = 40.0  # messages per second, for the whole workspace
WINDOW = 5.0  # seconds
TARGET_RATIO = 1.15
FULL, SMALL = Size(2_400), Size(600)  # 60 s and 15 s at the rate; a worker claims 200 rows at a time


def measure(bench: Bench, senders: int) -> dict:
    """Start `senders` workers, plan one prompt to everyone, and read what arrived when."""
    get_json(f"{bench.mock.url}/reset", data=b"")
    started = [bench.start(f"worker-{n}", "worker", SLACK_MESSAGES_PER_SECOND=f"{RATE:g}")
               for n in range(1, senders + 1)]
    bench.connected(started)
    planned = bench.prompt_now()
    run_id = bench.count("SELECT max(id) FROM promptrun WHERE circle_id = 1")
    stats = bench.until_delivered(planned, timeout=max(120, 3 * planned / RATE))
    arrivals = sorted(get_json(f"{bench.mock.url}/stats?arrivals=1")["arrivals"])
    with bench.engine.connect() as conn:
        shares = sorted((n for n, in conn.execute(text(
            "SELECT count(*) FROM delivery WHERE run_id = :run AND status = 'sent' GROUP BY claimed_by"),
            {"run": run_id})), reverse=True)
    for child in started:
        child.stop()
    worst = most_within(arrivals, WINDOW)
    seconds = stats["first_to_last_seconds"]
    floor = planned / RATE
    return {"senders": senders, "configured_rate": RATE, "deliveries": planned,
            "worst_5s_messages": worst, "worst_5s_ratio": round(worst / (WINDOW * RATE), 3),
            "first_to_last_seconds": round(seconds, 2), "floor_seconds": round(floor, 2),
            "vs_floor": round(seconds / floor, 3), "missed": planned - stats["recipients"],
            "duplicates": stats["duplicates"], "429s": stats["calls"].get("429 limit", 0), "sent_by_each": shares,
            "target_met": worst <= TARGET_RATIO * WINDOW * RATE and planned == stats["recipients"]
            and stats["duplicates"] == 0}


def results(small: bool, backends: tuple[str, ...]):
    size = SMALL if small else FULL
    for backend in backends:
        if backend != "postgres":
            yield {"backend": backend, "skipped": "SQLite runs a single sender process: nothing to share"}
            continue
        try:
            with database(backend) as url, Children() as children:
                bench = Bench(url, size, children)
                bench.seed()
                runs = [measure(bench, senders) for senders in (1, 3)]
                bench.engine.dispose()
        except LookupError as missing:
            yield {"backend": backend, "skipped": str(missing)}
            continue
        for run in runs:
            yield {"backend": backend, **run}
