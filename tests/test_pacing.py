"""The pacer's answer to 429s: noise is ridden out per message, a real overrun holds everything."""
from __future__ import annotations

import asyncio

from bot.runtime.sending.pacing import Bucket, Pacer
from bot.ports import Limits


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sending(pacer: Pacer, clock: Clock, count: int, seconds: float) -> None:
    """`count` messages to different people, spread over `seconds`."""
    async def send_all():
        for n in range(count):
            await pacer.wait(f"U{n}")
            clock.now += seconds / count

    asyncio.run(send_all())


def fan_out_pacer(clock: Clock) -> Pacer:
    # 100 messages a second, with room enough that these tests never wait on the pacer itself
    return Pacer(Limits(per_target_rate=1, per_target_burst=1, global_rate=100, global_burst=1000), clock=clock)


def test_a_few_percent_of_random_429s_hold_only_their_own_messages():
    clock = Clock()
    pacer = fan_out_pacer(clock)
    sending(pacer, clock, 200, 2.0)
    for n in range(5):  # 2.5 % of what went out in the last two seconds
        pacer.rate_limited(f"U{n}", 1.0, platform_wide=True)

    assert pacer.overall.blocked_until <= clock.now
    assert pacer.targets["U0"].blocked_until == clock.now + 1.0


def test_a_burst_of_429s_holds_every_send_for_retry_after():
    clock = Clock()
    pacer = fan_out_pacer(clock)
    sending(pacer, clock, 200, 2.0)
    for n in range(40):  # a fifth of what went out: we really are over the limit
        pacer.rate_limited(f"U{n}", 2.0, platform_wide=True)

    assert pacer.overall.blocked_until == clock.now + 2.0


def test_three_429s_of_a_slow_trickle_are_a_burst():
    clock = Clock()
    pacer = fan_out_pacer(clock)
    sending(pacer, clock, 10, 2.0)
    for n in range(3):
        pacer.rate_limited(f"U{n}", 1.0, platform_wide=True)

    assert pacer.overall.blocked_until == clock.now + 1.0


def test_after_a_block_the_queued_senders_go_one_interval_apart():
    bucket = Bucket(rate=10, burst=5)
    bucket.block(0.0, 1.0)

    waits = [bucket.reserve(0.0) for _ in range(4)]

    assert [round(w, 3) for w in waits] == [1.0, 1.1, 1.2, 1.3]
