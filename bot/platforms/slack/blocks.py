"""Neutral messages → Slack Block Kit, built with slack_sdk.models so that Slack's limits are checked.

Every text from the core is plain text, and Slack shows it as typed: texts, context lines and
answers go as plain_text and rich text, which Slack never parses, so a circle named "*b*" or
"<!channel>" is shown, never formatted or obeyed (mrkdwn can escape & < > but has no escape for
* _ ~ `). The few mrkdwn texts left (the bot's own fact labels, a link, the notification text)
are escaped (& < >).
Long texts are split across blocks, and blocks across messages, so nothing exceeds Slack's limits.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    RichTextBlock,
    RichTextElementParts,
    RichTextPreformattedElement,
    RichTextQuoteElement,
    RichTextSectionElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.ports import Block, Button, Form, Message, aligned, spelled_out

TEXT_LIMIT = 3000  # a section or context text object
FIELD_LIMIT = 2000  # a section field
SECTION_FIELDS = 10
HEADER_LIMIT = 150
BUTTON_LIMIT = 75
OPTION_LIMIT = 75
TITLE_LIMIT = 24  # modal title and submit label
PLACEHOLDER_LIMIT = 150
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
# Text per posted message. Slack truncates a message at 40,000 characters and rejects oversized
# payloads without saying where the line is; 12,000 keeps every post comfortably inside and still
# fits several full-length answers, so a long recap becomes a few posts rather than a failure.
MESSAGE_BUDGET = 12_000
FALLBACK_LIMIT = 3000  # the notification text
ACTION_PREFIX = "kipina:"
FORM_CALLBACK = "kipina:form"
_GLUE = {"\u200d", "\u20e3"}  # zero-width joiner, keycap: never split next to them


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def units(text: str) -> int:
    """Length as Slack's clients count it (UTF-16), never less than Python's len()."""
    return len(text.encode("utf-16-le")) // 2


def truncate(text: str, limit: int) -> str:
    text = " ".join(text.split()) or "…"
    if units(text) <= limit:
        return text
    return pieces(text, limit - 1, units)[0].rstrip() + "…"


def _breakable(text: str, at: int) -> bool:
    """May text be cut before position `at` without tearing an emoji or an accent off its letter?"""
    before, after = text[at - 1], text[at]
    if before in _GLUE or after in _GLUE or unicodedata.category(after) in ("Mn", "Me", "Sk"):
        return False
    code = ord(after)
    return not (0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F)


def _fit(text: str, limit: int, measure: Callable[[str], int]) -> int:
    """The longest prefix of one unbroken word that fits."""
    low, high = 1, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if measure(text[:mid]) <= limit:
            low = mid
        else:
            high = mid - 1
    cut = low
    while cut > 1 and not _breakable(text, cut):
        cut -= 1
    return cut if _breakable(text, cut) or cut == low else low


def pieces(text: str, limit: int, measure: Callable[[str], int] = units) -> list[str]:
    """Split text so that measure(piece) <= limit: at line breaks and spaces when possible.

    measure must add up (measure(a + b) == measure(a) + measure(b)), as lengths do.
    """
    if measure(text) <= limit:
        return [text]
    out: list[str] = []
    current, used = "", 0
    for token in re.split(r"(\s+)", text):
        if not token:
            continue
        cost = measure(token)
        if used + cost <= limit:
            current, used = current + token, used + cost
            continue
        if current.strip():
            out.append(current.rstrip())
        current, used = ("", 0) if token.isspace() else (token, cost)
        while used > limit:
            cut = _fit(current, limit, measure)
            out.append(current[:cut])
            current = current[cut:]
            used = measure(current)
    if current.strip():
        out.append(current.rstrip())
    return out or [""]


def _mrkdwn(text: str) -> MarkdownTextObject:
    # verbatim: Slack adds no links or mentions of its own to what we show
    return MarkdownTextObject(text=text, verbatim=True)


def _plain(text: str) -> PlainTextObject:
    return PlainTextObject(text=text, emoji=False)  # as typed: no formatting, mentions or :emoji: codes


def _quote(text: str, author: str) -> list:
    """An answer as rich text: the author in bold over the quoted text; split to fit."""
    blocks = []
    for number, chunk in enumerate(pieces("\n".join(text.splitlines()) or " ", TEXT_LIMIT, units)):
        elements = [RichTextQuoteElement(elements=[RichTextElementParts.Text(text=chunk)])]
        if author and number == 0:
            elements.insert(0, RichTextSectionElement(elements=[
                RichTextElementParts.Text(text=author, style={"bold": True})]))
        blocks.append(RichTextBlock(elements=elements))
    return blocks


def _escaped_cut(text: str, limit: int) -> str:
    """Text escaped, within `limit` once escaped: cut short with "…" when it is longer."""
    text = " ".join(text.split()) or " "
    cut = pieces(text, limit - 1, lambda part: units(escape(part)))[0]
    return escape(cut) + ("…" if cut != text else "")


def _facts(rows: tuple[tuple[str, ...], ...]) -> list:
    """Two columns of fields, each the label in bold over its value; a section takes ten."""
    fields = [_mrkdwn(f"*{_escaped_cut(row[0].replace('*', ''), FIELD_LIMIT // 4)}*\n"
                      f"{_escaped_cut(' '.join(row[1:]), FIELD_LIMIT // 2)}") for row in rows if row]
    return [SectionBlock(fields=fields[i:i + SECTION_FIELDS]) for i in range(0, len(fields), SECTION_FIELDS)]


def _line_chunks(text: str, limit: int) -> list[str]:
    """Whole lines together up to the limit, so that a table is split between rows."""
    chunks: list[str] = []
    for line in text.split("\n"):
        for part in pieces(line or " ", limit, units):
            if chunks and units(chunks[-1]) + 1 + units(part) <= limit:
                chunks[-1] += "\n" + part
            else:
                chunks.append(part)
    return chunks or [" "]


def _preformatted(parts: list[str]) -> list:
    return [RichTextBlock(elements=[RichTextPreformattedElement(elements=[RichTextElementParts.Text(text=part)])])
            for part in parts]


def content_blocks(block: Block) -> list:
    """One neutral block → one or more Block Kit blocks, each within Slack's limits."""
    if block.kind == "heading":
        return [HeaderBlock(text=PlainTextObject(text=truncate(block.text, HEADER_LIMIT), emoji=True))]
    if block.kind == "quote":
        return _quote(block.text, block.author)
    if block.kind == "facts" and block.rows:
        return _facts(block.rows)
    if block.kind == "table" and block.rows:  # monospace, so that the columns line up
        return _preformatted(_line_chunks(aligned(block.rows), TEXT_LIMIT))
    if block.kind == "code":
        return _preformatted(pieces(block.text or " ", TEXT_LIMIT, units))
    if block.kind == "question":  # bold as rich text: mrkdwn's *…* breaks on a line break or an asterisk
        return [RichTextBlock(elements=[RichTextSectionElement(elements=[
            RichTextElementParts.Text(text=part, style={"bold": True})])]) for part in pieces(block.text or " ", TEXT_LIMIT, units)]
    if block.kind == "link":  # an address the bot made
        return [SectionBlock(text=_mrkdwn(escape(part)))
                for part in pieces(block.text or " ", TEXT_LIMIT, lambda part: units(escape(part)))]
    parts = pieces(block.text or " ", TEXT_LIMIT, units)
    if block.kind == "context":
        return [ContextBlock(elements=[_plain(part)]) for part in parts]
    return [SectionBlock(text=_plain(part)) for part in parts]


def actions_block(buttons: tuple[Button, ...], block_id: str = "kipina-actions") -> ActionsBlock:
    elements = []
    for index, button in enumerate(buttons[:25]):
        elements.append(ButtonElement(
            text=PlainTextObject(text=truncate(button.label, BUTTON_LIMIT), emoji=True),
            action_id=f"{ACTION_PREFIX}{button.action}:{index}",
            value=button.value or None,
            style=None if button.style == "default" else button.style,
        ))
    return ActionsBlock(block_id=block_id, elements=elements)


def _size(block: dict) -> int:
    return units(json.dumps(block, ensure_ascii=False))


# A fan-out renders the same heading, prompt and buttons for thousands of people, and slack_sdk's
# checks cost more than the post itself: what is the same is rendered once. Only the bot's own
# texts are kept; answers (quote) and personal exports (code) never stay in this cache.
_SHARED_KINDS = ("heading", "question", "text", "context")


@lru_cache(maxsize=4096)
def _shared_kits(block: Block) -> tuple[tuple[dict, int], ...]:
    return tuple((kit, _size(kit)) for kit in (k.to_dict() for k in content_blocks(block)))


def _kits(block: Block) -> tuple[tuple[dict, int], ...]:
    """Block Kit dicts of one block with their sizes. Treat them as read-only: they may be shared."""
    if block.kind in _SHARED_KINDS:
        return _shared_kits(block)
    return tuple((kit, _size(kit)) for kit in (k.to_dict() for k in content_blocks(block)))


@lru_cache(maxsize=1024)
def _button_shape(label: str, action: str, style: str, index: int) -> dict:
    return actions_block((Button(label, action, "", style),)).to_dict()["elements"][0] | {
        "action_id": f"{ACTION_PREFIX}{action}:{index}"}


def _actions_kit(buttons: tuple[Button, ...], block_id: str) -> dict:
    """actions_block(...).to_dict(), from checked shapes plus each button's own value."""
    elements = []
    for index, button in enumerate(buttons[:25]):
        element = dict(_button_shape(button.label, button.action, button.style, index))
        if button.value:
            element["value"] = button.value[:2000]
        elements.append(element)
    return {"type": "actions", "block_id": block_id, "elements": elements}


def fallback(message: Message) -> str:
    """The notification text: the summary, escaped like everything else."""
    text = " ".join((message.summary or message.plain_text).split()) or " "
    return escape(pieces(text, FALLBACK_LIMIT, lambda part: units(escape(part)))[0])


def message_parts(messages: list[Message] | Message, max_blocks: int = MESSAGE_BLOCKS,
                  budget: int = MESSAGE_BUDGET, files_as_text: bool = True) -> list[dict]:
    """Render messages as chat payloads ({"text", "blocks"}), packing them into as few posts as fit.
    files_as_text: a message's file is spelled out in the posts (False: the caller uploads it)."""
    if isinstance(messages, Message):
        messages = [messages]
    messages = [part for m in messages for part in (spelled_out(m) if files_as_text else [m])]
    parts: list[dict] = []
    current: list = []
    used = 0
    summary = ""

    def close() -> None:
        nonlocal current, used
        if current:
            parts.append({"text": summary, "blocks": current})
        current, used = [], 0

    for number, message in enumerate(messages):
        if not summary:
            summary = fallback(message)
        kits = [kit for block in message.blocks for kit in _kits(block)]
        if message.buttons:
            actions = _actions_kit(message.buttons, f"kipina-actions-{number}")
            kits.append((actions, _size(actions)))
        for kit, size in kits:
            if current and (len(current) >= max_blocks or used + size > budget):
                close()
            current.append(kit)
            used += size
    close()
    return parts or [{"text": " ", "blocks": [SectionBlock(text=_mrkdwn(" ")).to_dict()]}]


def home_view(message: Message) -> dict:
    blocks = [kit for block in message.blocks for kit in content_blocks(block)]
    room = VIEW_BLOCKS - (1 if message.buttons else 0)
    blocks = blocks[:room]
    if message.buttons:
        blocks.append(actions_block(message.buttons))
    return View(type="home", blocks=blocks).to_dict()


def form_view(form: Form, metadata: dict) -> dict:
    """A modal with the form's intro and fields; metadata comes back with the submission."""
    blocks: list = []
    if form.intro:
        blocks += content_blocks(Block("text", form.intro))
    for field in form.fields:
        if field.kind == "choice":
            options = [Option(value=c.value[:150], label=truncate(c.label, OPTION_LIMIT)) for c in field.choices]
            initial = next((o for o, c in zip(options, field.choices) if c.value == field.initial), None)
            element = RadioButtonsElement(action_id=field.name, options=options, initial_option=initial)
        else:
            element = PlainTextInputElement(
                action_id=field.name, multiline=field.multiline, max_length=min(field.max_length, TEXT_LIMIT),
                initial_value=field.initial[:TEXT_LIMIT] or None,
                placeholder=truncate(field.placeholder, PLACEHOLDER_LIMIT) if field.placeholder else None)
        blocks.append(InputBlock(block_id=field.name, label=truncate(field.label, 2000), element=element,
                                 optional=not field.required))
    blocks = blocks[-VIEW_BLOCKS:]
    return View(type="modal", callback_id=FORM_CALLBACK, title=truncate(form.title, TITLE_LIMIT),
                submit=truncate(form.submit_label, TITLE_LIMIT), blocks=blocks,
                close=truncate(form.cancel_label, TITLE_LIMIT) if form.cancel_label else None,
                private_metadata=json.dumps(metadata, separators=(",", ":"))).to_dict()


def parse_action_id(action_id: str) -> str | None:
    """'kipina:prompt.answer:0' → 'prompt.answer'."""
    if not action_id.startswith(ACTION_PREFIX):
        return None
    name, _, _ = action_id[len(ACTION_PREFIX):].rpartition(":")
    return name or None
