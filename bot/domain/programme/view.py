"""The programme view at the hub: each organisation's figures side by side with the programme total.

The hub applies its own MIN_GROUP_SIZE once more over what organisations sent: an organisation with
fewer people than that in a week (or fewer asked) is merged into "other organisations"; when that
group would itself be too small, the smallest named organisation joins it (secondary suppression),
so no small organisation can be worked out by subtracting the named ones from the total.
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.common.config import Settings
from bot.domain.programme import hub
from bot.domain import reports

TREND_WEEKS = 8
SUMMED = ("members", "asked", "prompts", "answers", "answering", "thread_replies", "thread_people", "circles",
          "active_circles")
ANSWER_FIGURES = ("prompts", "answers", "answering")


def last_full_week(now: datetime, tz: str) -> reports.Week:
    return reports.weeks_until(reports.week_at(now, tz), 2, tz)[0]


def compute(session: Session, settings: Settings, now: datetime, trend_weeks: int = TREND_WEEKS) -> dict:
    n = settings.min_group_size
    weeks = reports.weeks_until(last_full_week(now, settings.timezone), trend_weeks, settings.timezone)
    labels = [w.label for w in weeks]
    orgs = hub.members(session)
    stored = hub.weeks(session, labels)
    columns = []
    for label in labels:
        sent = {o.name: stored.get((o.id, label)) for o in orgs}
        columns.append(_week(label, sent, n))
    last = columns[-1]
    return {"min_group_size": n, "weeks": labels, "organisations": [o.name for o in orgs], "columns": columns,
            "last": last, "trend": _trend(columns, [o.name for o in orgs])}


def _week(label: str, sent: dict[str, dict | None], n: int) -> dict:
    with_figures = {name: p for name, p in sent.items() if p and not p.get("too_small") and p.get("figures")}
    named = sorted((name for name, p in with_figures.items() if _large_enough(p["figures"], n)),
                   key=lambda name: (with_figures[name]["figures"]["members"], name))
    merged = [name for name in with_figures if name not in named]
    while merged and named and not _large_enough(_sum([with_figures[m] for m in merged]), n):
        merged.append(named.pop(0))  # the smallest named organisation joins the merged ones
    other = None
    if merged:
        group = _sum([with_figures[m] for m in merged])
        other = {"organisations": len(merged), **group} if _large_enough(group, n) else {"organisations": len(merged)}
    total = _sum(list(with_figures.values())) if with_figures else None
    if total is not None and not _large_enough(total, n):
        total = None
    shown = {name: with_figures[name] for name in sorted(named)}
    return {
        "week": label,
        "named": {name: p["figures"] for name, p in shown.items()},
        "other": other,
        "total": total,
        "silent": len([name for name in sent if name not in with_figures]),  # sent nothing, or too few people
        "coffees": {name: p.get("coffees") for name, p in shown.items() if p.get("coffees")},
        "themes": {name: p.get("themes", []) for name, p in shown.items() if p.get("themes")},
        "pulses": _pulses(shown, [with_figures[m] for m in merged], n),
        "circles": {name: p.get("circles", []) for name, p in shown.items() if p.get("circles")},
    }


def _large_enough(fig: dict, n: int) -> bool:
    return fig.get("members", 0) >= n and not 0 < fig.get("asked", 0) < n


def _sum(payloads: list[dict]) -> dict:
    figures = [p["figures"] for p in payloads]
    out = {key: sum(f.get(key) or 0 for f in figures) for key in SUMMED}
    if any(f.get("answers") is None for f in figures):  # one organisation withheld its answers: so does the sum
        out.update(dict.fromkeys(ANSWER_FIGURES))
    out["response_rate"] = round(out["answers"] / out["prompts"], 3) if out.get("prompts") else None
    return out


def _pulses(shown: dict[str, dict], merged: list[dict], n: int) -> dict:
    """statement → {"total": distribution, organisation: distribution}: each only over at least n respondents."""
    out: dict = {}
    for name, payload in [*shown.items(), *(("", p) for p in merged)]:
        for item in payload.get("pulses", []):
            entry = out.setdefault(item["statement"], {"total": _empty()})
            _add(entry["total"], item)
            if name and item["respondents"] >= n:
                entry[name] = _add(_empty(), item)
    for entry in out.values():
        for key in list(entry):
            dist = entry[key]
            dist["mean"] = _mean(dist["counts"])
            if dist["respondents"] < n:
                del entry[key]
    return {statement: entry for statement, entry in sorted(out.items()) if entry}


def _empty() -> dict:
    return {"counts": [0] * 5, "rather_not_say": 0, "respondents": 0}


def _add(dist: dict, item: dict) -> dict:
    dist["counts"] = [a + b for a, b in zip(dist["counts"], item["counts"])]
    dist["rather_not_say"] += item["rather_not_say"]
    dist["respondents"] += item["respondents"]
    return dist


def _mean(counts: list[int]) -> float | None:
    answered = sum(counts)
    return round(sum((i + 1) * c for i, c in enumerate(counts)) / answered, 2) if answered else None


def _trend(columns: list[dict], names: list[str]) -> dict:
    """Answers, response rate and members week by week for the total, each organisation and the merged
    rest; None where a week has nothing to show (merged, too small, not sent)."""
    def series(pick) -> dict:
        return {key: [(pick(c) or {}).get(key) for c in columns] for key in ("answers", "response_rate", "members")}

    return {"total": series(lambda c: c["total"]),
            "organisations": {name: series(lambda c, name=name: c["named"].get(name)) for name in names}}
