"""Outcome pulse statement sets: 3–6 statements in fi, sv and en, one YAML file per set in
prompts/pulses/. Validated on load like the prompt library; an error names the file and the entry."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from prompts import ID_PATTERN, LANGUAGES, LibraryError, _StrictLoader, _texts

SETS = Path(__file__).parent / "pulses"
MIN_STATEMENTS, MAX_STATEMENTS = 3, 6
MAX_STATEMENT = 200  # a statement is read on a phone next to a five-point scale


@dataclass(frozen=True)
class Statement:
    key: str
    texts: dict  # language → text

    def text(self, language: str) -> str:
        return self.texts.get(language) or self.texts["en"]


@dataclass(frozen=True)
class StatementSet:
    key: str
    names: dict
    statements: tuple[Statement, ...]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]

    def get(self, key: str) -> Statement | None:
        return next((s for s in self.statements if s.key == key), None)


def _load(path: Path) -> StatementSet:
    name = f"prompts/pulses/{path.name}"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise LibraryError(f"{name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or data.get("set") != path.stem:
        raise LibraryError(f"{name}: must be a mapping whose 'set' is the file name '{path.stem}'")
    unknown = set(data) - {"set", "name", "statements"}
    if unknown:
        raise LibraryError(f"{name}: unknown keys {sorted(unknown)}")
    if not isinstance(data.get("name"), dict):
        raise LibraryError(f"{name}: 'name' must give the set's name in fi, sv and en")
    entries = data.get("statements")
    if not isinstance(entries, list) or not MIN_STATEMENTS <= len(entries) <= MAX_STATEMENTS:
        raise LibraryError(f"{name}: 'statements' must be a list of {MIN_STATEMENTS} to {MAX_STATEMENTS}")
    statements, seen = [], set()
    for number, entry in enumerate(entries, 1):
        where = f"{name}: statement {number}"
        if not isinstance(entry, dict):
            raise LibraryError(f"{where}: must be a mapping with id, fi, sv, en")
        key = entry.get("id")
        if not isinstance(key, str) or not ID_PATTERN.match(key):
            raise LibraryError(f"{where}: 'id' must be lowercase letters, digits and dashes")
        if key in seen:
            raise LibraryError(f"{where}: id '{key}' is used twice")
        seen.add(key)
        texts = _texts(f"{where} ({key})", entry, allowed=("id",))
        long = [lang for lang in LANGUAGES if len(texts[lang]) > MAX_STATEMENT]
        if long:
            raise LibraryError(f"{where} ({key}): '{long[0]}' text is longer than {MAX_STATEMENT} characters")
        statements.append(Statement(key, texts))
    for lang in LANGUAGES:
        if len({s.texts[lang].casefold() for s in statements}) < len(statements):
            raise LibraryError(f"{name}: the same '{lang}' statement appears twice")
    return StatementSet(path.stem, _texts(f"{name} (set name)", data["name"]), tuple(statements))


def load_sets(folder: Path = SETS) -> dict[str, StatementSet]:
    sets = {path.stem: _load(path) for path in sorted(folder.glob("*.yaml"))}
    if "default" not in sets:
        raise LibraryError(f"{folder}: the default set (default.yaml) is missing")
    return sets


@lru_cache(maxsize=1)
def default_sets() -> dict[str, StatementSet]:
    return load_sets()
