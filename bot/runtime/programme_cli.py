"""Operators' commands of a programme across organisations (docs/programme.md):

    python -m bot programme add-org "<name>"   at the hub: a member organisation; prints its token once
    python -m bot programme preview [--week]   at a member: exactly what would be sent for the week
    python -m bot programme push [--week]      at a member: send now (without --week: every week still owed)
    python -m bot programme leave              at a member: stop sending, ask the hub to delete our weeks
"""
from __future__ import annotations

import argparse
import json
import sys

from bot.common.config import Settings
from bot.domain import programme, reports
from bot.domain.shared.context import Services
from bot.domain.shared.rhythm import Calendar
from storage.db import ensure_schema, make_engine, unit_of_work
from storage.types import utcnow


def register(sub) -> None:
    top = sub.add_parser("programme", help="a programme across organisations: the hub and its members")
    commands = top.add_subparsers(dest="programme_command", required=True)
    add = commands.add_parser("add-org", help="at the hub: add a member organisation and print its token once")
    add.add_argument("name", help='the organisation\'s name as the leads see it, e.g. "Maanmittauslaitos"')
    add.set_defaults(run=cmd_add_org)
    for name, run, text in (("preview", cmd_preview, "print exactly what would be sent to the hub for a week"),
                            ("push", cmd_push, "send to the hub now (default: every week still owed)")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--week", type=_week, help="ISO week, e.g. 2026-W48 (default: the last full week)")
        command.set_defaults(run=run)
    commands.add_parser("leave", help="stop sending and ask the hub to delete what it holds of this organisation"
                        ).set_defaults(run=cmd_leave)


def _week(raw: str) -> str:
    try:
        reports.parse_week(raw, "UTC")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return raw


def _services(settings: Settings) -> Services:
    from prompts import default_library

    return Services(settings=settings, library=default_library(), calendar=Calendar.from_settings(settings))


def _engine(settings: Settings):
    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    return engine


def _chosen(args, settings: Settings, now) -> reports.Week:
    tz = settings.timezone
    return reports.parse_week(args.week, tz) if args.week else reports.weeks_until(reports.week_at(now, tz), 2, tz)[0]


def cmd_add_org(args, settings: Settings) -> int:
    if not settings.programme_hub:
        print("this installation is not a programme hub: set PROGRAMME_HUB=on first", file=sys.stderr)
        return 2
    try:
        with unit_of_work(_engine(settings)) as session:
            token = programme.add_organisation(session, args.name, utcnow())
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"added {' '.join(args.name.split())!r} to the programme. Give its operator, by a safe channel:\n"
          f"  PROGRAMME_HUB_URL={settings.public_base}\n  PROGRAMME_TOKEN={token}\n"
          "The token is shown only now: the hub keeps only its hash.")
    return 0


def cmd_preview(args, settings: Settings) -> int:
    now = utcnow()
    services = _services(settings)
    with unit_of_work(_engine(settings)) as session:
        body = programme.build_payload(session, settings, _chosen(args, settings, now), now, services.library)
    print(json.dumps(body, ensure_ascii=False, indent=2))
    return 0


def _member(settings: Settings, engine) -> str | None:
    if not programme.configured(settings):
        return "set PROGRAMME_HUB_URL and PROGRAMME_TOKEN (from the hub's operator) first"
    if programme.has_left(engine):
        return "this organisation has left the programme (`programme leave`); nothing is sent any more"
    return None


def cmd_push(args, settings: Settings) -> int:
    engine, now = _engine(settings), utcnow()
    refused = _member(settings, engine)
    if refused:
        print(refused, file=sys.stderr)
        return 2
    services = _services(settings)
    if args.week:
        result = programme.push_week(engine, services, _chosen(args, settings, now), now)
        print(f"week {args.week}: {'sent' if result.ok else 'not taken'} ({result.status})")
        return 0 if result.ok else 1
    report = programme.plan(engine, services, now)
    print(f"sent {report['sent']} weeks, {report['failed']} not taken (tried again by the clock)")
    return 0 if not report["failed"] else 1


def cmd_leave(args, settings: Settings) -> int:
    engine = _engine(settings)
    result = programme.leave(engine, _services(settings), utcnow())
    if result.ok:
        print("left the programme: nothing more is sent, and the hub has deleted what it held of this organisation")
        return 0
    print(f"nothing more is sent from here, but the hub did not confirm the deletion ({result.status}); "
          "run `programme leave` again when it is reachable", file=sys.stderr)
    return 1
