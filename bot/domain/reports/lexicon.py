"""What a word is, from the field's word lists rather than hand rules: simplemma's lemmas (which also
say when a word is a proper noun: its lemma keeps the capital, Virtaselta → Virtanen, Helsingissä →
Helsinki), wordfreq's frequencies (everyday words: tuuli, satu, will, mark), Babel's names of
countries, regions and languages, and places.txt (towns, agencies, tools).

Where Voikko is installed (Debian's libvoikko1 and voikko-fi), its analyses of Finnish words say
outright which are first names, surnames or place names, inflected too (Heinoselle → Heinonen).
"""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import libvoikko
import simplemma
from babel import Locale
from wordfreq import zipf_frequency

LANGS = ("fi", "sv", "en")
HEAD = 3.0  # the last part of a compound: a word written at least once per million words
EVERYDAY = 3.3  # Zipf frequency (log10 per billion words) above which a word is one people use daily
# Last parts of names of agencies, companies and units: Maanmittauslaitos, Valtiokonttori,
# Skatteverket, Försäkringskassan, Tilastokeskus, Opetushallitus.
ORG_ENDINGS = ("laitos", "virasto", "konttori", "keskus", "ministeriö", "hallinto", "hallitus", "toimisto",
               "palvelut", "palvelu", "lautakunta", "yliopisto", "korkeakoulu", "kunta", "kaupunki", "seura",
               "liitto", "rahasto", "vankila", "poliisi", "tuomioistuin", "oikeus", "kirjasto", "säätiö", "yhtiö",
               "verket", "verk", "myndighet", "myndigheten", "kassa", "kassan", "styrelse", "styrelsen",
               "inspektion", "inspektionen", "departement", "departementet", "kommun", "region", "stad",
               "universitet", "högskola", "ämbetet", "rådet", "råd", "vården")


def _places() -> frozenset[str]:
    words: set[str] = set()
    for line in Path(__file__).with_name("places.txt").read_text(encoding="utf-8").splitlines():
        words.update(line.split("#", 1)[0].lower().split())
    for lang in LANGS:
        locale = Locale(lang)
        for names in (locale.territories, locale.languages):
            words.update(name.lower() for name in names.values())  # whole: Saint Helena is no Helena
    return frozenset(words)


PLACES = _places()


@lru_cache(maxsize=131_072)
def lemma(word: str, lang: str) -> str:
    """simplemma's lemma as it spells it: capitalised for a proper noun (Virtanen, Helsinki)."""
    return simplemma.lemmatize(word, lang=lang)


@lru_cache(maxsize=131_072)
def known(word: str, lang: str) -> bool:
    return simplemma.is_known(word, lang=lang)


@lru_cache(maxsize=131_072)
def frequency(word: str, lang: str) -> float:
    return zipf_frequency(word, lang, wordlist="small")  # the large lists hold 140 MB more in memory


@lru_cache(maxsize=131_072)
def ordinary(low: str, lang: str) -> bool:
    """Whether a lower-case word is an everyday word of the language: a form simplemma knows with a
    lower-case lemma and that people write often (onneksi, tuuli, will, mark; not mikko, virtanen)."""
    if not known(low, lang):
        return False
    base = lemma(low, lang)
    return base.islower() and frequency(low, lang) >= EVERYDAY


@lru_cache(maxsize=131_072)
def common_noun(low: str, lang: str) -> bool:
    """Whether a lower-case word is an ordinary word at all, rare or not, simple or compound
    (verohallinnon → verohallinto, palautekeskustelussa → palautekeskustelu)."""
    base = lemma(low, lang)
    return base.islower() and (known(low, lang) or base != low)


@lru_cache(maxsize=131_072)
def compound(low: str, lang: str) -> bool:
    """Whether a word simplemma does not know is a Finnish or Swedish compound ending in an everyday
    word of at least five letters (viikkopalaveri, mentorointikeskustelu; not fagerström, see
    `surnames`)."""
    if lang == "en":
        return False
    for cut in range(3, len(low) - 4):
        head = low[cut:]
        if head in surnames:
            return False
        if known(head, lang) and lemma(head, lang).islower() and frequency(head, lang) >= HEAD:
            return True
    return False


surnames: frozenset[str] = frozenset()  # last parts of surnames (names.py sets them: ström, niemi …)


@lru_cache(maxsize=131_072)
def place(word: str, lang: str) -> bool:
    """A town, region, country, language, agency or tool, in any case and inflected."""
    low = word.lower()
    if low in PLACES:
        return True
    for form in {lemma(word, lang).lower(), lemma(low, lang).lower(), low[:-1] if low.endswith("s") else low}:
        if form in PLACES or (len(form) > 7 and form.endswith(ORG_ENDINGS)):
            return True
    return len(low) > 7 and low.endswith(ORG_ENDINGS)


# Voikko's classes of proper nouns; any other class is an ordinary word.
VOIKKO_KINDS = {"etunimi": "person", "sukunimi": "person", "paikannimi": "place", "nimi": "place"}
_voikko: dict[str, object] = {}
_voikko_lock = threading.Lock()  # one Voikko handle is not to be used by two threads at once


def use_voikko(on: bool) -> bool:
    """Turns the Finnish analyser on (if installed) or off; whether it is on. Off, the scrubber works
    from simplemma and the word lists alone (tests and the bench measure both)."""
    with _voikko_lock:
        if not on:
            _voikko["handle"] = None
        elif _voikko.get("handle") is None:
            try:
                _voikko["handle"] = libvoikko.Voikko("fi")
            except (OSError, libvoikko.VoikkoException):
                _voikko["handle"] = None  # the library or its Finnish dictionary is not installed
    finnish.cache_clear()
    return _voikko["handle"] is not None


@lru_cache(maxsize=131_072)
def finnish(word: str) -> frozenset[str] | None:
    """What Voikko takes a Finnish word for: person, place and/or word; None without Voikko."""
    if "handle" not in _voikko:
        use_voikko(True)
    with _voikko_lock:
        handle = _voikko["handle"]
        if handle is None:
            return None
        found = handle.analyze(word)
    return frozenset(VOIKKO_KINDS.get(a.get("CLASS"), "word") for a in found)
