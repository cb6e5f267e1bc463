"""The cast's capture (tests/snapshot.py): what a restore writes is exactly what the acts wrote,
and a restore over a database that changed underneath it writes nothing."""

from django.db import transaction

from ground import audit
from ground.acts import Act
from permissions.models import Region

from . import snapshot
from .conftest import build_cast


def every_row():
    return {model._meta.db_table: snapshot._rows(model) for model in snapshot._tables()}


def built_and_rolled_back():
    """The cast built through the acts and captured, then undone: the database as before."""
    with transaction.atomic():
        built, captured = snapshot.capture(build_cast)
        rows = every_row()
        transaction.set_rollback(True)
    return built, captured, rows


def test_a_restore_writes_the_very_rows_the_acts_wrote(db):
    built, captured, rows_after_build = built_and_rolled_back()
    before = every_row()
    assert before != rows_after_build  # undone

    restored = captured.restore()

    assert every_row() == rows_after_build  # every table, every column (times and hashes too)
    assert audit.verify_chain() is None
    assert restored.users.keys() == built.users.keys()
    for key, user in built.users.items():
        assert restored.users[key] is not user  # fresh instances, the same rows
        assert (restored.users[key].pk, restored.users[key].username) == (user.pk, user.username)
    assert [h.pk for h in restored.households["A1"]] == [h.pk for h in built.households["A1"]]
    assert restored.regions["A1"].parent == restored.regions["A"]


def test_a_restore_over_a_changed_database_writes_nothing(db):
    _built, captured, _rows = built_and_rolled_back()
    # The audit chain's head, which the capture moved on from, has moved since.
    audit.record(None, Act.ROLE_GRANT, Region(pk=999))
    before = every_row()

    assert captured.restore() is None
    assert every_row() == before
