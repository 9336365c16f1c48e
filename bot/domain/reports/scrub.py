"""One scrubber for every way an answer's words leave the answer: the offline themes, the request
to a language model and the model's answer all go through `Scrubber`.

It replaces, in this order: chat mention markup, e-mail addresses, links, identity numbers
(Finnish henkilötunnus with every century sign, Swedish personnummer and samordningsnummer,
IBANs, Finnish and Swedish business ids and VAT numbers, card numbers), @mentions, phone numbers
(phonenumbers: amounts, dates and case numbers stay) and names (bot/domain/reports/names.py), each
with a placeholder such as [name] or [id]. Identity numbers are recognised by python-stdnum's validators; a henkilötunnus whose only fault is its
check character is removed too, as a mistyped one still points at a person.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import phonenumbers
from stdnum import iban, luhn
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.fi import alv, hetu, ytunnus
from stdnum.se import orgnr, personnummer
from stdnum.se import vat as se_vat

from bot import platforms as registry
from bot.domain.reports.names import PLACEHOLDER_WORDS, Names

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MENTION = re.compile(r"(?<![\w@])@[\w.\-]+")
# A link ends before the punctuation that follows it, so "…/aino. In 2026" keeps its sentence start.
LINK = re.compile(r"\b(?:https?://|www\.)[^\s<>]*[^\s<>.,;:!?)\]'\"”’]", re.IGNORECASE)
# Phone numbers as phonenumbers knows them: valid numbers of Finland, Sweden, or any country when
# written with its code; an amount (12 500 euroa), a date (1.1.2025–31.3.2025) or a case number
# (VN/1234/2025) is none of them.
PHONE_REGIONS = ("FI", "SE")
CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d\s().\-/]{5,}\d(?!\w)")  # seven digits or more, maybe a phone
HETU = re.compile(r"(?<![\w-])\d{6}[-+A-FU-Y]\d{3}[0-9A-Y](?!\w)", re.IGNORECASE)
SE_NUMBER = re.compile(r"(?<![\w+-])(?:\d{2})?\d{6}[-+]?\d{4}(?![\w-])")
Y_TUNNUS = re.compile(r"(?<![\w-])\d{7}-\d(?![\w-])")
VAT = re.compile(r"\b(?:FI\d{8}|SE\d{12})\b", re.IGNORECASE)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b", re.IGNORECASE)
CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
PLACEHOLDER = re.compile(r"\[(?:%s)\]" % "|".join(PLACEHOLDER_WORDS))
WORD = re.compile(r"[^\W\d_]+|\d+")
SEVEN_DIGITS = re.compile(r"(?:\d\D*){7}")
QUOTE_WORDS = 8  # this many words in a row from one answer make a quote


def _hetu(match: re.Match) -> str:
    try:
        hetu.validate(match.group(0), allow_temporary=True)
    except InvalidChecksum:
        return "[id]"  # the right shape and a real date: a mistyped henkilötunnus is still one
    except ValidationError:
        return match.group(0)
    return "[id]"


def _samordningsnummer(number: str) -> bool:
    """A Swedish coordination number: a personnummer with 60 added to the day."""
    digits = re.sub(r"\D", "", number)
    day_at = len(digits) - 6
    if len(digits) not in (10, 12) or not 61 <= int(digits[day_at:day_at + 2]) <= 91:
        return False
    real_day = f"{int(digits[day_at:day_at + 2]) - 60:02d}"
    try:
        personnummer.get_birth_date(digits[:day_at] + real_day + "-" + digits[-4:])
    except ValidationError:
        return False
    return luhn.is_valid(digits[-10:])


def _swedish(match: re.Match) -> str:
    number = match.group(0)
    found = personnummer.is_valid(number) or orgnr.is_valid(number[-11:]) or _samordningsnummer(number)
    return "[id]" if found else number


def _valid(check: Callable[[str], bool]) -> Callable[[re.Match], str]:
    return lambda match: "[id]" if check(match.group(0)) else match.group(0)


def _iban(match: re.Match) -> str:
    """The longest valid IBAN at the start of the match (a capitalised word after it is no part of it)."""
    groups = match.group(0).split(" ")
    for end in range(len(groups), 0, -1):
        candidate = " ".join(groups[:end])
        if len(candidate.replace(" ", "")) >= 15 and iban.is_valid(candidate):
            rest = " ".join(groups[end:])
            return "[id]" + (" " + rest if rest else "")
    return match.group(0)


def _card(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[id]" if 13 <= len(digits) <= 19 and luhn.is_valid(digits) else match.group(0)


def _phones(text: str) -> str:
    for region in PHONE_REGIONS:
        if not CANDIDATE.search(text):
            break  # what Finland's numbering took leaves nothing for Sweden's: the matcher is slow
        matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
        # A part of a case or diary number (OKM/12/040/2024) is no phone, however it dials.
        found = [(m.start, m.end) for m in matcher
                 if text[m.start - 1:m.start] != "/" and text[m.end:m.end + 1] != "/"]
        for start, end in reversed(found):
            text = text[:start] + "[phone]" + text[end:]
    return text


def contacts(text: str) -> str:
    """Mentions, addresses, links, identity numbers and phone numbers out; names stay (see Scrubber)."""
    text = registry.mention_markup().sub("[mention]", text)  # each platform's, e.g. <@U1|x>, <at>x</at>
    if "@" in text:
        text = EMAIL.sub("[email]", text)
    if "://" in text or "www." in text.lower():
        text = LINK.sub("[link]", text)
    if SEVEN_DIGITS.search(text):  # every number below has at least seven digits
        text = IBAN.sub(_iban, text)
        text = VAT.sub(_valid(lambda v: alv.is_valid(v) or se_vat.is_valid(v)), text)
        text = HETU.sub(_hetu, text)
        text = SE_NUMBER.sub(_swedish, text)
        text = Y_TUNNUS.sub(_valid(ytunnus.is_valid), text)
        text = CARD.sub(_card, text)
        text = _phones(text)
    if "@" in text:
        text = MENTION.sub("[mention]", text)
    return text


class Scrubber:
    """Everything that could point at a person, replaced; `known` are the names and ids the bot knows."""

    def __init__(self, known: Iterable[str] = ()):
        self.names = Names(known)

    def __call__(self, text: str) -> str:
        return self.names(contacts(text))

    def words(self, text: str) -> str:
        """The scrubbed text without its placeholders: what keyword counting may see."""
        return PLACEHOLDER.sub(" ", self(text))


def quotes(sources: Iterable[str], text: str, length: int = QUOTE_WORDS) -> bool:
    """Whether `text` repeats `length` words in a row of any one of `sources` (case and punctuation aside)."""
    seen = set()
    for source in sources:
        words = WORD.findall(source.lower())
        seen.update(tuple(words[i:i + length]) for i in range(len(words) - length + 1))
    if not seen:
        return False
    words = WORD.findall(text.lower())
    return any(tuple(words[i:i + length]) in seen for i in range(len(words) - length + 1))
