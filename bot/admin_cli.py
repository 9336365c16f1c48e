"""Operator commands for trust: erase a person, read the audit log."""
from __future__ import annotations

import json


def register_forget(sub) -> None:
    parser = sub.add_parser("forget", help="erase a person's answers and personal data (like their forget-me)")
    parser.add_argument("who", help="platform:user_id, e.g. slack:U012AB or console:ann")
    parser.set_defaults(func=forget)


def register_audit(sub) -> None:
    parser = sub.add_parser("audit", help="print the audit log (reports, exports, erasures, membership changes)")
    parser.add_argument("--limit", type=int, default=100)
    parser.set_defaults(func=show_audit)


def _engine():
    from bot.config import load_settings
    from bot.app import ensure_schema
    from storage.db import make_engine

    engine = make_engine(load_settings().database_url)
    ensure_schema(engine)
    return engine


def forget(args) -> int:
    from sqlmodel import select

    from bot import audit
    from bot.journal import erase
    from storage.db import unit_of_work
    from storage.models import Person, Workspace
    from storage.types import utcnow

    platform, _, user_id = args.who.partition(":")
    if not user_id:
        print("give the person as platform:user_id, e.g. slack:U012AB")
        return 2
    with unit_of_work(_engine()) as session:
        found = session.exec(select(Person).join(Workspace, Workspace.id == Person.workspace_id).where(
            Workspace.platform == platform, Person.platform_user_id == user_id)).all()
        for person in found:
            erase(session, person, utcnow())
            audit.record(session, person.workspace_id, "erase", utcnow(), subject=person, by="admin")
    if not found:
        print(f"nobody is stored as {args.who}")
        return 1
    print(f"erased {args.who}")
    return 0


def show_audit(args) -> int:
    from bot import audit
    from storage.db import unit_of_work

    with unit_of_work(_engine()) as session:
        for row in reversed(audit.entries(session, limit=args.limit)):
            print(json.dumps(row, ensure_ascii=False))
    return 0
