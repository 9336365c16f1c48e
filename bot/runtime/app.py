"""Composition root: settings → storage → services → core → platforms → dispatcher.

Only the CLI, the long-running service and tests import this module. The App is also the
`Runtime` a platform is handed (bot.ports): the core, the time, and a way to wake the sender.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from bot import platforms as registry
from bot.runtime.clock import SystemClock
from bot.common.config import Settings
from bot.domain.shared.context import Services
from bot.domain.core import Core
from bot.runtime.sending.dispatch import Dispatcher
from bot.common.logs import register_secrets, scrub
from bot.ports import (ActionRequest, Actor, CommandRequest, DeleteRequest, EditRequest, FormRequest, Message,
                       MessageRequest, Platform, Profile, Request, Response)
from bot.domain.shared.rhythm import Calendar
from prompts import default_library
from storage.db import ensure_schema, make_engine

log = logging.getLogger("kipina.app")


@dataclass
class App:
    settings: Settings
    engine: Engine
    services: Services
    core: Core
    clock: object
    platforms: dict[str, Platform] = field(default_factory=dict)
    dispatcher: Dispatcher | None = None
    started: set[str] = field(default_factory=set)  # platforms whose start() is done (readiness)

    def add_platform(self, platform: Platform) -> None:
        self.platforms[platform.name] = platform
        self.dispatcher = Dispatcher(self.engine, self.services, self.platforms, clock=self.clock.now)

    def create_platform(self, name: str) -> Platform:
        """A platform from its package's spec, with its settings from this process's environment."""
        platform = registry.create(name, self, self.settings.env)
        self.add_platform(platform)
        return platform

    # -- the Runtime a platform sees (bot.ports.Runtime) ----------------------------------------

    @property
    def default_language(self) -> str:
        return self.settings.default_language

    @property
    def timezone(self) -> str:
        return self.settings.timezone

    def now(self) -> datetime:
        return self.clock.now()

    async def handle(self, request: Request) -> Response | None:
        match request:
            case CommandRequest():
                use_case = self.core.command
            case ActionRequest():
                use_case = self.core.action
            case FormRequest():
                use_case = self.core.form
            case MessageRequest():
                use_case = self.core.message
            case EditRequest():
                use_case = self.core.edit
            case DeleteRequest():
                use_case = self.core.delete
            case _:
                raise TypeError(f"not a request: {type(request).__name__}")
        response = await asyncio.to_thread(use_case, request, self.now())
        self.wake()
        return response

    async def home(self, actor: Actor) -> Message:
        return await asyncio.to_thread(self.core.home, actor, self.now())

    async def remember(self, actor: Actor) -> None:
        await asyncio.to_thread(self.core.remember, actor, self.now())
        self.wake()

    async def remember_many(self, actors: list[Actor]) -> int:
        return await asyncio.to_thread(self.core.remember_many, actors, self.now())

    async def profile(self, actor: Actor) -> Profile | None:
        return await asyncio.to_thread(self.core.profile, actor)

    async def tick(self, at: datetime | None = None) -> dict:
        """The one scheduler entry (the service's minute job, `tick --at`, the console, tests):
        plan what is due (bot.domain.core.Core.tick), then run the daily upkeep of the platforms it
        names, here, where the platforms are."""
        if at is not None and hasattr(self.clock, "set"):
            self.clock.set(at)
        report = await asyncio.to_thread(self.core.tick, at or self.now(), list(self.platforms))
        for name in report["upkeep"]:
            try:
                await self.platforms[name].upkeep()
            except Exception as exc:
                log.error("%s upkeep failed: %s", name, scrub(repr(exc)))
        self.wake()
        return report

    def wake(self) -> None:
        self.dispatcher.wake()

    async def drain(self) -> None:
        await self.dispatcher.drain(self.clock.now)


def build(settings: Settings, clock=None, platform_names: list[str] | None = None,
          engine: Engine | None = None) -> App:
    """`platform_names` None: every platform whose credentials are set in `settings.env`."""
    register_secrets(*registry.secrets(settings.env), settings.openai_api_key, settings.metrics_token,
                     settings.programme_token)
    engine = engine or make_engine(settings.database_url)
    ensure_schema(engine)
    services = Services(settings=settings, library=default_library(), calendar=Calendar.from_settings(settings))
    app = App(settings, engine, services, Core(engine, services), clock or SystemClock())
    for name in registry.enabled(settings.env) if platform_names is None else platform_names:
        app.create_platform(name)
    if app.dispatcher is None:
        app.dispatcher = Dispatcher(engine, services, {}, clock=app.clock.now)
    return app
