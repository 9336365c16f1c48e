"""Which prompt a circle gets next.

Themes take turns; inside a theme no prompt repeats in a circle until the theme's pool is
used up. A mentor's own prompts (`prompt add`) go first, oldest first, each once.
"""
from __future__ import annotations

import random

from sqlmodel import Session, func, select

from prompts import Library
from storage.models import CirclePrompt, PromptRun

CUSTOM = "custom:"


def prompt_text(session: Session, library: Library, key: str, language: str) -> str:
    if key.startswith(CUSTOM):
        custom = session.get(CirclePrompt, int(key[len(CUSTOM):]))
        return custom.text if custom else ""
    prompt = library.get(key)
    return prompt.text(language) if prompt else ""


def theme_of(library: Library, key: str) -> str | None:
    prompt = library.get(key)
    return prompt.theme if prompt else None


def next_prompt(session: Session, library: Library, circle_id: int, kind: str,
                exclude: frozenset[str] = frozenset(), after_theme: str | None = None) -> str:
    if kind == "reflection" and not exclude:
        custom = _unused_custom(session, circle_id)
        if custom is not None:
            return custom
    uses = dict(session.exec(
        select(PromptRun.prompt_key, func.count()).where(PromptRun.circle_id == circle_id, PromptRun.kind == kind)
        .group_by(PromptRun.prompt_key)
    ).all())
    if after_theme is None:
        after_theme = _last_theme(session, library, circle_id, kind)
    themes = [t.key for t in library.themes]
    start = (themes.index(after_theme) + 1) if after_theme in themes else 0
    rng = random.Random(circle_id * 7919 + sum(uses.values()) + len(exclude))
    for theme in themes[start:] + themes[:start]:
        pool = [p.key for p in library.pool(kind, theme) if p.key not in exclude]
        if pool:
            least = min(uses.get(k, 0) for k in pool)
            return rng.choice([k for k in pool if uses.get(k, 0) == least])
    raise LookupError(f"no {kind} prompts left")


def _unused_custom(session: Session, circle_id: int) -> str | None:
    used = set(session.exec(
        select(PromptRun.prompt_key).where(PromptRun.circle_id == circle_id, PromptRun.prompt_key.startswith(CUSTOM))
    ))
    for custom_id in session.exec(
        select(CirclePrompt.id).where(CirclePrompt.circle_id == circle_id).order_by(CirclePrompt.id)
    ):
        if f"{CUSTOM}{custom_id}" not in used:
            return f"{CUSTOM}{custom_id}"
    return None


def _last_theme(session: Session, library: Library, circle_id: int, kind: str) -> str | None:
    keys = session.exec(
        select(PromptRun.prompt_key).where(PromptRun.circle_id == circle_id, PromptRun.kind == kind)
        .order_by(PromptRun.id.desc()).limit(20)
    )
    for key in keys:
        theme = theme_of(library, key)
        if theme:
            return theme
    return None
