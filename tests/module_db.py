"""Data built once for a test module, in a transaction that each of its tests nests in (their
own atomic blocks are savepoints in it) and that is rolled back when the module ends: for
builds that cost seconds (the demo county, a province of seed_scale), read by several tests.
The build runs once per xdist worker that runs one of the module's tests."""

from contextlib import contextmanager

from django.db import transaction
from django.test import override_settings

FAST_HASHING = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


@contextmanager
def module_transaction(django_db_blocker):
    """Inside: the database is open to the module's fixture, and everything written in it is
    rolled back on leaving (the fixture yields from inside)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
