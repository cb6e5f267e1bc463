"""Rows a fixture wrote, captured once per test process and written again in a handful of
statements (the idea of Django's ``TestCase.setUpTestData``, for pytest fixtures).

The cast (tests/conftest.py) is built through the acts (grants with their audit entries,
guardian rows, users, regions): about four hundred queries. :func:`capture` runs such a builder
once, notes every row it inserted or changed, table by table, and :meth:`Snapshot.restore`
writes exactly those rows again in the next test's own transaction: one ``executemany`` per
table, no signals, no ``auto_now`` (so the audit chain's times and hashes stay what the acts
wrote). The builder's objects come back as fresh model instances.

A restore is only faithful when the rows the captured ones point at, and the rows it changed,
are as they were when it was captured. Migrations' rows (content types, permissions, the audit
chain's head) are, except after a transactional test flushed the database; :meth:`restore`
checks them first and answers ``None`` when they differ, and the caller builds afresh.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, models, transaction


def _tables():
    seen = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        yield model


def _rows(model) -> dict:
    names = [f.attname for f in model._meta.concrete_fields]
    return {
        row[names.index(model._meta.pk.attname)]: row
        for row in model._base_manager.values_list(*names)
    }


@dataclass
class _Table:
    model: type
    inserted: dict  # pk -> row of attribute values (Python)
    updated: dict  # pk -> (row before, row after)


@dataclass
class Snapshot:
    tables: list
    objects: object  # what the builder returned, with model instances as (model, pk) references
    expected: dict = field(default_factory=dict)  # model -> {pk: row} that must hold on restore

    def restore(self):
        """Write the captured rows again; the builder's result with fresh instances, or ``None``
        (nothing written) when the database around them is no longer as it was."""
        for model, rows in self.expected.items():
            current = dict(_selected(model, rows))
            if current != rows:
                return None
        with transaction.atomic(), connection.cursor() as cursor:
            for table in self.tables:
                fields = table.model._meta.concrete_fields
                if table.inserted:
                    cursor.executemany(
                        _insert_sql(table.model),
                        [_prepared(fields, row) for row in table.inserted.values()],
                    )
                for pk, (_before, after) in table.updated.items():
                    cursor.execute(_update_sql(table.model), [*_prepared(fields, after), pk])
        instances = {}
        for table in self.tables:
            names = [f.attname for f in table.model._meta.concrete_fields]
            for pk, row in table.inserted.items():
                instances[table.model, pk] = table.model.from_db(
                    connection.alias, names, copy.deepcopy(list(row))
                )
        return _rebuild(self.objects, instances)


def _selected(model, rows):
    names = [f.attname for f in model._meta.concrete_fields]
    pk_index = names.index(model._meta.pk.attname)
    for row in model._base_manager.filter(pk__in=list(rows)).values_list(*names):
        yield row[pk_index], row


def _prepared(fields, row):
    return [f.get_db_prep_save(value, connection) for f, value in zip(fields, row, strict=True)]


def _insert_sql(model):
    q = connection.ops.quote_name
    columns = [f.column for f in model._meta.concrete_fields]
    return (
        f"INSERT INTO {q(model._meta.db_table)} ({', '.join(map(q, columns))}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


def _update_sql(model):
    q = connection.ops.quote_name
    sets = ", ".join(f"{q(f.column)} = %s" for f in model._meta.concrete_fields)
    return f"UPDATE {q(model._meta.db_table)} SET {sets} WHERE {q(model._meta.pk.column)} = %s"


def _references(value, keys):
    """``value`` with every model instance whose row was inserted replaced by (model, pk)."""
    if isinstance(value, models.Model):
        key = (type(value), value.pk)
        if key not in keys:
            raise ValueError(f"{value!r} is not a row the builder inserted")
        return _Ref(key)
    if isinstance(value, dict):
        return {k: _references(v, keys) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_references(v, keys) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return _Dataclass(
            type(value),
            {n: _references(getattr(value, n), keys) for n in value.__dataclass_fields__},
        )
    return value


@dataclass(frozen=True)
class _Ref:
    key: tuple


@dataclass(frozen=True)
class _Dataclass:
    cls: type
    values: dict


def _rebuild(value, instances):
    if isinstance(value, _Ref):
        return instances[value.key]
    if isinstance(value, _Dataclass):
        return value.cls(**{n: _rebuild(v, instances) for n, v in value.values.items()})
    if isinstance(value, dict):
        return {k: _rebuild(v, instances) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_rebuild(v, instances) for v in value)
    return value


def capture(build):
    """Run ``build()`` (inside the calling test's transaction) and return ``(result, snapshot)``;
    the snapshot is ``None`` when the builder deleted rows or wrote a row of a model with
    multi-table inheritance (a restore does not replay those)."""
    tables = list(_tables())
    before = {model: _rows(model) for model in tables}
    result = build()
    captured, expected, inserted_keys = [], {}, set()
    for model in tables:
        after = _rows(model)
        if set(before[model]) - set(after):
            return result, None
        inserted = {pk: row for pk, row in after.items() if pk not in before[model]}
        updated = {
            pk: (before[model][pk], row)
            for pk, row in after.items()
            if pk in before[model] and row != before[model][pk]
        }
        if (inserted or updated) and model._meta.parents:
            return result, None  # multi-table inheritance: a row spans two tables
        if inserted or updated:
            captured.append(_Table(model, inserted, updated))
            inserted_keys.update((model, pk) for pk in inserted)
        if updated:
            expected[model] = {pk: rows[0] for pk, rows in updated.items()}
    # Rows outside the snapshot that its rows point at must be the same rows on restore.
    for table in captured:
        for f in table.model._meta.concrete_fields:
            if not f.is_relation or f.related_model is None:
                continue
            target = f.related_model._meta.concrete_model
            index = table.model._meta.concrete_fields.index(f)
            for row in table.inserted.values():
                pk = row[index]
                if pk is not None and (target, pk) not in inserted_keys:
                    expected.setdefault(target, {})[pk] = before[target][pk]
    return result, Snapshot(captured, _references(result, inserted_keys), expected)


def reload_serialized(creation, data: str) -> None:
    """What a ``serialized_rollback`` test starts from, written back in a few ``bulk_create``s.

    Django's ``deserialize_db_from_string`` saves the migrations' rows one by one, an UPDATE and
    then an INSERT each: with the working-day calendar (ground.WorkingDay, ten thousand rows) that
    was 8.3 s before every such test on PostgreSQL. Here the rows are upserted model by model in
    the serializer's order (dependencies first), as save() would (the tables are empty after the
    flush of a transactional test, still full before the first one), in one transaction,
    constraints checked at the end as Django does. An object with many-to-many data is saved as Django would.
    """
    from io import StringIO

    from django.core import serializers

    connection = creation.connection
    batches: dict = {}
    with transaction.atomic(using=connection.alias):
        with connection.constraint_checks_disabled():
            for obj in serializers.deserialize("json", StringIO(data), using=connection.alias):
                if obj.m2m_data or obj.deferred_fields:
                    obj.save()
                    batches.setdefault(type(obj.object), [])
                else:
                    batches.setdefault(type(obj.object), []).append(obj.object)
            for model, objects in batches.items():
                pk = model._meta.pk
                fields = [f.name for f in model._meta.concrete_fields if f is not pk]
                model._base_manager.using(connection.alias).bulk_create(
                    objects,
                    batch_size=2000,
                    # an upsert, as save() is: the rows may still be there (no flush yet)
                    update_conflicts=bool(fields),
                    ignore_conflicts=not fields,
                    unique_fields=[pk.name] if fields else None,
                    update_fields=fields or None,
                )
        connection.check_constraints(table_names=[model._meta.db_table for model in batches])
