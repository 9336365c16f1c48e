"""Prints the part of requirements.lock that the bot needs at run time, hashes and all.

requirements.lock pins the runtime and the test dependencies together (`make lock`). The image
installs only the packages the runtime dependencies of pyproject.toml lead to, following the
lock's "# via" notes, so the versions and hashes are exactly the lock's: nothing is resolved again.
    python3 container/runtime_requirements.py [requirements.lock [pyproject.toml]]
"""
from __future__ import annotations

import re
import sys
import tomllib

REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def blocks(lock: str) -> dict[str, tuple[str, set[str]]]:
    """name → (the block's requirement lines, the names of the packages that pull it in)."""
    found: dict[str, tuple[str, set[str]]] = {}
    name, lines, parents, in_via = None, [], set(), False

    def close():
        if name is not None:
            found[name] = ("".join(lines), parents)

    for line in lock.splitlines(keepends=True):
        if line.strip() and not line[0].isspace() and not line.startswith("#"):
            close()
            name, lines, parents, in_via = normal(line.split("==")[0].split("[")[0].strip()), [line], set(), False
        elif name is None:
            continue
        elif line.lstrip().startswith("#"):
            note = line.strip().lstrip("#").strip()
            if note.startswith("via"):
                in_via, note = True, note[3:].strip()
            if in_via and note and not note.endswith("(pyproject.toml)"):
                parents.add(normal(note.split()[0]))
        else:
            lines.append(line)
    close()
    return found


def runtime(lock: str, pyproject: dict) -> str:
    found = blocks(lock)
    wanted = {normal(REQUIREMENT_NAME.match(dep).group(1)) for dep in pyproject["project"]["dependencies"]}
    missing = wanted - found.keys()
    if missing:
        raise SystemExit(f"requirements.lock lacks {', '.join(sorted(missing))}: run make lock")
    grew = True
    while grew:  # a package is needed when anything needed pulls it in
        more = {name for name, (_, parents) in found.items() if parents & wanted} - wanted
        wanted |= more
        grew = bool(more)
    return "".join(text for name, (text, _) in found.items() if name in wanted)


def main(argv: list[str]) -> int:
    lock_path = argv[1] if len(argv) > 1 else "requirements.lock"
    project_path = argv[2] if len(argv) > 2 else "pyproject.toml"
    with open(lock_path, encoding="utf-8") as lock, open(project_path, "rb") as project:
        sys.stdout.write(runtime(lock.read(), tomllib.load(project)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
