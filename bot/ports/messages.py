"""Platform-neutral messages. Every text here is plain text: platforms escape and style it."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

BlockKind = Literal["heading", "question", "text", "quote", "context", "code", "mention", "facts", "table", "link"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    author: str = ""  # for quotes: who said it (already chosen to be shown)
    # for mentions: the platform's id of the person whose name is `text`; a platform that can
    # mention people (a Slack <@U…>, a Teams <at>) does, any other shows the name
    user_id: str = ""
    # facts: (label, value) pairs; table: the column headers, then the rows. `text` is the same
    # content as plain text, for whatever shows only text: make these blocks with facts() and table().
    rows: tuple[tuple[str, ...], ...] = ()
    # link: `text` is a web address the bot made (a sign-in link); only this kind may become tappable


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # e.g. "prompt.answer"; the core knows what it means
    value: str = ""  # opaque reference the core handed out, e.g. an assignment id
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: Literal["text", "choice"] = "text"
    multiline: bool = False
    max_length: int = 3000
    required: bool = True
    choices: tuple[Choice, ...] = ()
    initial: str = ""
    placeholder: str = ""
    error: str = ""  # what to say when it is left empty (a platform that checks before sending)


@dataclass(frozen=True)
class Form:
    """Asks for a few fields and submits them together (Slack modal, Adaptive Card inputs)."""

    title: str
    action: str
    value: str
    submit_label: str
    fields: tuple[Field, ...]
    intro: str = ""
    cancel_label: str = ""  # the platform's own close button otherwise speaks English
    cancel_action: str = ""  # where a form replaces a card, the action (with `value`) that puts it back


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a message: a data export, a chart."""

    filename: str
    content: bytes
    mime: str  # application/json, image/png
    title: str = ""

    @property
    def is_text(self) -> bool:
        return self.mime.startswith("text/") or self.mime == "application/json"


@dataclass(frozen=True)
class Message:
    blocks: tuple[Block, ...]
    buttons: tuple[Button, ...] = ()
    form: Form | None = None  # a form that can be filled in place (Teams cards, console)
    summary: str = ""  # one-line fallback text for notifications
    follow_up: "Message | None" = None  # posted in the thread of this one (channel posts)
    attachment: Attachment | None = None  # a platform that takes files sends it as one (see spelled_out)

    @property
    def plain_text(self) -> str:
        """Everything readable, for notifications, logs of shape (not content) and tests."""
        parts = []
        for block in self.blocks:
            parts.append(f"{block.author}: {block.text}" if block.author else block.text)
        return "\n".join(parts)


TEXT_CHUNK = 2500


def spelled_out(msg: Message) -> list[Message]:
    """For a platform that cannot take files: the message, then a text file's content in parts.
    (An image is left out; the message around it still says what it shows.)"""
    if msg.attachment is None:
        return [msg]
    return [replace(msg, attachment=None), *file_as_text(msg.attachment)]


def file_as_text(attachment: Attachment) -> list[Message]:
    """A text file's content as code blocks of TEXT_CHUNK characters; nothing for an image."""
    if not attachment.is_text:
        return []
    text = attachment.content.decode("utf-8", errors="replace")
    return [Message(blocks=(Block("code", text[i:i + TEXT_CHUNK]),), summary=attachment.title)
            for i in range(0, len(text), TEXT_CHUNK)]


def message(*texts: str, buttons: tuple[Button, ...] = (), heading: str = "") -> Message:
    """Shorthand for the common case: an optional heading and some paragraphs."""
    blocks = [Block("heading", heading)] if heading else []
    blocks += [Block("text", t) for t in texts if t]
    summary = heading or (texts[0] if texts else "")
    return Message(blocks=tuple(blocks), buttons=buttons, summary=summary[:150])


def facts(rows) -> Block:
    """Labelled figures, e.g. facts([("Answers", "64"), ("Response rate", "53%")]); plain text "label: value"."""
    pairs = tuple((str(label), str(value)) for label, value in rows)
    return Block("facts", "\n".join(f"{label}: {value}" for label, value in pairs), rows=pairs)


def table(header, rows) -> Block:
    """A table: the header row, then rows (short rows are filled with empty cells); plain text as
    aligned columns."""
    cells = [tuple(str(cell) for cell in row) for row in (header, *rows)]
    width = max(map(len, cells), default=0)
    cells = [row + ("",) * (width - len(row)) for row in cells]
    return Block("table", aligned(cells), rows=tuple(cells))


def aligned(rows) -> str:
    """Rows of cells as lines of left-aligned columns, two spaces apart."""
    rows = [tuple(row) for row in rows]
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(max(map(len, rows), default=0))]
    return "\n".join("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows)


@dataclass
class Response:
    """What the caller gets back directly (not through the outbox)."""

    to_caller: list[Message] = field(default_factory=list)  # only the caller sees these
    to_channel: list[Message] = field(default_factory=list)  # posted where the command was given
    replace_source: Message | None = None  # replaces the message the button was on
    open_form: Form | None = None  # the platform opens this form (Slack modal, console questions)
    refused: bool = False  # the request was turned down (wrong input, not allowed): nothing changed

    def say(self, msg: Message) -> "Response":
        self.to_caller.append(msg)
        return self
