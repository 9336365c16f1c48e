"""Console sessions in Finnish, Swedish and English, typed as people type: a typo, a schedule in
everyday words, a greeting while a prompt is open. Each reaches its goal, a recap with the real
answer, without a dead end, and every reply names the speaker's own command word."""
from __future__ import annotations

from test_console import run_console

FI = """/tick 2026-12-01T09:00
/as Mia fi
/as Aino fi
/as Ville fi
/as Mia
/in #oppijat
/piiri uusi Oppijat @Aino @Ville
/piiri aikatalu pohdinta to 14
/piiri aikataulu pohdinta joka torstai klo 14.30
/tick 2026-12-03T14:30
/as Aino
/dm
moi
2
Kysyin apua aiemmin kuin yleensä, ja se kannatti.
/piiri lsita
/help
/tick 2026-12-07T14:30
"""

SV = """/tick 2026-12-01T09:00
/as Anna sv
/as Erik sv
/as Dag sv
/as Anna
/in #larare
/cirkel ny Lärare @Erik @Dag
/cirkel schmea reflektion tisdagar 14.30
/cirkel schema reflektion varje tisdag kl. 14.30
/tick 2026-12-08T14:30
/as Erik
/dm
hej
2
Jag bad om hjälp tidigare än vanligt, och det lönade sig.
/cirkel hjälpp
/as Anna
/in #larare
/cirkel par på varannan vecka på måndagar kl. 10
/tick 2026-12-10T14:30
"""

EN = """/tick 2026-12-01T09:00
/as Mia en
/as Ann en
/as Ben en
/as Mia
/in #learners
/circle new Learners @Ann @Ben
/circle schedule reflection every tuesday at 2pm
/tick 2026-12-08T14:00
/as Ann
/dm
thanks!
2
I asked a colleague to look at my draft before the meeting, not after.
/as Ben
/dm
hlep
2
/circle help
/tick 2026-12-10T14:00
"""


def after(out: str, marker: str) -> str:
    assert marker in out, marker
    return out.split(marker, 1)[1]


def test_a_finnish_session_with_a_typo_a_natural_schedule_and_a_greeting(tmp_path):
    out = run_console(FI, tmp_path)
    assert "Ensimmäiset jäsenet: Aino ja Ville." in out
    assert "En tunne komentoa ”aikatalu”. Tarkoititko /piiri aikataulu pohdinta to 14?" in out
    assert "pohdintakysymykset: to klo 14.30" in out
    greeted = after(out, "--- vain Aino näkee")
    assert greeted.lstrip().startswith("Tämä näyttää tervehdykseltä") and "[1] Tallenna vastaukseksi  [2] Ei" in greeted
    assert "Kysymyksesi on yhä auki" in out and "Tarkoititko /piiri lista?" in out
    assert "/piiri … antaa botille komennon" in out  # the console's own help, in Finnish
    recap = after(out, "** Kooste · Oppijat **")
    assert "Aino: Kysyin apua aiemmin" in recap and "moi" not in recap
    assert "/circle" not in out


def test_a_swedish_session_with_a_typo_a_natural_schedule_and_a_greeting(tmp_path):
    out = run_console(SV, tmp_path)
    assert "Första medlemmar: Erik och Dag." in out
    assert "Menade du /cirkel schema reflektion tisdagar 14.30?" in out
    assert "Reflektionsfrågor för Lärare: tis kl. 14.30" in out and "Svara senast tors 10.12 kl. 14.30" in out
    assert "Det där ser ut som en hälsning" in out and "[1] Spara som mitt svar  [2] Nej" in out
    assert "Menade du /cirkel hjälp?" in out
    assert "Lärkaffe är på i Lärare: en ny omgång varannan vecka, mån kl. 10.00" in out
    assert "lärkaffeomgångar" in out and "fika" not in out.lower() and " dec " not in out
    recap = after(out, "** Sammanfattning · Lärare **")
    assert "Erik: Jag bad om hjälp" in recap and "hej" not in recap
    assert "/circle" not in out


def test_an_english_session_with_a_typo_a_natural_schedule_and_a_greeting(tmp_path):
    out = run_console(EN, tmp_path)
    assert "Its first members: Ann and Ben." in out
    assert "Reflection prompts for Learners: Tue at 14:00" in out
    assert out.count("That looks like a greeting") == 1  # Ann's thanks; Ben's typo is told as a typo
    assert "Did you mean /circle help?\n    I didn't save it as your answer to the open prompt. Should I?" in out
    assert "Kipinä — commands" in out
    recap = after(out, "** Recap · Learners **")
    assert "Ann: I asked a colleague" in recap and "thanks" not in recap and "hlep" not in recap
