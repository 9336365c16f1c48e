"""How the console prints: rich panels on a terminal, plain lines when piped."""
from __future__ import annotations

import sys

from bot.ports import Field, Form, Message, aligned


class ConsoleView:
    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.rich = None
        if self.out.isatty():
            from rich.console import Console

            self.rich = Console(file=self.out)

    def _lines(self, message: Message) -> list[str]:
        lines = []
        for block in message.blocks:
            if block.kind == "heading":
                lines.append(f"** {block.text} **")
            elif block.kind == "quote":
                prefix = f"{block.author}: " if block.author else ""
                lines.extend(f"  > {prefix}{line}" if i == 0 else f"  > {line}"
                             for i, line in enumerate(block.text.splitlines() or [""]))
            elif block.kind == "context":
                lines.append(f"({block.text})")
            elif block.kind == "question":
                lines.append(f"» {block.text}")
            elif block.kind == "mention":
                lines.append(f"@{block.text}")
            elif block.kind == "facts" and block.rows:
                lines.extend(f"{row[0]}: {' '.join(row[1:])}" for row in block.rows if row)
            elif block.kind == "table" and block.rows:
                header, *rest = aligned(block.rows).split("\n")
                lines.extend([header, "─" * len(header), *rest])  # a rule under the column headers
            else:
                lines.append(block.text)
        if message.buttons:
            lines.append("  ".join(f"[{i}] {b.label}" for i, b in enumerate(message.buttons, 1)))
        attachment = message.attachment
        if attachment is not None and attachment.is_text:
            lines.append(f"[file {attachment.filename}]")
            lines.extend(attachment.content.decode("utf-8", errors="replace").splitlines())
        elif attachment is not None:
            lines.append(f"[file {attachment.filename}, {attachment.mime}, {len(attachment.content)} bytes]")
        return lines

    def show(self, where: str, message: Message, mid: str | None) -> None:
        title = f"{where}" + (f"  [{mid}]" if mid else "")
        lines = self._lines(message)
        if self.rich is not None:
            from rich.markup import escape
            from rich.panel import Panel

            self.rich.print(Panel(escape("\n".join(lines)), title=escape(title), title_align="left"))
            return
        print(f"--- {title}", file=self.out)
        for line in "\n".join(lines).splitlines():  # a block of several lines stays indented under its title
            print(f"    {line}", file=self.out)
        self.out.flush()

    def note(self, text: str) -> None:
        if self.rich is not None:
            from rich.markup import escape

            self.rich.print(f"[dim]{escape(text)}[/dim]")
        else:
            print(f"::: {text}", file=self.out)
            self.out.flush()

    def prompt(self, speaker: str, where: str) -> None:
        self.out.write(f"{speaker} @ {where}> ")
        self.out.flush()

    def form_intro(self, form: Form) -> None:
        self.note(f"{form.title}: {form.intro}")

    def ask(self, field: Field, t) -> None:
        """`t(key, **params)`: the reader's texts (the field's own label is already theirs)."""
        if field.kind == "choice":
            options = "  ".join(f"[{i}] {c.label}" for i, c in enumerate(field.choices, 1))
            # a statement ends with its own full stop: the choices go on a line of their own
            self.note(field.label)
            self.note(f"  {options}")
        else:
            self.note(f"{field.label} {t('console.max_chars', limit=field.max_length)}:")
