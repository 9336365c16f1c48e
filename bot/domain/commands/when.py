"""Days and times as people type them: `thu 14:00`, `ma–pe 9.00`, `ma, to klo 14`, `må-fr kl. 9`,
`torstaisin 14`, `mondays 9:30`. Everything becomes cron day names and HH:MM."""
from __future__ import annotations

import re

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NAMES = (
    ("mon", "monday mondays ma maanantai maanantaisin må mån man måndag måndagar"),
    ("tue", "tue tuesday tuesdays ti tiistai tiistaisin tis tisdag tisdagar"),
    ("wed", "wed wednesday wednesdays ke keskiviikko keskiviikkoisin on ons onsdag onsdagar"),
    ("thu", "thu thursday thursdays to torstai torstaisin tor tors torsdag torsdagar"),
    ("fri", "fri friday fridays pe perjantai perjantaisin fr fre fredag fredagar"),
    ("sat", "sat saturday saturdays la lauantai lauantaisin lö lör lor lördag lördagar"),
    ("sun", "sun sunday sundays su sunnuntai sunnuntaisin sö sön son söndag söndagar"),
)
DAYS = {alias: day for day, aliases in _NAMES for alias in [day, *aliases.split()]}
WEEKDAYS = ("weekdays", "arkisin", "arkipäivisin", "vardagar", "vardagarna")
EVERY_DAY = ("daily", "päivittäin", "dagligen")
# Words around a time or between days that carry nothing: "klo 14", "kl. 9", "at 9", "ma ja to".
FILLERS = {"klo", "kello", "kl", "kl.", "at", "@", "and", "ja", "och", "&"}
DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "−": "-"})


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


def days_and_time(text: str) -> tuple[str, str]:
    """'ma, to klo 9.00' → ('mon,thu', '09:00'). The time is the last word; the days come before."""
    text = re.sub(r"\s*([,-])\s*", r"\1", text.lower().translate(DASHES))
    words = [w for w in text.split() if w not in FILLERS]
    if len(words) < 2:
        raise ValueError(text)
    # "ma to" without a comma is two days too
    return parse_days(",".join(w.strip(",") for w in words[:-1])), parse_time(words[-1])
