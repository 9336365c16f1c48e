"""Command line: python -m bot <command> (see --help of each). Platforms add their own commands
(slack-manifest, teams-package) through their specs."""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import datetime

from bot.common import logs
from bot import platforms as registry
from bot.common.config import Settings, load_settings
from bot.runtime import operations, programme_cli
from bot.ports import ConfigError
from storage.db import NotMigrated

log = logging.getLogger("kipina")

BANNER = """Kipinä console — the whole bot in your terminal, no chat account needed.
  /as Ann fi          speak as Ann (created on first use), optionally in Finnish
  /in #learners       speak in a channel;  /dm  back to direct messages
  /circle new Learners @ann @bob     start a circle (try /circle help)
  1, 2, …             press a button;  a plain line answers your open prompt
  /tick 2026-12-03T14:00             run the clock at that moment
To connect Slack or Teams, set SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET or MICROSOFT_APP_ID (+ how
it signs in: README, Microsoft Teams) in the environment or .env, then `make run` serves them.
"""
QUIET = ("console", "run", "tick")  # commands that talk to a person: warnings only


def iso_time(raw: str) -> datetime:
    """An ISO time; without a zone it is the organisation's (TIMEZONE)."""
    from bot.domain.shared.rhythm import zone

    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO time: {raw!r} (e.g. 2026-12-03T14:00)") from None
    return at if at.tzinfo else at.replace(tzinfo=zone(load_settings().timezone))


def week_arg(raw: str) -> str:
    from bot.domain.reports import parse_week

    try:
        parse_week(raw, "UTC")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return raw


# -- running the bot ------------------------------------------------------------------------------


def cmd_run(args, settings: Settings) -> int:
    if registry.enabled(settings.env):
        args.no_clock, args.port = False, None
        return cmd_serve(args, settings)
    args.banner = True
    return cmd_console(args, settings)


def cmd_serve(args, settings: Settings, with_web: bool = True, with_clock: bool = True) -> int:
    from bot.runtime.service import serve

    return asyncio.run(serve(settings, with_web=with_web, with_clock=with_clock and not args.no_clock,
                             port=getattr(args, "port", None)))


def cmd_console(args, settings: Settings) -> int:
    from bot.runtime.app import build
    from bot.runtime.clock import ManualClock

    app = build(settings, clock=ManualClock(), platform_names=[])
    platform = app.create_platform("console")
    interactive = sys.stdin.isatty()
    if interactive or args.banner:
        print(BANNER)
    asyncio.run(registry.spec("console").chat(app, platform, interactive))
    return 0


def cmd_tick(args, settings: Settings) -> int:
    from bot.runtime.app import build
    from bot.runtime.clock import ManualClock

    at = args.at
    clock = ManualClock(at)
    app = build(settings, clock=clock)
    if not app.platforms:  # nothing configured: what is sent is printed
        app.create_platform("console")

    async def main():
        for platform in app.platforms.values():
            await platform.start()
        try:
            report = await app.tick(at)
            stats = await app.dispatcher.drain(clock.now, settle=args.settle)
        finally:
            for platform in app.platforms.values():
                await platform.stop()
        print(f"tick {at.isoformat()}: planned {report}; sent {stats.sent}, cancelled {stats.cancelled}, "
              f"retrying {stats.retried}, failed {stats.failed}")

    asyncio.run(main())
    return 0


def cmd_migrate(args, settings: Settings) -> int:
    from storage.db import make_engine, migrate

    migrate(make_engine(settings.database_url))
    print("database is up to date")
    return 0


def cmd_lexicon(args, settings: Settings) -> int:
    from bot.domain.reports import build_lexicon

    print(f"the scrubber's dictionaries are in {build_lexicon()}")
    return 0


# -- operators: erasure, audit, reports ------------------------------------------------------------


def _engine(settings: Settings):
    from storage.db import ensure_schema, make_engine

    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    return engine


def cmd_forget(args, settings: Settings) -> int:
    from bot.domain.personal.journal import forget_by_id

    platform, _, user_id = args.who.partition(":")
    if not user_id:
        print("give the person as platform:user_id, e.g. slack:U012AB")
        return 2
    if not forget_by_id(_engine(settings), platform, user_id):
        print(f"nobody is stored as {args.who}")
        return 1
    print(f"erased {args.who}")
    return 0


def cmd_audit(args, settings: Settings) -> int:
    from bot.domain.shared import audit
    from storage.db import unit_of_work

    with unit_of_work(_engine(settings)) as session:
        for row in reversed(audit.entries(session, limit=args.limit)):
            print(json.dumps(row, ensure_ascii=False))
    return 0


def cmd_report(args, settings: Settings) -> int:
    from bot.domain import reports
    from bot.domain.shared.context import Services
    from bot.domain.shared.rhythm import Calendar
    from prompts import default_library
    from storage.db import unit_of_work
    from storage.types import utcnow

    engine = _engine(settings)
    services = Services(settings=settings, library=default_library(), calendar=Calendar.from_settings(settings))
    now = utcnow()
    try:
        with unit_of_work(engine) as session:
            ws = reports.pick_workspace(session, args.workspace)
        tz = reports.timezone_of(ws, settings)
        week = reports.parse_week(args.week, tz) if args.week else None
    except (LookupError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    if args.send:
        planned = reports.plan_workspace(engine, services, ws, now, week)
        print(f"planned {planned} summary deliveries for {week.label if week else 'last week'}")
        return 0
    lang = args.language or ws.language or settings.default_language
    summary = reports.summary_for(engine, services, ws, week or reports.week_at(now, tz), now, [lang],
                                  use_model=reports.model_configured(settings) and not args.offline)
    if args.chart:
        png = reports.chart_png(summary, lang)
        if png is None:
            print("no chart: fewer people than MIN_GROUP_SIZE take part", file=sys.stderr)
        else:
            with open(args.chart, "wb") as out:
                out.write(png)
    if args.format == "json":
        print(reports.to_json(summary))
    elif args.format == "csv":
        sys.stdout.write(reports.to_csv(summary, lang))
    else:
        print("\n\n".join(b.text for b in reports.render(summary, lang).blocks))
    return 0


# -- the parser -----------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bot", description="Kipinä peer-learning bot")
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="serve when a platform is configured, else the console").set_defaults(run=cmd_run)
    serve = sub.add_parser("serve", help="web app (Slack, Teams, /livez, /readyz, /metrics) plus clock and dispatcher")
    serve.add_argument("--no-clock", action="store_true", help="web only; run `clock` in another process")
    serve.add_argument("--port", type=int, help="port (default PORT or 3000)")
    serve.set_defaults(run=cmd_serve)
    clock = sub.add_parser("clock", help="scheduler and dispatcher without the web app")
    clock.set_defaults(run=lambda a, s: cmd_serve(a, s, with_web=False), no_clock=False)
    worker = sub.add_parser("worker", help="dispatcher only (several may run on PostgreSQL)")
    worker.set_defaults(run=lambda a, s: cmd_serve(a, s, with_web=False, with_clock=False), no_clock=True)
    console = sub.add_parser("console", help="chat with the bot in the terminal (reads stdin when piped)")
    console.add_argument("--banner", action="store_true", help="print the help banner even when piped")
    console.set_defaults(run=cmd_console)
    sub.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(run=cmd_migrate)
    sub.add_parser("lexicon", help="build the scrubber's dictionaries (an install step; else built at first use)"
                   ).set_defaults(run=cmd_lexicon)
    tick = sub.add_parser("tick", help="run one scheduler tick at a moment and drain the outbox")
    tick.add_argument("--at", required=True, type=iso_time, help="ISO time, e.g. 2026-12-03T14:00 (organisation time zone)")
    tick.add_argument("--settle", type=float, default=30.0, help="seconds to wait for retries (default 30)")
    tick.set_defaults(run=cmd_tick)

    forget = sub.add_parser("forget", help="erase a person's answers and personal data (like their forget-me)")
    forget.add_argument("who", help="platform:user_id, e.g. slack:U012AB or console:ann")
    forget.set_defaults(run=cmd_forget)
    audit = sub.add_parser("audit", help="print the audit log (reports, exports, erasures, membership changes)")
    audit.add_argument("--limit", type=int, default=100)
    audit.set_defaults(run=cmd_audit)
    report = sub.add_parser("report", help="print the weekly summary (HR view) of a workspace")
    report.add_argument("--week", type=week_arg, help="ISO week, e.g. 2026-W48 (default: the current week; with --send the last one)")
    report.add_argument("--format", choices=("text", "json", "csv"), default="text")
    report.add_argument("--workspace", help="id, external id or platform:external_id (needed when there are several)")
    report.add_argument("--language", choices=("fi", "sv", "en"), help="language of the text and CSV formats")
    report.add_argument("--offline", action="store_true", help="offline themes even when OPENAI_API_KEY is set")
    report.add_argument("--chart", metavar="FILE.png", help="also write the 8-week trend as a PNG chart")
    report.add_argument("--send", action="store_true",
                        help="plan the week's summary deliveries to HR users (as the Monday job does) instead of printing")
    report.set_defaults(run=cmd_report)
    operations.register(sub)  # backup, erasures export|apply
    programme_cli.register(sub)  # programme add-org|preview|push|leave

    for spec in registry.specs().values():
        if spec.cli is not None:
            spec.cli(sub)  # their commands take (args) and read args.env
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
        registry.read_all(settings.env)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    logs.setup(settings.log_format, logging.WARNING if args.command in QUIET else logging.INFO,
               quiet=registry.loggers())
    args.env = settings.env
    try:
        if hasattr(args, "run"):
            return args.run(args, settings)
        return args.func(args)  # a platform's command
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    except NotMigrated as error:
        print(str(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
