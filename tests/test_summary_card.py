"""The weekly summary as structured blocks: headline facts, trend and circle tables, and how Teams
(a card with facts a line each, the trend as a Table, circles row by row, and the chart), Slack (fields, preformatted tables) and the console
show them."""
from __future__ import annotations

import base64
import io
import json
from types import SimpleNamespace

import pytest
from sqlmodel import Session

from bot.platforms.console.view import ConsoleView
from bot.platforms.slack.blocks import message_parts
from bot.platforms.teams.cards import MAX_BYTES, activity, sized_card
from bot.ports import Attachment, Block, Message, facts, table
from bot.domain.reports import figures as sql
from bot.domain.reports.chart import answer_ticks, nice_ticks
from bot.domain.reports.summary import compute
from bot.domain.reports.view import delivery_message, render, sparkline
from fakes.slack_checks import assert_valid_payload
from fakes.teams_world import BOT, check_activity, check_card, elements
from harness import at
from prompts import default_library
from summary_world import REPORT_WEEK, Seed, realistic

NOW = at("2026-12-07 09:00")
HEADERS = {"fi": ("Tunnusluku", "Kehitys", "Viikko 49"), "sv": ("Nyckeltal", "Utveckling", "Vecka 49"),
           "en": ("Measure", "Trend", "Week 49")}
LABELS = {"fi": ("Vastaukset", "Vastausaste", "Piiri"), "sv": ("Svar", "Svarsfrekvens", "Cirkel"),
          "en": ("Answers", "Response rate", "Circle")}
PERCENT = {"fi": "{} %", "sv": "{} %", "en": "{}%"}


def summary_of(engine, settings, seed) -> dict:
    with Session(engine) as session:
        return compute(session, seed.workspace, settings, sql.parse_week(REPORT_WEEK, "Europe/Helsinki"), NOW,
                       library=default_library())


def withheld_summary(engine, settings) -> dict:
    """Six members, only two of them asked this week: no answer figures may be shown."""
    seed = Seed(engine)
    seed.circle("Six", ["P One", "P Two", "P Three", "P Four", "P Five", "P Six"])
    run = seed.run("Six", at("2026-12-03 14:00"), asked=["P One", "P Two"])
    seed.answer(run, "P Two", "shared thought", "private")
    summary = summary_of(engine, settings, seed)
    assert summary["totals"]["withheld"]
    return summary


def delivered(summary: dict, lang: str = "en") -> Message:
    """What the weekly job sends an HR user: the summary with its chart."""
    settings = SimpleNamespace(hr_users=frozenset({"teams:29:hanna"}))
    msg = delivery_message(settings, SimpleNamespace(platform="teams"), SimpleNamespace(platform_user_id="29:hanna"),
                           summary, lang)
    assert msg is not None and msg.attachment is not None
    return msg


def of_kind(msg: Message, kind: str) -> list[Block]:
    return [b for b in msg.blocks if b.kind == kind]


def fact_lines(card: dict) -> list[tuple[str, str]]:
    """(label, value) of the lines that show facts: a bold 'label:' run, then the value."""
    return [(block["inlines"][0]["text"].removesuffix(":"), block["inlines"][1]["text"].strip())
            for block in elements(card, "RichTextBlock") if len(block["inlines"]) == 2
            and block["inlines"][0].get("weight") == "Bolder" and block["inlines"][0]["text"].endswith(":")]


def card_texts(card: dict) -> str:
    runs = [r["text"] for r in elements(card, "TextRun")]
    facts_ = [f"{f['title']}: {f['value']}" for s in elements(card, "FactSet") for f in s["facts"]]
    return "\n".join(runs + facts_)


def test_the_helpers_keep_rows_and_a_plain_text_rendering():
    block = facts([("Answers", 64), ("Response rate", "53%")])
    assert block.kind == "facts" and block.rows == (("Answers", "64"), ("Response rate", "53%"))
    assert block.text == "Answers: 64\nResponse rate: 53%"
    grid = table(("Circle", "People"), [("Learners", "7"), ("Makers",)])
    assert grid.rows == (("Circle", "People"), ("Learners", "7"), ("Makers", ""))
    assert grid.text.splitlines() == ["Circle    People", "Learners  7", "Makers"]
    assert Message(blocks=(block, grid)).plain_text == block.text + "\n" + grid.text


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_summary_has_facts_a_trend_table_and_a_circle_table(engine, settings, lang):
    summary = summary_of(engine, settings, realistic(engine))
    totals, trend = summary["totals"], summary["trend"]
    msg = render(summary, lang)
    (figures,) = of_kind(msg, "facts")
    tables = of_kind(msg, "table")
    assert figures.rows and len(tables) == 2
    answers, rate, circle = LABELS[lang]
    shown = dict(figures.rows)
    assert shown[answers] == str(totals["answers"]) and totals["answers"] > 0
    assert shown[rate] == PERCENT[lang].format(round(totals["response_rate"] * 100))
    assert str(totals["members"]) in shown.values()
    trend_table, circles = tables
    assert trend_table.rows[0] == HEADERS[lang]
    assert len(trend_table.rows) == 6  # answers, response rate, active circles, people, in threads
    assert trend_table.rows[1] == (answers, sparkline(trend["answers"]), str(trend["answers"][-1]))
    assert trend_table.rows[2][:2] == (rate, sparkline(trend["response_rate"], rate=True))
    assert circles.rows[0][0] == circle and len(circles.rows[0]) == 5
    named = [c for c in summary["circles"]]
    assert [row[0] for row in circles.rows[1:len(named) + 1]] == ["Learners", "Makers"]
    learners = named[0]
    assert circles.rows[1][1:3] == (str(learners["members"]), f"{learners['answers']}/{learners['prompts']}")
    assert circles.rows[-1][1] == str(summary["other"]["members"])  # the folded small circles, together
    assert "Tiny" not in msg.plain_text and "Duo" not in msg.plain_text
    assert of_kind(msg, "code") == []


def test_sparklines_count_from_zero_and_rates_on_the_whole_scale():
    assert sparkline([5, 5, 5]) == "███"  # a steady count is not a dip
    assert sparkline([0, 0]) == "▁▁" and sparkline([]) == ""
    assert sparkline([2, 4, None, 8]) == "▃▅·█"
    assert sparkline([0.2, 0.2], rate=True) == "▂▂"  # a steady 20 % stays low
    assert sparkline([0.0, 0.5, 1.0, None], rate=True) == "▁▅█·"
    assert sparkline([None, None], rate=True) == "··" and sparkline([None]) == "·"


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_the_teams_card_of_a_delivered_summary(engine, settings, lang):
    msg = delivered(summary_of(engine, settings, realistic(engine)), lang)
    card = sized_card(msg)
    check_card(card)
    check_activity(activity(card, BOT, "a:1", msg.summary, "tenant"))
    size = len(json.dumps(card, ensure_ascii=False).encode("utf-8"))
    assert 0 < size <= MAX_BYTES
    assert elements(card, "FactSet") == []  # its title column is 150 px: long words would break mid-word
    assert fact_lines(card) == list(of_kind(msg, "facts")[0].rows)
    (grid,) = elements(card, "Table")  # the trend; the five columns by circle go row by row
    assert grid["firstRowAsHeader"]
    header = [cell["items"][0]["inlines"][0] for cell in grid["rows"][0]["cells"]]
    assert [run["text"] for run in header] == list(HEADERS[lang]) and all(r["weight"] == "Bolder" for r in header)
    assert len(grid["rows"]) == 6 and len(grid["columns"]) == 3
    (by_circle,) = [b for b in of_kind(msg, "table") if len(b.rows[0]) == 5]
    titles, rows = by_circle.rows[0], by_circle.rows[1:]
    runs = [block["inlines"][0] for block in elements(card, "RichTextBlock") if len(block["inlines"]) == 1]
    texts = [run["text"] for run in runs]
    assert len(rows) >= 2
    for row in rows:  # the circle in bold, then each figure after its column's title, kept together
        at = texts.index(row[0])
        assert runs[at]["weight"] == "Bolder"
        pairs = texts[at + 1].split(" · ")
        assert pairs == ["\u00a0".join(f"{title} {cell}".split()) for title, cell in zip(titles[1:], row[1:])]
    (picture,) = elements(card, "Image")
    prefix = "data:image/png;base64,"
    assert picture["url"].startswith(prefix) and picture["altText"]
    assert base64.b64decode(picture["url"][len(prefix):]) == msg.attachment.content
    assert '"type": "TextBlock"' not in json.dumps(card)  # every text still a TextRun or a fact


def test_a_card_without_room_for_the_picture_goes_without_it():
    png = Attachment("c.png", b"\x89PNG" + bytes(6000), "image/png", title="Chart")
    long = "x" * (MAX_BYTES - 3000)
    card = sized_card(Message(blocks=(Block("text", long),), summary="S", attachment=png))
    check_card(card)
    assert len(json.dumps(card).encode()) <= MAX_BYTES
    assert elements(card, "Image") == [] and long in card_texts(card)  # the text stays whole
    small = sized_card(Message(blocks=(Block("text", "short"),), summary="S", attachment=png))
    assert len(elements(small, "Image")) == 1
    limited = sized_card(Message(blocks=(Block("text", "y" * 30_000),), summary="S", attachment=png))
    assert elements(limited, "Image") == [] and len(json.dumps(limited).encode()) <= MAX_BYTES


def test_facts_are_inert_text_whatever_they_hold():
    card = sized_card(Message(blocks=(facts([("**Bold** [x](http://evil)", "<at>all</at>")]),), summary="S"))
    check_card(card)
    assert elements(card, "FactSet") == [] and elements(card, "TextBlock") == []
    assert fact_lines(card) == [("**Bold** [x](http://evil)", "<at>all</at>")]


def test_withheld_figures_never_appear_in_the_card(engine, settings):
    summary = withheld_summary(engine, settings)
    msg = delivered(summary)
    card = sized_card(msg)
    check_card(card)
    titles = [label for label, _ in fact_lines(card)]
    assert titles and "People in circles" in titles
    for hidden in ("Answers", "Response rate", "Reflection prompts sent", "Shared with the circle", "Kept private"):
        assert hidden not in titles
    text = card_texts(card)
    assert "Fewer than 5 people were asked this week, so answer figures are not shown." in text
    trend = elements(card, "Table")[0]
    latest = {row["cells"][0]["items"][0]["inlines"][0]["text"]: row["cells"][2]["items"][0]["inlines"][0]["text"]
              for row in trend["rows"][1:]}
    assert latest["Answers"] == "–" and latest["Response rate"] == "–"
    assert "Six" not in text and "P Two" not in text


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_slack_shows_facts_as_fields_and_tables_preformatted(engine, settings, lang):
    msg = delivered(summary_of(engine, settings, realistic(engine)), lang)
    parts = message_parts(msg, files_as_text=False)
    for part in parts:
        assert_valid_payload(part)
    blocks = [b for part in parts for b in part["blocks"]]
    sections = [b for b in blocks if b["type"] == "section" and b.get("fields")]
    rows = of_kind(msg, "facts")[0].rows
    assert sections and all(len(s["fields"]) <= 10 for s in sections)
    fields = [f["text"] for s in sections for f in s["fields"]]
    assert fields == [f"*{label}*\n{value}" for label, value in rows]
    preformatted = [b["elements"][0]["elements"][0]["text"] for b in blocks if b["type"] == "rich_text"]
    assert [t.text for t in of_kind(msg, "table")] == preformatted
    header, *rows = preformatted[0].splitlines()
    column = header.index(HEADERS[lang][1])  # the sparklines start under their header on every row
    assert header.startswith(HEADERS[lang][0]) and len(rows) == 5
    assert all(row[column - 2:column] == "  " and row[column] in "▁▂▃▄▅▆▇█·" for row in rows)


def test_many_facts_are_split_into_sections_of_ten_and_long_tables_between_rows():
    many = facts([(f"Label {i}", str(i)) for i in range(22)] + [("<!channel> *x*", "& " + "ä" * 5000)])
    (part,) = message_parts(Message(blocks=(many,), summary="S"))
    assert_valid_payload(part)  # no live mention, every field within Slack's limit
    assert [len(b["fields"]) for b in part["blocks"]] == [10, 10, 3]
    last = part["blocks"][-1]["fields"][-1]["text"]
    assert last.startswith("*&lt;!channel&gt; x*\n&amp;") and last.endswith("…")
    rows = [(f"Circle {i:03}", "x" * 40, str(i)) for i in range(200)]
    grid = table(("Circle", "Notes", "N"), rows)
    parts = message_parts(Message(blocks=(grid,), summary="S"))
    chunks = [b["elements"][0]["elements"][0]["text"] for p in parts for b in p["blocks"]]
    assert len(chunks) > 1 and all(len(chunk) <= 3000 for chunk in chunks)
    assert "\n".join(chunks) == grid.text  # split only where a row ends


def test_the_console_shows_facts_and_aligned_columns(engine, settings):
    msg = render(summary_of(engine, settings, realistic(engine)), "en")
    out = io.StringIO()
    ConsoleView(out).show("DM → Hanna", msg, None)
    printed = [line[4:] for line in out.getvalue().splitlines()[1:]]
    grid = of_kind(msg, "table")[0]
    header = printed.index(grid.text.splitlines()[0])
    assert printed[header + 1] == "─" * len(printed[header])
    columns = printed[header].index("Trend")
    rows = printed[header + 2:header + 7]
    assert len(rows) == 5 and all(row[columns - 2:columns] == "  " and row[columns] in "▁▂▃▄▅▆▇█·" for row in rows)
    answers = of_kind(msg, "facts")[0].rows
    assert f"Answers: {dict(answers)['Answers']}" in printed


@pytest.mark.parametrize("high, ticks", [(0, [0, 1]), (1, [0, 1]), (3, [0, 1, 2, 3]), (6, [0, 2, 4, 6]),
                                         (7, [0, 2, 4, 6, 8]), (13, [0, 5, 10, 15]), (47, [0, 10, 20, 30, 40, 50]),
                                         (100, [0, 20, 40, 60, 80, 100]), (1234, [0, 500, 1000, 1500])])
def test_the_chart_axis_has_nice_evenly_spaced_ticks(high, ticks):
    assert nice_ticks(high) == ticks


def test_every_axis_is_nice_and_covers_the_highest_week():
    checked = 0
    for high in range(0, 2001):
        ticks = nice_ticks(high)
        step = ticks[1] - ticks[0]
        assert ticks[0] == 0 and all(b - a == step for a, b in zip(ticks, ticks[1:]))  # evenly spaced
        assert int(str(step)[0]) in (1, 2, 5) and set(str(step)[1:]) <= {"0"}  # 1, 2 or 5 times a power of ten
        assert ticks[-1] >= high and ticks[-1] - step < max(high, 1) and 2 <= len(ticks) <= 7
        checked += 1
    assert checked == 2001


def test_the_summary_chart_uses_the_nice_ticks(engine, settings):
    summary = summary_of(engine, settings, realistic(engine))
    highest = max(a for a in summary["trend"]["answers"] if a is not None)
    assert highest == 13 and answer_ticks(summary) == [0, 5, 10, 15]  # not 0, 3, 6, 10, 13
