"""Command line: python -m bot <command> (see --help of each)."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime

from bot import logs
from bot.config import ConfigError, load_settings

log = logging.getLogger("kipina")

BANNER = """Kipinä console — the whole bot in your terminal, no chat account needed.
  /as Ann fi          speak as Ann (created on first use), optionally in Finnish
  /in #learners       speak in a channel;  /dm  back to direct messages
  /circle new Learners @ann @bob     start a circle (try /circle help)
  1, 2, …             press a button;  a plain line answers your open prompt
  /tick 2026-12-03T14:00             run the clock at that moment
To connect Slack or Teams, set SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET or MICROSOFT_APP_ID
(+ MICROSOFT_APP_PASSWORD) in the environment or .env, then `make run` serves them.
"""


def iso_time(raw: str) -> datetime:
    """An ISO time; without a zone it is the organisation's (TIMEZONE)."""
    from bot.rhythm import zone

    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO time: {raw!r} (e.g. 2026-12-03T14:00)") from None
    return at if at.tzinfo else at.replace(tzinfo=zone(load_settings().timezone))


def cmd_migrate(args) -> int:
    from storage.db import make_engine, migrate

    migrate(make_engine(load_settings().database_url))
    print("database is up to date")
    return 0


def cmd_console(args) -> int:
    from bot.app import build
    from bot.clock import ManualClock
    from bot.platforms.console import ConsolePlatform, ConsoleSession

    app = build(load_settings(), clock=ManualClock(), platform_names=[])
    platform = ConsolePlatform(app)
    app.add_platform(platform)
    interactive = sys.stdin.isatty()
    if interactive or args.banner:
        print(BANNER)
    asyncio.run(ConsoleSession(app, platform).run(interactive=interactive))
    return 0


def cmd_tick(args) -> int:
    from bot.app import build
    from bot.clock import ManualClock
    from bot.platforms import configured
    from bot.platforms.console import ConsolePlatform

    at = args.at
    settings = load_settings()
    clock = ManualClock(at)
    app = build(settings, clock=clock)
    if not configured(settings):
        app.add_platform(ConsolePlatform(app))

    async def main():
        report = await asyncio.to_thread(app.core.tick, at)
        for platform in app.platforms.values():
            await platform.start()
        try:
            stats = await app.dispatcher.drain(clock.now, settle=args.settle)
        finally:
            for platform in app.platforms.values():
                await platform.stop()
        print(f"tick {at.isoformat()}: planned {report}; sent {stats.sent}, cancelled {stats.cancelled}, "
              f"retrying {stats.retried}, failed {stats.failed}")

    asyncio.run(main())
    return 0


def cmd_serve(args, with_web: bool = True, with_clock: bool = True) -> int:
    from bot.service import serve

    return asyncio.run(serve(load_settings(), with_web=with_web, with_clock=with_clock and not args.no_clock,
                             port=getattr(args, "port", None)))


def cmd_run(args) -> int:
    settings = load_settings()
    if settings.any_platform:
        args.no_clock, args.port = False, None
        return cmd_serve(args)
    args.banner = True
    return cmd_console(args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Kipinä peer-learning bot")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="serve when a platform is configured, else the console").set_defaults(func=cmd_run)
    serve = sub.add_parser("serve", help="web app (Slack, Teams, /healthz) plus clock and dispatcher")
    serve.add_argument("--no-clock", action="store_true", help="web only; run `clock` in another process")
    serve.add_argument("--port", type=int, help="port (default PORT or 3000)")
    serve.set_defaults(func=cmd_serve)
    clock = sub.add_parser("clock", help="scheduler and dispatcher without the web app")
    clock.set_defaults(func=lambda a: cmd_serve(a, with_web=False), no_clock=False)
    worker = sub.add_parser("worker", help="dispatcher only (several may run on PostgreSQL)")
    worker.set_defaults(func=lambda a: cmd_serve(a, with_web=False, with_clock=False), no_clock=True)
    console = sub.add_parser("console", help="chat with the bot in the terminal (reads stdin when piped)")
    console.add_argument("--banner", action="store_true", help="print the help banner even when piped")
    console.set_defaults(func=cmd_console)
    sub.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(func=cmd_migrate)
    tick = sub.add_parser("tick", help="run one scheduler tick at a moment and drain the outbox")
    tick.add_argument("--at", required=True, type=iso_time, help="ISO time, e.g. 2026-12-03T14:00 (organisation time zone)")
    tick.add_argument("--settle", type=float, default=30.0, help="seconds to wait for retries (default 30)")
    tick.set_defaults(func=cmd_tick)
    for name, register in _extensions():
        register(sub)
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    logs.setup(settings.log_format, logging.WARNING if args.command in ("console", "run", "tick") else logging.INFO)
    try:
        return args.func(args)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        from bot.app import NotMigrated

        if isinstance(error, NotMigrated):
            print(str(error), file=sys.stderr)
            return 2
        raise


def _extensions():
    """Commands contributed by other modules (manifests, reports, erasure)."""
    from bot import cli_extra

    return cli_extra.COMMANDS


if __name__ == "__main__":
    sys.exit(main())
