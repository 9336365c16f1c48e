"""What a word is, from the field's word lists rather than hand rules: simplemma's lemmas (which also
say when a word is a proper noun: its lemma keeps the capital, Virtaselta → Virtanen, Helsingissä →
Helsinki), wordfreq's frequencies (everyday words: tuuli, satu, will, mark), Babel's names of
countries, regions and languages, and places.txt (towns, agencies, tools).

simplemma's dictionaries are read as MARISA tries (marisa-trie): about 40 MB for the three
languages instead of 450 MB of Python dicts. The tries are built once from simplemma's own files
and kept under the installation (`python -m bot lexicon` builds them; make install and the
container image do); where that folder cannot be written, they are built in memory at the
first answer of each language (a few seconds).

Where Voikko is installed (Debian's libvoikko1 and voikko-fi), its analyses of Finnish words say
outright which are first names, surnames or place names, inflected too (Heinoselle → Heinonen).
"""
from __future__ import annotations

import math
import sys
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import libvoikko
import simplemma
from babel import Locale
from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy
from simplemma.strategies.dictionaries import TrieDictionaryFactory
from simplemma.utils import normalize_token
from wordfreq import freq_to_zipf, get_frequency_dict, zipf_frequency

LANGS = ("fi", "sv", "en")
HEAD = 3.0  # the last part of a compound: a word written at least once per million words
COMMONPLACE = 5.0  # once per 100,000 words: viime, and no name
EVERYDAY = 3.3  # Zipf frequency (log10 per billion words) above which a word is one people use daily
# Last parts of names of agencies, companies and units: Maanmittauslaitos, Valtiokonttori,
# Skatteverket, Försäkringskassan, Tilastokeskus, Opetushallitus.
ORG_ENDINGS = ("laitos", "virasto", "konttori", "keskus", "ministeriö", "hallinto", "hallitus", "toimisto",
               "palvelut", "palvelu", "lautakunta", "yliopisto", "korkeakoulu", "kunta", "kaupunki", "seura",
               "liitto", "rahasto", "vankila", "poliisi", "tuomioistuin", "oikeus", "kirjasto", "säätiö", "yhtiö",
               "verket", "verk", "myndighet", "myndigheten", "kassa", "kassan", "styrelse", "styrelsen",
               "inspektion", "inspektionen", "departement", "departementet", "kommun", "region", "stad",
               "universitet", "högskola", "ämbetet", "rådet", "råd", "vården", "anstalt", "anstalten", "kontoret",
               "kontor", "förvaltningen", "förvaltning", "nämnden", "centralen", "institutet", "ombudsmannen")
# Finnish endings on a foreign or short name (Traficom-in, Teams-issa, Copilot-ia, Kela-lle, Migri-n).
FI_ENDINGS = tuple(sorted(set("""n a ä lla llä lle lta ltä ssa ssä sta stä ksi na nä in ia iä iin ille illa illä
ilta iltä issa issä ista istä iksi ina inä""".split()), key=len, reverse=True))


def _places() -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """The single words of places.txt and Babel, and its two-word names (power_bi: Power BI)."""
    words: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for line in Path(__file__).with_name("places.txt").read_text(encoding="utf-8").splitlines():
        for word in line.split("#", 1)[0].lower().split():
            if "_" in word:
                first, second = word.split("_", 1)
                pairs.add((first, second))
            else:
                words.add(word)
    for lang in LANGS:
        locale = Locale(lang)
        for names in (locale.territories, locale.languages):
            words.update(name.lower() for name in names.values())  # whole: Saint Helena is no Helena
    return frozenset(words), frozenset(pairs)


PLACES, PAIRS = _places()
TRIES = Path(sys.prefix) / "share" / "kipina" / f"simplemma-{simplemma.__version__}"
_tries = TrieDictionaryFactory(disk_cache_dir=str(TRIES))
_lemmatizer = simplemma.Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=_tries))
_lookup = DictionaryLookupStrategy(_tries)


def build() -> Path:
    """Builds the tries of the three languages where they are kept (an install step); their folder."""
    for lang in LANGS:
        _tries.get_dictionary(lang)
    return TRIES


@lru_cache(maxsize=131_072)
def lemma(word: str, lang: str) -> str:
    """simplemma's lemma as it spells it: capitalised for a proper noun (Virtanen, Helsinki)."""
    return _lemmatizer.lemmatize(word, lang)


@lru_cache(maxsize=131_072)
def known(word: str, lang: str) -> bool:
    return _lookup.get_lemma(normalize_token(word), lang) is not None


@lru_cache(maxsize=131_072)
def frequency(word: str, lang: str) -> float:
    """wordfreq's Zipf frequency in its small list (the large lists hold 140 MB more in memory)."""
    if not (word.isalpha() and unicodedata.is_normalized("NFC", word)):
        return zipf_frequency(word, lang, wordlist="small")
    # A plain word is one token, its case folded: looked up as wordfreq does, without its tokenizer,
    # which takes most of the time of a word's first look-up.
    found = get_frequency_dict(lang, "small").get(word.casefold(), 0.0)
    if not found:
        return 0.0
    found = round(found, math.floor(-math.log(found, 10)) + 3)  # wordfreq's 3 significant digits
    return round(freq_to_zipf(found), 2)  # as zipf_frequency rounds


@lru_cache(maxsize=131_072)
def only_in(low: str) -> str | None:
    """The one language of the three that writes this word at all, if only one does."""
    seen = [lang for lang in LANGS if frequency(low, lang) > 0]
    return seen[0] if len(seen) == 1 else None


@lru_cache(maxsize=131_072)
def ordinary(low: str, lang: str) -> bool:
    """Whether a lower-case word is an everyday word of the language: a form simplemma knows with a
    lower-case lemma and that people write often (onneksi, tuuli, will, mark; not mikko, virtanen)."""
    if not known(low, lang):
        # A word simplemma lacks that people write all the time (viime): no name is that common.
        return frequency(low, lang) >= COMMONPLACE and lemma(low, lang).islower()
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
    """Whether a word simplemma does not know is a Finnish or Swedish compound of words, the last an
    everyday word of at least five letters (viikkopalaveri, mentorointikeskustelu; not fagerström,
    see `surnames`, nor Kowalskilta)."""
    if lang == "en":
        return False
    for cut in range(3, len(low) - 4):
        head, first = low[cut:], low[:cut]
        if head in surnames:
            return False
        if cut == 3 and frequency(first, lang) < EVERYDAY:
            continue  # a short first part is an everyday word (lär+mentorer, työ+paja), not iva+novan
        if known(head, lang) and lemma(head, lang).islower() and frequency(head, lang) >= HEAD and (
                known(first, lang) or known(first[:-1], lang) or compound(first, lang) or
                first.endswith("is") and known(first[:-1] + "nen", lang)):
            return True  # viikko+palaveri, oppimis+päivä+kirja (oppiminen), kunnallis+ala; not kowals+kilta
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
    if len(low) > 7 and low.endswith(ORG_ENDINGS):
        return True
    return lang == "fi" and any(form in PLACES or len(form) > 7 and form.endswith(ORG_ENDINGS)
                                for form in _finnish_stems(low))


def _finnish_stems(low: str) -> list[str]:
    return [low[:-len(ending)] for ending in FI_ENDINGS if low.endswith(ending) and len(low) - len(ending) >= 2]


def pair(first: str, second: str, lang: str) -> bool:
    """Whether two words make one name of a product or body that places.txt lists (Power BI:stä,
    Power Automatella), the second maybe inflected."""
    head = first.lower()
    low = second.lower()
    return any((head, form) in PAIRS for form in [low, *(_finnish_stems(low) if lang == "fi" else ())])


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
