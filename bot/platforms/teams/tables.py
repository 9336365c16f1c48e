"""Facts, tables and a chart in an Adaptive Card 1.5: a FactSet, a Table, an Image with a data URL.

Table cells are TextRuns like every other text of the card, so nothing in them is read as
Markdown. A FactSet's titles and values are read as Markdown, so facts go in one only when
there is nothing Markdown could take (figures and the bot's own labels); otherwise they are a
two-column Table. Plain dictionaries only, as in cards.py.
"""
from __future__ import annotations

import base64
import json
import re

from bot.ports import Attachment

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")  # what an Adaptive Card Image shows
MARKDOWN = re.compile(r"[*_`~#\[\]<>\\]|^\s*(?:[-+>]|\d+\.)\s", re.MULTILINE)  # what Markdown or markup might read
SPARK = re.compile(r"[▁▂▃▄▅▆▇█·]+")
FIGURE = re.compile(r"[\d\s.,/%–-]+")  # 12, 53 %, 3/6, –: right-aligned, as figures are in a table


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[:limit].rstrip() + " …"


def _cell(text: str, header: bool) -> dict:
    run = {"type": "TextRun", "text": text or " "}
    if header:
        run["weight"] = "Bolder"
    if SPARK.fullmatch(text):
        run["fontType"] = "Monospace"  # the bars of each week line up
    return {"type": "TableCell", "items": [{"type": "RichTextBlock", "inlines": [run]}]}


def table(rows: tuple[tuple[str, ...], ...], limit: int | None = None, header: bool = True) -> dict:
    """The first row as the header (bold, announced as such by screen readers); columns as wide as
    their longest cell (within bounds), columns of figures right-aligned."""
    rows = tuple(tuple(_cut(cell, limit) for cell in row) for row in rows) or (("",),)
    width = max(len(row) for row in rows)
    rows = tuple(row + ("",) * (width - len(row)) for row in rows)
    columns = []
    for index in range(width):
        cells = [row[index] for row in rows]
        column = {"type": "TableColumnDefinition", "width": max(3, min(30, max(map(len, cells))))}
        below = [cell for cell in cells[1 if header else 0:] if cell]
        if below and all(FIGURE.fullmatch(cell) for cell in below):
            column["horizontalCellContentAlignment"] = "Right"
        columns.append(column)
    return {"type": "Table", "columns": columns, "firstRowAsHeader": header, "showGridLines": False,
            "rows": [{"type": "TableRow", "cells": [_cell(cell, header and number == 0) for cell in row]}
                     for number, row in enumerate(rows)]}


def fact_set(rows: tuple[tuple[str, ...], ...], limit: int | None = None) -> dict:
    pairs = tuple((_cut(row[0], limit), _cut(" ".join(row[1:]), limit)) for row in rows if row)
    if any(MARKDOWN.search(text) for pair in pairs for text in pair):
        return table(pairs, header=False)
    return {"type": "FactSet", "facts": [{"title": label or " ", "value": value or " "} for label, value in pairs]}


def is_picture(attachment: Attachment | None) -> bool:
    return attachment is not None and attachment.mime in IMAGE_TYPES


def image(attachment: Attachment | None, room: int) -> list[dict]:
    """The picture as an Image with a data URL, when it takes at most `room` bytes of the card
    (with the separator before it); nothing otherwise."""
    if not is_picture(attachment):
        return []
    url = f"data:{attachment.mime};base64,{base64.b64encode(attachment.content).decode('ascii')}"
    element = {"type": "Image", "url": url, "altText": attachment.title or attachment.filename, "size": "Stretch"}
    return [element] if len(json.dumps(element, ensure_ascii=False).encode("utf-8")) + 2 <= room else []
