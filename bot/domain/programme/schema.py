"""The shape of a week's payload, checked at the hub before anything is stored.

Closed objects (nothing unlisted is taken), bounded strings and lists, counts as whole numbers:
a payload with a field for a name or a text cannot pass, whatever a sender puts in it.
"""
from __future__ import annotations

from jsonschema import Draft202012Validator

MAX_BYTES = 256 * 1024  # 1 KB a week without circle names; 67 KB with the names of 853 circles
MAX_CIRCLES = 2000
WEEK = r"^[0-9]{4}-W[0-9]{2}$"

_count = {"type": "integer", "minimum": 0, "maximum": 10_000_000}
_maybe_count = {"type": ["integer", "null"], "minimum": 0, "maximum": 10_000_000}
_share = {"type": ["number", "null"], "minimum": 0, "maximum": 1}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "week", "min_group_size", "too_small"],
    "properties": {
        "version": {"const": 1},
        "week": {"type": "string", "pattern": WEEK},
        "min_group_size": {"type": "integer", "minimum": 3, "maximum": 10_000},
        "too_small": {"type": "boolean"},
        "figures": {
            "type": "object", "additionalProperties": False,
            "required": ["members", "asked", "prompts", "answers", "answering", "response_rate", "thread_replies",
                         "thread_people", "circles", "active_circles"],
            "properties": {"members": _count, "asked": _count, "prompts": _maybe_count, "answers": _maybe_count,
                           "answering": _maybe_count, "response_rate": _share, "thread_replies": _count,
                           "thread_people": _count, "circles": _count, "active_circles": _count},
        },
        "coffees": {
            "type": ["object", "null"], "additionalProperties": False,
            "required": ["groups", "people", "met_share"],
            "properties": {"groups": _maybe_count, "people": _maybe_count, "met_share": _share},
        },
        "themes": {
            "type": "array", "maxItems": 10,
            "items": {"type": "object", "additionalProperties": False, "required": ["keywords", "people"],
                      "properties": {"keywords": {"type": "array", "minItems": 1, "maxItems": 6,
                                                  # a word or a short phrase ("asking for feedback")
                                                  "items": {"type": "string", "minLength": 1, "maxLength": 60,
                                                            "pattern": r"^[^\s<>@:/]+( [^\s<>@:/]+){0,3}$"}},
                                     "people": _count}},
        },
        "pulses": {
            "type": "array", "maxItems": 20,
            "items": {"type": "object", "additionalProperties": False,
                      "required": ["statement", "counts", "rather_not_say", "respondents", "mean"],
                      "properties": {
                          "statement": {"type": "string", "pattern": r"^[a-z0-9_.-]{1,64}$"},
                          "counts": {"type": "array", "minItems": 5, "maxItems": 5, "items": _count},
                          "rather_not_say": _count, "respondents": _count,
                          "mean": {"type": ["number", "null"], "minimum": 1, "maximum": 5}}},
        },
        "circles": {
            "type": "array", "maxItems": MAX_CIRCLES,
            "items": {"type": "object", "additionalProperties": False,
                      "required": ["name", "members", "answers", "response_rate"],
                      "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 80},
                                     "members": _count, "answers": _maybe_count, "response_rate": _share}},
        },
    },
    "if": {"properties": {"too_small": {"const": False}}},
    "then": {"required": ["figures", "themes", "pulses"]},
    "else": {"not": {"anyOf": [{"required": ["figures"]}, {"required": ["themes"]}, {"required": ["pulses"]},
                               {"required": ["coffees"]}, {"required": ["circles"]}]}},
}

VALIDATOR = Draft202012Validator(SCHEMA)
Draft202012Validator.check_schema(SCHEMA)


def problems(payload) -> list[str]:
    """What is wrong with a payload, in words a sender's operator can act on (empty: it is fine).
    Only paths and the rule broken, never the offending value: it could be anything."""
    found = []
    for error in sorted(VALIDATOR.iter_errors(payload), key=lambda e: list(e.path))[:10]:
        where = "/".join(str(p) for p in error.path) or "(top)"
        found.append(f"{where}: breaks '{error.validator}'")
    return found
