"""Operators' commands for backups (docs/operations.md):

    python -m bot backup FILE               SQLite: a consistent copy while the bot runs (the online backup API)
    python -m bot erasures export [--since]  the erasures recorded in this database, as JSON lines
    python -m bot erasures apply FILE|-      after a restore: erase those people again, apply retention now

PostgreSQL is backed up with its own tools (pg_dump -Fc, pg_restore); `backup` says so.
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from datetime import datetime, timezone

from sqlalchemy.engine import make_url

from bot.common.config import Settings
from storage.db import ensure_schema, make_engine, normalise_url, unit_of_work
from storage.types import utcnow


def sqlite_path(database_url: str) -> str | None:
    url = make_url(normalise_url(database_url))
    return url.database if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") else None


def cmd_backup(args, settings: Settings) -> int:
    path = sqlite_path(settings.database_url)
    if path is None:
        print("backup copies a SQLite database; back PostgreSQL up with its own tools: "
              "pg_dump -Fc -d \"$DATABASE_URL\" -f kipina.dump (see docs/operations.md)", file=sys.stderr)
        return 2
    if not os.path.exists(path):
        print(f"there is no database at {path} (DATABASE_URL)", file=sys.stderr)
        return 2
    if os.path.exists(args.out):
        print(f"{args.out} exists already; give a new file name", file=sys.stderr)
        return 2
    partial = f"{args.out}.partial"
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)  # one step: a consistent snapshot, while writers carry on (WAL)
        checked = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if checked != "ok":
        os.remove(partial)
        print(f"the copy failed its integrity check ({checked}); nothing written", file=sys.stderr)
        return 1
    os.replace(partial, args.out)
    print(f"backed up {path} to {args.out} ({os.path.getsize(args.out)} bytes, integrity ok)")
    return 0


def moment(raw: str) -> datetime:
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO time: {raw!r} (e.g. 2026-12-03T14:00)") from None
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def cmd_erasures_export(args, settings: Settings) -> int:
    from bot.domain.personal import erasures

    engine = make_engine(settings.database_url)  # read only: the database may be the one being replaced
    with unit_of_work(engine) as session:
        records = erasures.recorded(session, args.since)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for record in records:
            out.write(json.dumps(record) + "\n")
    finally:
        if args.out:
            out.close()
    print(f"{len(records)} erasures", file=sys.stderr)
    return 0


def cmd_erasures_apply(args, settings: Settings) -> int:
    from bot.domain.personal import erasures

    try:
        if args.file == "-":
            records = erasures.parse(sys.stdin)
        else:
            with open(args.file, encoding="utf-8") as fh:
                records = erasures.parse(fh)
    except (OSError, ValueError) as error:
        print(f"cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    ensure_schema(engine)  # a restored database is migrated first (`python -m bot migrate`)
    done = erasures.reapply(engine, records, args.at or utcnow(), settings.reply_retention_days)
    print(f"erased again {done.erased}, erased already {done.already}, not in this database {done.absent}, "
          f"of another workspace {done.foreign}; retention cleared {done.retention} answers")
    return 0


def register(sub) -> None:
    backup = sub.add_parser("backup", help="copy the SQLite database while the bot runs (PostgreSQL: pg_dump)")
    backup.add_argument("out", help="file to write, e.g. kipina-2026-12-03.db (must not exist)")
    backup.set_defaults(run=cmd_backup)
    erase = sub.add_parser("erasures", help="erasures recorded here, and erasing them again after a restore")
    actions = erase.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="print the recorded erasures as JSON lines")
    export.add_argument("--since", type=moment, help="only those from this ISO time on (UTC unless given)")
    export.add_argument("--out", help="write to this file instead of stdout")
    export.set_defaults(run=cmd_erasures_export)
    apply = actions.add_parser("apply", help="erase again the people in FILE (JSON lines; - for stdin), "
                                             "then apply REPLY_RETENTION_DAYS as of now")
    apply.add_argument("file")
    apply.add_argument("--at", type=moment, help="the moment retention is applied as of (default now; UTC unless given)")
    apply.set_defaults(run=cmd_erasures_apply)
