"""Writing many rows fast: PostgreSQL ``COPY`` through psycopg, ``executemany`` elsewhere.

Rows arrive as tuples in the table's column order with explicit primary keys (allocated by
:class:`Ids`), so the cloner knows every new key before it writes; sequences are moved past
them at the end (:func:`reset_sequences`).
"""

import json

from django.core.management.color import no_style
from django.db import connection

BATCH = 20_000


def columns(model) -> list:
    """The model's concrete fields, in the order rows are written."""
    return list(model._meta.local_concrete_fields)


def _converter(field):
    """The value as the database takes it: what ``get_db_prep_save`` gives, a hundred times
    cheaper (PostgreSQL's COPY adapts everything but JSON itself)."""
    kind = field.get_internal_type()
    ops = connection.ops
    if not type(field).__module__.startswith("django.db.models"):  # viewflow's flow references
        return lambda v: field.get_db_prep_save(v, connection)
    if kind == "JSONField":
        return lambda v: json.dumps(v, ensure_ascii=False)
    if connection.vendor == "postgresql":
        return None
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DecimalField":
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return None


def _convert(converters, row):
    return [v if fn is None or v is None else fn(v) for fn, v in zip(converters, row, strict=True)]


class RowWriter:
    """Buffered writer of one table's rows (tuples of python values, in ``columns`` order)."""

    def __init__(self, model, fields=None, table=None):
        self.fields = fields or columns(model)
        self.table = table or model._meta.db_table
        self.rows: list[tuple] = []
        self.count = 0
        self.postgres = connection.vendor == "postgresql"
        self.converters = [_converter(f) for f in self.fields]

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        names = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        table = connection.ops.quote_name(self.table)
        if self.postgres:
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(_convert(self.converters, row))
        else:
            marks = ", ".join(["%s"] * len(self.fields))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",
                    [_convert(self.converters, row) for row in self.rows],
                )
        self.count += len(self.rows)
        self.rows = []


class Ids:
    """The next free primary key of each table, read once."""

    def __init__(self):
        self.next: dict[str, int] = {}

    def take(self, model, n: int = 1) -> int:
        """Reserve ``n`` consecutive keys of ``model``'s table; returns the first."""
        table = model._meta.db_table
        if table not in self.next:
            pk = model._meta.pk
            while pk.remote_field is not None:  # a multi-table child shares its parent's keys
                pk = pk.remote_field.model._meta.pk
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT MAX({connection.ops.quote_name(pk.column)}) FROM "
                    f"{connection.ops.quote_name(pk.model._meta.db_table)}"
                )
                self.next[table] = (cursor.fetchone()[0] or 0) + 1
        first = self.next[table]
        self.next[table] += n
        return first


def reset_sequences(models) -> None:
    """Move each table's sequence past the keys written (PostgreSQL; SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
