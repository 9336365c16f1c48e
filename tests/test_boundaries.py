"""Architecture rules that keep the core platform-free."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework")


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_platform_sdks_are_imported_only_in_bot_platforms():
    offenders = []
    for folder in ("bot", "storage", "prompts"):
        for path in (ROOT / folder).rglob("*.py"):
            if "platforms" in path.relative_to(ROOT).parts:
                continue
            bad = [m for m in imports(path) if m.split(".")[0] in SDKS]
            if bad:
                offenders.append(f"{path.relative_to(ROOT)}: {bad}")
    assert offenders == []


def test_the_checker_sees_imports(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("import slack_sdk\nfrom botbuilder.core import TurnContext\n")
    assert {"slack_sdk", "botbuilder.core"} <= imports(sample)
