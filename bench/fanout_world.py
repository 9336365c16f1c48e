"""The world of the fan-out bench: one workspace, one big circle, and a mentor who asks for a prompt now.

Slack and Teams differ only in ids, addresses and how the mentor's request reaches the bot:
a signed `/circle prompt now` slash command, or an @mention in the circle's Teams channel.
"""
from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import urlencode

from sqlalchemy import update

from bench.common import seed_circles, seed_people, seed_workspace
from storage.db import make_engine
from storage.models import Person

SLACK_TEAM = "TBENCH"
SIGNING_SECRET = "bench-signing-secret-0123456789ab"
TENANT = "8a0c1f52-6b9e-4d3a-a2f1-0c9d8e7f6a5b"
BOT = {"id": "28:bench-kipina", "name": "Kipinä"}
TEAMS_CHANNEL = "19:benchchannel00000000000000000000@thread.tacv2"
TEAMS_TEAM = "19:benchteam000000000000000000000000@thread.tacv2"
MENTOR = 1  # person id; members are 2 … n + 1
FAR_AWAY = datetime(9999, 1, 1, tzinfo=timezone.utc)


def slack_user(i: int) -> str:
    return f"U{i:08d}"


def teams_user(i: int) -> str:
    return f"29:bench-user-{i}"


def teams_chat(i: int) -> str:
    return f"a:bench-chat-{i}"  # the stored 1:1 conversation with person i


def teams_address(connector: str, i: int) -> dict:
    return {"service_url": connector, "tenant_id": TENANT, "bot_id": BOT["id"], "bot_name": BOT["name"],
            "user_id": teams_user(i), "conversation_id": teams_chat(i)}


def recipient(platform: str, i: int) -> str:
    """What the stand-in service records a DM to person i under."""
    return slack_user(i) if platform == "slack" else teams_chat(i)


def seed(url: str, platform: str, members: int, connector: str = "") -> list[str]:
    """The mentor plus `members` people in one circle; returns who the prompt must reach.

    The mentor has paused their own prompts, so the fan-out goes exactly to the members and the
    mentor's acknowledgement is not mistaken for a prompt."""
    engine = make_engine(url)
    people = members + 1
    with engine.begin() as conn:
        if platform == "slack":
            ws = seed_workspace(conn, "slack", SLACK_TEAM)
            seed_people(conn, ws, people, slack_user)
            seed_circles(conn, ws, [list(range(1, people + 1))])
        else:
            ws = seed_workspace(conn, "teams", TENANT)
            seed_people(conn, ws, people, teams_user, lambda i: teams_address(connector, i))
            channel = {"service_url": connector, "tenant_id": TENANT, "bot_id": BOT["id"], "bot_name": BOT["name"],
                       "conversation_id": TEAMS_CHANNEL, "conversation_type": "channel", "team_id": TEAMS_TEAM}
            seed_circles(conn, ws, [list(range(1, people + 1))], channel=lambda c: TEAMS_CHANNEL,
                         channel_address=lambda c: channel)
        conn.execute(update(Person.__table__).where(Person.__table__.c.id == MENTOR).values(paused_until=FAR_AWAY))
    engine.dispose()
    return [recipient(platform, i) for i in range(MENTOR + 1, people + 1)]


def slack_command(text: str, response_url: str) -> tuple[bytes, dict]:
    """A `/circle …` slash command from the mentor in the circle's channel, signed as Slack signs."""
    body = urlencode({
        "token": "legacy", "team_id": SLACK_TEAM, "team_domain": "bench", "channel_id": "C000001",
        "channel_name": "bench", "user_id": slack_user(MENTOR), "user_name": "mentor", "command": "/circle",
        "text": text, "api_app_id": "ABENCH", "response_url": response_url, "trigger_id": f"t-{uuid.uuid4().hex}"})
    stamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return body.encode(), {"Content-Type": "application/x-www-form-urlencoded",
                           "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def teams_mention(text: str, connector: str) -> dict:
    """`@Kipinä <text>` from the mentor in the circle's Teams channel."""
    mention = f"<at>{BOT['name']}</at>"
    mentor = {"id": teams_user(MENTOR), "name": "Mentor", "aadObjectId": str(uuid.uuid5(uuid.NAMESPACE_DNS, "mentor"))}
    return {
        "type": "message", "id": "1800000000001", "timestamp": datetime.now(timezone.utc).isoformat(),
        "serviceUrl": connector, "channelId": "msteams", "from": mentor, "recipient": dict(BOT),
        "conversation": {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                         "id": f"{TEAMS_CHANNEL};messageid=1800000000001", "name": "Bench"},
        "channelData": {"teamsChannelId": TEAMS_CHANNEL, "teamsTeamId": TEAMS_TEAM, "team": {"id": TEAMS_TEAM},
                        "channel": {"id": TEAMS_CHANNEL, "name": "Bench"}, "tenant": {"id": TENANT}},
        "locale": "fi-FI", "text": f"{mention} {text}", "textFormat": "plain",
        "entities": [{"type": "mention", "text": mention, "mentioned": dict(BOT)}],
    }
