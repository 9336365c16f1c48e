"""The scrubber against the labelled reflections in tests/scrub_eval/: recall per kind of personal
data and language, clean sentences changed, ordinary words removed, and speed.

A line marks what must go in braces: {Virtaselta} a name nobody told the scrubber about,
{Mikolle|k} a known one (known.txt), {040 123 4567|phone}, {..|email}, {..|id}, {..|link},
{..|mention}. Everything outside braces must stay.
"""
from __future__ import annotations

import difflib
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import wordfreq

from bot.domain.reports import inflection, lexicon
from bot.domain.reports.scrub import PLACEHOLDER, Scrubber

HERE = Path(__file__).resolve().parent.parent / "tests" / "scrub_eval"
LANGS = ("fi", "sv", "en")
MARK = re.compile(r"\{([^{}|]+)(?:\|(\w+))?\}")
TOKEN = re.compile(r"[^\W_]+")
KINDS = {None: "unknown name", "k": "known name", "phone": "phone", "email": "e-mail", "id": "identity code",
         "link": "link", "mention": "mention"}


@dataclass
class Sentence:
    lang: str
    text: str
    spans: list[tuple[int, int, str]]  # start, end, kind


@dataclass
class Figures:
    found: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # (kind, lang) → [removed, all]
    clean: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # lang → [changed, all]
    words: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # lang → [removed, all]
    misses: list = field(default_factory=list)

    def recall(self, kinds=None, lang=None) -> tuple[int, int]:
        pairs = [v for (k, g), v in self.found.items() if (kinds is None or k in kinds) and lang in (None, g)]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)

    def share(self, table: dict, lang=None) -> tuple[int, int]:
        pairs = [v for g, v in table.items() if lang in (None, g)]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)


def parse(line: str, lang: str) -> Sentence:
    text, spans, at = "", [], 0
    for match in MARK.finditer(line):
        text += line[at:match.start()]
        spans.append((len(text), len(text) + len(match.group(1)), KINDS[match.group(2)]))
        text += match.group(1)
        at = match.end()
    return Sentence(lang, text + line[at:], spans)


# The tuning set, then three sets each written apart from the scrubber and measured before anything
# was changed because of it (tests/scrub_eval/README.md has those first figures).
SETS = {"tuning": "", "held-out 1": "heldout", "held-out 2": "heldout2", "held-out 3": "heldout3"}


def load(name: str = "tuning") -> list[Sentence]:
    folder = HERE / SETS[name]
    return [parse(line, lang) for lang in LANGS
            for line in (folder / f"{lang}.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


def known() -> list[str]:
    return [line.strip() for line in (HERE / "known.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


def removed(text: str, out: str) -> list[tuple[int, int, bool]]:
    """Each word of `text` (start, end, whether the scrubber took it out), by aligning the words."""
    before = list(TOKEN.finditer(text))
    after = [m.group(0) for m in TOKEN.finditer(PLACEHOLDER.sub(" ", out))]
    kept = set()
    matcher = difflib.SequenceMatcher(a=[m.group(0) for m in before], b=after, autojunk=False)
    for block in matcher.get_matching_blocks():
        kept.update(range(block.a, block.a + block.size))
    return [(m.start(), m.end(), i not in kept) for i, m in enumerate(before)]


def evaluate(sentences: list[Sentence], scrubber: Scrubber | None = None) -> Figures:
    scrub = scrubber or Scrubber(known())
    figures = Figures()
    for s in sentences:
        out = scrub(s.text)
        words = removed(s.text, out)
        if not s.spans:
            figures.clean[s.lang][0] += out != s.text
            figures.clean[s.lang][1] += 1
        for start, end, kind in s.spans:
            inside = [gone for a, b, gone in words if a >= start and b <= end]
            ok = all(inside) and bool(inside)
            figures.found[(kind, s.lang)][0] += ok
            figures.found[(kind, s.lang)][1] += 1
            if not ok:
                figures.misses.append((s.lang, kind, s.text[start:end], out))
        for a, b, gone in words:
            if not any(a >= start and b <= end for start, end, _ in s.spans):
                figures.words[s.lang][0] += gone
                figures.words[s.lang][1] += 1
                if gone:
                    figures.misses.append((s.lang, "ordinary word", s.text[a:b], out))
    return figures


def report(figures: Figures) -> dict:
    """The figures as plain data: shares in per cent, with their counts."""
    def pct(pair):
        return {"pct": round(100 * pair[0] / pair[1], 1) if pair[1] else None, "of": pair[1]}
    names = ("unknown name", "known name")
    out = {"all personal data": pct(figures.recall()), "unknown names": pct(figures.recall(("unknown name",))),
           "clean sentences changed": pct(figures.share(figures.clean)),
           "ordinary words removed": pct(figures.share(figures.words))}
    for lang in LANGS:
        out[lang] = {"all": pct(figures.recall(lang=lang)), "unknown names": pct(figures.recall(names[:1], lang)),
                     "known names": pct(figures.recall(names[1:], lang)),
                     "other personal data": pct(figures.recall(tuple(set(KINDS.values()) - set(names)), lang)),
                     "clean changed": pct(figures.share(figures.clean, lang)),
                     "words removed": pct(figures.share(figures.words, lang))}
    return out


def speed(sentences: list[Sentence], rounds: int) -> dict:
    """Sentences per second of CPU time on one core (the machine may be shared): once with every word
    new to the scrubber (its caches and the
    word lists' emptied, the lists themselves loaded), then over `rounds` more as a week's answers
    repeat their words."""
    for cached in (lexicon.lemma, lexicon.known, lexicon.frequency, lexicon.ordinary, lexicon.common_noun,
                   lexicon.compound, lexicon.place, lexicon.finnish, lexicon.only_in, inflection.bases,
                   lexicon._lemmatizer._cached_lemmatize):  # simplemma's own cache too
        cached.cache_clear()
    wordfreq._wf_cache.clear()  # wordfreq's own cache of words looked up (not a public name)
    texts = [s.text for s in sentences]
    scrub = Scrubber(known())
    started = time.process_time()
    for text in texts:
        scrub(text)
    cold = len(texts) / (time.process_time() - started)
    started = time.process_time()
    for text in texts * rounds:
        scrub(text)
    return {"sentences": len(texts) * (rounds + 1), "cold_per_s": round(cold),
            "per_s": round(len(texts) * rounds / (time.process_time() - started))}


def results(small: bool, backends: tuple[str, ...]):
    sets = {name: load(name) for name in SETS}
    every = [s for found in sets.values() for s in found]
    for text in ("Lämmittely Helsingissä, p. 040 123 4567.", "Uppvärmning i Stockholm.", "Warming up in London."):
        Scrubber(known())(text)  # the word lists of each language and phonenumbers' patterns load once per process
    for analyser in ("voikko", "word lists"):
        if not lexicon.use_voikko(analyser == "voikko") and analyser == "voikko":
            yield {"analyser": analyser, "skipped": "Voikko (libvoikko1, voikko-fi) is not installed"}
            continue
        for name, found in sets.items():
            yield {"analyser": analyser, "set": name, "sentences": len(found), **report(evaluate(found))}
        yield {"analyser": analyser, "set": "speed", "target_per_s": 5000, **speed(every, 2 if small else 20)}
    lexicon.use_voikko(True)
