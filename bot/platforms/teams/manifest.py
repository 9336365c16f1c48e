"""The Teams app package: manifest.json plus two icons drawn here, zipped ready to upload.

`python -m bot teams-package --out kipina-teams.zip` (bot id from MICROSOFT_APP_ID or --bot-id). The
developer is the organisation (ORGANISATION_NAME); the privacy and terms links are the pages Kipinä
serves itself at PUBLIC_URL/privacy and PUBLIC_URL/terms, which a tenant admin reads before approving
the app, so PUBLIC_URL must be an https address people can open.
"""
from __future__ import annotations

import io
import json
import re
import sys
import uuid
import zipfile
from urllib.parse import urlsplit

from bot.common.i18n import t

MANIFEST_VERSION = "1.29"
SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
LOCALIZATION_URL = (f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/"
                    "MicrosoftTeams.Localization.schema.json")
LANGUAGES = ("fi", "sv")  # English is in the manifest itself
ACCENT = "#D9480F"  # a spark: warm orange
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# Names reserved for examples and local use (RFC 2606, RFC 6761): never an address people can open.
PLACEHOLDER_HOST = re.compile(r"(^|\.)(example(\.(com|org|net))?|test|invalid|localhost|local)$|^127\.|^\[?::1\]?$",
                              re.IGNORECASE)
DEVELOPER_NAME_MAX = 32  # the manifest schema's limit

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


def public_address(name: str, url: str) -> str:
    """An https address on a real host, or ValueError saying which setting and why."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"{name} must be an https:// address that Teams and your tenant's admin can open, got {url!r} "
                         "(to try the app from this machine, expose it with an https tunnel such as Dev Tunnels)")
    if PLACEHOLDER_HOST.search(parts.hostname):
        raise ValueError(f"{name} points at {parts.hostname}, a placeholder or local name: give the address people "
                         "open (the https host Kipinä is served at)")
    return url


def pages(public_url: str, website: str = "", privacy: str = "", terms: str = "") -> dict[str, str]:
    """The developer links: Kipinä's own /privacy and /terms under PUBLIC_URL unless others are given;
    the website is the terms page, which starts by saying what Kipinä is."""
    base = public_address("PUBLIC_URL", public_url.rstrip("/"))
    found = {"privacyUrl": privacy or f"{base}/privacy", "termsOfUseUrl": terms or f"{base}/terms"}
    found["websiteUrl"] = website or found["termsOfUseUrl"]
    names = {"privacyUrl": "--privacy-url", "termsOfUseUrl": "--terms-url", "websiteUrl": "--website"}
    return {key: public_address(names[key], url) for key, url in found.items()}


def manifest(bot_id: str, public_url: str, developer: str, version: str = "1.0.0", website: str = "",
             privacy: str = "", terms: str = "", domain: str = "") -> dict:
    if not GUID.match(bot_id or ""):
        raise ValueError(f"the bot id must be the bot's Microsoft App ID (a GUID), got {bot_id!r}")
    developer = developer.strip()
    if not developer or len(developer) > DEVELOPER_NAME_MAX:
        raise ValueError(f"the developer name is the organisation's, at most {DEVELOPER_NAME_MAX} characters "
                         f"(Teams' limit), got {developer!r}: pass a shorter one with --developer")
    links = pages(public_url, website, privacy, terms)
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"kipina-teams-app:{bot_id.lower()}")),
        "developer": {"name": developer, **links},
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
        "validDomains": [domain or urlsplit(public_url).hostname],
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

    env = args.env
    bot_id = args.bot_id or read(env).app_id
    public_url = args.public_url or env.text("PUBLIC_URL")
    developer = args.developer or env.text("ORGANISATION_NAME")
    needed = {"MICROSOFT_APP_ID (or --bot-id)": bot_id, "PUBLIC_URL": public_url, "ORGANISATION_NAME": developer,
              # the privacy page names the contact; an organisation's own page may stand in for it
              "PRIVACY_CONTACT": env.text("PRIVACY_CONTACT") or args.privacy_url}
    missing = [name for name, value in needed.items() if not value]
    if missing:
        print(f"teams-package needs {', '.join(missing)}. The package names your organisation as the app's "
              "developer and links to the privacy notice and terms of use that Kipinä serves at PUBLIC_URL/privacy "
              "and PUBLIC_URL/terms, which name the organisation and its privacy contact (an e-mail address). "
              "Set them in the environment or .env and run this again.", file=sys.stderr)
        return 2
    try:
        data = package(bot_id, public_url=public_url, developer=developer, version=args.version,
                       website=args.website, privacy=args.privacy_url, terms=args.terms_url, domain=args.domain)
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    with open(args.out, "wb") as fh:
        fh.write(data)
    links = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))["developer"]
    print(f"wrote {args.out}: manifest.json (bot {bot_id}, developer {developer}), fi.json, sv.json, color.png, "
          f"outline.png\n  privacy notice {links['privacyUrl']}\n  terms of use   {links['termsOfUseUrl']}\n"
          "Open both links before you hand the package over; a tenant admin uploads it in the Teams admin center "
          "(Teams apps → Manage apps → Upload new app).")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("teams-package", aliases=["teams-manifest"],
                                   help="write the Teams app package (manifest.json, fi/sv texts, icons) as a zip")
    parser.add_argument("--out", default="kipina-teams.zip", help="zip file to write (default kipina-teams.zip)")
    parser.add_argument("--bot-id", default="", help="the bot's Microsoft App ID (default MICROSOFT_APP_ID)")
    parser.add_argument("--version", default="1.0.0", help="app version; raise it for every new upload")
    parser.add_argument("--public-url", default="", help="https address Kipinä is served at (default PUBLIC_URL)")
    parser.add_argument("--developer", default="", help="developer name, 32 characters at most (default ORGANISATION_NAME)")
    parser.add_argument("--privacy-url", default="", help="your own privacy notice instead of PUBLIC_URL/privacy")
    parser.add_argument("--terms-url", default="", help="your own terms of use instead of PUBLIC_URL/terms")
    parser.add_argument("--website", default="", help="a page about the app in your organisation (default: the terms)")
    parser.add_argument("--domain", default="", help="host name for validDomains (default: PUBLIC_URL's)")
    parser.set_defaults(func=run)
