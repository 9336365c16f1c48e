"""The Slack app manifest validates against Slack's published schema, for a URL and for Socket Mode."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.runtime.cli import main
from bot.platforms.slack.manifest import manifest

SCHEMAS = Path(__file__).resolve().parent / "schemas"  # official schemas, see SOURCE.txt there


@pytest.fixture(scope="module", params=["manifest.schema.1.0.0.json", "manifest.schema.2.0.0.json"])
def validator(request):
    schema = json.loads((SCHEMAS / request.param).read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_http_manifest_is_valid_and_points_everything_at_one_url(validator):
    data = manifest("https://kipina.example.org/")
    validator.validate(data)
    url = "https://kipina.example.org/slack/events"
    command = data["features"]["slash_commands"][0]
    assert command["command"] == "/circle" and command["should_escape"] is True and command["url"] == url
    assert data["settings"]["event_subscriptions"]["request_url"] == url
    assert data["settings"]["interactivity"] == {"is_enabled": True, "request_url": url}
    assert data["settings"]["socket_mode_enabled"] is False
    assert {"app_home_opened", "message.im", "message.channels", "message.groups"} == \
        set(data["settings"]["event_subscriptions"]["bot_events"])
    assert {"commands", "chat:write", "im:history", "im:write", "channels:history", "groups:history",
            "users:read", "channels:join", "files:write", "mpim:write", "mpim:history"} == \
        set(data["oauth_config"]["scopes"]["bot"])
    assert data["features"]["app_home"]["home_tab_enabled"] and data["features"]["app_home"]["messages_tab_enabled"]


def test_the_socket_mode_manifest_has_no_urls(validator):
    data = manifest(socket_mode=True)
    validator.validate(data)
    assert data["settings"]["socket_mode_enabled"] is True
    assert "url" not in data["features"]["slash_commands"][0]
    assert "request_url" not in json.dumps(data["settings"])


@pytest.mark.parametrize("fmt,load", [("yaml", yaml.safe_load), ("json", json.loads)])
def test_the_command_prints_a_manifest_slack_accepts(capsys, fmt, load):
    assert main(["slack-manifest", "--url", "https://kipina.example.org", "--format", fmt]) == 0
    data = load(capsys.readouterr().out)
    assert data == manifest("https://kipina.example.org")
    assert data["display_information"]["name"] == "Kipinä"


def test_the_command_explains_what_it_needs(capsys):
    assert main(["slack-manifest"]) == 2
    assert "--url" in capsys.readouterr().err
    assert main(["slack-manifest", "--url", "kipina.example.org"]) == 2
    assert "https://" in capsys.readouterr().err
    assert main(["slack-manifest", "--socket-mode"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["settings"]["socket_mode_enabled"] is True


def test_a_workspace_may_call_the_command_piiri(capsys, validator):
    assert main(["slack-manifest", "--socket-mode", "--command", "/piiri"]) == 0
    data = yaml.safe_load(capsys.readouterr().out)
    assert [c["command"] for c in data["features"]["slash_commands"]] == ["/piiri"]
    assert not list(validator.iter_errors(data))
    assert main(["slack-manifest", "--socket-mode", "--command", "piiri apua"]) == 2
    assert "/piiri" in capsys.readouterr().err
