"""What every Block Kit payload the bot sends must satisfy: slack_sdk's own validation, Slack's
documented size limits (counted in UTF-16 like Slack's clients), and no live mentions where Slack
parses them (mrkdwn and the notification text; plain_text is never parsed)."""
from __future__ import annotations

import json

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

LIMITS = {"header": 150, "section": 3000, "context": 3000}
LIVE_MENTION = ("<!channel", "<!here", "<!everyone", "<@", "<!subteam", "<#")


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _texts(node, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if isinstance(node, dict):
        if isinstance(node.get("text"), str) and node.get("type") in ("mrkdwn", "plain_text"):
            found.append((node["type"], node["text"]))
        for value in node.values():
            _texts(value, found)
    elif isinstance(node, list):
        for value in node:
            _texts(value, found)
    return found


def assert_valid_blocks(blocks: list, max_blocks: int = 50) -> None:
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    assert 0 < len(blocks) <= max_blocks, len(blocks)
    for raw in blocks:
        model = Block.parse(raw)
        assert model is not None, raw
        model.to_dict()  # runs slack_sdk's validators; raises SlackObjectFormationError on a breach
        limit = LIMITS.get(raw["type"])
        for kind, text in _texts(raw, []):
            assert units(text) <= (limit or 3000), (raw["type"], units(text))
            if kind == "mrkdwn":
                assert not any(m in text for m in LIVE_MENTION), text[:200]
        for element in raw.get("elements") or []:
            if element.get("type") == "button":
                assert units(element["text"]["text"]) <= 75 and len(element.get("value") or "") <= 2000


def assert_valid_payload(params: dict, max_blocks: int = 50) -> None:
    assert_valid_blocks(params["blocks"], max_blocks)
    text = params.get("text") or ""
    assert units(text) <= 3000 and not any(m in text for m in LIVE_MENTION), text[:200]


def assert_valid_view(view: dict) -> None:
    View(**{k: v for k, v in view.items() if k not in ("id", "hash")}).to_dict()
    assert_valid_blocks(view["blocks"], max_blocks=100)
    assert len(view.get("private_metadata") or "") <= 3000


def parsed_text(params: dict) -> str:
    """The texts Slack parses for mentions and links: the notification text and mrkdwn."""
    blocks = params.get("blocks") or []
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return "\n".join([params.get("text") or ""] + [t for kind, t in _texts(blocks, []) if kind == "mrkdwn"])


def assert_all_sent_valid(calls) -> None:
    """Every message, update and view the bot sent during a test."""
    for call in calls:
        if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral") or (
                call.method == "response_url" and call.params.get("blocks")):
            assert_valid_payload(call.params)
        elif call.method in ("views.open", "views.publish", "views.update"):
            assert_valid_view(call.params["view"])
