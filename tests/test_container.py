"""The container image's files agree with the project: the runtime part of the lock is complete and
holds no test tools, compose.yaml runs the Procfile's commands, the probes ask /readyz, and no local
settings or databases go into a build. Building and running the image is `make image-check`."""
from __future__ import annotations

import importlib.util
import re
import tomllib
from importlib import metadata
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def load_script():
    spec = importlib.util.spec_from_file_location("runtime_requirements", ROOT / "container" / "runtime_requirements.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def runtime_names() -> set[str]:
    script = load_script()
    text = script.runtime((ROOT / "requirements.lock").read_text(), tomllib.loads((ROOT / "pyproject.toml").read_text()))
    return {script.normal(line.split("==")[0]) for line in text.splitlines() if re.match(r"[A-Za-z0-9]", line)}


def test_the_runtime_part_of_the_lock_has_every_dependency_and_no_test_tools():
    script = load_script()
    names = runtime_names()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {script.normal(Requirement(d).name) for d in project["dependencies"]} <= names
    for tool in ("pytest", "pytest-asyncio", "pytest-xdist", "hypothesis", "selenium", "trio"):
        assert tool not in names


def test_the_runtime_part_is_closed_under_what_the_installed_packages_require():
    """What each package of the runtime part requires (on this Python, without extras) is in it too."""
    script = load_script()
    names = runtime_names()
    for name in names:
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # a package for another platform or Python (the lock is universal)
        for raw in requires:
            requirement = Requirement(raw)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                assert script.normal(requirement.name) in names, f"{name} needs {requirement.name}"


def test_the_runtime_part_keeps_the_locks_hashes():
    script = load_script()
    lock = (ROOT / "requirements.lock").read_text()
    part = script.runtime(lock, tomllib.loads((ROOT / "pyproject.toml").read_text()))
    assert "--hash=sha256:" in part
    for line in part.splitlines():
        assert line in lock.splitlines()


def procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {kind: command.split() for kind, _, command in (line.partition(": ") for line in lines if line.strip())}


def test_compose_runs_the_procfiles_commands_with_probes_on_web_only():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    commands = procfile()
    assert services["migrate"]["command"] == commands["release"]
    for kind in ("web", "clock", "worker"):
        assert services[kind]["command"] == commands[kind]
    assert services["web"]["healthcheck"]["test"] == ["CMD", "kipina-probe", "/readyz"]
    for name in ("migrate", "clock", "worker"):
        assert services[name]["healthcheck"] == {"disable": True}
    for name in ("web", "clock", "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["env_file"] == ".env"
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgresql://")


def test_the_image_runs_as_its_own_user_and_asks_readyz():
    containerfile = (ROOT / "Containerfile").read_text()
    assert re.search(r"^USER 10001:10001$", containerfile, re.M)
    assert re.search(r'^HEALTHCHECK .*CMD \["kipina-probe", "/readyz"\]$', containerfile, re.M)
    assert re.search(r'^CMD \["python", "-m", "bot", "serve"\]$', containerfile, re.M)


def test_no_settings_databases_or_environments_go_into_a_build():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".env.*", "*.db", ".venv", ".tools", ".git", "tests"} <= ignored


def test_every_data_file_of_the_packages_is_in_their_package_data():
    """An installed Kipinä (the image, a wheel) has only what package-data names: a text, template or
    word list missing there fails at import in the image, never in a checkout."""
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    data = [path for package in globs for path in (ROOT / package).rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts]
    assert len(data) > 50  # texts, templates, prompt sets, word lists
    missing = [str(path.relative_to(ROOT)) for path in data
               if not any(path.relative_to(ROOT / path.relative_to(ROOT).parts[0]).match(glob)
                          for glob in globs[path.relative_to(ROOT).parts[0]])]
    assert missing == []
