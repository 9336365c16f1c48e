"""The workspace's send rate shared by every sender process through the database (bot/runtime/sending/budget.py)."""
from __future__ import annotations

import asyncio
import functools
import logging
import time

import pytest
from sqlalchemy import text

from bench.common import most_within
from bot.ports import Limits
from bot.runtime.sending.budget import Block, SharedBudget, shared_budget
from bot.runtime.sending.marks import Marks
from bot.runtime.sending.pacing import Pacer, hear
from conftest import PG_URL
from storage.db import make_engine

on_postgres = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")


def limits(rate: float, burst: int = 1) -> Limits:
    return Limits(per_target_rate=1000, per_target_burst=1000, global_rate=rate, global_burst=burst)


def test_a_block_hands_out_its_slots_one_interval_apart():
    block = Block(interval=0.1, late=0.05)
    block.add(10.0, 3)

    taken = [block.take(10.0) for _ in range(4)]

    assert taken[:3] == pytest.approx([10.0, 10.1, 10.2]) and taken[3] is None


def test_slots_not_used_in_time_lapse_instead_of_adding_up_to_a_burst():
    block = Block(interval=0.1, late=0.05)
    block.add(10.0, 10)
    assert block.take(10.0) == 10.0

    # idle for a while: the slots that went by are gone, the next one is still ahead
    assert block.take(10.57) == pytest.approx(10.6)
    assert block.take(10.57) == pytest.approx(10.7)
    assert block.take(30.0) is None  # the rest lapsed too: book a new block from now


def test_sqlite_has_one_sender_and_no_shared_budget(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'k.db'}")
    assert shared_budget(engine, "slack", limits(10)) is None
    engine.dispose()


async def sending(pacers: list[Pacer], each: int, workspace: str = "T1") -> list[float]:
    """`each` messages from every pacer (a sender process each), all waiting at once; when each went."""
    went: list[float] = []

    async def one(pacer: Pacer, n: int) -> None:
        await pacer.wait(f"U{n}", workspace)
        went.append(time.monotonic())

    await asyncio.gather(*(one(pacer, n) for pacer in pacers for n in range(each)))
    return sorted(went)


def test_an_unreachable_database_falls_back_to_pacing_in_process_and_says_so_once(caplog):
    engine = make_engine("postgresql://kipina@127.0.0.1:1/nowhere")  # nothing listens on port 1
    budget = SharedBudget(engine, "slack", rate=20)
    pacer = Pacer(limits(20), shared=budget)
    caplog.set_level(logging.INFO, logger="kipina.budget")

    started = time.monotonic()
    went = asyncio.run(sending([pacer], 10))

    assert went[-1] - started < 2  # not stopped: paced at 20/s by this process alone
    assert went[-1] - went[0] >= 0.4
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "pacing in this process" in warnings[0].getMessage()
    engine.dispose()


@on_postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_three_senders_together_keep_one_rate(engine):
    rate = 50
    pacers = [Pacer(limits(rate), shared=shared_budget(engine, "slack", limits(rate))) for _ in range(3)]

    went = asyncio.run(sending(pacers, 25))  # 75 messages: 1.5 s at 50/s, 0.5 s if each paced alone

    assert went[-1] - went[0] >= 74 / rate * 0.95
    assert most_within(went, 1.0) <= rate + 2
    with engine.connect() as conn:
        assert conn.execute(text("SELECT key FROM sendbudget")).scalars().all() == ["slack:T1"]


@on_postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_workspaces_have_budgets_of_their_own(engine):
    rate = 40
    pacer = Pacer(Limits(per_target_rate=1000, per_target_burst=1000, global_rate=1000, global_burst=1),
                  shared=shared_budget(engine, "slack", limits(rate)))

    async def both():
        return await asyncio.gather(sending([pacer], 20, "T1"), sending([pacer], 20, "T2"))

    one, two = asyncio.run(both())

    assert one[-1] - one[0] >= 19 / rate * 0.95 and two[-1] - two[0] >= 19 / rate * 0.95
    assert abs(one[-1] - two[-1]) < 0.2  # side by side, not one after the other


@on_postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_slots_booked_but_not_used_give_no_burst_later(engine):
    rate = 20
    first = SharedBudget(engine, "slack", rate)
    second = Pacer(limits(1000), shared=SharedBudget(engine, "slack", rate))  # only the budget paces

    async def scenario():
        first.wanting = 10  # as if ten sends waited: it books half a second, then uses one slot
        await first.slot("T1")
        first.wanting = 0
        await asyncio.sleep(0.8)  # its other nine slots go by unused
        started = time.monotonic()
        return started, await sending([second], 10)

    started, went = asyncio.run(scenario())

    assert went[0] - started < 0.1  # the budget is free again: no wait for the lapsed block
    assert went[-1] - went[0] >= 9 / rate * 0.95  # and no credit saved up for a burst


@on_postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_database_hiccup_is_ridden_out_and_the_budget_comes_back(engine, caplog):
    budget = SharedBudget(engine, "slack", rate=100)
    budget.fallback = 0.3
    caplog.set_level(logging.INFO, logger="kipina.budget")

    async def ask() -> float | None:
        return await budget.slot("T1")

    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE sendbudget RENAME TO sendbudget_away"))
    try:
        away = [asyncio.run(ask()) for _ in range(5)]
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE sendbudget_away RENAME TO sendbudget"))
    time.sleep(0.35)
    back = asyncio.run(ask())

    assert away == [None] * 5 and back is not None
    said = [r.getMessage() for r in caplog.records]
    assert len([m for m in said if "unavailable" in m]) == 1
    assert len([m for m in said if "answers again" in m]) == 1


@on_postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_sends_that_slept_through_a_stalled_loop_do_not_go_all_at_once(engine):
    rate = 20
    budget = shared_budget(engine, "slack", limits(rate))
    pacer = Pacer(limits(1000), shared=budget)  # only the shared budget paces

    async def scenario():
        await sending([pacer], 1)  # connected
        sends = asyncio.ensure_future(sending([pacer], 12))  # slots 50 ms apart
        await asyncio.sleep(0.01)
        while budget.wanting:  # until every send has its slot and sleeps until it
            await asyncio.sleep(0.005)
        time.sleep(0.5)  # the loop is stuck (a long callback) while ten of those slots go by
        return await sends

    went = asyncio.run(scenario())

    assert most_within(went, 0.2) <= 0.2 * rate + 2  # the late ones took new slots
    assert len(went) == 12


@on_postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_hold_one_sender_began_reaches_another_as_it_records_a_send(engine):
    # The other sender booked its slots before the hold: only the holds read as it marks its
    # sends keep those slots from going inside the hold.
    theirs = SharedBudget(engine, "slack", rate=8)
    ours = Pacer(limits(8), shared=SharedBudget(engine, "slack", rate=8), platform="slack")
    marks = Marks(engine, "ours", heard=functools.partial(hear, {"slack": ours}))

    async def scenario():
        await ours.shared.slot("T1")  # its block is booked
        await theirs.hold("T1", 5.0)
        before = ours.holding("T1")
        await marks.starting(1)  # a send about to go out is recorded
        return before, ours.holding("T1")

    before, after = asyncio.run(scenario())

    assert before == 0 and 4.0 < after <= 5.0
    assert ours.holding("T2") == 0  # another workspace goes on
