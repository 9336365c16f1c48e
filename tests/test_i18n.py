"""UI texts: the three languages have the same keys and placeholders."""
from __future__ import annotations

import pytest

from bot.i18n import catalog, language_of, placeholders, t


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_same_keys_and_placeholders_as_english(lang):
    english, other = catalog("en"), catalog(lang)
    assert set(other) == set(english)
    for key, text in english.items():
        if key == "fmt.when":
            continue  # each language orders the date its own way
        assert placeholders(other[key]) == placeholders(text), key


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_day_and_month_names(lang):
    assert len(t(lang, "fmt.days").split()) == 7
    assert len(t(lang, "fmt.months").split()) == 12


def test_locale_to_language():
    assert language_of("fi-FI") == "fi" and language_of("sv_SE") == "sv" and language_of("en-GB") == "en"
    assert language_of("de-DE") is None and language_of(None) is None


def test_texts_differ_by_language():
    assert len({t(lang, "button.answer") for lang in ("fi", "sv", "en")}) == 3


def test_unknown_language_falls_back_to_english():
    assert t("de", "button.answer") == "Answer"
