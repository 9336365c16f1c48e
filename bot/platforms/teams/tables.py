"""Facts, tables and a chart in an Adaptive Card 1.5, drawn to fit a phone (320 px) as well as a
desktop: facts as lines of "label value", a table of more than three columns as one block per
row (its first cell in bold, then "header value" pairs that wrap between pairs, never inside one),
narrower tables as a Table, a chart as an Image with a data URL.

Adaptive Cards 1.5 has no way to pick a layout by the card's width (Teams' `targetWidth` is not
in the 1.5 schema the cards are checked against), so every layout here must fit both.
Every text is a TextRun, so nothing in it is read as Markdown. Plain dictionaries only, as in
cards.py.
"""
from __future__ import annotations

import base64
import json
import re

from bot.ports import Attachment

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")  # what an Adaptive Card Image shows
SPARK = re.compile(r"[▁▂▃▄▅▆▇█·]+")
FIGURE = re.compile(r"[\d\s.,/%–-]+")  # 12, 53 %, 3/6, –: right-aligned, as figures are in a table
MAX_COLUMNS = 3  # what a phone shows side by side; a wider table goes row by row
NBSP = "\u00a0"


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[:limit].rstrip() + " …"


def _cell(text: str, header: bool) -> dict:
    run = {"type": "TextRun", "text": text or " "}
    if header:
        run["weight"] = "Bolder"
    if SPARK.fullmatch(text):
        run["fontType"] = "Monospace"  # the bars of each week line up
    return {"type": "TableCell", "items": [{"type": "RichTextBlock", "inlines": [run]}]}


def _line(*runs: dict, spacing: str = "None") -> dict:
    return {"type": "RichTextBlock", "inlines": list(runs), "spacing": spacing}


def _pair(label: str, value: str) -> str:
    """'Response rate 71 %' that wraps before or after, never inside."""
    return NBSP.join(f"{label} {value}".split())


def table(rows: tuple[tuple[str, ...], ...], limit: int | None = None, header: bool = True) -> dict:
    """The first row as the header (bold, announced as such by screen readers); columns as wide as
    their longest cell (within bounds), columns of figures right-aligned. More columns than a phone
    shows: one block per row instead (see stacked)."""
    rows = tuple(tuple(_cut(cell, limit) for cell in row) for row in rows) or (("",),)
    width = max(len(row) for row in rows)
    rows = tuple(row + ("",) * (width - len(row)) for row in rows)
    if header and width > MAX_COLUMNS and len(rows) > 1:
        return stacked(rows)
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


def stacked(rows: tuple[tuple[str, ...], ...]) -> dict:
    """Each row after the header: its first cell in bold, then 'header value · header value …'."""
    titles, items = rows[0], []
    for row in rows[1:]:
        pairs = " · ".join(_pair(title, cell) for title, cell in zip(titles[1:], row[1:]) if cell)
        items.append({"type": "Container", "spacing": "Small", "items": [
            _line({"type": "TextRun", "text": row[0] or " ", "weight": "Bolder"}),
            _line({"type": "TextRun", "text": pairs or " "})]})
    return {"type": "Container", "items": items}


def facts(rows: tuple[tuple[str, ...], ...], limit: int | None = None) -> dict:
    """Labelled figures, a line each: the label in bold, the value after it. Not a FactSet: its
    title column is at most 150 px wide, where long Finnish and Swedish words break mid-word."""
    lines = []
    for row in rows:
        if not row:
            continue
        label, value = _cut(row[0], limit), _cut(" ".join(row[1:]), limit)
        lines.append(_line({"type": "TextRun", "text": f"{label}:" if label else " ", "weight": "Bolder"},
                           {"type": "TextRun", "text": f" {value}" if value else " "}))
    return {"type": "Container", "items": lines or [_line({"type": "TextRun", "text": " "})]}


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
