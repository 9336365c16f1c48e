"""The programme page at the hub over real HTTP: leads only, organisations side by side, the small
one merged, pulse results per statement; and the same page for the browser test (axe)."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session

from bot.domain import programme
from harness import at, make_world
from test_dashboard import ask, client_for, link_of, sign_in

NOW = at("2026-12-15 10:00")  # the last full week is 50
WEEKS = ("2026-W47", "2026-W48", "2026-W49", "2026-W50")


def payload(week: str, members: int, answers: int, pulses: list | None = None) -> dict:
    found = {"version": 1, "week": week, "min_group_size": 5, "too_small": False,
             "figures": {"members": members, "asked": members, "prompts": members, "answers": answers,
                         "answering": answers, "response_rate": round(answers / members, 3), "thread_replies": 3,
                         "thread_people": 2, "circles": 2, "active_circles": 1},
             "coffees": {"groups": 4, "people": 8, "met_share": 0.5},
             "themes": [{"keywords": ["palaute", "kollega"], "people": 5}], "pulses": pulses or []}
    assert programme.problems(found) == []
    return found


def pulse(counts: list[int]) -> dict:
    answered = sum(counts)
    return {"statement": "learned-from-colleague", "counts": counts, "rather_not_say": 1,
            "respondents": answered + 1, "mean": round(sum((i + 1) * c for i, c in enumerate(counts)) / answered, 2)}


def hub_with_three(settings, engine):
    """Maanmittauslaitos and Palkeet large; Valtiovarainministeriö with 3 people in week 50."""
    with Session(engine) as session:
        ids = []
        for name in ("Maanmittauslaitos", "Palkeet", "Valtiovarainministeriö"):
            token = programme.add_organisation(session, name, NOW)
            session.flush()
            ids.append(programme.organisation_for(session, token).id)
        for week in WEEKS:
            programme.store_week(session, ids[0], week, payload(week, 40, 30, [pulse([1, 2, 5, 10, 6])]), NOW)
            programme.store_week(session, ids[1], week, payload(week, 12, 6, [pulse([0, 1, 3, 4, 2])]), NOW)
            programme.store_week(session, ids[2], week, payload(week, 3 if week == WEEKS[-1] else 9, 2), NOW)
        session.commit()
    lead = replace(settings, programme_hub=True, programme_leads=frozenset({"test:lena"}))
    return make_world(lead, engine, start=NOW)


@pytest.fixture
def hub(settings, engine):
    return hub_with_three(settings, engine)


async def test_a_lead_sees_the_organisations_side_by_side(hub):
    url = link_of(ask(hub, "Lena", "dashboard"))
    async with await client_for(hub) as client:
        assert (await client.get("/dashboard/programme")).status == 401
        assert (await sign_in(client, url)).status == 303
        home = await client.get("/dashboard", allow_redirects=False)
        assert home.headers["Location"] == "/dashboard/programme"
        page = await client.get("/dashboard/programme")
        text = await page.text()
    assert page.status == 200 and "Week 50" in text
    rows = text.split("<tbody>")[1].split("</tbody>")[0]
    assert "Maanmittauslaitos" in rows and "Palkeet" not in rows and "Valtiovarainministeriö" not in rows
    assert "2 other organisations" in rows and "Programme total" in rows
    assert "<td>55</td>" in rows  # 40 + 12 + 3 people in total
    pulses = text.split('<h2 id="pulses-heading">')[1].split("</section>")[0]
    assert "This month I learned something useful from a colleague" in pulses  # the default set's words
    assert "learned-from-colleague" not in pulses and ">Maanmittauslaitos</th>" in pulses
    assert ">Palkeet</th>" not in pulses and "Programme total</th><td>3.74</td>" in pulses  # merged: only in the total
    trend = text.split('<h2 id="trend-heading">')[1].split("</section>")[0]
    assert trend.count("<tr><th scope=\"row\">") == 8  # the last eight weeks, four of them with figures
    assert "<td>6</td>" in trend and "<td>2</td>" in trend  # Palkeet and the ministry's weeks before the last


async def test_someone_else_is_not_shown_the_programme(hub):
    url = link_of(ask(hub, "Ann", "dashboard"))
    async with await client_for(hub) as client:
        await sign_in(client, url)
        page = await client.get("/dashboard/programme")
        text = await page.text()
    assert page.status == 403 and "Maanmittauslaitos" not in text
