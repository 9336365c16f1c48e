"""The console platform, driven as a user would: a script piped into `python -m bot console`."""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Every script first sets the console's clock (`/tick`), so the circles it makes are as old on any day
# the suite runs: a Tuesday morning before the first scheduled Thursday.
START = "/tick 2026-12-01T09:00\n"

SCRIPT = START + """
/as Aino fi
/circle list
/as Mia
/in #learners
/circle new Learners @Ann @Aino
/circle schedule reflection thu 14:00
/tick 2026-12-03T14:00
/tick 2026-12-03T14:00
/as Ann
1
I asked for help earlier than I usually would.
1
/as Aino
1
PRIVATE-MARKER oma juttu
2
/as Mia
2
/tick 2026-12-07T14:00
/as Ann
/circle journal
/as Aino
/circle journal
/circle schedule reflection to 25:00
/as Mia
/in #learners
/circle schedule reflection sat 10:00
/tick 2026-12-12T10:00
/tick 2026-12-14T10:00
"""


def run_console(script: str, tmp_path: Path, **env) -> str:
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}", "PYTHONPATH": str(ROOT),
                   "HOLIDAY_COUNTRY": "FI", **env}
    environment.pop("SLACK_BOT_TOKEN", None)
    done = subprocess.run([sys.executable, "-m", "bot", "console"], input=script, capture_output=True, text=True,
                          cwd=tmp_path, env=environment, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return done.stdout


def section(output: str, start: str, end: str | None = None) -> str:
    tail = output.split(start, 1)[1]
    return tail.split(end, 1)[0] if end else tail


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    return run_console(SCRIPT, tmp_path_factory.mktemp("console"))


def test_first_tick_sends_one_prompt_to_each_member_and_the_second_none(output):
    first = section(output, "::: tick 2026-12-03T14:00+02:00: planned – prompt runs 1,",
                    "::: tick 2026-12-03T14:00+02:00: planned – prompt runs 0,")
    assert first.count("--- DM → ") == 3
    for name in ("Mia", "Ann", "Aino"):
        assert f"--- DM → {name}" in first
    second = section(output, "::: tick 2026-12-03T14:00+02:00: planned – prompt runs 0,", "/as")
    assert "--- DM" not in second.split("Your reflection")[0]


def test_finnish_member_sees_finnish(output):
    first_tick = section(output, "::: tick 2026-12-03T14:00+02:00: planned – prompt runs 1,")
    aino_prompt = section(first_tick, "--- DM → Aino  [", "---")
    assert "Pohdintakysymys" in aino_prompt and "[1] Vastaa" in aino_prompt


def test_recap_shows_only_the_shared_answer(output):
    recap = section(output, "::: tick 2026-12-07T14:00+02:00", "--- only Ann sees")
    assert "--- #learners" in recap
    assert "I asked for help earlier than I usually would." in recap
    assert "PRIVATE-MARKER" not in recap
    seen_by = [part.split("\n", 1)[0] for part in output.split("\n--- ") if "PRIVATE-MARKER" in part]
    assert len(seen_by) == 2  # her answered card shows it back to her, and her journal
    assert all(who.startswith(("DM → Aino", "vain Aino näkee")) for who in seen_by), seen_by


def test_each_journal_shows_own_answer(output):
    parts = re.split(r"\n--- (?:only |vain )", output)
    ann = [part for part in parts if part.startswith("Ann sees") and "Your learning journal" in part]
    aino = [part for part in parts if part.startswith("Aino näkee") and "Oppimispäiväkirjasi" in part]
    assert len(ann) == 1 and "I asked for help" in ann[0] and "PRIVATE-MARKER" not in ann[0]
    assert len(aino) == 1 and "PRIVATE-MARKER" in aino[0]


def test_wrong_input_gets_a_localised_usage_message(output):
    assert "”25:00”" in output and "Käyttö: /circle aikataulu pohdinta|kahvi" in output


def test_saturday_rhythm_waits_for_monday(output):
    saturday = section(output, "::: tick 2026-12-12T10:00+02:00", "::: tick 2026-12-14")
    assert "--- DM" not in saturday
    monday = section(output, "::: tick 2026-12-14T10:00+02:00")
    assert monday.count("--- DM → ") == 3


def test_finnish_public_holiday_moves_the_prompt(tmp_path):
    script = START + """
/as Mia
/in #c
/circle new Piiri @Ann
/circle schedule reflection thu 14:00
/tick 2026-12-24T14:00
/tick 2026-12-28T14:00
"""
    out = run_console(script, tmp_path)
    assert "--- DM" not in section(out, "::: tick 2026-12-24", "::: tick 2026-12-28").replace("--- DM → Ann  [m1]", "")
    assert section(out, "::: tick 2026-12-28").count("--- DM → ") == 2


def test_bad_input_gets_a_message_and_stores_nothing(tmp_path):
    script = START + """
/as Mia
/in #c
/circle new
/circle list
/circle schedule reflection thu 14:00
/circle frobnicate
9
/dm
hei
2
"""
    out = run_console(script, tmp_path)
    assert "Give the circle a name" in out
    assert "You aren't in any circle yet" in out
    assert "There is no circle here" in out
    assert "I don't know the command" in out
    assert "There is no button to press right now." in out  # a digit in a channel is nobody's answer
    assert "Nothing is waiting for your answer right now" in out and "[1] Commands  [2] My journal" in out
    assert "Your journal is empty" in out  # the greeting's second button


FINNISH = """
/as Aino fi
/as Veikko fi
/as Maija fi
""" + START + """
/in #oppijat
/piiri uusi Oppijat @Aino @Veikko
/piiri aikataulu pohdinta to klo 9
/piiri aikataulu kahvi ma–pe 14.30
/piiri tiedot
/piiri kahvi nyt
/tick 2026-12-03T09:00
/as Aino
/dm
1
Kysyin apua aiemmin kuin yleensä, ja se kannatti.
1
/piiri tauko 2 vk
/piiri jatka
/piiri päiväkirja
/foo
5
/in #oppijat
tämä ei ole vastaus
/as Maija
/piiri apua
/tick 2026-12-08T09:00
"""
ENGLISH = ("Reflection prompt", "Answer", "Skip", "Snooze", "Welcome", "learning circle", "Coffee", "journal",
           "reminder", " the ", " you ", "planned", " sees", "characters", "I don't know")


def test_a_console_session_in_finnish_reads_finnish_throughout(tmp_path):
    output = run_console(FINNISH, tmp_path)
    assert "Pohdintakysymys · Oppijat" in output and "Kahvihuonekysymys" in output  # prompts and coffee came
    assert "Tauko" in output and "Oppimispäiväkirjasi" in output
    assert "Konsolissa ei ole komentoa /foo" in output and "Valitse 1–" in output
    assert "Kirjoitat kanavalle #oppijat" in output
    assert "En tunne komentoa" not in output  # every Finnish command word was understood
    assert [word for word in ENGLISH if word in output] == []
    said = "\n".join(line for line in output.splitlines() if not line.startswith("::: tick"))  # ISO echo
    assert "9.00" in said and "09:00" not in said and "14.30" in said
    for crutch in ("(s)", "(mar)", "2026-W"):
        assert crutch not in output
    with sqlite3.connect(tmp_path / "console.db") as db:  # the mistyped lines were not stored as answers
        assert [row[0] for row in db.execute("SELECT text FROM reply")] == [
            "Kysyin apua aiemmin kuin yleensä, ja se kannatti."]
