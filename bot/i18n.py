"""UI texts in Finnish, Swedish and English, kept in bot/texts/<lang>.yaml and, for what only one
platform says, in bot/platforms/<name>/texts/<lang>.yaml (keys "<name>.…").

Logic asks for a key; the text lives in the YAML. A missing key in one language falls back
to English so a user never sees a key name; a test keeps the three files in step.
"""
from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

import yaml

from bot.config import LANGUAGES

TEXTS = Path(__file__).parent / "texts"
PLATFORM_TEXTS = Path(__file__).parent / "platforms"


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, str]:
    files = [TEXTS / f"{language}.yaml", *sorted(PLATFORM_TEXTS.glob(f"*/texts/{language}.yaml"))]
    merged: dict[str, str] = {}
    for path in files:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        merged.update((str(k), str(v).rstrip("\n")) for k, v in data.items())
    return merged


def t(language: str, key: str, **params) -> str:
    lang = language if language in LANGUAGES else "en"
    text = catalog(lang).get(key) or catalog("en")[key]
    return text.format_map(params) if params else text


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def language_of(locale: str | None) -> str | None:
    """'fi-FI', 'sv_SE', 'en-GB' → 'fi', 'sv', 'en'; anything else → None."""
    if not locale:
        return None
    code = locale.replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None
