"""The prompt library: complete, trilingual, no duplicates, and clear errors when broken."""
from __future__ import annotations

import re
import shutil
from collections import Counter

import pytest

from prompts import LIBRARY, LibraryError, load_library


def test_library_has_enough_prompts_in_every_language():
    library = load_library()
    reflection, coffee = library.pool("reflection"), library.pool("coffee")
    assert len(reflection) >= 60 and len(coffee) >= 40
    for prompt in reflection + coffee:
        assert set(prompt.texts) == {"fi", "sv", "en"}
        assert all(text.strip() for text in prompt.texts.values())


def test_every_theme_has_both_kinds():
    library = load_library()
    assert len(library.themes) >= 8
    for theme in library.themes:
        assert library.pool("reflection", theme.key) and library.pool("coffee", theme.key)


def test_no_duplicate_ids_or_texts():
    library = load_library()
    keys = [p.key for p in library.by_key.values()]
    assert len(keys) == len(set(keys))
    for lang in ("fi", "sv", "en"):
        texts = [p.texts[lang].casefold() for p in library.by_key.values()]
        assert len(texts) == len(set(texts)), lang


def test_mentoring_theme_is_there_in_every_language():
    library = load_library()
    mentoring = [theme for theme in library.themes if "mentor" in theme.key]
    assert len(mentoring) == 1
    key = mentoring[0].key
    assert all(mentoring[0].names[lang].strip() for lang in ("fi", "sv", "en"))
    reflection, coffee = library.pool("reflection", key), library.pool("coffee", key)
    assert len(reflection) >= 7 and len(coffee) >= 5
    for prompt in reflection + coffee:
        assert all(prompt.texts[lang].strip() for lang in ("fi", "sv", "en")), prompt.key


def test_ids_circles_already_got_are_kept():
    """Circles remember prompts by id: the original ids of every theme must never disappear."""
    library = load_library()
    themes = ("change", "co-creation", "corridor-talk", "difficult-things", "feedback", "mistakes", "motivation",
              "own-learning", "remote-work", "trust", "uncertainty")
    for theme in themes:
        for key in [f"{theme}-r{n:02}" for n in range(1, 8)] + [f"{theme}-c{n:02}" for n in range(1, 6)]:
            assert library.get(key) is not None and library.get(key).theme == theme, key


def _all_texts(library, lang):
    yield from ((f"{theme.key} (name)", theme.names[lang]) for theme in library.themes)
    yield from ((prompt.key, prompt.texts[lang]) for prompt in library.by_key.values())


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_finnish_and_swedish_typography(lang):
    """”…” on both sides (no straight or English quotes) and a spaced en dash ( – ), never a hyphen as a dash."""
    wrong = []
    for key, text in _all_texts(load_library(), lang):
        if re.search(r'["“„«»—]|\s-\s|\s-$|^-\s|--', text) or text.count("”") % 2:
            wrong.append(f"{key}: {text}")
    assert not wrong, "\n".join(wrong)


def test_english_typography_is_consistent():
    """English uses “…”, ’ and a spaced en dash ( – ): no straight quotes or apostrophes, no hyphen as a dash."""
    wrong = []
    for key, text in _all_texts(load_library(), "en"):
        if re.search(r"[\"'”„«»—]|\s-\s|--", text.replace("”", "")) or text.count("“") != text.count("”"):
            wrong.append(f"{key}: {text}")
    assert not wrong, "\n".join(wrong)


def test_swedish_reflection_prompts_open_in_varied_ways():
    """No two-word opening (”Minns en…”, ”Tänk på…”) is used by more than three Swedish reflection prompts."""
    openings = Counter()
    for prompt in load_library().pool("reflection"):
        words = re.findall(r"[^\W\d_]+", prompt.texts["sv"].casefold())[:2]
        openings[" ".join(words)] += 1
    overused = {opening: count for opening, count in openings.items() if count > 3}
    assert not overused, overused


def test_learning_coffee_starters_in_every_language():
    """Conversation starters for two or three colleagues who meet: at least 20, trilingual, their own ids."""
    starters = load_library().pool("coffee-pair")
    assert len(starters) >= 20
    for prompt in starters:
        assert re.fullmatch(r"[a-z-]+-p\d{2}", prompt.key) and set(prompt.texts) == {"fi", "sv", "en"}


@pytest.fixture
def broken(tmp_path):
    folder = tmp_path / "library"
    shutil.copytree(LIBRARY, folder)
    return folder


def test_missing_language_names_file_and_entry(broken):
    path = broken / "trust.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    sv:", "    xx:", 1), encoding="utf-8")
    with pytest.raises(LibraryError) as caught:
        load_library(broken)
    message = str(caught.value)
    assert "prompts/library/trust.yaml" in message and "entry" in message


def test_duplicate_id_is_reported(broken):
    path = broken / "feedback.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("feedback-r02", "trust-r01"), encoding="utf-8")
    with pytest.raises(LibraryError, match="trust-r01.*already used"):
        load_library(broken)


def test_invalid_yaml_is_reported(broken):
    (broken / "motivation.yaml").write_text("theme: [unclosed", encoding="utf-8")
    with pytest.raises(LibraryError, match="motivation.yaml: not valid YAML"):
        load_library(broken)


def test_a_key_given_twice_is_reported(broken):
    path = broken / "trust.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    sv:", '    sv: "kaksi kertaa"\n    sv:', 1), encoding="utf-8")
    with pytest.raises(LibraryError, match="trust.yaml.*'sv' is given twice"):
        load_library(broken)


def test_a_theme_name_takes_only_the_three_languages(broken):
    path = broken / "trust.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name:\n", "name:\n  id: trust\n", 1), encoding="utf-8")
    with pytest.raises(LibraryError, match="theme name.*unknown keys"):
        load_library(broken)


def test_learning_coffee_starters_are_checked_like_the_rest(broken):
    path = broken / "trust.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("trust-p01", "Trust P01"), encoding="utf-8")
    with pytest.raises(LibraryError, match="trust.yaml: coffee-pair entry 1.*'id'"):
        load_library(broken)


def test_an_unknown_kind_of_prompt_is_reported(broken):
    path = broken / "trust.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("coffee-pair:", "coffee_pairs:"), encoding="utf-8")
    with pytest.raises(LibraryError, match="trust.yaml: unknown keys.*coffee_pairs"):
        load_library(broken)
