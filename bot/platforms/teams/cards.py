"""Neutral messages → Adaptive Cards 1.5 and the Bot Framework activities that carry them.

Every text is put in a RichTextBlock TextRun: Adaptive Cards do not read Markdown there, and
Teams only turns `<at>…</at>` into a mention when the card lists a mention entity, which it does
only for a mention block the core asked for (a learning-coffee partner), with the name cleaned.
So names, circle names and answers are shown exactly as typed and can't become links or mentions.
Plain dictionaries only: this is the JSON that goes on the wire.
"""
from __future__ import annotations

import json
import re

from bot.ports import Block, Button, Field, Form, Message
from bot.platforms.teams.inbound import FORM_FLAG

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_BYTES = 24_000  # Teams refuses messages of about 28 KB; keep room for the envelope
STYLES = {"primary": "positive", "danger": "destructive"}


def _run(text: str, **style) -> dict:
    return {"type": "TextRun", "text": text, **style}


def _rich(*runs: dict, **extra) -> dict:
    return {"type": "RichTextBlock", "inlines": list(runs), **extra}


def _at(name: str) -> str:
    """A mention as the card writes it: the name without anything Markdown or markup could read."""
    return "<at>" + (" ".join(re.sub(r"[^\w .'-]|_", " ", name).split()) or "?")[:100] + "</at>"


def _block(block: Block, limit: int | None) -> dict:
    text = block.text if limit is None or len(block.text) <= limit else block.text[:limit].rstrip() + " …"
    if block.kind == "mention" and block.user_id:  # listed in the card's mention entities (message_card)
        return {"type": "TextBlock", "text": _at(block.text), "wrap": True}
    if block.kind == "heading":
        return _rich(_run(text, weight="Bolder", size="Medium"))
    if block.kind == "context":
        return _rich(_run(text, isSubtle=True, size="Small"), spacing="Small")
    if block.kind == "code":
        return _rich(_run(text, fontType="Monospace"))
    if block.kind == "quote":
        runs = [_run(block.author + ": ", weight="Bolder")] if block.author else []
        return {"type": "Container", "style": "emphasis", "items": [_rich(*runs, _run(text))]}
    return _rich(_run(text))


def _submit(button: Button, extra: dict | None = None, inputs: bool = False) -> dict:
    action = {"type": "Action.Submit", "title": button.label[:80],
              "data": {"kipina": button.action, "value": button.value, **(extra or {})},
              "associatedInputs": "auto" if inputs else "none"}
    if button.style in STYLES:
        action["style"] = STYLES[button.style]
    return action


def _input(field: Field) -> dict:
    if field.kind == "choice":
        element = {"type": "Input.ChoiceSet", "id": field.name, "label": field.label, "style": "expanded",
                   "choices": [{"title": c.label, "value": c.value} for c in field.choices],
                   "value": field.initial or (field.choices[0].value if field.choices else "")}
    else:
        element = {"type": "Input.Text", "id": field.name, "label": field.label, "isMultiline": field.multiline,
                   "maxLength": field.max_length}
        if field.initial:
            element["value"] = field.initial[:field.max_length]
        if field.placeholder:
            element["placeholder"] = field.placeholder
    if field.required and field.kind != "choice":
        element["isRequired"] = True
        element["errorMessage"] = field.label
    return element


def _form_parts(form: Form, submit: Button | None) -> tuple[list[dict], dict]:
    button = submit or Button(form.submit_label, form.action, form.value, "primary")
    button = Button(button.label, form.action, form.value, button.style)
    return [_input(f) for f in form.fields], _submit(button, {FORM_FLAG: 1}, inputs=True)


def _card(body: list[dict], actions: list[dict], fallback: str) -> dict:
    card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": "1.5", "body": body or [_rich(_run(" "))],
            "msteams": {"width": "Full"}}
    if actions:
        card["actions"] = actions
    if fallback:
        card["fallbackText"] = fallback
    return card


def message_card(message: Message, limit: int | None = None) -> dict:
    """A message, its buttons and (prompts) its form inline: the Answer button submits the form."""
    body = [_block(b, limit) for b in message.blocks]
    actions = []
    form = message.form
    if form is not None:
        submit = next((b for b in message.buttons if b.action == form.action), None)
        inputs, action = _form_parts(form, submit)
        body += inputs
        actions.append(action)
        actions += [_submit(b) for b in message.buttons if b is not submit]
    else:
        actions = [_submit(b) for b in message.buttons]
    card = _card(body, actions, message.summary)
    mentioned = [b for b in message.blocks if b.kind == "mention" and b.user_id]
    if mentioned:
        card["msteams"]["entities"] = [{"type": "mention", "text": _at(b.text),
                                        "mentioned": {"id": b.user_id, "name": b.text[:100]}} for b in mentioned]
    return card


def form_card(form: Form) -> dict:
    """A form on its own (Teams has no modals without a task module): title, question, inputs."""
    body = [_rich(_run(form.title, weight="Bolder", size="Medium"))]
    if form.intro:
        body.append(_rich(_run(form.intro)))
    inputs, action = _form_parts(form, None)
    return _card(body + inputs, [action], form.title)


def fits(card: dict) -> bool:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8")) <= MAX_BYTES


def sized_card(message: Message) -> dict:
    """Long recaps are shortened quote by quote until the card fits in one Teams message."""
    card = message_card(message)
    limit = max((len(b.text) for b in message.blocks), default=0)
    while not fits(card) and limit > 80:
        limit = limit * 2 // 3
        card = message_card(message, limit)
    return card


def activity(card: dict, bot: dict, conversation_id: str, summary: str = "", tenant_id: str = "",
             activity_id: str | None = None) -> dict:
    """A message activity carrying one card, as the connector expects it."""
    body = {
        "type": "message",
        "channelId": "msteams",
        "from": {"id": bot.get("id") or "", "name": bot.get("name") or "Kipinä"},
        "conversation": {"id": conversation_id},
        "attachments": [{"contentType": CARD_TYPE, "content": card}],
    }
    if summary:
        body["summary"] = summary[:150]
    if tenant_id:
        body["channelData"] = {"tenant": {"id": tenant_id}}
    if activity_id:
        body["id"] = activity_id
    return body
