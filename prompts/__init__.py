"""The prompt library: reflection prompts, coffee-room starters and learning-coffee starters
(`coffee-pair`: for two or three colleagues who meet) in fi, sv and en.

One YAML file per theme in prompts/library/. Everything is validated on load; an error
names the file and the entry so a mentor editing the library can fix it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

LIBRARY = Path(__file__).parent / "library"
LANGUAGES = ("fi", "sv", "en")
KINDS = ("reflection", "coffee")  # every theme has both
OPTIONAL_KINDS = ("coffee-pair",)  # a theme may have these too
MAX_TEXT = 500
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class LibraryError(ValueError):
    """The library is broken; the message says where."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML would keep the last silently)."""

    def construct_mapping(self, node, deep=False):
        keys = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                continue  # unhashable keys: SafeLoader's own error says it better
            if key in keys:
                raise yaml.constructor.ConstructorError(None, None, f"'{key}' is given twice", key_node.start_mark)
            keys.add(key)
        return super().construct_mapping(node, deep=deep)


@dataclass(frozen=True)
class Prompt:
    key: str
    theme: str
    kind: str
    texts: dict  # language → text

    def text(self, language: str) -> str:
        return self.texts.get(language) or self.texts["en"]


@dataclass(frozen=True)
class Theme:
    key: str
    names: dict

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


class Library:
    def __init__(self, themes: list[Theme], prompts: list[Prompt]):
        self.themes = themes
        self.by_key = {p.key: p for p in prompts}
        self.theme_by_key = {t.key: t for t in themes}

    def pool(self, kind: str, theme: str | None = None) -> list[Prompt]:
        return [p for p in self.by_key.values() if p.kind == kind and (theme is None or p.theme == theme)]

    def get(self, key: str) -> Prompt | None:
        return self.by_key.get(key)


def _texts(where: str, entry: dict, allowed: tuple = ()) -> dict:
    texts = {}
    for lang in LANGUAGES:
        value = entry.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise LibraryError(f"{where}: missing or empty '{lang}' text")
        value = " ".join(value.split())
        if len(value) > MAX_TEXT:
            raise LibraryError(f"{where}: '{lang}' text is longer than {MAX_TEXT} characters")
        texts[lang] = value
    unknown = set(entry) - set(LANGUAGES) - set(allowed)
    if unknown:
        raise LibraryError(f"{where}: unknown keys {sorted(unknown)}")
    return texts


def _load_file(path: Path, seen: dict[str, str]) -> tuple[Theme, list[Prompt]]:
    name = f"prompts/library/{path.name}"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise LibraryError(f"{name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("theme"), str):
        raise LibraryError(f"{name}: must be a mapping with 'theme', 'name', 'reflection' and 'coffee'")
    theme_key = data["theme"]
    if theme_key != path.stem:
        raise LibraryError(f"{name}: theme '{theme_key}' must match the file name '{path.stem}'")
    if not isinstance(data.get("name"), dict):
        raise LibraryError(f"{name}: 'name' must give the theme's name in fi, sv and en")
    theme = Theme(theme_key, _texts(f"{name} (theme name)", data["name"]))
    prompts = []
    unknown = set(data) - {"theme", "name", *KINDS, *OPTIONAL_KINDS}
    if unknown:
        raise LibraryError(f"{name}: unknown keys {sorted(unknown)}")
    for kind in KINDS + OPTIONAL_KINDS:
        entries = data.get(kind)
        if kind in OPTIONAL_KINDS and entries is None:
            continue
        if not isinstance(entries, list) or not entries:
            raise LibraryError(f"{name}: '{kind}' must be a non-empty list")
        for number, entry in enumerate(entries, 1):
            where = f"{name}: {kind} entry {number}"
            if not isinstance(entry, dict):
                raise LibraryError(f"{where}: must be a mapping with id, fi, sv, en")
            key = entry.get("id")
            if not isinstance(key, str) or not ID_PATTERN.match(key):
                raise LibraryError(f"{where}: 'id' must be lowercase letters, digits and dashes")
            where = f"{where} ({key})"
            if key in seen:
                raise LibraryError(f"{where}: id already used in {seen[key]}")
            seen[key] = name
            prompts.append(Prompt(key, theme_key, kind, _texts(where, entry, allowed=("id",))))
    return theme, prompts


def load_library(folder: Path = LIBRARY) -> Library:
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise LibraryError(f"{folder}: no prompt files found")
    seen: dict[str, str] = {}
    themes, prompts = [], []
    for path in files:
        theme, items = _load_file(path, seen)
        themes.append(theme)
        prompts.extend(items)
    duplicates = _duplicate_texts(prompts)
    if duplicates:
        raise LibraryError(f"the same text appears twice: {duplicates}")
    return Library(themes, prompts)


def _duplicate_texts(prompts: list[Prompt]) -> list[str]:
    seen: dict[str, str] = {}
    found = []
    for prompt in prompts:
        for lang, text in prompt.texts.items():
            norm = (lang, text.casefold())
            if norm in seen:
                found.append(f"{seen[norm]} and {prompt.key} ({lang})")
            seen[norm] = prompt.key
    return found


@lru_cache(maxsize=1)
def default_library() -> Library:
    return load_library()
