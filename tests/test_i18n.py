"""UI texts: the three languages have the same keys and placeholders."""
from __future__ import annotations

import pytest

from bot.common.i18n import catalog, language_of, placeholders, plural_forms, t


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_same_keys_and_placeholders_as_english(lang):
    english, other = catalog("en"), catalog(lang)
    assert set(other) == set(english)
    for key, text in english.items():
        assert isinstance(other[key], dict) == isinstance(text, dict), f"{key}: plural in one language only"
        if key.startswith("fmt."):
            continue  # each language writes times and dates its own way
        assert placeholders(other[key]) == placeholders(text), key


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_plural_texts_have_exactly_the_forms_of_their_language(lang):
    plurals = {key: text for key, text in catalog(lang).items() if isinstance(text, dict)}
    assert len(plurals) >= 10
    for key, forms in plurals.items():
        assert set(forms) == plural_forms(lang), key
        assert all(text.strip() for text in forms.values()), key


def test_a_plural_text_needs_its_count():
    with pytest.raises(TypeError):
        t("fi", "summary.count_people")
    assert t("fi", "summary.count_people", count=1) == "1 ihminen"


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
