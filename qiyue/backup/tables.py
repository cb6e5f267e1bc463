"""The database as JSON lines: every concrete table in foreign-key order, each value written exactly."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import uuid

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.migrations.loader import MigrationLoader
from django.utils.duration import duration_string

from .base import ROWS_PER_BATCH, BackupError


def tables() -> list[type[models.Model]]:
    """Every table Django manages, parents before the rows that point at them."""
    candidates = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    by_table = {m._meta.db_table: m for m in candidates}
    ordered, placed, visiting = [], set(), set()

    def place(model):
        if model in placed or model in visiting:  # a cycle: deferred constraints carry it
            return
        visiting.add(model)
        for f in model._meta.local_concrete_fields:
            target = getattr(f.remote_field, "model", None) if f.remote_field else None
            if target is not None and target._meta.db_table in by_table:
                place(by_table[target._meta.db_table])
        visiting.discard(model)
        placed.add(model)
        ordered.append(model)

    for model in sorted(candidates, key=lambda m: m._meta.label_lower):
        place(model)
    return ordered


def _encode(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # microseconds and offset kept
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):
        return duration_string(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decode(f, value):
    if value is None or isinstance(f, models.JSONField):
        return value
    return f.to_python(value)


def dump_table(model, out) -> int:
    # Its own table's columns: a child of multi-table inheritance leaves its parent's to it.
    fields = model._meta.local_concrete_fields
    names = [f.attname for f in fields]
    out.write(json.dumps({"table": model._meta.label_lower, "columns": names}) + "\n")
    # A third-party field (viewflow's flow and task references, tokens) is written as its
    # database value; Django's own fields as their value, exactly.
    prepare = [
        None if type(f).__module__.startswith("django.") else f.get_prep_value for f in fields
    ]
    count = 0
    rows = model._base_manager.order_by("pk").values_list(*names)
    for row in rows.iterator(chunk_size=ROWS_PER_BATCH):
        values = [
            _encode(v if p is None or v is None else p(v))
            for p, v in zip(prepare, row, strict=True)
        ]
        out.write(json.dumps(values, ensure_ascii=False) + "\n")
        count += 1
    return count


def load_table(model, lines, using) -> int:
    header = json.loads(next(lines))
    by_name = {f.attname: f for f in model._meta.local_concrete_fields}
    if header["table"] != model._meta.label_lower or set(header["columns"]) != set(by_name):
        raise BackupError(
            f"Table {model._meta.label_lower}: the archive's columns {header['columns']} "
            "are not this version's; restore with the version that made the archive."
        )
    columns = [by_name[name] for name in header["columns"]]
    batch_size = max(1, 900 // len(columns))  # SQLite's bound-parameter limit
    count, batch = 0, []
    for line in lines:
        values = json.loads(line)
        batch.append(
            model(**{f.attname: _decode(f, v) for f, v in zip(columns, values, strict=True)})
        )
        if len(batch) >= batch_size:
            model._base_manager.using(using)._insert(batch, fields=columns, raw=True, using=using)
            count, batch = count + len(batch), []
    if batch:
        model._base_manager.using(using)._insert(batch, fields=columns, raw=True, using=using)
        count += len(batch)
    return count


def member_name(model) -> str:
    return f"db/{model._meta.label_lower}.jsonl"


def applied_migrations(using=DEFAULT_DB_ALIAS) -> list[list[str]]:
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    return sorted([app, name] for app, name in loader.applied_migrations)


def code_migrations() -> list[list[str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted([app, name] for app, name in loader.graph.nodes)
