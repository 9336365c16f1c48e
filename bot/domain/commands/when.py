"""Days and times as people type them: `thu 14:00`, `ma–pe 9.00`, `ma, to klo 14`, `må-fr kl. 9`,
`torstaisin 14`, `mondays 9:30`, `varje tisdag 14.30`, `joka päivä 9`, `every tuesday at 2pm`.
Everything becomes cron day names and HH:MM."""
from __future__ import annotations

import re

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NAMES = (
    ("mon", "monday mondays ma maanantai maanantaina maanantaisin må mån man måndag måndagar måndagarna"),
    ("tue", "tue tues tuesday tuesdays ti tiistai tiistaina tiistaisin tis tisdag tisdagar tisdagarna"),
    ("wed", "on wed weds wednesday wednesdays ke keskiviikko keskiviikkona keskiviikkoisin ons onsdag onsdagar "
            "onsdagarna"),
    ("thu", "thu thur thurs thursday thursdays to torstai torstaina torstaisin tor tors torsdag torsdagar "
            "torsdagarna"),
    ("fri", "fri friday fridays pe perjantai perjantaina perjantaisin fr fre fredag fredagar fredagarna"),
    ("sat", "sat saturday saturdays la lauantai lauantaina lauantaisin lö lör lor lördag lördagar lördagarna"),
    ("sun", "sun sunday sundays su sunnuntai sunnuntaina sunnuntaisin sö sön son söndag söndagar söndagarna"),
)
DAYS = {alias: day for day, aliases in _NAMES for alias in [day, *aliases.split()]}
WEEKDAYS = ("weekdays", "weekday", "arkisin", "arkipäivisin", "arkipäivä", "arkipäivät", "vardagar", "vardagarna",
            "vardag")
EVERY_DAY = ("daily", "day", "days", "päivittäin", "päivä", "päivisin", "dagligen", "dag", "dagarna")
# Words around a time or between days that carry nothing: "klo 14", "kl. 9", "at 9", "ma ja to",
# "every tuesday", "joka tiistai", "varje tisdag", "på tisdagar".
FILLERS = {"klo", "kello", "kl", "kl.", "at", "@", "and", "ja", "och", "&", "every", "each", "joka", "jokainen",
           "varje", "alla", "på"}
DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "−": "-"})
# 2pm · 2 pm · 2.30pm · 11:15 a.m.
TWELVE_HOUR = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?(?!\w)")


class BadDays(ValueError):
    pass


class BadTime(ValueError):
    pass


def parse_days(raw: str) -> str:
    """'thu', 'mon,thu', 'ma-pe', 'weekdays' → 'thu', 'mon,thu', 'mon,tue,wed,thu,fri'."""
    raw = raw.lower().translate(DASHES)
    if raw in WEEKDAYS:
        return "mon,tue,wed,thu,fri"
    if raw in EVERY_DAY:
        return ",".join(WEEK)
    days: set[int] = set()
    for part in filter(None, raw.split(",")):
        first, dash, last = part.partition("-")
        if dash:
            if first not in DAYS or last not in DAYS:
                raise BadDays(raw)
            a, b = WEEK.index(DAYS[first]), WEEK.index(DAYS[last])
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif part in DAYS:
            days.add(WEEK.index(DAYS[part]))
        else:
            raise BadDays(raw)
    if not days:
        raise BadDays(raw)
    return ",".join(WEEK[d] for d in sorted(days))


def parse_time(raw: str) -> str:
    """'14:00', '9.30', '14', '9' → 'HH:MM'."""
    m = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?", raw)
    if not m or int(m.group(1)) > 23 or int(m.group(2) or 0) > 59:
        raise BadTime(raw)
    return f"{int(m.group(1)):02d}:{m.group(2) or '00'}"


def _twenty_four(match: re.Match) -> str:
    hour, minute, half = int(match.group(1)), match.group(2) or "00", match.group(3)
    if not 1 <= hour <= 12:
        return match.group(0).replace(" ", "")  # "13pm": left as typed, and refused as a time
    return f"{hour % 12 + (12 if half == 'p' else 0)}:{minute}"


def days_and_time(text: str) -> tuple[str, str]:
    """'ma, to klo 9.00' → ('mon,thu', '09:00'). The time is the last word; the days come before."""
    text = TWELVE_HOUR.sub(_twenty_four, text.lower().translate(DASHES))
    text = re.sub(r"\s*([,-])\s*", r"\1", text)
    words = [w for w in text.split() if w not in FILLERS]
    if len(words) > 2 and words[0] == "on":  # "on tuesdays 9": English; "on 9" is Swedish for Wednesday
        words = words[1:]
    if len(words) < 2:
        raise ValueError(text)
    # "ma to" without a comma is two days too
    return parse_days(",".join(w.strip(",") for w in words[:-1])), parse_time(words[-1])
