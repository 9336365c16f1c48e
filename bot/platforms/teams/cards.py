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
from dataclasses import replace

from bot.ports import Block, Button, Field, Form, Message
from bot.platforms.teams import tables
from bot.platforms.teams.inbound import FORM_FLAG

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_BYTES = 24_000  # Teams refuses messages of about 28 KB; keep room for the envelope
STYLES = {"primary": "positive", "danger": "destructive"}
LINK = re.compile(r"https?://[^\s<>\"]{1,2000}")


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
    if block.kind == "facts" and block.rows:
        return tables.facts(block.rows, limit)
    if block.kind == "table" and block.rows:
        return tables.table(block.rows, limit)
    if block.kind == "heading":  # Teams draws Medium at the body's size
        return _rich(_run(text, weight="Bolder", size="Large"), spacing="Medium")
    if block.kind == "question":  # what the card is for: larger and bolder than its caption
        return _rich(_run(text, weight="Bolder", size="Large"), spacing="Small")
    if block.kind == "context":
        return _rich(_run(text, isSubtle=True, size="Small"), spacing="Small")
    if block.kind == "code":
        return _rich(_run(text, fontType="Monospace"))
    if block.kind == "quote":
        runs = [_run(block.author + ": ", weight="Bolder")] if block.author else []
        return {"type": "Container", "style": "emphasis", "items": [_rich(*runs, _run(text))]}
    if block.kind == "link" and LINK.fullmatch(block.text):  # tappable, also on a phone
        return _rich(_run(breakable(block.text), color="Accent",
                          selectAction={"type": "Action.OpenUrl", "url": block.text}))
    return _rich(_run(text))


def breakable(url: str) -> str:
    """The address as shown (the link itself is untouched): a zero-width space after each / ? & =
    and inside long runs, so that a long sign-in link wraps within a phone's card."""
    shown = re.sub(r"([/?&=])(?!/)", "\\1\u200b", url)
    return re.sub(r"([^\u200b]{16})(?=[^\u200b])", "\\1\u200b", shown)


def _execute(button: Button, extra: dict | None = None, inputs: bool = False, secondary: bool = False) -> dict:
    """A button as a Universal Action: Teams sends an adaptiveCard/action invoke and shows the card
    the bot answers with in its place (cards sent before used Action.Submit; those still work)."""
    action = {"type": "Action.Execute", "title": button.label[:80], "verb": button.action[:64],
              "data": {"kipina": button.action, "value": button.value, **(extra or {})},
              "associatedInputs": "auto" if inputs else "none"}
    if button.style in STYLES:
        action["style"] = STYLES[button.style]
    if secondary:
        action["mode"] = "secondary"  # in the card's "…" menu: four buttons do not fit a phone
    return action


def _actions(buttons: list[Button], first: dict | None = None) -> list[dict]:
    """Up to two buttons side by side; with more, the first (or the form's) stays and the rest go
    to the overflow menu, where Teams lists them in order."""
    many = len(buttons) + (first is not None) > 2
    actions = [first] if first is not None else []
    for button in buttons:
        actions.append(_execute(button, secondary=many and bool(actions)))
    return actions


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
        element["errorMessage"] = field.error or field.label
    return element


def _form_parts(form: Form, submit: Button | None) -> tuple[list[dict], dict]:
    button = submit or Button(form.submit_label, form.action, form.value, "primary")
    button = Button(button.label, form.action, form.value, button.style)
    return [_input(f) for f in form.fields], _execute(button, {FORM_FLAG: 1}, inputs=True)


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
    if limit is None and tables.is_picture(message.attachment):  # only in a whole card that still fits
        bare = json.dumps(message_card(replace(message, attachment=None)), ensure_ascii=False).encode("utf-8")
        body += tables.image(message.attachment, MAX_BYTES - len(bare))
    actions = []
    form = message.form
    if form is not None:
        submit = next((b for b in message.buttons if b.action == form.action), None)
        inputs, action = _form_parts(form, submit)
        body += inputs
        actions = _actions([b for b in message.buttons if b is not submit], action)
    else:
        actions = _actions(list(message.buttons))
    card = _card(body, actions, message.summary)
    mentioned = [b for b in message.blocks if b.kind == "mention" and b.user_id]
    if mentioned:
        card["msteams"]["entities"] = [{"type": "mention", "text": _at(b.text),
                                        "mentioned": {"id": b.user_id, "name": b.text[:100]}} for b in mentioned]
    return card


def form_card(form: Form) -> dict:
    """A form on its own (Teams has no modals without a task module): title, question, inputs,
    and Cancel when the form says what cancelling shows instead."""
    body = [_rich(_run(form.title, weight="Bolder", size="Medium"))]
    if form.intro:
        body.append(_rich(_run(form.intro, weight="Bolder", size="Large")))
    inputs, action = _form_parts(form, None)
    actions = [action]
    if form.cancel_action and form.cancel_label:
        actions.append(_execute(Button(form.cancel_label, form.cancel_action, form.value)))
    return _card(body + inputs, actions, form.title)


def fits(card: dict) -> bool:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8")) <= MAX_BYTES


def sized_cards(message: Message) -> list[dict]:
    """A message too long for one card as several, its blocks kept in order and whole, the buttons
    on the last card (a channel recap continues in its thread, nobody's answer cut short)."""
    if len(message.blocks) < 2 or message.attachment is not None or fits(message_card(message)):
        return [sized_card(message)]  # a picture is shown once: such a message is shortened instead
    parts: list[list[Block]] = [[]]
    for block in message.blocks:
        if parts[-1] and not fits(message_card(replace(message, blocks=(*parts[-1], block), buttons=()))):
            parts.append([])
        parts[-1].append(block)
    last = len(parts) - 1
    return [sized_card(replace(message, blocks=tuple(part), buttons=message.buttons if n == last else ()))
            for n, part in enumerate(parts)]


def sized_card(message: Message) -> dict:
    """A card shortened quote by quote until it fits in one Teams message (a DM, or one block
    too long on its own)."""
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
