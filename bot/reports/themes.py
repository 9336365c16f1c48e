"""Offline themes of the week: recurring keywords in answers shared with circles (fi, sv, en).

No model and no network: answers are tokenised, stop words and names dropped, words reduced
to a light stem, and only stems used by at least `min_people` different authors survive.
Keywords that occur together in the answers of enough people form one theme. The output
is words, never sentences, so nobody can be quoted.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable

from bot.reports.llm import NameScrubber

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
MAX_THEMES = 5
KEYWORDS_PER_THEME = 4
MIN_LENGTH = 3

STOP = {
    "en": set("""
a about above after again against all almost also always am among an and any anything are around as at
away back be because been before being below better between both but by can cannot could did do does
doing done don down during each either else enough even ever every few for from further get gets getting
got great had has have having he her here hers herself him himself his how however i if in into is it its
itself just keep kept kind know knew last less let like little lot lots made make makes making many may
maybe me might more most much must my myself need needed never new next no nor not nothing now of off often
on once one only or other others our ours ourselves out over own perhaps quite rather really same see seem
seemed she should since so some someone something sometimes still such sure take than that the their
theirs them themselves then there these they thing things think thought this those though through to
today together too took two under until up upon us use used very want was way we week weeks well went were
what when where whether which while who whom whose why will with within without would yes yet you your
yours yourself yourselves isn aren wasn weren didn doesn hasn haven couldn wouldn shouldn won ll ve re
time times day days feel felt feeling good bit first year learn learned learnt learning work worked working
""".split()),
    "fi": set("""
ja on ei se että oli ole olla ollut olen olet olemme olette ovat en et emme ette eivät kun niin kuin mutta
tai jos vaan vain myös sitten nyt jo vielä hyvin paljon vähän ihan aika joka jotka mikä mitä miten miksi
missä mistä mihin kuka ketä minä sinä hän me te he minun sinun hänen meidän teidän heidän minua sinua
häntä meitä teitä heitä minulle sinulle hänelle meille teille heille mulle mua mä sä tämä tuo nämä nuo
tätä tuota tässä siinä siitä sen sitä niitä niiden näitä joku jotain jotakin joskus kaikki kaiken
kaikkea mitään mikään ehkä koska vaikka kanssa ilman ennen jälkeen aikana yli alle jne eli sekä kuten
asti saakka taas kyllä oma oman omaa omat itse itseä itselle tehdä tein teki tehnyt tekee tehty voi voin
voisi pitää piti pitäisi täytyy saada sain sai saanut tulla tuli tulee mennä meni menee olisi olisin
ollaan oltiin viikko viikolla viikon viikkoa tänään eilen huomenna asia asiaa asioita asian asiat juttu
juttuja jotenkin hieman melko todella tosi ainakin edes esimerkiksi esim siis koko uusi uutta uuden
hyvä hyvää hyvin parempi oppia opin oppinut oppiminen oppimisen työ työn työssä töissä töitä kertaa
kerran kerta enemmän vähemmän vasta aina jälleen joten jolloin jossa josta johon jota jonka joita
näin noin tuli siihen sinne täällä tänne siellä mutta sillä tällä näillä niillä hänelle heille
""".split()),
    "sv": set("""
och i att det som en på är av för med till den har de inte om ett han men var jag sig från vi så kan
man när år säger hon under också efter eller nu sin där vid mot ska skulle kommer ut får finns vara
hade alla andra mycket än här då sedan över bara in blir upp även vad få två vill ha många hur mer går
sätt denna kunde fick stor mellan se blev bli gör gjorde gjort dig mig min mitt mina din ditt dina vår
våra er era deras hans hennes dem dom du ni dessa detta vilken vilket vilka någon något några ingen
inget inga själv kanske lite väldigt ganska verkligen alltid aldrig ofta ibland redan fortfarande bra
nytt ny nya vecka veckan veckor idag igår imorgon tänkte tycker tyckte känner kände lärde lära lärt
lärande arbete arbetet jobbet jobb sak saker gång gången hade haft varit blivit göra hela helt samma
eftersom medan utan innan genom kring runt mer mest bättre bäst
""".split()),
}
ALL_STOP = set().union(*STOP.values())

FI_SUFFIXES = sorted("""
issa issä ista istä illa illä ilta iltä ille iksi ineen ssa ssä sta stä lla llä lta ltä lle ksi tta ttä
ina inä nsa nsä mme nne ihin iin an än en in on un yn ä a n t
""".split(), key=len, reverse=True)
SV_SUFFIXES = sorted("""
arnas ernas ornas andet andes heten arna erna orna ande ende het aste are ast en et ar er or na a e s
""".split(), key=len, reverse=True)


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).lower()
    return [w[:-2] if w.endswith(("'s", "’s")) else w for w in WORD.findall(text)]


def language(words: list[str]) -> str:
    """The answer's language by its stop words (answers are short; this is enough to pick a stemmer)."""
    distinct = set(words)
    hits = {lang: len(stop & distinct) for lang, stop in STOP.items()}
    best = max(hits, key=lambda lang: (hits[lang], lang == "en"))
    return best if hits[best] else "en"


def stem(word: str, lang: str) -> str:
    """A light stem: enough to bring inflected forms of one word together, nothing more."""
    if lang == "fi":
        for suffix in FI_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                break
        return word[:6]  # Finnish stems vary inside (palaute, palautteen): a prefix groups them
    if lang == "sv":
        for suffix in SV_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                return word[: -len(suffix)]
        return word
    return _stem_en(word)


def _stem_en(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] in "bdgmnprt":
                word = word[:-1]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


class Keywords:
    """Collects stems per answer; `themes()` keeps those used by enough different people."""

    def __init__(self, min_people: int, names: Iterable[str] = (), prompt_texts: dict[str, str] | None = None):
        self.min_people = min_people
        self.names = NameScrubber(names)
        self.prompt_texts = prompt_texts or {}
        self._prompt_stems: dict[str, set[str]] = {}
        self._keys: dict[tuple[str, str], str | None] = {}
        self.authors: dict[str, set] = defaultdict(set)  # stem → who used it
        self.docs: dict[str, set[int]] = defaultdict(set)  # stem → which answers
        self.forms: dict[str, Counter] = defaultdict(Counter)  # stem → surface forms
        self.doc_author: list = []  # answer number → its author
        self.people: set = set()

    def add(self, author, text: str, prompt_key: str | None = None) -> None:
        words = tokens(text)
        if not words:
            return
        lang = language(words)
        echo = self._echo(prompt_key)
        doc = len(self.doc_author)
        self.doc_author.append(author)
        self.people.add(author)
        found: dict[str, str] = {}
        for word in set(words):
            key = self._key(word, lang)
            if key is not None and key not in echo:
                self.forms[key][word] += 1  # counted once per answer: the most used form names the keyword
                found[key] = word
        for key in found:
            self.authors[key].add(author)
            self.docs[key].add(doc)

    def _key(self, word: str, lang: str) -> str | None:
        """The word's stem, or None for stop words and names; cached, as answers repeat their words."""
        cached = self._keys.get((word, lang), False)
        if cached is not False:
            return cached
        key = None
        if len(word) >= MIN_LENGTH and word not in ALL_STOP and not self.names.is_name(word):
            key = stem(word, lang)
            key = None if key in ALL_STOP else key
        self._keys[(word, lang)] = key
        return key

    def _echo(self, prompt_key: str | None) -> set[str]:
        """Words of the question itself say nothing about the answer."""
        if not prompt_key or prompt_key not in self.prompt_texts:
            return set()
        if prompt_key not in self._prompt_stems:
            words = tokens(self.prompt_texts[prompt_key])
            lang = language(words)
            self._prompt_stems[prompt_key] = {stem(w, lang) for w in words}
        return self._prompt_stems[prompt_key]

    def themes(self) -> list[dict]:
        if len(self.people) < self.min_people:
            return []
        eligible = [k for k, who in self.authors.items() if len(who) >= self.min_people]
        eligible.sort(key=lambda k: (-len(self.authors[k]), -len(self.docs[k]), self.label(k)))
        left = list(eligible)
        found = []
        while left and len(found) < MAX_THEMES:
            head = left.pop(0)
            mates = []
            for other in left:
                together = self.docs[head] & self.docs[other]
                if len({self.doc_author[d] for d in together}) >= self.min_people:
                    mates.append((len(together) / len(self.docs[head] | self.docs[other]), other))
            mates.sort(key=lambda m: (-m[0], self.label(m[1])))
            chosen = [m for _, m in mates[: KEYWORDS_PER_THEME - 1]]
            left = [k for k in left if k not in chosen]
            keys = [head, *chosen]
            people = set().union(*(self.authors[k] for k in keys))
            found.append({"keywords": [self.label(k) for k in keys], "people": len(people)})
        return found

    def label(self, key: str) -> str:
        forms = self.forms[key]
        return min(forms, key=lambda f: (-forms[f], len(f), f))


def extract(answers: Iterable[tuple], min_people: int, names: Iterable[str] = (),
            prompt_texts: dict[str, str] | None = None) -> list[dict]:
    """answers: (author, text, prompt_key) of answers shared with circles. Returns themes as plain data."""
    keywords = Keywords(min_people, names, prompt_texts)
    for author, text, prompt_key in answers:
        keywords.add(author, text, prompt_key)
    return keywords.themes()
