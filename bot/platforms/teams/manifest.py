"""The Teams app package: manifest.json plus two icons drawn here, zipped ready to upload.

`python -m bot teams-manifest --out kipina-teams.zip` (bot id from MICROSOFT_APP_ID or --bot-id).
"""
from __future__ import annotations

import io
import json
import re
import sys
import uuid
import zipfile

from bot.common.i18n import t

MANIFEST_VERSION = "1.29"
SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
LOCALIZATION_URL = (f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/"
                    "MicrosoftTeams.Localization.schema.json")
LANGUAGES = ("fi", "sv")  # English is in the manifest itself
ACCENT = "#D9480F"  # a spark: warm orange
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

# Teams shows at most 10 commands per scope in the menu; these are the ones people look for.
PERSONAL = ("help", "journal", "list", "pause", "resume", "language", "mydata", "privacy", "dashboard", "report")
TEAM = ("new", "add", "prompt now", "coffee now", "pairs on", "schedule", "info", "list", "archive", "help")
EXAMPLES = {"new": "new Learners @Ann @Aino", "add": "add @Ann", "pause": "pause 2w", "language": "language fi",
            "schedule": "schedule reflection thu 14:00"}


def _command(name: str) -> dict:
    word = name.split()[0]
    description = t("en", f"help.{word}")
    if name in EXAMPLES:
        description = f"{description} — {EXAMPLES[name]}"
    return {"title": name, "description": description[:128]}


def manifest(bot_id: str, version: str = "1.0.0", website: str = "https://example.com/kipina",
             domain: str = "") -> dict:
    if not GUID.match(bot_id or ""):
        raise ValueError(f"the bot id must be the bot's Microsoft App ID (a GUID), got {bot_id!r}")
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"kipina-teams-app:{bot_id.lower()}")),
        "developer": {"name": "Kipinä", "websiteUrl": website, "privacyUrl": f"{website.rstrip('/')}/privacy",
                      "termsOfUseUrl": f"{website.rstrip('/')}/terms"},
        "name": {"short": "Kipinä", "full": t("en", "teams.app_name_full")},
        "description": {"short": t("en", "teams.app_description_short"), "full": t("en", "teams.app_description_full")},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [{
            "botId": bot_id,
            "scopes": ["personal", "team", "groupChat"],
            "supportsFiles": True,  # `mydata` offers a JSON file for the person's OneDrive
            "isNotificationOnly": False,
            "commandLists": [
                {"scopes": ["personal"], "commands": [_command(c) for c in PERSONAL]},
                {"scopes": ["team", "groupChat"], "commands": [_command(c) for c in TEAM]},
            ],
        }],
        # Replies in the thread of a recap or coffee-room question count as taking part, so the
        # bot reads the messages of the channels and chats it is added to (not only @mentions).
        "authorization": {"permissions": {"resourceSpecific": [
            {"name": "ChannelMessage.Read.Group", "type": "Application"},
            {"name": "ChatMessage.Read.Chat", "type": "Application"},
        ]}},
        "webApplicationInfo": {"id": bot_id, "resource": "https://RscPermission"},
        "validDomains": [domain] if domain else [],
        "defaultInstallScope": "team",
        "localizationInfo": {"defaultLanguageTag": "en", "additionalLanguages": [
            {"languageTag": lang, "file": f"{lang}.json"} for lang in LANGUAGES]},
    }


def _title(lang: str, name: str) -> str:
    """A menu command in the reader's words, as typed ('prompt now' is 'kysymys nyt'): Teams puts
    the title in the message box when it is picked, and every language's words are understood."""
    words = name.split()
    return " ".join(t(lang, f"usage.cmd.{words[0]}").split()[:len(words)])


def localization(lang: str) -> dict:
    """The app's texts in one more language (the localization file the manifest names)."""
    strings = {"$schema": LOCALIZATION_URL, "name.short": "Kipinä", "name.full": t(lang, "teams.app_name_full"),
               "description.short": t(lang, "teams.app_description_short"),
               "description.full": t(lang, "teams.app_description_full")}
    for index, commands in enumerate((PERSONAL, TEAM)):
        for number, name in enumerate(commands):
            key = f"bots[0].commandLists[{index}].commands[{number}]"
            strings[f"{key}.title"] = _title(lang, name)
            strings[f"{key}.description"] = t(lang, f"help.{name.split()[0]}")[:128]
    return strings


def icons() -> dict[str, bytes]:
    """color.png 192×192 (white spark on the accent colour), outline.png 32×32 (white on transparent)."""
    from PIL import Image, ImageDraw

    def spark(size: int, colour, background) -> bytes:
        image = Image.new("RGBA", (size, size), background)
        draw = ImageDraw.Draw(image)
        c, r, w = size / 2, size * 0.40, size * 0.11
        draw.polygon([(c, c - r), (c + w, c - w), (c + r, c), (c + w, c + w), (c, c + r), (c - w, c + w),
                      (c - r, c), (c - w, c - w)], fill=colour)
        dot = size * 0.08
        draw.ellipse([size * 0.74, size * 0.10, size * 0.74 + dot * 2, size * 0.10 + dot * 2], fill=colour)
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()

    accent = tuple(int(ACCENT[i:i + 2], 16) for i in (1, 3, 5)) + (255,)
    return {"color.png": spark(192, (255, 255, 255, 255), accent),
            "outline.png": spark(32, (255, 255, 255, 255), (0, 0, 0, 0))}


def package(bot_id: str, **options) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest(bot_id, **options), ensure_ascii=False, indent=2))
        for lang in LANGUAGES:
            archive.writestr(f"{lang}.json", json.dumps(localization(lang), ensure_ascii=False, indent=2))
        for name, data in icons().items():
            archive.writestr(name, data)
    return out.getvalue()


def run(args) -> int:
    from bot.platforms.teams.settings import read

    bot_id = args.bot_id or read(args.env).app_id
    if not bot_id:
        print("teams-manifest needs the bot's Microsoft App ID: set MICROSOFT_APP_ID or pass --bot-id", file=sys.stderr)
        return 2
    try:
        data = package(bot_id, version=args.version, website=args.website, domain=args.domain)
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    with open(args.out, "wb") as fh:
        fh.write(data)
    print(f"wrote {args.out}: manifest.json (bot {bot_id}), fi.json, sv.json, color.png, outline.png — upload it in Teams "
          "(Apps → Manage your apps → Upload an app)")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("teams-manifest",
                                   help="write the Teams app package (manifest.json + icons) as a zip")
    parser.add_argument("--out", default="kipina-teams.zip", help="zip file to write (default kipina-teams.zip)")
    parser.add_argument("--bot-id", default="", help="the bot's Microsoft App ID (default MICROSOFT_APP_ID)")
    parser.add_argument("--version", default="1.0.0", help="app version; raise it for every new upload")
    parser.add_argument("--website", default="https://example.com/kipina",
                        help="https page about the app in your organisation (privacy and terms pages under it)")
    parser.add_argument("--domain", default="", help="the bot's public host name, listed in validDomains")
    parser.set_defaults(func=run)
