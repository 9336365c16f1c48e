"""Themes of the week from an OpenAI-compatible model (OpenAI, Azure, a self-hosted server).

Only answers shared with circles are sent, without authors, and only after names, e-mail
addresses, phone numbers, @mentions, links and chat mention markup are replaced here, in
this process. One request per summary, with our own time-out and a bounded number of
retries; any failure returns None and the summary goes out with its figures and a note.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable

from bot import platforms as registry
from bot.config import Settings
from bot.logs import scrub as scrub_secrets

log = logging.getLogger("kipina.llm")

TIMEOUT = 20.0
MAX_RETRIES = 2
MAX_ANSWER = 600  # characters of one answer sent
MAX_TOTAL = 30_000  # characters of answers in one request
MAX_THEMES = 5
LANGUAGE_NAMES = {"fi": "Finnish", "sv": "Swedish", "en": "English"}

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MENTION = re.compile(r"(?<![\w@])@[\w.\-]+")
LINK = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d\s().\-/]{5,}\d(?!\w)")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
GRADATION = re.compile(r"(kk|pp|tt)(?=[aeiouyäö]$)")
SUFFIX_MAX = 4  # Finnish and Swedish case endings on a name: Annalle, Mikon, Annas


class NameScrubber:
    """Replaces every known name part (first names too), case-insensitively, even inflected."""

    def __init__(self, names: Iterable[str]):
        parts = {p for name in names for p in re.split(r"[\s\-_.,]+", (name or "").lower()) if len(p) >= 2}
        # Finnish consonant gradation: Mikko → Mikon, Matti → Matin, Seppo → Sepon.
        self.parts = parts | {GRADATION.sub(lambda m: m.group(1)[0], p) for p in parts if len(p) >= 4}

    def is_name(self, word: str) -> bool:
        w = word.lower()
        if w in self.parts:
            return True
        base = w.split("'")[0].split("’")[0]
        if base in self.parts:
            return True
        return any(len(w) - cut >= 3 and w[:-cut] in self.parts for cut in range(1, SUFFIX_MAX + 1))

    def __call__(self, text: str) -> str:
        return WORD.sub(lambda m: "[name]" if self.is_name(m.group(0)) else m.group(0), text)


def _phone(match: re.Match) -> str:
    return "[phone]" if sum(c.isdigit() for c in match.group(0)) >= 7 else match.group(0)


def scrub(text: str, names: NameScrubber) -> str:
    """Everything that could point at a person goes before the text leaves the process."""
    text = registry.mention_markup().sub("[mention]", text)  # each platform's, e.g. <@U1|x>, <at>x</at>
    text = EMAIL.sub("[email]", text)
    text = LINK.sub("[link]", text)
    text = MENTION.sub("[mention]", text)
    text = PHONE.sub(_phone, text)
    return names(text)


def configured(settings: Settings) -> bool:
    return bool(settings.openai_api_key)


def request_messages(answers: list[str], languages: list[str], min_people: int) -> list[dict]:
    wanted = ", ".join(f'"{lang}" ({LANGUAGE_NAMES[lang]})' for lang in languages)
    system = (
        "You summarise the themes of reflections that employees shared with their peer-learning circles, "
        "for HR and programme leads. Report only themes that recur across several different answers "
        f"(at least {min_people}). Never quote, never name or describe a person, team, customer or place, and "
        "leave out anything that could identify someone. Placeholders such as [name] or [email] stand for "
        "removed details: ignore them. Answer with JSON only, in this form: "
        '{"<language code>": [{"title": "<a few words>", "summary": "<one sentence>"}]}, '
        f"with at most {MAX_THEMES} themes for each of these languages: {wanted}."
    )
    body = "\n".join(f"- {a}" for a in answers)
    user = f"Answers shared with circles this week ({len(answers)}), one per line, authors removed:\n{body}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def prepare(texts: Iterable[str], names: NameScrubber) -> list[str]:
    """Scrubbed, shortened answers, spread evenly over the week when there are too many."""
    cleaned = [" ".join(scrub(t, names).split())[:MAX_ANSWER] for t in texts]
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
    from openai import OpenAI, OpenAIError

    scrubber = NameScrubber(names)
    answers = prepare(texts, scrubber)
    if not answers:
        return None
    client = OpenAI(api_key=settings.openai_api_key, base_url=settings.openai_base_url or None,
                    timeout=timeout, max_retries=max_retries)
    try:
        completion = client.chat.completions.create(
            model=settings.openai_model, messages=request_messages(answers, languages, min_people), temperature=0.2)
        content = completion.choices[0].message.content or ""
    except OpenAIError as exc:
        log.warning("themes from the language model failed: %s", scrub_secrets(type(exc).__name__))
        return None
    except Exception as exc:  # a broken answer from a compatible server must not stop the summary
        log.warning("themes from the language model failed: %s", scrub_secrets(type(exc).__name__))
        return None
    finally:
        client.close()
    parsed = parse(content, languages, scrubber)
    if parsed is None:
        log.warning("the language model's answer was not the JSON asked for")
    return parsed


def parse(content: str, languages: list[str], names: NameScrubber) -> dict[str, list[dict]] | None:
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
                found.append({"title": scrub(" ".join(item["title"].split()), names)[:80],
                              "summary": scrub(" ".join(summary.split()), names)[:300]})
        result[lang] = found
    return result or None
