"""The Teams app package as a tenant admin reviews it: manifest.json valid against the official
schema, every developer link an https page that Kipinä itself serves (/privacy, /terms), answering
200 in Finnish, Swedish and English over real HTTP; a package without such pages is refused."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from test_public_pages import ORGANISATION, PUBLIC_URL, TITLES, client_for, served_settings

ROOT = Path(__file__).resolve().parent.parent
SHARED_SCHEMA = Path("/work/shared/schemas/MicrosoftTeams.schema.json")
SCHEMA = SHARED_SCHEMA if SHARED_SCHEMA.exists() else ROOT / "tests" / "schemas" / "MicrosoftTeams.schema.json"
BOT_ID = "9a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c"


def validate(document: dict) -> None:
    # Two patterns use \p{L}, which Python's re does not know; \w is the nearest it has.
    schema = json.loads(SCHEMA.read_text(encoding="utf-8").replace("\\\\p{L}", "\\\\w"))
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)


def teams_package(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_", "PUBLIC_URL", "ORGANISATION_", "PRIVACY_"))}
    environment.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "PYTHONPATH": str(ROOT), **env})
    return subprocess.run([sys.executable, "-m", "bot", "teams-package", *args], capture_output=True, text=True,
                          cwd=tmp_path, env=environment, timeout=120)


def local(url: str) -> str:
    """The path the bot itself serves for a public address (the proxy strips /kipina)."""
    parts = urlsplit(url)
    return parts.path.removeprefix(urlsplit(PUBLIC_URL).path) + (f"?{parts.query}" if parts.query else "")


async def test_the_package_links_to_pages_kipina_serves_in_every_language(settings, engine, tmp_path):
    done = teams_package(tmp_path, "--out", "kipina.zip", MICROSOFT_APP_ID=BOT_ID, PUBLIC_URL=PUBLIC_URL, **ORGANISATION)
    assert done.returncode == 0, done.stderr
    archive = zipfile.ZipFile(tmp_path / "kipina.zip")
    found = json.loads(archive.read("manifest.json"))
    validate(found)
    links = {key: found["developer"][key] for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl")}
    assert links == {"websiteUrl": f"{PUBLIC_URL}/terms", "privacyUrl": f"{PUBLIC_URL}/privacy",
                     "termsOfUseUrl": f"{PUBLIC_URL}/terms"}
    assert found["developer"]["name"] == "Virasto" and found["validDomains"] == ["oppiminen.virasto.fi"]
    names = [n for n in archive.namelist() if n.endswith(".json")]
    assert len(names) == 3
    for name in names:  # nothing of a placeholder left anywhere in the package
        assert not re.search(r"example\.(com|org|net)|localhost|http://", archive.read(name).decode()), name

    async with await client_for(served_settings(settings), engine) as client:
        checked = 0
        for key, url in links.items():
            assert urlsplit(url).scheme == "https"
            for lang in ("fi", "sv", "en"):
                page = await client.get(local(f"{url}?lang={lang}"))
                body = await page.text()
                assert page.status == 200, (url, lang)
                assert f'<html lang="{lang}">' in body and page.headers["Content-Language"] == lang
                assert TITLES[lang][0 if key == "privacyUrl" else 1] in body
                assert ("Ämbetsverket" if lang == "sv" else "Virasto") in body
                assert 'href="mailto:tietosuoja@virasto.fi"' in body
                for other in ("fi", "sv", "en"):  # the same page in every language, linked under /kipina
                    assert f'href="/kipina{urlsplit(url).path.removeprefix("/kipina")}?lang={other}"' in body
                assert "default-src 'none'" in page.headers["Content-Security-Policy"]
                checked += 1
        assert checked == 9


@pytest.mark.parametrize("env, says", [
    ({}, ["PUBLIC_URL", "ORGANISATION_NAME", "PRIVACY_CONTACT"]),
    ({"PUBLIC_URL": "http://localhost:3000", **ORGANISATION}, ["must be an https:// address", "tunnel"]),
    ({"PUBLIC_URL": "https://kipina.example.com", **ORGANISATION}, ["placeholder", "kipina.example.com"]),
    ({"PUBLIC_URL": PUBLIC_URL, **ORGANISATION, "ORGANISATION_NAME": "Sosiaali- ja terveysalan lupa- ja valvontavirasto"},
     ["at most 32 characters", "--developer"]),
])
def test_the_package_is_refused_without_real_pages_to_link_to(tmp_path, env, says):
    done = teams_package(tmp_path, "--out", "x.zip", MICROSOFT_APP_ID=BOT_ID, **env)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert all(word in done.stderr for word in says), done.stderr
    assert not (tmp_path / "x.zip").exists()
