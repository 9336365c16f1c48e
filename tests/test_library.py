"""The prompt library: complete, trilingual, no duplicates, and clear errors when broken."""
from __future__ import annotations

import shutil

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
