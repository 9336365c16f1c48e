"""Small database operations that differ between SQLite and PostgreSQL."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_ignore(session: Session, model: type[SQLModel], rows: Iterable[dict], conflict: list[str] | None = None) -> int:
    """Insert rows, skipping those that clash on `conflict` (None: on any unique key); returns how many were new.

    Planning twice must send once: the unique key decides, not a read before the write. One
    statement executed for many parameter sets: it is compiled once, where a multi-row VALUES is
    compiled anew for every batch (seconds of CPU for a fan-out to 10,000 people). All rows must
    have the same keys.
    """
    rows = list(rows)
    if not rows:
        return 0
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(model.__table__).on_conflict_do_nothing(index_elements=conflict)
    connection = session.connection().execution_options(preserve_rowcount=True)
    return connection.execute(statement, rows).rowcount
