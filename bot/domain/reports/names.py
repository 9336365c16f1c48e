"""Finding people's names in free text, also names of people the bot has never seen, and keeping
every other word.

The evidence, from the strongest:
- a name part of someone the bot knows (a workspace member), as written or really inflected
  (Mikon, Virtaselta, Karins, Grace's; never lukea for Luke or made for Matti). One that is also
  an everyday word (Satu, Tuuli, Onni; Mark, Will) counts only capitalised inside a sentence,
  next to another name, or at a sentence start before what a person does (Will told me);
- Voikko's analysis of a Finnish word as a first name or surname, where Voikko is installed;
- a common Finnish, Swedish or English first name or surname (names.txt), inflected too;
- a capitalised word inside a sentence, unless it is a place, country, language, agency or tool
  (lexicon.py) or an everyday word English capitalises (Ministry, Commission);
- at a sentence start, a word simplemma takes for a proper noun and people do not write every day
  (Karjalaiselta, Okafor, Fagerström), but not an ordinary word (Tutustuin, Palautekeskustelussa);
- next to a name: a surname-like word after it (Pekka nieminen), a capitalised word before it
  (Karl-Johan Lindqvist, Ville Rantanen).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from bot.domain.reports import lexicon
from bot.domain.reports.inflection import NEN_FORM, bases
from bot.domain.reports.stopwords import STOP

PLACEHOLDER_WORDS = ("name", "email", "phone", "link", "mention", "id")
TOKEN = re.compile(r"\[(?:%s)\]|[^\W\d_]+(?:['’][^\W\d_]+)*" % "|".join(PLACEHOLDER_WORDS))
ALL_STOP = frozenset().union(*STOP.values())
I_FORMS = frozenset(("i", "i'm", "i've", "i'd", "i'll"))
SENTENCE_END = frozenset(".!?…:\n")
JOINERS = frozenset(" \t-‐‑")  # what may stand between two parts of one name

# Not any verb: "Tuuli yltyi", "Lumi satoi", "Sade ei haitannut" are the weather, "Tuuli kertoi" a
# person. The verbs are matched by their lemma (kertoi, kertoo → kertoa; berättade → berätta).
DEEDS = {"fi": frozenset("""kertoa sanoa näyttää opettaa ehdottaa auttaa esitellä kysyä vastata neuvoa jakaa
kommentoida kirjoittaa huomauttaa muistuttaa vetää ohjata selittää mainita pyytää lähettää antaa tuoda valmistella
laatia pitää järjestää koota tehdä ottaa tarjota kehua kiittää rohkaista tukea opastaa perehdyttää esittää
painottaa korostaa todeta ajatella miettiä tietää osata haluta puhua keskustella soittaa tulla lähteä aloittaa
palata osallistua hoitaa päättää ehtiä lupata vinkata innostaa kuunnella sparrata toivoa kokeilla oppia
valita""".split()),
         "sv": frozenset("""berätta säga visa hjälpa förklara fråga svara dela skriva föreslå lära tipsa
presentera leda hålla ge ta komma gå ringa skicka ordna planera påminna tacka tycka tänka veta vilja undra lyfta
bjuda coacha stötta uppmuntra delta lova välja""".split()),
         "en": frozenset("""tell say show help explain ask answer share write suggest teach run lead present
give take come go call send organise organize plan remind thank think know want wonder join bring host
facilitate coach mentor point note mention describe walk make build draft prepare review reply agree offer
spend encourage support chair sketch promise pick""".split())}
# After a genitive at a sentence start, words that only follow a person: Päivin kanssa, Annan mielestä.
WITH = frozenset("kanssa kanssani kanssamme mukaan mielestä luona luota luokse".split())
I_WORDS = frozenset(("minä", "mä", "jag", "i", "me"))
# "Marja on hyvä mentori": what a person is, by its lemma, a few words after a copula.
COPULA = frozenset(("on", "oli", "är", "var", "is", "was"))
PEOPLE = frozenset("""mentori kollega työkaveri asiantuntija esihenkilö esimies johtaja päällikkö vetäjä
ystävä opettaja kouluttaja valmentaja juristi kollegamme mentor kollega chef expert ledare vän lärare tränare
jurist handledare colleague manager expert lead leader friend teacher trainer coach lawyer director""".split())
SURNAME_ENDINGS = ("nen", "berg", "ström", "qvist", "kvist", "gren", "lund", "dahl", "holm", "sson", "stedt", "blad",
                   "bäck", "mäki", "niemi", "järvi", "koski", "salo", "lahti", "ranta", "vaara", "aho")


def _load() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    sections: dict[str, set[str]] = {"name": set(), "common": set(), "not-name": set()}
    current = None
    for line in (Path(__file__).with_name("names.txt")).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("["):
            current = sections[line.strip("[]")]
        elif line and current is not None:
            current.update(w for w in line.lower().split() if len(w) >= 3)
    common = frozenset(sections["common"])
    return frozenset(sections["name"] - common), common, frozenset(sections["not-name"])


NAMES, COMMON, NOT_NAMES = _load()
lexicon.surnames = frozenset(SURNAME_ENDINGS)
AND = frozenset(("ja", "och", "and"))
WORD_ONLY = frozenset(("word",))
DEFINITE = ("en", "et", "ens", "ets", "na", "nas")  # Swedish
PLURAL_GENITIVE = ("isten", "iden", "itten", "ojen", "öjen")  # Tiimiläisten kanssa: people, not a person
INSIDE = ("ssa", "ssä", "sta", "stä")  # Finnish cases of being in a place; people take -lla, -lta, -lle
# A known member's name as written at a sentence start is taken for the member unless the form is
# this common a word (Tuuli, Satu, Mark, Will; not Laineen, Onnin, Annas): Zipf frequency.
WRITTEN_AS_WORD = 4.0


def language_of(words: list[str]) -> str:
    """fi, sv or en by stop words and the words only that language writes (wordfreq), else by which
    language writes the words most."""
    distinct = {w for w in words if w.islower() and w[0] != "["}  # Ville, Will: a name is no stop word; nor [mention]
    hits = {lang: len(stop & distinct) for lang, stop in STOP.items()}
    first, second = sorted(hits.values(), reverse=True)[:2]
    if first - second < 2:  # seminaarissa, kertoivat: Finnish however few its stop words
        for w in {w.lower() for w in words if w[0] != "["} - ALL_STOP:  # Kysyin, Matilta are Finnish too
            only = lexicon.only_in(w)
            if only:
                hits[only] += 1
    top = max(hits.values())
    tied = [lang for lang in lexicon.LANGS if hits[lang] == top]
    if len(tied) == 1:
        return tied[0]
    return max(tied, key=lambda lang: (sum(lexicon.frequency(w, lang) for w in distinct), lang == "fi"))


def _boundary(gap: str) -> bool:
    """Whether the text between two words ends a sentence (a full stop, a colon, a line, an emoji)."""
    return gap != " " and any(c in SENTENCE_END or unicodedata.category(c) == "So" for c in gap)


def _at_start(text: str, tokens: list[re.Match], i: int) -> bool:
    """Whether token i starts a sentence; a placeholder before it does not count ("[mention] Kiitos")."""
    while i > 0:
        gap = text[tokens[i - 1].end():tokens[i].start()]
        if _boundary(gap):
            return True
        if gap.strip() or tokens[i - 1].group(0)[0] != "[":
            return False
        i -= 1
    return True


class Names:
    """Replaces names in text with [name]; `known` are the names and ids of people the bot knows."""

    def __init__(self, known: Iterable[str] = ()):
        parts = {p for name in known for p in re.split(r"[\s\-_.,]+", (name or "").lower()) if len(p) >= 2}
        # A known name that is also an everyday word (Satu, Tuuli, Onni; Mark, Will) is a name only
        # where it reads as one: capitalised inside a sentence, or doing something at its start.
        self.words = frozenset(p for p in parts if p in COMMON or p not in NAMES and any(
            lexicon.ordinary(p, lang) for lang in lexicon.LANGS))
        self.known = frozenset(parts)
        self._heads = frozenset(p[:2] for p in parts)
        self._kinds: dict[tuple[str, bool, str], str | None] = {}  # answers repeat their words

    def known_part(self, word: str, lang: str, strict: bool = True) -> tuple[str | None, bool]:
        """(the known name part this word is a form of, whether it is that part as written or with a
        genitive) — exact forms and real inflections only: Mikon → mikko, Virtaselta → virtanen;
        not lukea for Luke, vanhasta for Vanhanen, made for Matti."""
        low = word.lower().replace("’", "'")
        exact = {low, low.split("'")[0]}
        if len(low) >= 4 and low.endswith("s"):
            exact.add(low[:-1])  # Swedish genitive: Karins
        hit = exact & self.known
        if hit:
            return next(iter(hit)), True
        if low[:2] not in self._heads:  # Sadulle → Satu, Virtaselta → Virtanen: the first two letters stay
            return None, False
        found = {lexicon.lemma(word, lang).lower()}
        if lang == "fi" and len(low) >= 4:
            found |= bases(low)
        hit = found & self.known
        if not hit:
            return None, False
        if strict and lexicon.known(low, lang) and lexicon.lemma(low, lang).islower() and \
                lexicon.lemma(low, lang) not in self.known:
            return None, False  # an everyday word that only looks inflected from a name: lukea, vanhasta
        return next(iter(hit)), False

    def is_known(self, word: str) -> bool:
        return any(self.known_part(word, lang)[0] for lang in lexicon.LANGS)

    def __call__(self, text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        spans = self.spans(text)
        for start, end in reversed(spans):
            text = text[:start] + "[name]" + text[end:]
        return text

    def spans(self, text: str) -> list[tuple[int, int]]:
        tokens = list(TOKEN.finditer(text))
        words = [m.group(0) for m in tokens]
        lang = language_of(words)
        kinds: list[str | None] = []
        starts: list[int] = []  # capitalised words that begin a sentence
        for i, word in enumerate(words):  # the hot loop: a cached decision per word
            if word[0] == "[":
                kinds.append(None)
                continue
            key = (word, word[0].isupper() and _at_start(text, tokens, i), lang)
            kind = self._kinds.get(key, False)
            if kind is False:
                kind = self._kinds[key] = self._kind(*key)
            kinds.append(kind)
        for i in range(len(words) - 1):  # Power BI, Power Automatella: one product, whatever each word is
            if kinds[i] and text[tokens[i].end():tokens[i + 1].start()] == " " and lexicon.pair(words[i], words[i + 1], lang):
                kinds[i] = kinds[i + 1] = None
        for i, word in enumerate(words):
            if kinds[i] == "common" and word[0].isupper() and _at_start(text, tokens, i):
                starts.append(i)
        strong = [k == "strong" for k in kinds]
        n = len(tokens)
        gaps = [""] + [text[tokens[i - 1].end():tokens[i].start()] for i in range(1, n)]
        for i in starts:  # Anna kertoi, Dag berättade, Päivin kanssa, Lumi ja minä: an everyday word does not
            named = i + 2 < n and kinds[i + 1] in ("strong", "capital") and gaps[i + 2] == " " and \
                _deed(words[i + 2], lang)  # Summer Li joined: a first and a last name, then what they did
            strong[i] = named or i + 1 < n and gaps[i + 1] == " " and (_deed(words[i + 1], lang) or words[i + 1] in WITH or (
                words[i + 1] in AND and i + 2 < n and words[i + 2].lower() in I_WORDS) or (
                words[i + 1] in COPULA and any(lexicon.lemma(w, lang) in PEOPLE for w in words[i + 2:i + 5])))
        for i in range(n - 1):  # Päivin kanssa, Ivanovan kanssa: a member's genitive that is also a word, or no word
            if kinds[i] in (None, "capital") and words[i + 1] in WITH and words[i][0].isupper() and \
                    _at_start(text, tokens, i):
                strong[i] = bool(self.known_part(words[i], lang, strict=False)[0]) or _no_word(words[i], lang)
        for i in range(n - 1):  # Luke-kurssi, Digi- ja väestötietovirasto: the first part of a compound
            if strong[i] and gaps[i + 1].startswith("-") and words[i + 1][0].islower():
                strong[i] = False
        if not any(strong):
            return []
        adjacent = [bool(g) and set(g) <= JOINERS for g in gaps]  # parts of one name: Karl-Johan Lindqvist
        for i in starts:
            if strong[i] and i + 1 < n and kinds[i + 1] == "capital" and gaps[i + 1] == " " and len(words[i + 1]) == 2:
                strong[i + 1] = True  # Summer Li
        for i in starts:  # Onni ja Aino vetivät, Aino, Pekka ja Liisa: a first name joined to a name
            if not strong[i] and i + 2 < n and words[i + 1] in AND and strong[i + 2]:
                strong[i] = True
            elif not strong[i] and i + 1 < n and gaps[i + 1].strip() == "," and strong[i + 1]:
                strong[i] = True
        for _ in range(2):  # a name next to a name: Karl-Johan, Pekka nieminen, Toivo Salo
            for i, word in enumerate(words):
                if strong[i] or word[0] == "[":
                    continue
                kind = kinds[i]
                after = adjacent[i] and strong[i - 1]
                before = i + 1 < n and adjacent[i + 1] and strong[i + 1] and words[i + 1][0] != "["
                if after and (kind in ("common", "capital") or not gaps[i].strip() and (
                        _surname_like(word, lang) or _initial(word))):  # Pekka nieminen, not Teams-kokous
                    strong[i] = True
                elif before and (kind == "common" or kind == "capital" and _plain_name(words[i + 1]) or (
                        kind is None and word[0].isupper() and word.lower() in COMMON and _plain_name(words[i + 1]))):
                    strong[i] = True  # Zyxa Nieminen, May Lindholm, but not Kysyin Virtaselta
        return [(tokens[i].start(), tokens[i].end()) for i in range(n) if strong[i] and words[i][0] != "["]

    def _kind(self, word: str, at_start: bool, lang: str) -> str | None:
        """strong: a name on its own; common: a name only next to one or doing something at a
        sentence start; capital: capitalised and unknown, a name only next to one."""
        low = word.lower().replace("’", "'")
        possessive = low.endswith("'s")
        if possessive:  # Faith's summary, Grace's advice: a person's, unless an everyday word's
            word, low = word[:-2], low[:-2]
        capital = word[0].isupper() and len(word) > 1
        part, exact = self.known_part(word, lang)
        if part and capital and lang == "fi" and low.endswith(INSIDE) and lexicon.place(part, lang):
            return "capital"  # Salossa, Kouvolasta: in a town, not at Aino Salo's
        if part and not exact and lang != "fi":
            part = None  # Björkarna, Dagen: a Swedish or English name takes a genitive -s only
        if part and not exact and low.endswith("t") and capital and at_start:
            return "common"  # Laineet lyövät: a plural, the waves, unless they do what people do
        if part:
            if part not in self.words or capital and not at_start:
                return "strong"
            if not capital:
                return "common" if exact else None
            if possessive or lexicon.frequency(low, lang) < WRITTEN_AS_WORD:
                return "strong"  # Onnin, Annas, Laineen, Grace's at a sentence start: rare as a word
            return "common"
        if low in (STOP[lang] if capital else ALL_STOP) or low in I_FORMS:
            return None  # Ville is a name in a Finnish text, a verb in a Swedish one
        if len(low) < 3:  # Li, Wu, Ng: a name only next to one
            return "capital" if word.istitle() and len(word) == 2 and at_start is False else None
        acronym = capital and word.isupper()
        if capital and (acronym or low in NOT_NAMES):
            return None
        analysed = lexicon.finnish(word) if capital and lang == "fi" else None
        if analysed and "person" in analysed and (not at_start or "word" not in analysed):
            return "strong"  # Voikko knows it as a first name or surname: Heinoselle, Räsänen
        if capital and lexicon.place(word, lang):
            return "capital"  # Helsinki, Kela: a name only right next to one (Toivo Salon)
        listed = self._listed(word, low, lang, capital, at_start)
        if listed == "common" and capital and (possessive or not at_start or not lexicon.ordinary(low, lang)):
            return "strong"  # kiitos Aallolle; Karjalaiselta sain, Lumi and I: no everyday word here
        if listed:
            return listed
        if not capital:
            return None
        if analysed and "place" in analysed and "person" not in analysed:
            return "capital"  # a place Voikko knows (Suomenlinnassa), unless names.txt has a surname
        # Oppimispäiväkirja, Kunnallisalan: Voikko knows it as a word only (a surname such as Kivimäki too)
        word_only = analysed == WORD_ONLY and not any(b.endswith(SURNAME_ENDINGS) for b in bases(low)) or (
            lang == "fi" and low.endswith(PLURAL_GENITIVE))  # Tiimiläisten: many, no one person
        unknown = "capital" if word_only and at_start else "strong"  # Opin Tanakalta: a name inside a sentence
        if not at_start:
            # A capitalised everyday word (Ministry, Commission) is no person.
            everyday = lexicon.common_noun(low, lang) and (lexicon.lemma(word, lang).islower() or lexicon.ordinary(low, lang))
            return None if everyday else unknown
        if lexicon.lemma(word, lang)[0].islower():
            return None  # Tutustuin, Lähetin, Koko: an ordinary word starting a sentence
        if any(lexicon.ordinary(low, other) for other in lexicon.LANGS):
            return None  # Milloin, Viime, Kysyin in a sentence that ends in English: an everyday word
        if lexicon.common_noun(low, lang) or lexicon.compound(low, lang):
            return "capital"  # Palautekeskustelussa, Viikkopalaveri: an ordinary word unless a surname follows
        return unknown  # a proper noun simplemma knows (Karjalaiselta) or no word at all (Okafor)

    def _listed(self, word: str, low: str, lang: str, capital: bool, at_start: bool) -> str | None:
        """strong or common for a first name or surname of names.txt, inflected too."""
        base = lexicon.lemma(word, lang)  # counts when simplemma takes it for a proper noun: not Keiltä → ken
        found = bases(low, lang == "fi" or capital) | ({base.lower()} if base[:1].isupper() else set())
        kind = "strong" if not found.isdisjoint(NAMES) else "common" if not found.isdisjoint(COMMON) else None
        if kind and lang == "sv" and low.endswith(DEFINITE) and lexicon.known(low, lang) and \
                lexicon.lemma(low, lang) not in (low, low[:-1]):
            return None  # stenens, björkarna, dagen: the definite form of a Swedish word (a name takes -s only)
        if kind and low not in NAMES and low not in COMMON and not (capital and not at_start):
            if not capital and (lexicon.ordinary(low, lang) or lang == "fi" and lexicon.finnish(low) == WORD_ONLY or
                                lexicon.frequency(low, lang) >= lexicon.EVERYDAY and lexicon.lemma(low, lang).islower()):
                return None  # asked (ask), hann (Hanne), ylös (Ylönen): an everyday word of this language
            base = lexicon.lemma(low, lang)
            if base.islower() and base not in NAMES and base not in COMMON and lexicon.known(low, lang):
                return None  # an everyday word that only looks inflected from a name
        return kind


def _deed(word: str, lang: str) -> bool:
    """Whether a word right after a sentence-initial name reads as that person doing something."""
    if not word.islower():
        return False
    return lexicon.lemma(word, lang) in DEEDS[lang]


def _no_word(word: str, lang: str) -> bool:
    """Neither an ordinary word nor a place (Ivanovan; not Tiimin, Asiakkaan, Kelan)."""
    low = word.lower()
    return not (lexicon.ordinary(low, lang) or lexicon.common_noun(low, lang) or lexicon.compound(low, lang)
                or lexicon.place(word, lang) or word.isupper() or low in ALL_STOP
                or lang == "fi" and (low.endswith(PLURAL_GENITIVE) or lexicon.finnish(word) == WORD_ONLY))


def _surname_like(word: str, lang: str) -> bool:
    """A lower-case surname after a first name: nieminen, lindqvist, oksaselta (not avusta, apu + sta,
    nor osoitteeseen, an ordinary word)."""
    low = word.lower()
    if low in ALL_STOP or len(low) < 4 or lexicon.common_noun(low, lang):
        return False
    if NEN_FORM.search(low):
        return True
    return any(b.endswith(SURNAME_ENDINGS) and len(b) >= 6 for b in bases(low) if not b.endswith("nen") or b == low)


def _plain_name(word: str) -> bool:
    """A capitalised surname as it stands after a first name (Nieminen, Qwertynen; not Virtaselta,
    Kosken or Tampereella, which follow a verb as often as a first name)."""
    low = word.lower()
    return word[:1].isupper() and (low in NAMES or low.endswith(SURNAME_ENDINGS) and bases(low).isdisjoint(COMMON))


def _initial(word: str) -> bool:
    return len(word) == 1 and word.isupper() and word != "I"
