"""Architecture rules: the layers import downwards only, the domain stays platform-free, platforms stay
units, no two packages import each other, nothing imports in a circle."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ("bot", "storage", "prompts")
SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "microsoft_agents")
# What a platform package may import of Kipinä besides itself.
PLATFORM_MAY_USE = ("bot.ports", "bot.platforms.plumbing", "bot.platforms.shapes", "bot.common.i18n", "bot.common.logs")
MAX_LINES = 400
MAX_BOT_MODULES = 8

# The layers, lowest first. A module may import modules of its own layer and of the layers below;
# the domain and the platform packages share a layer and never import each other (tests below).
LAYERS = (
    ("storage", "prompts", "bot.ports"),  # tables and the prompt library; the contract platforms see
    ("bot.common",),  # settings, texts, cleaning input, logs
    ("bot.platforms",),  # the registry module only: facts from each platform's SPEC, loaded by name
    ("bot.domain", "bot.platforms."),  # the rules and use cases | one package per platform, plumbing
    ("bot.dashboard",),  # web pages over the domain's figures
    ("bot.runtime", "bot.__main__", "bot"),  # processes: cli, app, service, web, clock, leader, sending
)
# Inside the domain, lowest first: a package may import its own modules and lower ones.
DOMAIN = ("bot.domain.commands", "bot.domain.shared", ("bot.domain.reports", "bot.domain.pairs", "bot.domain.programme",
          "bot.domain.pulses"),
          "bot.domain.circles", "bot.domain.personal", "bot.domain")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for folder in OURS for p in (ROOT / folder).rglob("*.py")}


MODULES = all_modules()


def imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-level imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # `from bot.reports import figures` imports a module
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
    return found


def graph() -> dict[str, set[str]]:
    return {name: {m for m in imports(path) if m in MODULES and m != name} for name, path in MODULES.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def platform_packages() -> list[str]:
    return sorted(p.name for p in (ROOT / "bot" / "platforms").iterdir()
                  if p.is_dir() and (p / "__init__.py").exists())


def test_the_checker_sees_imports_at_any_depth(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("import slack_sdk\ndef f():\n    from botbuilder.core import TurnContext\n"
                      "    from bot.domain.reports import figures\n")
    assert {"slack_sdk", "botbuilder.core", "bot.domain.reports.figures"} <= imports(sample)


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    edges = graph()
    assert sum(len(e) for e in edges.values()) > 100  # the graph really was read
    assert cycles(edges) == []


def test_platform_sdks_are_imported_only_in_bot_platforms():
    checked = [name for name in MODULES if not name.startswith("bot.platforms")]
    assert len(checked) > 40
    offenders = {name: sorted(m for m in imports(MODULES[name]) if m.split(".")[0] in SDKS) for name in checked}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_platforms_are_packages_found_by_the_registry():
    from bot import platforms as registry

    packages = platform_packages()
    assert {"slack", "teams", "console"} <= set(packages)
    assert sorted(registry.specs()) == packages
    loose = [p.name for p in (ROOT / "bot" / "platforms").glob("*.py")
             if re.match(r"(slack|teams|console)_", p.name)]
    assert loose == []


def test_platform_packages_use_only_the_port_plumbing_i18n_logs_and_themselves():
    offenders = {}
    for package in platform_packages():
        own = f"bot.platforms.{package}"
        modules = [name for name in MODULES if name == own or name.startswith(own + ".")]
        assert modules
        for name in modules:
            ours = {m for m in imports(MODULES[name]) if m.split(".")[0] in OURS}
            bad = sorted(m for m in ours if not (m == own or m.startswith(own + ".") or
                                                 any(m == ok or m.startswith(ok + ".") for ok in PLATFORM_MAY_USE)))
            if bad:
                offenders[name] = bad
    assert offenders == {}


def test_nothing_outside_a_platform_package_imports_it():
    offenders = {}
    for name, path in MODULES.items():
        for package in platform_packages():
            own = f"bot.platforms.{package}"
            if name == own or name.startswith(own + "."):
                continue
            bad = sorted(m for m in imports(path) if m == own or m.startswith(own + "."))
            if bad:
                offenders[name] = bad
    assert offenders == {}


def test_the_port_imports_nothing_of_the_core():
    ports = [name for name in MODULES if name == "bot.ports" or name.startswith("bot.ports.")]
    assert len(ports) >= 4
    used = {m for name in ports for m in imports(MODULES[name]) if m.split(".")[0] in OURS}
    assert used and all(m.startswith("bot.ports") for m in used), used


def test_config_names_no_platform_variable():
    text = (ROOT / "bot" / "common" / "config.py").read_text(encoding="utf-8")
    assert "DATABASE_URL" in text  # the right file
    assert re.findall(r"\b(?:SLACK|MICROSOFT|TEAMS)_[A-Z_]+", text) == []


def test_modules_stay_small():
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert max(sizes.values()) > 100
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_bot_keeps_few_top_level_modules():
    top = sorted(p.name for p in (ROOT / "bot").glob("*.py"))
    assert "__main__.py" in top
    assert len(top) <= MAX_BOT_MODULES, top


def rank(name: str, ladder) -> int:
    """Index of the rung a module belongs to: the longest prefix that names it wins."""
    best, found = -1, None
    for index, rung in enumerate(ladder):
        for prefix in (rung if isinstance(rung, tuple) else (rung,)):
            fits = name == prefix.rstrip(".") if not prefix.endswith(".") else name.startswith(prefix)
            fits = fits or (not prefix.endswith(".") and name.startswith(prefix + "."))
            if fits and len(prefix) > best:
                best, found = len(prefix), index
    assert found is not None, f"{name} is in no layer"
    return found


def package(name: str) -> str:
    return name if MODULES[name].name == "__init__.py" else name.rsplit(".", 1)[0]


def test_rank_knows_the_longest_prefix():
    assert rank("bot.platforms", LAYERS) == 2 and rank("bot.platforms.slack.inbound", LAYERS) == 3
    assert rank("bot.domain.pairs.rounds", DOMAIN) == 2 and rank("bot.domain.core", DOMAIN) == 5
    assert rank("bot.domain.commands.words", DOMAIN) == 0


def test_layers_import_downwards_only():
    edges = graph()
    checked = [name for name in edges if name.split(".")[0] in OURS]
    assert len(checked) > 100
    upwards = {name: sorted(m for m in edges[name] if rank(m, LAYERS) > rank(name, LAYERS)) for name in checked}
    assert {k: v for k, v in upwards.items() if v} == {}


def test_the_domain_and_the_platform_packages_never_import_each_other():
    edges = graph()
    domain = [name for name in edges if name.startswith("bot.domain")]
    assert len(domain) > 30
    into_platforms = {name: sorted(m for m in edges[name] if m.startswith("bot.platforms.")) for name in domain}
    assert {k: v for k, v in into_platforms.items() if v} == {}
    # the other way is test_platform_packages_use_only_the_port_plumbing_i18n_logs_and_themselves


def test_domain_packages_import_downwards_only():
    edges = graph()
    domain = [name for name in edges if name.startswith("bot.domain")]
    upwards = {name: sorted(m for m in edges[name]
                            if m.startswith("bot.domain") and rank(m, DOMAIN) > rank(name, DOMAIN))
               for name in domain}
    assert {k: v for k, v in upwards.items() if v} == {}


def test_no_two_packages_import_each_other():
    packages: dict[str, set[str]] = {}
    for name, targets in graph().items():
        for target in targets:
            if package(target) != package(name):
                packages.setdefault(package(name), set()).add(package(target))
    assert len(packages) > 15
    assert cycles(packages) == []


def test_packages_with_a_front_are_used_through_it():
    """A package whose __init__ says "only what is named here" is entered through its __init__."""
    fronts = [name for name, path in MODULES.items() if path.name == "__init__.py"
              and "uses only what is named here" in path.read_text(encoding="utf-8")]
    assert {"bot.domain.reports", "bot.dashboard"} <= set(fronts)
    offenders = {}
    for name, targets in graph().items():
        for front in fronts:
            if name == front or name.startswith(front + "."):
                continue
            past = sorted(m for m in targets if m.startswith(front + "."))
            if past:
                offenders[name] = past
    assert offenders == {}
