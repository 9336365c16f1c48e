"""Small database operations that differ between SQLite and PostgreSQL."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_ignore(session: Session, model: type[SQLModel], rows: Iterable[dict], conflict: list[str] | None) -> int:
    """Insert rows, skipping those that clash on `conflict` (None: on any unique key); returns how many were new.

    Planning twice must send once: the unique key decides, not a read before the write.
    """
    rows = list(rows)
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__
    total = 0
    for start in range(0, len(rows), 500):
        stmt = insert(table).values(rows[start:start + 500]).on_conflict_do_nothing(index_elements=conflict)
        # RETURNING counts what was really inserted; rowcount is unreliable for multi-row inserts.
        total += len(session.execute(stmt.returning(table.c.id)).all())
    return total
