"""The pacer's answer to 429s (a hold of the workspace, or of one conversation) and to storms of
server errors (a circuit that opens and probes)."""
from __future__ import annotations

import asyncio

import pytest

from bot.runtime.sending.pacing import HOLD_MARGIN, Bucket, Pacer, hear
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
    return Pacer(Limits(per_target_rate=1, per_target_burst=1, global_rate=100, global_burst=1000), clock=clock,
                 time_now=clock)


def test_one_429_holds_every_send_to_its_workspace_for_retry_after():
    clock = Clock()
    pacer = fan_out_pacer(clock)
    sending(pacer, clock, 200, 2.0)
    held = 30.0 + HOLD_MARGIN  # a little past Retry-After: the platform's clock may run behind ours
    assert pacer.rate_limited("U0", 30.0, True, "T1") == pytest.approx(held)  # new: the other senders hear of it

    assert pacer.held("T1") == pytest.approx(held)  # every send to the workspace is put back until then
    assert pacer.holding("T1") == pytest.approx(held)  # and none books a slot meanwhile
    assert pacer.held("T2") == 0  # another workspace goes on
    clock.now += 30.0
    assert 0 < pacer.held("T1") <= HOLD_MARGIN
    clock.now += HOLD_MARGIN
    assert pacer.held("T1") == 0


def test_a_hold_another_sender_began_is_kept_here_and_only_for_its_platform():
    clock = Clock()
    pacers = {"slack": fan_out_pacer(clock), "teams": fan_out_pacer(clock)}
    hear(pacers, {("slack", "T1"): 12.5, ("discord", "T1"): 5.0})

    assert pacers["slack"].holding("T1") == pytest.approx(12.5)
    assert pacers["teams"].holding("T1") == 0 and pacers["slack"].holding("T2") == 0
    hear(pacers, {("slack", "T1"): 3.0})  # an older, shorter word does not shorten it
    assert pacers["slack"].holding("T1") == pytest.approx(12.5)


def test_a_conversation_limit_holds_only_that_conversation():
    clock = Clock()
    pacer = fan_out_pacer(clock)
    assert pacer.rate_limited("19:chat", 3.0, False, "T1") == 0.0

    assert pacer.held("T1") == 0
    assert pacer.targets["19:chat"].blocked_until == pytest.approx(clock.now + 3.0 + HOLD_MARGIN)


def test_a_storm_of_server_errors_opens_the_circuit_and_a_probe_closes_it():
    clock = Clock()
    pacer = fan_out_pacer(clock)
    for n in range(4):
        assert pacer.went("T1", False) == 0.0  # a few failures: each row retries on its own
        clock.now += 0.1
    assert pacer.went("T1", False) == 2.0  # the fifth in ten seconds, all of them failing: open
    assert pacer.held("T1") == 2.0
    clock.now += 2.0
    assert pacer.holding("T1") == 0 and pacer.holding("T1") == 0  # a look before booking a slot …
    assert pacer.held("T1") == 0  # … does not take the probe: the first to ask after its slot goes
    assert pacer.held("T1") > 0  # the others wait for its outcome
    assert pacer.went("T1", False) == 4.0  # it failed: open again, twice as long
    clock.now += 4.0
    assert pacer.held("T1") == 0 and pacer.went("T1", True) == 0.0  # the next probe went through: closed
    assert pacer.held("T1") == 0 and pacer.held("T1") == 0


def test_a_few_server_errors_among_many_sends_open_nothing():
    clock = Clock()
    pacer = fan_out_pacer(clock)
    for n in range(100):
        pacer.went("T1", n % 10 != 0)  # one in ten fails
        clock.now += 0.05
    assert pacer.held("T1") == 0


def test_after_a_block_the_queued_senders_go_one_interval_apart():
    bucket = Bucket(rate=10, burst=5)
    bucket.block(0.0, 1.0)

    waits = [bucket.reserve(0.0) for _ in range(4)]

    assert [round(w, 3) for w in waits] == [1.0, 1.1, 1.2, 1.3]
