"""The summary's CSV as Excel with Finnish, Swedish or English regional settings reads it: a UTF-8
byte-order mark, `;` and a decimal comma for fi and sv (`,` and `.` for en), titles in the reader's
language, and the learning-coffee and theme sections under the same group-size rule."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

from sqlmodel import Session, select

from bot.common.i18n import t
from bot.domain.reports import figures as sql
from bot.domain.reports.spreadsheet import to_csv
from bot.domain.reports.summary import compute
from harness import at
from prompts import default_library
from storage.models import Circle, PairGroup, PairMember, PairRound, Person
from summary_world import LEARNERS, PRIVATE_MARKER, REPORT_WEEK, TINY, Seed, realistic

NOW = at("2026-12-07 09:00")


def coffee_round(engine, met: int = 2) -> None:
    """One round in week 49 in Learners: three pairs, `met` of which met."""
    with Session(engine) as s:
        circle = s.exec(select(Circle).where(Circle.name == "Learners")).one()
        people = [s.exec(select(Person).where(Person.name == n)).one().id for n in LEARNERS[:6]]
        rnd = PairRound(circle_id=circle.id, scheduled_for=at("2026-11-30 10:00"), people=6)
        s.add(rnd)
        s.flush()
        for k in range(3):
            group = PairGroup(round_id=rnd.id, circle_id=circle.id, prompt_key="trust-c01")
            s.add(group)
            s.flush()
            for person in people[2 * k: 2 * k + 2]:
                s.add(PairMember(group_id=group.id, round_id=rnd.id, person_id=person, met=k < met))
        s.commit()


def summary_of(engine, settings, seed, week=REPORT_WEEK):
    with Session(engine) as session:
        return compute(session, seed.workspace, settings, sql.parse_week(week, "Europe/Helsinki"), NOW,
                       library=default_library())


def read_as_excel(text: str, delimiter: str) -> list[list[str]]:
    """What a spreadsheet sees: the BOM tells it UTF-8 and is not part of the first title."""
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter))


def sections(rows: list[list[str]]) -> list[list[list[str]]]:
    """The file's parts, split at empty rows."""
    parts: list[list[list[str]]] = [[]]
    for row in rows:
        if row:
            parts[-1].append(row)
        else:
            parts.append([])
    return parts


def number(cell: str, mark: str) -> float:
    assert re.fullmatch(rf"\d+(\{mark}\d+)?", cell), cell
    return float(cell.replace(mark, "."))


def test_finnish_csv_has_a_bom_semicolons_decimal_commas_and_three_sections(engine, settings):
    seed = realistic(engine)
    coffee_round(engine)
    summary = summary_of(engine, settings, seed)
    assert summary["themes"]["items"], "the seed has themes"
    figures, coffees, themes = sections(read_as_excel(to_csv(summary, "fi"), ";"))
    header = figures[0]
    assert header[:4] == ["Viikko", "Piiri", "Piirejä", "Aktiivisia piirejä"] and "Vastausaste (%)" in header
    column = {title: index for index, title in enumerate(header)}
    rows = figures[1:]
    assert all(len(row) == len(header) for row in rows)
    weeks = [row for row in rows if row[1] == "Kaikki piirit"]
    assert [row[0] for row in weeks] == summary["trend"]["weeks"]
    learners = next(row for row in rows if row[1] == "Learners")
    rated = [row for row in rows if row[column["Vastausaste (%)"]]]
    assert learners in rated and len(rated) >= 3
    for row in rated:  # 42,9 in a Finnish cell is 42.9 %, the row's own answers over its prompts
        rate = number(row[column["Vastausaste (%)"]], ",")
        answers, prompts = (int(row[column[k]]) for k in ("Vastauksia", "Pohdintakysymyksiä lähetetty"))
        assert rate == round(answers / prompts * 100, 1)
    assert any("," in row[column["Vastausaste (%)"]] for row in rated)
    everything = "\n".join(";".join(row) for row in figures + coffees + themes)
    assert TINY[0] not in everything and "Tiny" not in everything and PRIVATE_MARKER not in everything

    assert coffees[0] == ["Oppimiskahvit"] and coffees[1][0] == "Viikko"
    assert coffees[-1] == ["2026-W49", "3", "6", "66,7"]  # three pairs, two of them met
    assert len(coffees) == 2 + len(summary["trend"]["weeks"])

    assert themes[0] == ["Viikon teemat"] and themes[1] == ["Teema", "Tiivistelmä", "Ihmisiä"]
    items = summary["themes"]["items"]
    assert [row[0] for row in themes[2:]] == [", ".join(i["keywords"]) for i in items]
    assert [int(row[2]) for row in themes[2:]] == [i["people"] for i in items]


def test_swedish_csv_withholds_what_the_group_size_rule_withholds(engine, settings):
    seed = realistic(engine)
    coffee_round(engine)
    strict = replace(settings, min_group_size=7)  # six people were paired: no coffee figures this week
    summary = summary_of(engine, strict, seed)
    assert summary["coffees"]["withheld"]
    figures, coffees, themes = sections(read_as_excel(to_csv(summary, "sv"), ";"))
    assert figures[0][:2] == ["Vecka", "Cirkel"] and coffees[0] == ["Lärkaffe"] and themes[0] == ["Veckans teman"]
    assert coffees[-2] == ["2026-W49", "", "", ""]
    assert coffees[-1] == [t("sv", "summary.coffees_withheld", min=7)] and "7" in coffees[-1][0]
    tiny = summary_of(engine, replace(settings, min_group_size=200), seed)
    rows = read_as_excel(to_csv(tiny, "sv"), ";")
    assert len(rows) == 2 and rows[1][0].startswith("Färre än 200 personer") and "Learners" not in str(rows)


def test_english_csv_keeps_commas_and_decimal_points(engine, settings):
    seed = realistic(engine)
    summary = summary_of(engine, settings, seed)
    assert summary["coffees"] is None  # no rounds: no coffee section at all
    parts = sections(read_as_excel(to_csv(summary, "en"), ","))
    assert [part[0][0] for part in parts] == ["Week", "Themes of the week"]
    header = parts[0][0]
    rate = header.index("Response rate (%)")
    cells = [row[rate] for row in parts[0][1:] if row[rate]]
    assert cells and all(re.fullmatch(r"\d+(\.\d)?", cell) for cell in cells)
    assert any("." in cell for cell in cells)


def test_a_circle_named_like_a_formula_stays_text(engine, settings):
    seed = realistic(engine)
    summary = summary_of(engine, settings, seed)
    summary["circles"][0]["name"] = "=HYPERLINK(\"http://x\")"
    rows = read_as_excel(to_csv(summary, "fi"), ";")
    assert any(row[1] == "'=HYPERLINK(\"http://x\")" for row in rows)
