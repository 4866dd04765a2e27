"""Inserting many rows fast: a campaign to ten thousand people must return within a second.

Django's `bulk_create` builds a model instance and prepares every field of every row (about
0.1 ms a row). Here the caller passes database-ready values for the columns it names, plus
`constants` for columns that are the same in every row. On PostgreSQL the rows go in as one
array per column (`INSERT … SELECT … FROM unnest(…)`), on SQLite with `executemany` (in-process).
Columns not named take their database default or NULL: name every NOT NULL column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection


def insert_rows(
    model,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    constants: dict | None = None,
    ignore_conflicts: bool = False,
) -> int:
    """Insert the rows; returns how many were inserted (conflicts skipped are not counted)."""
    rows = list(rows)
    if not rows:
        return 0
    constants = constants or {}
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(c) for c in [*columns, *constants]]
    names = ", ".join(quote(f.column) for f in fields)
    table = quote(model._meta.db_table)
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{_array_type(f)}" for f in fields[: len(columns)])
            values = ", ".join(
                [f"u.c{i}" for i in range(len(columns))]
                + [f"%s::{f.db_type(connection)}" for f in fields[len(columns) :]]
            )
            aliases = ", ".join(f"c{i}" for i in range(len(columns)))
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {values} "
                f"FROM unnest({arrays}) AS u({aliases}){conflict} RETURNING 1",
                # The constants stand in the SELECT list, before the arrays in FROM.
                [*constants.values(), *[list(column) for column in zip(*rows, strict=True)]],
            )
            return len(cursor.fetchall())
        marks = ", ".join(["%s"] * len(fields))
        verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
        cursor.executemany(
            f"{verb} INTO {table} ({names}) VALUES ({marks})",
            [(*row, *constants.values()) for row in rows],
        )
        return cursor.rowcount


def _array_type(field) -> str:
    base = field.db_type(connection).split("(")[0]  # varchar(80)[] is varchar[]
    if field.is_relation:
        base = field.target_field.rel_db_type(connection).split("(")[0]
    return f"{base}[]"


def db_datetime(value):
    """A datetime as the database takes it in a raw statement."""
    return connection.ops.adapt_datetimefield_value(value)
