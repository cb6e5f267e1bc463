"""The fixed cast (healthchecks style): two townships, officials of every role, operators.

Township A (珠藏镇) has villages A1 and A2; township B (桂果镇) has village B1. Every
role is held at every region of its level, so each boundary can be tested from both
sides. ``cast.users["township_lead", "A"]`` is the township lead of A, and so on. It is built through
the acts once per test process and then written again from that capture (tests/snapshot.py).
"""

from dataclasses import dataclass, field

import pytest
from django.test import Client

from permissions.roles import REGION_ROLES

from . import factories as f
from . import snapshot


@dataclass
class Cast:
    county: object
    regions: dict
    users: dict = field(default_factory=dict)
    operators: dict = field(default_factory=dict)
    households: dict = field(default_factory=dict)

    def user(self, role_code, region_key="county"):
        return self.users[role_code, region_key]

    def client(self, user):
        client = Client()
        client.force_login(user)
        return client


def build_cast():
    """The cast, built through the acts (grants, audit entries, guardian rows)."""
    county = f.county("织金县")
    a = f.township(county, "珠藏镇")
    b = f.township(county, "桂果镇")
    regions = {
        "county": county,
        "A": a,
        "B": b,
        "A1": f.village(a, "乐丰村"),
        "A2": f.village(a, "大寨村"),
        "B1": f.village(b, "牛场村"),
    }
    c = Cast(county=county, regions=regions)
    for key, region in regions.items():
        for role in REGION_ROLES:
            if role.level == region.level:
                c.users[role.code, key] = f.official(role, region, username=f"{role.code}_{key}")
    c.operators["A"] = f.OperatorFactory(name="乐丰生猪养殖专业合作社", township=a)
    c.operators["B"] = f.OperatorFactory(name="桂果农业发展有限公司", township=b)
    c.users["operator", "A"] = f.operator_user(c.operators["A"], "operator_A")
    c.users["operator", "B"] = f.operator_user(c.operators["B"], "operator_B")
    for key in ("A1", "A2", "B1"):
        c.households[key] = [f.HouseholdFactory(village=regions[key]) for _ in range(3)]
    return c


_cast_snapshot = {}  # per test process: the rows build_cast wrote, once it has run


@pytest.fixture
def cast(db):
    """The cast in this test's database: built through the acts the first time in each test
    process, then its rows written again from that capture (tests/snapshot.py)."""
    if "snapshot" not in _cast_snapshot:
        result, _cast_snapshot["snapshot"] = snapshot.capture(build_cast)
        return result
    restored = _cast_snapshot["snapshot"] and _cast_snapshot["snapshot"].restore()
    return restored or build_cast()


# Modules whose subject does not depend on the database engine: the papers' rendering, seals,
# signing, keys, validation and parsing, the wording and language of pages, translations, CSP
# and error pages, the layer contracts, the calendar and numerals, the settings read from the
# environment, the storage API. They use the database only to set up what they read, so the
# PostgreSQL pass leaves them (and the browser journeys) to the SQLite pass
# (scripts/test.sh: -m "not browser and not portable"). A test elsewhere whose subject is a
# paper's content carries the marker itself (tests/documents/test_papers.py, test_notices.py);
# the ones there about who may download, and about a failed render's transaction, do not.
PORTABLE_MODULES = {
    "tests/test_layers.py",
    "tests/test_locale.py",
    "tests/test_settings.py",
    "tests/test_storage.py",
    "tests/test_language.py",
    "tests/test_ui_language.py",
    "tests/documents/test_fontcut.py",
    "tests/documents/test_long_term_validation.py",
    "tests/documents/test_preview.py",
    "tests/documents/test_preview_page.py",
    "tests/documents/test_print_copies.py",
    "tests/documents/test_rendering.py",
    "tests/documents/test_seal.py",
    "tests/documents/test_signing.py",
    "tests/documents/test_strict_conditions.py",
    "tests/documents/test_token_keys.py",
    "tests/documents/test_verification_for_people.py",
    "tests/documents/test_verify_hostile.py",
    "tests/ground/test_acts.py",
    "tests/ground/test_calendar.py",
    "tests/ground/test_numerals.py",
    "tests/processes/test_form_widgets.py",
    "tests/processes/test_page_wording.py",
    "tests/workflow/test_csp.py",
    "tests/workflow/test_error_pages.py",
}


# Modules whose tests share a costly module fixture (a whole county or province, built once per
# module): under pytest-xdist their tests all go to one worker, which builds it once, instead of
# being dealt out one by one to both workers and built on each (10 to 18 s a build).
ONE_WORKER_MODULES = {
    "tests/processes/test_demo_seed.py",
    "tests/processes/test_seed_scale.py",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """xdist's ``load`` scheduling (one test at a time to whichever worker is nearly idle, in
    pytest-django's order: transactional tests last), except that ONE_WORKER_MODULES are dealt
    as one unit each. (``--dist loadgroup`` would do it with markers, but with pytest 9 it
    groups nothing: it renames ``item._nodeid``, which pytest no longer reads.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

        def _reschedule(self, node):
            # One test queued behind the running one is enough (LoadScope keeps up to three,
            # which left one worker with the last long tests while the other sat idle).
            if node.shutting_down:
                return
            if not self.workqueue:
                node.shutdown()
                return
            if self._pending_of(self.assigned_work[node]) > 1:
                return
            self._assign_work_unit(node)

    return Scheduling(config, log)


def pytest_collection_modifyitems(config, items):
    root = config.rootpath
    for item in items:
        if item.path.relative_to(root).as_posix() in PORTABLE_MODULES:
            item.add_marker(pytest.mark.portable)


@pytest.fixture(autouse=True, scope="session")
def _serialized_rows_reloaded_in_bulk():
    """serialized_rollback tests start from the migrations' rows written back in bulk
    (tests/snapshot.py reload_serialized), not one save at a time."""
    from django.db.backends.base.creation import BaseDatabaseCreation

    original = BaseDatabaseCreation.deserialize_db_from_string
    BaseDatabaseCreation.deserialize_db_from_string = snapshot.reload_serialized
    yield
    BaseDatabaseCreation.deserialize_db_from_string = original


@pytest.fixture(autouse=True, scope="session")
def _site_urls_loaded():
    """Flow nodes reverse their URLs through the site, which is wired when the URLconf loads."""
    from django.urls import get_resolver

    assert get_resolver().url_patterns


# Set by the autouse fixtures below, read by no middleware.
_SET_FOR_EVERY_TEST = {"PASSWORD_HASHERS", "MEDIA_ROOT", "QIYUE_PAPERS_INLINE"}


@pytest.fixture(autouse=True, scope="session")
def _one_middleware_chain():
    """Every test ``Client`` loads the middleware on its first request (WhiteNoise alone
    lists every static file, about half a second): the clients share one loaded chain, as a
    site's requests share one handler, until a setting changes that a middleware may read
    when it loads (then the next client loads it afresh)."""
    from django.test.client import ClientHandler
    from django.test.signals import setting_changed

    loaded = {}
    original = ClientHandler.load_middleware
    names = ("_view_middleware", "_template_response_middleware", "_exception_middleware")

    def load_middleware(self, is_async=False):
        if is_async not in loaded:
            original(self, is_async)
            loaded[is_async] = [getattr(self, name) for name in (*names, "_middleware_chain")]
        for name, value in zip((*names, "_middleware_chain"), loaded[is_async], strict=True):
            setattr(self, name, value)

    def forget(setting, **kwargs):
        if setting not in _SET_FOR_EVERY_TEST:
            loaded.clear()

    setting_changed.connect(forget, weak=False)
    ClientHandler.load_middleware = load_middleware
    yield
    ClientHandler.load_middleware = original
    setting_changed.disconnect(forget)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _keys_outside_the_tree(tmp_path, monkeypatch):
    """Each test's county CA and signing keys live in its own temporary directory, never in
    var/: region-based key codes (R<pk>-gov) repeat across test databases."""
    from documents import pki

    monkeypatch.setenv("QIYUE_KEY_DIR", str(tmp_path / "keys"))
    pki.clear_caches()
    yield
    pki.clear_caches()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _papers_inline(settings):
    """Papers are produced right after commit, in the test's thread (the site produces them
    in the background; tests/documents/test_background_papers.py covers that)."""
    settings.QIYUE_PAPERS_INLINE = True


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Per-address request counters (workflow/security.py) live in the cache, which outlives a
    test: every request of the suite comes from 127.0.0.1, so each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
