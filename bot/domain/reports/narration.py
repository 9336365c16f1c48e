"""What an answer's words are, for the offline themes: their base form (simplemma's lemma), and
whether a word only tells what the writer did (huomasin, kokeilen; berättade; helped, made) rather
than what the answer is about.
"""
from __future__ import annotations

from functools import lru_cache

from bot.domain.reports import lexicon

# Finnish finite verb forms and participles people narrate with: huomasin, kokeilen, opin, kertoi,
# yritän, kokeilimme, oppinut. The lemma must look like an infinitive too (not idea → idean).
FI_FINITE = ("sin", "sit", "si", "in", "it", "i", "en", "et", "ee", "mme", "tte", "vat", "vät", "ttiin", "tiin",
             "taan", "tään", "ttu", "tty", "nut", "nyt", "neet")
FI_INFINITIVE = ("da", "dä", "ta", "tä", "lla", "llä", "nna", "nnä", "rra", "rrä", "aa", "ää", "ea", "eä", "ia",
                 "iä", "oa", "öä", "ua", "yä")
SV_PAST = ("de", "te", "dde", "tte")
EN_PAST = frozenset("""made took got went said told thought felt found saw learnt tried gave came met knew heard
spoke wrote began became brought taught understood realised realized did had was were kept left let put
ran sat set showed shown seen done gone given taken""".split())


@lru_cache(maxsize=65_536)
def base(word: str, lang: str) -> str:
    """The word's lemma in lower case: palautteen, palautetta → palaute; återkopplingen → återkoppling."""
    return lexicon.lemma(word, lang).lower()


@lru_cache(maxsize=65_536)
def narrates(word: str, lang: str) -> bool:
    """Whether the word is a verb of narration: a past or first-person form of a verb."""
    lemma = base(word, lang)
    if lemma == word:
        return word in EN_PAST if lang == "en" else False
    if lang == "fi":
        if lemma.endswith(("aa", "ää")) and word.endswith(("an", "än")):
            return True  # yritän, yrittää
        return lemma.endswith(FI_INFINITIVE) and word.endswith(FI_FINITE) and not word.endswith("jen")
    if lang == "sv":
        return lemma.endswith("a") and word.endswith(SV_PAST)
    return word.endswith("ed") or word in EN_PAST
