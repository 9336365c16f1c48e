"""Erasures again after a restore. A backup taken before someone's `forget-me` (or an admin's
`forget`) still holds what they erased; restoring it must not bring that back.

Every erasure is in the audit log (action 'erase', the person's row id) and in one log line
("erasure recorded {…}"). `python -m bot erasures export` writes them from the database being
replaced; `python -m bot erasures apply` erases those people again in the restored one and applies
the retention limit as of now. A record names the person's workspace too, so one from another
installation matches nobody. See docs/operations.md.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from bot.domain.personal import journal
from bot.domain.shared import audit
from storage.db import unit_of_work
from storage.models import AuditEntry, Person, Workspace

FIELDS = ("person", "platform", "workspace")


@dataclass
class Reapplied:
    erased: int = 0  # erased now
    already: int = 0  # erased in the backup too
    absent: int = 0  # not in this database (joined after the backup was taken): nothing to erase
    foreign: int = 0  # the id is someone of another workspace: left alone
    retention: int = 0  # answers whose text the retention limit cleared


def recorded(session: Session, since: datetime | None = None) -> list[dict]:
    """The erasures in the audit log, oldest first."""
    query = (select(AuditEntry).where(AuditEntry.action == "erase", AuditEntry.subject_id.is_not(None))
             .order_by(AuditEntry.created_at, AuditEntry.id))
    if since is not None:
        query = query.where(AuditEntry.created_at >= since)
    return [journal.erasure_record(session, entry.subject_id, entry.workspace_id, entry.created_at)
            for entry in session.exec(query)]


def parse(lines) -> list[dict]:
    """JSON lines as `export` writes them (or as copied from the log); ValueError names the line."""
    records = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("erasure recorded "):
            line = line.removeprefix("erasure recorded ")
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not all(k in record for k in FIELDS):
                raise ValueError
            records.append({"person": int(record["person"]), "platform": str(record["platform"]),
                            "workspace": str(record["workspace"])})
        except (ValueError, TypeError):
            raise ValueError(f"line {number} is not an erasure record such as "
                             '{"person": 17, "platform": "slack", "workspace": "T012AB"}') from None
    return records


def reapply(engine, records: list[dict], now: datetime, retention_days: int) -> Reapplied:
    done = Reapplied()
    with unit_of_work(engine) as session:
        for record in records:
            person = session.get(Person, record["person"])
            if person is None:
                done.absent += 1
                continue
            ws = session.get(Workspace, person.workspace_id)
            if (ws.platform, ws.external_id) != (record["platform"], record["workspace"]):
                done.foreign += 1
                continue
            if person.platform_user_id.startswith("erased:"):
                done.already += 1
                continue
            journal.erase(session, person, now)
            audit.record(session, ws.id, "erase", now, subject=person, by="reapplied")
            done.erased += 1
        done.retention = journal.apply_retention(session, now, retention_days)
    return done
