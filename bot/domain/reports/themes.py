"""Offline themes of the week: recurring keywords in answers shared with circles (fi, sv, en).

No model and no network: answers go through the same scrubber as a request to a language model
(scrub.py: names, identity numbers, contacts), are tokenised, stop words (stopwords.py) dropped,
words reduced to a Snowball stem merged further where Snowball splits one Finnish or Swedish word,
and only stems used by at least `min_people` different authors survive.
Keywords that occur together in the answers of enough people form one theme. The output
is words, never sentences, so nobody can be quoted.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable

import snowballstemmer

from bot.domain.reports import narration
from bot.domain.reports.names import language_of
from bot.domain.reports.scrub import Scrubber
from bot.domain.reports.stopwords import STOP, STOP_LEMMAS

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
MAX_THEMES = 5
KEYWORDS_PER_THEME = 4
MIN_LENGTH = 3
CLAUSE = re.compile(r"[.,;:!?()\n]+")
# Small words a phrase may have in its middle: asking for feedback, be om hjälp, learning from mistakes.
PHRASE_GAP = {"fi": frozenset(), "sv": frozenset("om på av för till med i från".split()),
              "en": frozenset("for of to on with in about from".split())}

ALL_STOP = set().union(*STOP.values())
SNOWBALL = {"fi": "finnish", "sv": "swedish", "en": "english"}
VOWELS = frozenset("aeiouyäöåé")
# A Finnish stem may end in these diphthongs: vastau(s), kokou(s), sairau(s), selkey(s), esimie(s).
FI_KEEP = frozenset("au eu iu ou äy öy ey ie".split())
FI_DOUBLE = frozenset("kk pp tt nn ll rr mm ss".split())
# Consonant gradation: the strong and the weak grade of a stem's last consonants get one spelling
# (käytäntö, käytännön → käytän; taito, taidon → tait; tapa, tavan → tap).
FI_GRADES = (("nt", "n"), ("lt", "l"), ("rt", "r"), ("mp", "m"), ("nk", "ng"), ("d", "t"), ("v", "p"))
FI_CLITICS = ("kaan", "kään", "kin", "han", "hän", "ko", "kö", "pa", "pä")
SV_S_ENDING = frozenset("bcdfghjklmnoprtvy")  # Snowball's: a final s after these is a genitive
EN_EXCEPTIONS = {"experience": "experienc", "experiences": "experienc"}  # not "experi", as experiment
_stemmers = threading.local()


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).lower().replace("’", "'")
    return [w[:-2] if w.endswith("'s") else w for w in WORD.findall(text)]


def language(words: list[str]) -> str:
    """The answer's language by its stop words, else by which language writes its words most."""
    return language_of(words)


def snowball(word: str, lang: str) -> str:
    """Snowball's own stem (one stemmer per thread: they keep state while stemming)."""
    found = getattr(_stemmers, "by_lang", None)
    if found is None:
        found = _stemmers.by_lang = {code: snowballstemmer.stemmer(name) for code, name in SNOWBALL.items()}
    return found[lang].stemWord(word)


def stem(word: str, lang: str) -> str:
    """Snowball's stem, with the inflected forms Snowball splits in Finnish and Swedish merged back."""
    lang = lang if lang in SNOWBALL else "en"
    if lang == "fi":
        return _merge_fi(word, snowball(word, "fi"))
    if lang == "sv":
        return _merge_sv(word, snowball(word, "sv"))
    return EN_EXCEPTIONS.get(word) or snowball(word, "en")


def _merge_fi(word: str, s: str) -> str:
    """Snowball Finnish splits one word over several stems (muutos, muutoks, muuto; tiimi, tiim;
    epävarmuus, epävarmuud; oppimin, oppimis): bring the stem's end to one spelling."""
    if (word.endswith("sti") and s == word[:-3]  # sähköposti: a noun, not an adverb in -sti
            or word.endswith("iini")  # rutiini: not the possessive -ni
            or len(word) <= 6 and word.endswith("nkin")):  # vinkin: not the clitic -kin
        s = word[:-1]
    if len(s) >= 5 and s.endswith("ks"):
        s = s[:-2]  # muutoksen ~ muutos, luottamuksen ~ luottamus
    elif len(s) >= 5 and s[-1] in "td" and s[-2] in "uy" and s[-3] in VOWELS:
        s = s[:-1]  # epävarmuuden, epävarmuutta ~ epävarmuus; sairauden ~ sairaus
    elif len(s) >= 6 and s.endswith("ist") and word.endswith("sten"):
        s = s[:-1]  # ihmisten ~ ihmisen
    elif len(s) >= 5 and s.endswith("ieh"):
        s = s[:-1]  # esimiehen ~ esimies
    if len(s) >= 5 and (s[-1] == "s" and s[-2] in VOWELS or s.endswith("in") and word.endswith("nen")):
        s = s[:-1]  # muutos, luottamus; oppiminen ~ oppimisen
    if len(s) >= 4 and s[-1] == "j" and s[-2] in "oeö":
        s = s[:-1]  # käytäntöjä, vinkkejä: the plural j
    s = _fi_vowels(s)
    if len(s) >= 4 and s[-2:] in FI_DOUBLE:
        s = s[:-1]
    for strong, weak in FI_GRADES:
        if len(s) >= 3 and s.endswith(strong):
            return s[: -len(strong)] + weak
    return s


def _fi_vowels(s: str) -> str:
    """Drops the stem vowels that change with the ending (tiimi, tiime-; kollega, kollego-; idea, ideo-),
    not a u or y after a consonant: those stay in every form (työkalu, kysymy-s, vastu(u) but vasta-)."""
    while len(s) > 3 and s[-1] in VOWELS and s[-2:] not in FI_KEEP:
        if s[-1] in "uy" and s[-2] not in VOWELS:
            break
        s = s[:-1]
    return s


def _merge_sv(word: str, s: str) -> str:
    """Snowball Swedish leaves some definite and genitive forms apart (ansvar, ansvaret; förtroende,
    förtroendet; kollega, kollegan; kurs, kurser): strip what it left and stem once more."""
    rest = word[len(s):] if word.startswith(s) else None
    again = snowball(s, "sv")
    if rest in ("et", "ets", "en", "ens") and s[len(again):] in ("ar", "er", "or"):
        s = again  # ansvaret → ansvar → ansv, as ansvar itself (but releasen → releas, as release)
    elif rest in ("", "s") and len(s) >= 5 and s.endswith(("rn", "ln")) and s[-3] in VOWELS:
        s = snowball(s[:-1], "sv")  # datorn ~ dator, semestern ~ semester
    elif rest in ("", "s") and len(s) >= 6 and s.endswith("et") and not VOWELS & set(s[-4:-2]):
        s = snowball(s[:-2], "sv")  # förtroendet ~ förtroende, projektet ~ projekt
    elif len(s) >= 5 and s.endswith(("an", "en")):
        s = snowball(s[:-2], "sv")  # kollegan ~ kollega, mötena ~ möte
    if s.endswith("én"):
        s = s[:-1]  # idén ~ idé
    if len(s) >= 4 and s[-1] == "s" and s[-2] in SV_S_ENDING:
        s = s[:-1]  # kurser → kurs ~ kur
    if len(s) >= 4 and s[-1] == s[-2] and s[-1] not in VOWELS:
        s = s[:-1]  # mötesrummet ~ mötesrum, workshoppar ~ workshop
    return s


def is_stop(word: str, lang: str) -> bool:
    """A stop word of any of the languages, in Finnish also with a clitic (muutkin, mäkin, ootko, minäkään)."""
    if word in ALL_STOP:
        return True
    for clitic in FI_CLITICS if lang == "fi" else ():
        base = word[: -len(clitic)]
        if word.endswith(clitic) and base in STOP["fi"] and (len(base) >= 3 or len(clitic) >= 3):
            return True  # but teko is not te + ko
    return False


def _stop_stems() -> dict[str, frozenset[str]]:
    return {lang: frozenset(stem(w, lang) for w in words.split()) for lang, words in STOP_LEMMAS.items()}


STOP_STEMS = _stop_stems()


class Keywords:
    """Collects base forms and phrases per answer; `themes()` keeps those used by enough different people."""

    def __init__(self, min_people: int, names: Iterable[str] = (), prompt_texts: dict[str, str] | None = None):
        self.min_people = min_people
        self.scrubber = Scrubber(names)
        self.prompt_texts = prompt_texts or {}
        self._prompt_stems: dict[str, set[str]] = {}
        self._keys: dict[tuple[str, str], tuple[str | None, str, bool]] = {}
        self.authors: dict[str, set] = defaultdict(set)  # key → who used it
        self.docs: dict[str, set[int]] = defaultdict(set)  # key → which answers
        self.forms: dict[str, Counter] = defaultdict(Counter)  # key → base forms, or a phrase's words
        self.parts: dict[str, tuple[str, str]] = {}  # a phrase's key → its words' keys
        self.doc_author: list = []  # answer number → its author
        self.people: set = set()

    def add(self, author, text: str, prompt_key: str | None = None) -> None:
        clauses = [tokens(part) for part in CLAUSE.split(self.scrubber.words(text))]
        words = [w for clause in clauses for w in clause]
        if not words:
            return
        lang = language(words)
        echo = self._echo(prompt_key)
        doc = len(self.doc_author)
        self.doc_author.append(author)
        self.people.add(author)
        keys = [self._key(word, lang) for word in words]
        found: dict[str, str] = {}
        for word, (key, lemma, narrates) in zip(words, keys):
            if key is not None and key not in echo and not narrates:
                found[key] = lemma
        at = 0
        for clause in clauses:  # palautteen pyytäminen, asking for feedback: within one clause
            for i, j, label in _pairs(clause, lang):
                (a, _, told_a), (b, _, told_b) = keys[at + i], keys[at + j]
                if a and b and a != b and not (told_a or told_b) and a not in echo and b not in echo:
                    found[a + " " + b] = label
                    self.parts[a + " " + b] = (a, b)
            at += len(clause)
        for key, label in found.items():
            self.forms[key][label] += 1  # counted once per answer: the most used form names the theme
            self.authors[key].add(author)
            self.docs[key].add(doc)

    def _key(self, word: str, lang: str) -> tuple[str | None, str, bool]:
        """(the stem of the word's base form or None for a stop word, the base form, whether the word
        narrates); cached, as answers repeat their words (names are gone)."""
        cached = self._keys.get((word, lang))
        if cached is not None:
            return cached
        key, lemma, narrating = None, word, False
        if len(word) >= MIN_LENGTH and not is_stop(word, lang):
            lemma = narration.base(word, lang) if "-" not in word else word
            key = stem(lemma, lang)
            key = None if key in STOP_STEMS[lang] or is_stop(lemma, lang) else key
            narrating = narration.narrates(word, lang)
        self._keys[(word, lang)] = found = (key, lemma, narrating)
        return found

    def _echo(self, prompt_key: str | None) -> set[str]:
        """Words of the question itself say nothing about the answer."""
        if not prompt_key or prompt_key not in self.prompt_texts:
            return set()
        if prompt_key not in self._prompt_stems:
            words = set(tokens(self.prompt_texts[prompt_key]))  # the question in one language or in all
            self._prompt_stems[prompt_key] = {k for w in words for lang in SNOWBALL
                                              for k in (stem(w, lang), stem(narration.base(w, lang), lang))}
        return self._prompt_stems[prompt_key]

    def themes(self) -> list[dict]:
        if len(self.people) < self.min_people:
            return []
        eligible = [k for k, who in self.authors.items() if len(who) >= self.min_people]
        phrases = [k for k in eligible if k in self.parts]
        # A word that only ever came in a shared phrase is that phrase (remote meetings, not remote).
        absorbed = {part for k in phrases for part in self.parts[k] if self.authors[part] == self.authors[k]}
        eligible = [k for k in eligible if k not in absorbed]
        # The most people first; a phrase before a word as many people used.
        eligible.sort(key=lambda k: (-len(self.authors[k]), k not in self.parts, -len(self.docs[k]), self.label(k)))
        left = list(eligible)
        found = []
        while left and len(found) < MAX_THEMES:
            head = left.pop(0)
            inside = set(self.parts.get(head, ()))
            # Overlapping phrases of the same people (onboarding guide, guide together) are one.
            left = [k for k in left if not (inside & set(self.parts.get(k, ()))
                                            and self.authors[k] <= self.authors[head])]
            mates = []
            for other in left:
                if other in inside or inside & set(self.parts.get(other, ())) or head in self.parts.get(other, ()):
                    continue  # a phrase and its own words say one thing
                together = self.docs[head] & self.docs[other]
                if len({self.doc_author[d] for d in together}) >= self.min_people:
                    mates.append((len(together) / len(self.docs[head] | self.docs[other]), other))
            mates.sort(key=lambda m: (-m[0], self.label(m[1])))
            chosen = [m for _, m in mates[: KEYWORDS_PER_THEME - 1]]
            left = [k for k in left if k not in chosen]
            keys = [head, *chosen]
            people = set().union(*(self.authors[k] for k in keys))
            found.append({"keywords": [self.label(k) for k in keys], "people": len(people)})
        found.sort(key=lambda theme: -theme["people"])  # stable: ties keep their order
        return found

    def label(self, key: str) -> str:
        forms = self.forms[key]
        return min(forms, key=lambda f: (-forms[f], len(f), f))


def _pairs(words: list[str], lang: str) -> Iterable[tuple[int, int, str]]:
    """Neighbouring words, or two with one small word between (asking for feedback, be om hjälp)."""
    for i in range(len(words) - 1):
        yield i, i + 1, words[i] + " " + words[i + 1]
        if i + 2 < len(words) and words[i + 1] in PHRASE_GAP[lang]:
            yield i, i + 2, " ".join(words[i:i + 3])


def extract(answers: Iterable[tuple], min_people: int, names: Iterable[str] = (),
            prompt_texts: dict[str, str] | None = None) -> list[dict]:
    """answers: (author, text, prompt_key) of answers shared with circles. Returns themes as plain data."""
    keywords = Keywords(min_people, names, prompt_texts)
    for author, text, prompt_key in answers:
        keywords.add(author, text, prompt_key)
    return keywords.themes()
