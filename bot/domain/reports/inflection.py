"""Which base forms a Finnish word may be an inflected form of, for names that no dictionary knows:
case endings, clitics and possessive suffixes off, then consonant gradation undone (Mikon → Mikko,
Sadulle → Satu, Virtaselta → Virtanen). It proposes; names.py decides with the word lists."""
from __future__ import annotations

import re
from functools import lru_cache

VOWELS = frozenset("aeiouyäöå")
# Finnish endings, longest first: cases (singular and plural), then the stem is tried as it is.
CASES = tuple(sorted(set("""n a ä t ta tä na nä ksi ssa ssä sta stä lla llä lta ltä lle tta ttä ten in ia iä
ien ille illa illä ilta iltä ista istä issa issä ina inä iksi ihin iin itta itä ine""".split()), key=len, reverse=True))
CLITICS = ("kaan", "kään", "kin", "han", "hän", "pa", "pä")
POSSESSIVES = ("nsa", "nsä", "mme", "nne", "ni", "si")
CASE_SET, TAILS = frozenset(CASES), frozenset(CLITICS + POSSESSIVES)  # looked up by length: 1 to 4 letters
GRADE_DOUBLE = re.compile(r"^(.*[aeiouyäölrnhm])([kpt])([aeiouyäö]+)$")  # Mikon → Mikko, Jukalta → Jukka
GRADE_D = re.compile(r"^(.*[aeiouyäöh])d([aeiouyäö]+)$")  # Sadulle → Satu, Lahdelle → Lahti
GRADE_LL = re.compile(r"^(.*)ll([aeiouyäö]+)$")  # Aallolle → Aalto
# An inflected -nen surname: Oksase-lta, Virtase-n (not kokoukse-ssa, a -s noun).
NEN_FORM = re.compile(r"..(?<!k)se(?:n|lle|lta|ltä|lla|llä|ssa|ssä|sta|stä|en|na|nä|ksi)$")


@lru_cache(maxsize=65_536)
def bases(word: str, finnish: bool = True) -> frozenset[str]:
    """The base forms a lower-case word may be an inflected form of (Finnish endings only when asked)."""
    word = word.replace("’", "'")
    found = {word, word.replace("'", ""), word.split("'")[0]}
    if len(word) >= 4 and word.endswith("s"):
        found.add(word[:-1])  # Swedish genitive: Annas, Lindqvists
    if not finnish:
        return frozenset(found)
    stems = set(found)
    for w in list(stems):
        stems.update(w[:-k] for k in range(2, 5) if w[-k:] in TAILS and len(w) - k >= 3)
    for w in list(stems):
        if len(w) >= 5 and w[-1] == "n" and w[-2] == w[-3] and w[-2] in VOWELS:
            stems.add(w[:-2])  # Mikkoon, Virtaseen; Virtaselleen (a possessive after the case)
    for w in list(stems):
        stems.update(w[:-k] for k in range(1, 5) if w[-k:] in CASE_SET and len(w) - k >= 2)
    for stem in stems:
        found |= _base_forms(stem)
    return frozenset(found)


def _base_forms(stem: str) -> set[str]:
    out = {stem}
    if len(stem) >= 5 and stem.endswith("se"):
        out.add(stem[:-2] + "nen")  # Virtase-lta → Virtanen (not -si-: haluaisi is a verb)
    if len(stem) >= 4 and stem.endswith("s"):
        out.add(stem[:-1] + "nen")  # Virtas-ta, Virtas-ten → Virtanen
    if stem.endswith("kse"):
        out.add(stem[:-3] + "s")  # Tuomakse-lle → Tuomas
    elif stem.endswith("ks"):
        out.add(stem[:-2] + "s")
    if len(stem) >= 3 and stem.endswith("e"):
        out.add(stem[:-1] + "i")  # Koske-lta → Koski, Nieme-n → Niemi
        if stem[-2] in VOWELS:
            out.add(stem[:-1] + "ki")  # Mäe-ltä → Mäki
    if len(stem) >= 4 and stem.endswith("i") and stem[-2] not in VOWELS:
        out.add(stem[:-1])  # Lindqvisti-lle, Johni-lle → Lindqvist, John
    for form in list(out):
        for pattern, strong in ((GRADE_DOUBLE, r"\1\2\2\3"), (GRADE_D, r"\1t\2"), (GRADE_LL, r"\1lt\2")):
            if pattern.match(form):
                out.add(pattern.sub(strong, form))
    return out
