"""The scrubber on the labelled reflections of tests/scrub_eval/ (see its README): what it removes
of personal data, per kind and language, and what it costs on everything else. The floors are the
product's promise, on the tuning set and on each set written apart from the scrubber."""
from __future__ import annotations

import json

import pytest

from bench.scrub_eval import KINDS, LANGS, SETS, evaluate, load, report
from bot.domain.reports import lexicon
from bot.domain.reports.scrub import Scrubber

# all personal data, unknown names (at least, in %); clean sentences changed, ordinary words removed (at most)
PROMISE = (98.0, 95.0, 10.0, 2.0)


@pytest.fixture(scope="module")
def sets():
    return {name: load(name) for name in SETS}


@pytest.fixture(params=["voikko", "word lists"])
def analyser(request):
    """The scrubber with Voikko's Finnish analyses and without them (as on a machine without Voikko)."""
    if request.param == "voikko" and not lexicon.use_voikko(True):
        pytest.skip("Voikko (Debian's libvoikko1 and voikko-fi) is not installed here; .ci/run installs it")
    lexicon.use_voikko(request.param == "voikko")
    yield request.param
    lexicon.use_voikko(True)


def test_the_set_has_what_it_claims(sets):
    """Several hundred sentences, every kind in every language, and at least 30 % without personal data."""
    every = [s for found in sets.values() for s in found]
    assert len(every) >= 800
    for lang in LANGS:
        mine = [s for s in every if s.lang == lang]
        kinds = {k for s in mine for _, _, k in s.spans}
        assert {"unknown name", "known name", "phone", "e-mail", "identity code"} <= kinds, lang
        assert sum(not s.spans for s in mine) / len(mine) >= 0.3, lang
    assert {k for s in every for _, _, k in s.spans} == set(KINDS.values())


@pytest.mark.parametrize("name", list(SETS))
def test_recall_and_cost(sets, name, analyser, capsys):
    figures = evaluate(sets[name])
    found = report(figures)
    with capsys.disabled():
        print(f"\nscrubber ({analyser}) on the {name} set ({len(sets[name])} sentences): "
              + json.dumps(found, ensure_ascii=False))
        for miss in figures.misses:
            print("  miss:", *miss)
    all_data, unknown, clean, words = PROMISE
    assert found["all personal data"]["pct"] >= all_data
    assert found["unknown names"]["pct"] >= unknown
    assert found["clean sentences changed"]["pct"] <= clean
    assert found["ordinary words removed"]["pct"] <= words


def test_every_identity_code_phone_email_link_and_mention_goes(sets, analyser):
    figures = evaluate([s for found in sets.values() for s in found])
    for kind in ("phone", "e-mail", "identity code", "link", "mention"):
        removed, total = figures.recall((kind,))
        assert total and removed == total, kind


# Finnish towns that places.txt does not list; Voikko knows them.
TOWNS = ["Kävimme Kemijärvellä tapaamassa asiakkaita.", "Koulutus pidettiin Valkeakoskella.",
         "Kävin Karkkilassa ja Nurmijärvellä."]


def test_voikko_keeps_places_the_word_lists_do_not_know(analyser):
    scrub = Scrubber()
    kept = [text for text in TOWNS if scrub(text) == text]
    assert kept == (TOWNS if analyser == "voikko" else [])  # without Voikko, an unlisted town is taken for a name
    assert scrub("Kiitos Hirvoselle ja Seppälälle!") == "Kiitos [name] ja [name]!"  # surnames go either way
