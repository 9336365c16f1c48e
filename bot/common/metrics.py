"""The process's Prometheus metrics (prometheus-client), counted where things happen.

Labels name platforms, outcomes, states, kinds and routes only: never a person, a text, a
conversation or a token. With PROMETHEUS_MULTIPROC_DIR set in the environment before the process
starts, values are kept in files there and one scrape sums every process that shares the folder
(bot/runtime/metrics.py); the figures read from the database at scrape time live there too.
"""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SEND_OUTCOMES = ("sent", "retried", "failed", "held", "found")

sends = Counter("kipina_sends", "Outbox rows by what became of a send: sent, retried, failed, held (a 429 or "
                "an open circuit put it back), found (it had arrived before; not sent again)",
                ["platform", "outcome"])
rate_limited = Counter("kipina_rate_limited", "429s (RateLimited) from a platform", ["platform"])
retry_after_seconds = Counter("kipina_retry_after_seconds", "Seconds of Retry-After the platform asked for",
                              ["platform"])
send_seconds = Histogram("kipina_send_seconds", "How long one platform call for an outbox row took",
                         ["platform"], buckets=(.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
tick_seconds = Histogram("kipina_tick_seconds", "How long the minute tick took (planning and upkeep)",
                         buckets=(.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120))
tick_last_success = Gauge("kipina_tick_last_success_timestamp_seconds",
                          "Unix time the last minute tick finished without an error", multiprocess_mode="max")
clock_leader = Gauge("kipina_clock_leader", "1 in the process that holds the clock's leadership",
                     multiprocess_mode="livemax")
model_calls = Counter("kipina_model_calls", "Calls to the OpenAI-compatible model for the weekly themes, by "
                      "outcome: ok, error (no answer), unusable (not the JSON asked for, or it quoted an answer)",
                      ["outcome"])
http_requests = Counter("kipina_http_requests", "Inbound HTTP requests by route (its pattern, or 'other')",
                        ["platform", "route", "status"])
http_seconds = Histogram("kipina_http_request_seconds", "Time to answer an inbound HTTP request",
                         ["platform", "route"])
