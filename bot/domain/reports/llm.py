"""Themes of the week from an OpenAI-compatible model (OpenAI, Azure, a self-hosted server).

Only answers shared with circles are sent, without authors, and only after the scrubber
(bot/domain/reports/scrub.py) has replaced names, identity numbers, e-mail addresses, phone numbers,
@mentions, links and chat mention markup here, in this process. The model's answer goes
through the same scrubber, and is dropped if it quotes an answer. One request per summary,
with our own time-out and a bounded number of retries; any failure returns None and the
summary goes out with its figures and a note.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from bot.common.config import Settings
from bot.common.logs import scrub as scrub_secrets
from bot.common.metrics import model_calls
from bot.domain.reports.scrub import Scrubber, quotes

log = logging.getLogger("kipina.llm")

TIMEOUT = 20.0
MAX_RETRIES = 2
MAX_ANSWER = 600  # characters of one answer sent
MAX_TOTAL = 30_000  # characters of answers in one request
MAX_THEMES = 5
LANGUAGE_NAMES = {"fi": "Finnish", "sv": "Swedish", "en": "English"}

def configured(settings: Settings) -> bool:
    return bool(settings.openai_api_key)


def request_messages(answers: list[str], languages: list[str], min_people: int) -> list[dict]:
    wanted = ", ".join(f'"{lang}" ({LANGUAGE_NAMES[lang]})' for lang in languages)
    system = (
        "You summarise the themes of reflections that employees shared with their peer-learning circles, "
        "for HR and programme leads. Report only themes that recur across several different answers "
        f"(at least {min_people}). Never quote, never name or describe a person, team, customer or place, and "
        "leave out anything that could identify someone. Placeholders such as [name], [id] or [email] stand for "
        "removed details: ignore them. Write titles and summaries in sentence case (a capital only at the start), "
        "in your own words. Answer with JSON only, in this form: "
        '{"<language code>": [{"title": "<a few words>", "summary": "<one sentence>"}]}, '
        f"with at most {MAX_THEMES} themes for each of these languages: {wanted}."
    )
    body = "\n".join(f"- {a}" for a in answers)
    user = f"Answers shared with circles this week ({len(answers)}), one per line, authors removed:\n{body}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def prepare(texts: Iterable[str], scrubber: Scrubber) -> list[str]:
    """Scrubbed, shortened answers, spread evenly over the week when there are too many."""
    cleaned = [" ".join(scrubber(t).split())[:MAX_ANSWER] for t in texts]
    cleaned = [c for c in cleaned if c]
    total = sum(len(c) for c in cleaned)
    if total <= MAX_TOTAL:
        return cleaned
    step = total / MAX_TOTAL
    picked, budget = [], MAX_TOTAL
    for i in range(int(len(cleaned) / step)):
        answer = cleaned[int(i * step)]
        if len(answer) > budget:
            break
        picked.append(answer)
        budget -= len(answer)
    return picked


def themes(settings: Settings, texts: Iterable[str], names: Iterable[str], languages: list[str], min_people: int,
           timeout: float = TIMEOUT, max_retries: int = MAX_RETRIES) -> dict[str, list[dict]] | None:
    """{language: [{"title", "summary"}]} from one request, or None if the model could not help."""
    from openai import OpenAI

    scrubber = Scrubber(names)
    answers = prepare(texts, scrubber)
    if not answers:
        return None
    client = OpenAI(api_key=settings.openai_api_key, base_url=settings.openai_base_url or None,
                    timeout=timeout, max_retries=max_retries)
    try:
        completion = client.chat.completions.create(
            model=settings.openai_model, messages=request_messages(answers, languages, min_people), temperature=0.2)
        content = completion.choices[0].message.content or ""
    except Exception as exc:  # OpenAIError, or a broken answer from a compatible server: no themes, still a summary
        model_calls.labels("error").inc()
        log.warning("themes from the language model failed: %s", scrub_secrets(type(exc).__name__))
        return None
    finally:
        client.close()
    if quotes(answers, _strings(content)):
        model_calls.labels("unusable").inc()
        log.warning("the language model's answer quoted an answer: themes left out")
        return None
    parsed = parse(content, languages, scrubber)
    model_calls.labels("ok" if parsed is not None else "unusable").inc()
    if parsed is None:
        log.warning("the language model's answer was not the JSON asked for")
    return parsed


def _strings(content: str) -> str:
    """The text of the model's JSON, unescaped (\\u00e4 is ä), to compare with the answers it saw."""
    try:
        data = json.loads(content[content.find("{"):content.rfind("}") + 1])
    except ValueError:
        return content
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    return "\n".join(found)


def parse(content: str, languages: list[str], scrubber: Scrubber) -> dict[str, list[dict]] | None:
    """Keep only well-formed themes, scrubbed again in case the model echoed a detail."""
    start, end = content.find("{"), content.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(content[start:end + 1])
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    result = {}
    for lang in languages:
        items = data.get(lang)
        if not isinstance(items, list):
            continue
        found = []
        for item in items[:MAX_THEMES]:
            if isinstance(item, dict) and isinstance(item.get("title"), str) and item["title"].strip():
                summary = item.get("summary") if isinstance(item.get("summary"), str) else ""
                found.append({"title": scrubber(" ".join(item["title"].split()))[:80],
                              "summary": scrubber(" ".join(summary.split()))[:300]})
        result[lang] = found
    return result or None
