"""The Teams app package: manifest valid against the official schema, icons as Teams wants them."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from bot.domain.commands import UsageError, parse
from bot.platforms.teams.manifest import localization, manifest, package

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = Path(__file__).resolve().parent / "schemas" / "MicrosoftTeams.schema.json"
BOT_ID = "9a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c"
SITE = {"public_url": "https://kipina.virasto.fi", "developer": "Virasto"}


def teams_schema() -> dict:
    # Two patterns use \p{L}, which Python's re does not know; \w is the nearest it has.
    return json.loads(SCHEMA.read_text(encoding="utf-8").replace("\\\\p{L}", "\\\\w"))


def validate(document: dict) -> None:
    schema = teams_schema()
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)


def test_manifest_is_valid_against_the_official_schema():
    validate(manifest(BOT_ID, **SITE))


def test_the_bot_works_in_personal_chats_teams_and_group_chats_with_a_command_menu():
    found = manifest(BOT_ID, **SITE)
    [bot] = found["bots"]
    assert bot["botId"] == BOT_ID and set(bot["scopes"]) == {"personal", "team", "groupChat"}
    menus = {tuple(m["scopes"]): [c["title"] for c in m["commands"]] for m in bot["commandLists"]}
    assert {"help", "journal", "pause", "mydata", "privacy", "dashboard"} <= set(menus[("personal",)])
    assert {"new", "prompt now", "coffee now", "pairs on", "help"} <= set(menus[("team", "groupChat")])
    assert all(len(commands) <= 10 for commands in menus.values())  # Teams shows no more
    assert bot["supportsFiles"] is True  # mydata is offered as a file (FileConsentCard)
    assert all(len(c["description"]) <= 128 for m in bot["commandLists"] for c in m["commands"])
    assert found["manifestVersion"] == "1.29" and found["$schema"].endswith("/v1.29/MicrosoftTeams.schema.json")
    assert found["name"]["short"] == "Kipinä"


def test_the_schema_check_is_not_toothless():
    broken = manifest(BOT_ID, **SITE)
    broken["bots"][0]["scopes"] = ["everywhere"]
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)
    with pytest.raises(ValueError):
        manifest("not-a-guid", **SITE)


def test_package_holds_the_manifest_and_both_icons():
    archive = zipfile.ZipFile(io.BytesIO(package(BOT_ID, **SITE)))
    assert sorted(archive.namelist()) == ["color.png", "fi.json", "manifest.json", "outline.png", "sv.json"]
    validate(json.loads(archive.read("manifest.json")))
    color = Image.open(io.BytesIO(archive.read("color.png")))
    outline_file = Image.open(io.BytesIO(archive.read("outline.png")))
    assert color.format == outline_file.format == "PNG"
    outline = outline_file.convert("RGBA")
    assert color.size == (192, 192) and outline.size == (32, 32)
    pixels = [outline.getpixel((x, y)) for x in range(32) for y in range(32)]
    assert any(a == 0 for *_, a in pixels), "the outline icon has a transparent background"
    assert all((r, g, b) == (255, 255, 255) for r, g, b, a in pixels if a > 0), "and is white"


# The rules of MicrosoftTeams.Localization.schema.json that these files touch: the texts it
# requires, their lengths, and command texts by index (title ≤ 32, description ≤ 128).
LOCALIZATION = {
    "type": "object", "additionalProperties": False,
    "required": ["name.short", "description.short", "description.full"],
    "properties": {"$schema": {"type": "string", "format": "uri"},
                   "name.short": {"type": "string", "maxLength": 30}, "name.full": {"type": "string", "maxLength": 100},
                   "description.short": {"type": "string", "maxLength": 80},
                   "description.full": {"type": "string", "maxLength": 4000}},
    "patternProperties": {
        r"^bots\[0\]\.commandLists\[[0-2]\]\.commands\[[0-9]\]\.title$": {"type": "string", "maxLength": 32},
        r"^bots\[0\]\.commandLists\[[0-2]\]\.commands\[[0-9]\]\.description$": {"type": "string",
                                                                                   "maxLength": 128}},
}


def command_of(text: str) -> tuple[str, str]:
    """What typing this does: a command, or the usage line of one (`language` wants a code after it)."""
    try:
        return "command", parse(text).name
    except UsageError as error:
        return "usage", error.command


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_app_speaks_finnish_and_swedish_in_teams(lang):
    found = manifest(BOT_ID, **SITE)
    assert {"languageTag": lang, "file": f"{lang}.json"} in found["localizationInfo"]["additionalLanguages"]
    strings = localization(lang)
    jsonschema.Draft4Validator(LOCALIZATION, format_checker=jsonschema.FormatChecker()).validate(strings)
    assert strings["description.short"] != found["description"]["short"]  # translated, not copied
    commands = [(i, j, c["title"]) for i, menu in enumerate(found["bots"][0]["commandLists"])
                for j, c in enumerate(menu["commands"])]
    assert len(commands) == 20
    for i, j, english in commands:
        title = strings[f"bots[0].commandLists[{i}].commands[{j}].title"]
        # Teams puts the title in the message box: in any language it is the same command
        assert command_of(title) == command_of(english), (title, english)
        assert strings[f"bots[0].commandLists[{i}].commands[{j}].description"]
    titles = {strings[f"bots[0].commandLists[{i}].commands[{j}].title"] for i, j, _ in commands}
    assert {"fi": "kysymys nyt", "sv": "fråga nu"}[lang] in titles


def cli(tmp_path, *args, **env):
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_", "PUBLIC_URL", "ORGANISATION_", "PRIVACY_"))}
    environment.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "PYTHONPATH": str(ROOT), **env})
    return subprocess.run([sys.executable, "-m", "bot", "teams-package", *args], capture_output=True, text=True,
                          cwd=tmp_path, env=environment, timeout=120)


def test_cli_writes_the_zip_with_the_app_id_from_the_environment(tmp_path):
    done = cli(tmp_path, "--out", "kipina-teams.zip", MICROSOFT_APP_ID=BOT_ID, PUBLIC_URL="https://kipina.virasto.fi",
               ORGANISATION_NAME="Virasto", PRIVACY_CONTACT="tietosuoja@virasto.fi")
    assert done.returncode == 0, done.stderr
    archive = zipfile.ZipFile(tmp_path / "kipina-teams.zip")
    found = json.loads(archive.read("manifest.json"))
    assert found["bots"][0]["botId"] == BOT_ID
    validate(found)


def test_cli_without_a_bot_id_says_what_to_do(tmp_path):
    done = cli(tmp_path, "--out", "x.zip")
    assert done.returncode == 2 and "MICROSOFT_APP_ID" in done.stderr and "Traceback" not in done.stderr
    bad = cli(tmp_path, "--bot-id", "nope", PUBLIC_URL="https://kipina.virasto.fi", ORGANISATION_NAME="Virasto",
              PRIVACY_CONTACT="tietosuoja@virasto.fi")
    assert bad.returncode == 2 and "GUID" in bad.stderr and not (tmp_path / "x.zip").exists()
