"""The console platform: what the bot sends, printed in the terminal (see session.py for input)."""
from __future__ import annotations

from bot.common.i18n import t
from bot.platforms.console.view import ConsoleView
from bot.ports import Button, Limits, Message, Platform, Runtime, Sent, Target

WORKSPACE = "local"


def user_id(name: str) -> str:
    return name.strip().lower()


class ConsolePlatform(Platform):
    name = "console"
    limits = Limits(per_target_rate=10_000, per_target_burst=10_000, global_rate=10_000, global_burst=10_000,
                    concurrency=1)

    def __init__(self, runtime: Runtime, out=None):
        self.runtime = runtime
        self.view = ConsoleView(out)
        self.names: dict[str, str] = {}
        self.buttons: dict[str, tuple[Button, ...]] = {}
        self.posts: dict[str, str] = {}  # message id → channel, for `/reply`
        self.count = 0

    async def send(self, target: Target, message: Message, key: str = "") -> Sent:
        self.count += 1
        mid = f"m{self.count}"
        if target.conversation == "dm":
            where = f"DM → {self.names.get(target.user_id, target.user_id)}"
            channel = f"dm:{target.user_id}"
            if message.buttons:
                self.buttons[target.user_id] = message.buttons
        else:
            where, channel = f"#{target.channel_id}", target.channel_id
            self.posts[mid] = channel
        self.view.show(where, message, mid)
        if message.follow_up is not None:
            self.view.show(f"{where} (↳ {mid})", message.follow_up, None)  # in the thread of mid
        return Sent(message_id=mid, channel_id=channel)

    async def update(self, target: Target, sent: Sent, message: Message) -> Sent:
        where = f"DM → {self.names.get(target.user_id, target.user_id)}" if target.conversation == "dm" else f"#{sent.channel_id}"
        self.view.show(f"{where} ({sent.message_id} {t(self.runtime.default_language, 'console.edited')})", message, None)
        return sent
