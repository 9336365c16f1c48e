"""Composition root: settings → storage → services → core → platforms → dispatcher."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from bot import platforms as registry
from bot.clock import SystemClock
from bot.config import Settings
from bot.context import Services
from bot.core import Core
from bot.dispatch import Dispatcher
from bot.logs import register_secrets
from bot.platforms.base import Platform
from bot.rhythm import Calendar
from bot.summaries import report_command
from prompts import default_library
from storage.db import alembic_config, make_engine, migrate

log = logging.getLogger("kipina.app")


class NotMigrated(RuntimeError):
    pass


@dataclass
class App:
    settings: Settings
    engine: Engine
    services: Services
    core: Core
    clock: object
    platforms: dict[str, Platform] = field(default_factory=dict)
    dispatcher: Dispatcher | None = None

    def add_platform(self, platform: Platform) -> None:
        self.platforms[platform.name] = platform
        self.dispatcher = Dispatcher(self.engine, self.services, self.platforms, worker=f"pid{os.getpid()}")


def ensure_schema(engine: Engine) -> None:
    """SQLite migrates itself; PostgreSQL is migrated once by `python -m bot migrate` (release step)."""
    if engine.dialect.name == "sqlite":
        migrate(engine)
        return
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    current = None
    if inspect(engine).has_table("alembic_version"):
        with engine.connect() as conn:
            current = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    if current != head:
        raise NotMigrated(f"database is at revision {current or 'none'}, code expects {head}: "
                          "run `python -m bot migrate` first")


def build(settings: Settings, clock=None, platform_names: list[str] | None = None, engine: Engine | None = None,
          reports=None) -> App:
    register_secrets(settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token,
                     settings.microsoft_app_password, settings.openai_api_key)
    engine = engine or make_engine(settings.database_url)
    ensure_schema(engine)
    services = Services(settings=settings, library=default_library(), calendar=Calendar.from_settings(settings))
    core = Core(engine, services, reports=reports or report_command)  # `report`: HR and mentors
    app = App(settings, engine, services, core, clock or SystemClock())
    for name in registry.configured(settings) if platform_names is None else platform_names:
        app.add_platform(registry.load(name)(app))
    if app.dispatcher is None:
        app.dispatcher = Dispatcher(engine, services, {})
    return app
