"""The Slack app manifest, and `python -m bot slack-manifest` that prints it.

A workspace admin pastes the output into "Create an app → From a manifest" and gets the slash
command, scopes, events, interactivity and App Home in one step. No SDK import here: the
command stays fast and works without Slack credentials.
"""
from __future__ import annotations

import json
import re
import sys

EVENTS_PATH = "/slack/events"

BOT_SCOPES = [
    "channels:history",  # thread replies to coffee-room starters and recaps (public channels); after a
    # crash, whether a post already arrived (its message metadata), here and in DMs and private channels
    "channels:join",  # join a public circle channel to post there
    "chat:write",  # prompts, recaps, coffee-room starters, answers
    "commands",  # /circle
    "files:write",  # your data export and the HR summary's chart, as files in the DM
    "groups:history",  # the same in private channels the app was invited to
    "im:history",  # replies to prompts in the DM
    "im:write",  # start the DM with a member who never opened the app
    "mpim:history",  # after a crash, whether a learning-coffee introduction already arrived (metadata)
    "mpim:write",  # a group DM that introduces a learning-coffee pair to each other
    "users:read",  # time zone, locale, deactivated accounts
]
BOT_EVENTS = ["app_home_opened", "message.channels", "message.groups", "message.im"]


def manifest(url: str | None = None, socket_mode: bool = False, command: str = "/circle") -> dict:
    """The manifest for an app served at `url` (https://host), or over Socket Mode."""
    if not socket_mode and not url:
        raise ValueError("give the public URL of the bot (https://…) or choose Socket Mode")
    endpoint = None if socket_mode else url.rstrip("/") + EVENTS_PATH
    slash = {
        "command": command,
        "description": "Learning circles: reflection prompts, coffee-room questions, your journal",
        "usage_hint": "help · new <name> @people · schedule reflection thu 14:00 · prompt now · journal",
        "should_escape": True,
    }
    events: dict = {"bot_events": BOT_EVENTS}
    interactivity: dict = {"is_enabled": True}
    if endpoint:
        slash["url"] = endpoint
        events["request_url"] = endpoint
        interactivity["request_url"] = endpoint
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Kipinä",
            "description": "Reflection prompts and coffee-room questions that keep peer-learning circles talking.",
            "background_color": "#9a3412",
        },
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": "Kipinä", "always_online": True},
            "slash_commands": [slash],
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def render(data: dict, fmt: str = "yaml") -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def cmd_slack_manifest(args) -> int:
    if not args.socket_mode and not args.url:
        print("give --url https://your-host (the bot's public address) or --socket-mode", file=sys.stderr)
        return 2
    if args.url and not args.url.startswith(("https://", "http://")):
        print(f"--url must start with https:// (got {args.url!r})", file=sys.stderr)
        return 2
    if not re.fullmatch(r"/[a-z0-9_\-äöå]{1,31}", args.command):
        print(f"--command must be a slash command such as /piiri (got {args.command!r})", file=sys.stderr)
        return 2
    sys.stdout.write(render(manifest(args.url, args.socket_mode, args.command), args.format))
    return 0


def register(sub) -> None:
    parser = sub.add_parser("slack-manifest", help="print the Slack app manifest (paste it into api.slack.com/apps)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help="the bot's public base URL, e.g. https://kipina.example.org")
    where.add_argument("--socket-mode", action="store_true", help="for Socket Mode (no public URL; needs SLACK_APP_TOKEN)")
    parser.add_argument("--format", choices=("yaml", "json"), default="yaml", help="output format (default yaml)")
    parser.add_argument("--command", default="/circle",
                        help="the slash command, e.g. /piiri or /cirkel (default /circle); replies name the one typed")
    parser.set_defaults(func=cmd_slack_manifest)
