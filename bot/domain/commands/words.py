"""The words people type for each command, in English, Finnish and Swedish.

The grammar is one; only its words differ. A word here may be typed by anyone whatever their
language setting: a Swedish speaker in a Finnish circle still types `ny`.
"""
from __future__ import annotations

import difflib

# canonical name → every word that means it (English first)
COMMANDS = {
    "help": ("help", "apua", "ohje", "hjälp"),
    "new": ("new", "uusi", "ny"),
    "add": ("add", "lisää", "lägg-till"),
    "remove": ("remove", "poista", "ta-bort"),
    "leave": ("leave", "eroa", "lämna"),
    "list": ("list", "lista"),
    "info": ("info", "tiedot"),
    "schedule": ("schedule", "aikataulu", "rytmi", "schema"),
    "prompt": ("prompt", "kysymys", "fråga"),
    "coffee": ("coffee", "kahvi", "kaffe"),
    "pause": ("pause", "tauko", "paus"),
    "resume": ("resume", "jatka", "fortsätt"),
    "journal": ("journal", "päiväkirja", "dagbok"),
    "mydata": ("mydata", "omat-tiedot", "mina-data"),
    "forget-me": ("forget-me", "forgetme", "forget_me", "unohda-minut", "glöm-mig"),
    "privacy": ("privacy", "tietosuoja", "integritet"),
    "language": ("language", "lang", "kieli", "språk"),
    "report": ("report", "raportti", "rapport"),
    "archive": ("archive", "arkistoi", "arkivera"),
    "audit": ("audit", "loki", "logg"),
    "pairs": ("pairs", "parit", "kahviparit", "par", "kaffepar"),
    "dashboard": ("dashboard", "koontinäyttö", "översikt"),
    "programme": ("programme", "program", "ohjelma", "programmet"),
    "pulse": ("pulse", "kysely", "pulssi", "enkät", "puls"),
}
# words after the command: schedule reflection|coffee|off, prompt now|add, coffee now,
# pairs on|off|now|history|skip|join
SUBWORDS = {
    "reflection": ("reflection", "pohdinta", "pohdinnat", "reflektion"),
    "coffee": ("coffee", "kahvi", "kaffe"),
    "off": ("off", "pois", "av"),
    "now": ("now", "nyt", "nu"),
    "add": ("add", "lisää", "lägg-till"),
    "on": ("on", "päälle", "på"),
    "history": ("history", "historia", "historik"),
    "skip": ("skip", "ohita", "hoppa-över"),
    "join": ("join", "mukaan", "med"),
    "results": ("results", "tulokset", "resultat"),
    "monthly": ("monthly", "every month", "kuukausittain", "joka kuukausi", "kerran kuussa", "månadsvis", "varje månad",
                "en gång i månaden"),
}
# two words typed for one (with a space instead of the hyphen)
PAIRS = {"lägg till": "lägg-till", "ta bort": "ta-bort", "omat tiedot": "omat-tiedot", "mina data": "mina-data",
         "unohda minut": "unohda-minut", "glöm mig": "glöm-mig", "forget me": "forget-me", "my data": "mydata",
         "hoppa över": "hoppa-över"}
LANGUAGE_NAMES = {"suomi": "fi", "suomeksi": "fi", "finska": "fi", "finnish": "fi",
                  "svenska": "sv", "ruotsi": "sv", "ruotsiksi": "sv", "swedish": "sv",
                  "english": "en", "englanti": "en", "englanniksi": "en", "engelska": "en"}

_COMMAND = {word: name for name, words in COMMANDS.items() for word in words}
_SUB = {word: name for name, words in SUBWORDS.items() for word in words}


def joined(text: str) -> str:
    """'lägg till @x' → 'lägg-till @x': two-word commands as one word."""
    lowered = text.lower()
    for pair, word in PAIRS.items():
        if lowered == pair or lowered.startswith(pair + " "):
            return word + text[len(pair):]
    return text


def command(word: str) -> str | None:
    return _COMMAND.get(word.lower())


def sub(word: str) -> str | None:
    return _SUB.get(word.lower())


def closest(word: str) -> str | None:
    """The command a mistyped word most likely meant ('listaa', 'lsita', 'hlep'), or None when no
    word is close enough or two different commands are equally close."""
    word = word.lower()
    if len(word) < 3 or len(word) > 40:
        return None
    found = difflib.get_close_matches(word, _COMMAND, n=3, cutoff=0.7)
    if not found:
        return None
    best = difflib.SequenceMatcher(None, word, found[0]).ratio()
    names = {_COMMAND[w] for w in found if difflib.SequenceMatcher(None, word, w).ratio() == best}
    return names.pop() if len(names) == 1 else None
