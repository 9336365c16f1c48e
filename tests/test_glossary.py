"""Every text a person reads, in fi, sv and en, uses the glossary's term and none of the variants
docs/glossary.md names as never to be used (one term per concept per language)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.common.i18n import catalog

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("fi", "sv", "en")


def forbidden() -> dict[str, list[str]]:
    """language → the variants never to be used, from the glossary's last column."""
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    table = text.split("## The words people read, per language", 1)[1]
    found: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for row in table.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) != 5 or not cells[4] or cells[4].startswith(("never", "---")):
            continue
        for part in cells[4].split("·"):
            lang, _, variants = part.partition(":")
            found[lang.strip()] += [v.strip().lower() for v in variants.split(",") if v.strip()]
    return found


def texts(lang: str) -> list[tuple[str, str]]:
    """(where, text) for every UI text and every prompt of the library in one language."""
    out = []
    for key, value in catalog(lang).items():
        for one in (value.values() if isinstance(value, dict) else [value]):
            out.append((key, one))
    for path in sorted((ROOT / "prompts" / "library").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append((f"{path.name} name", data["name"][lang]))
        for kind in ("reflection", "coffee", "pair"):
            for prompt in data.get(kind) or []:
                out.append((f"{path.name} {prompt['id']}", prompt[lang]))
    return out


FORBIDDEN = forbidden()


def test_the_glossary_names_variants_for_every_language():
    assert all(FORBIDDEN[lang] for lang in LANGS), FORBIDDEN
    assert "fikarum" in FORBIDDEN["sv"] and "kollegor" in FORBIDDEN["sv"] and "hiljenne" in FORBIDDEN["fi"]


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_uses_a_variant_the_glossary_rules_out(lang):
    every = texts(lang)
    assert len(every) > 400  # the UI texts and the library were read
    for where, text in every:
        lowered = text.lower()
        for variant in FORBIDDEN[lang]:
            assert not re.search(r"(?<!\w)" + re.escape(variant), lowered), f"{lang} {where}: {variant!r} in {text!r}"


@pytest.mark.parametrize("lang, terms", [
    ("sv", ("kafferumsfråga", "lärkaffe", "kolleger", "respons", "varannan vecka", "personbeteckning")),
    ("fi", ("kahvihuonekysymys", "oppimiskahvi", "omana tieto", "hiljentynyt", "joka toinen viikko")),
    ("en", ("coffee-room question", "learning coffee", "keep private")),
])
def test_the_chosen_terms_are_the_ones_in_use(lang, terms):
    every = " ".join(text.lower() for _, text in texts(lang))
    for term in terms:
        assert term in every, f"{lang}: {term!r} is used nowhere"
