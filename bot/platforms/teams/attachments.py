"""Files sent with a Teams message, as lines of its text: the bot keeps no files.

Teams sends a file attached in the personal chat as `file.download.info` (its name, a OneDrive
link, `content.fileType`), a picture as an `image/*` attachment (a pasted one has no name) and
the message itself again as `text/html`, where pasted pictures are `<img>` tags (in a channel
sometimes only there). Cards, mentions and anything else are not files. Names and content types
are all that is read; nothing is fetched. The lines are Slack's (see its `with_files`), so an
answer reads the same on both and a reply with only a file is still an answer.
"""
from __future__ import annotations

import re

DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
HTML = "text/html"
NAME_LIMIT = 100
PICTURE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
EMOJI = re.compile(r"itemtype\s*=\s*[\"']?[^\"'>]*/emoji", re.IGNORECASE)  # Teams draws emoji as <img>


def _name(attachment: dict) -> str:
    name = attachment.get("name")
    return " ".join(name.split())[:NAME_LIMIT] if isinstance(name, str) else ""


def file_names(attachments) -> list[str]:
    """One name per file, "" where Teams gives none, in the order they came."""
    names: list[str] = []
    images = drawn = 0
    for attachment in attachments if isinstance(attachments, list) else []:
        if not isinstance(attachment, dict):
            continue
        kind = str(attachment.get("contentType") or "").lower()
        if kind == DOWNLOAD_INFO:
            names.append(_name(attachment))
        elif kind.startswith("image/"):
            names.append(_name(attachment))
            images += 1
        elif kind == HTML and isinstance(attachment.get("content"), str):
            drawn += sum(1 for tag in PICTURE.findall(attachment["content"]) if not EMOJI.search(tag))
    # The html shows the pasted pictures once more: only those without an image attachment count.
    return names + [""] * max(0, drawn - images)


def with_files(text: str, attachments) -> str:
    """The text with a line `📎 name` for each file (`📎` when it has no name), in no language."""
    notes = [f"📎 {name}" if name else "📎" for name in file_names(attachments)]
    return "\n".join(part for part in [text, *notes] if part)
