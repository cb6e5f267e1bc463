"""A province at scale: whole-page server time of the pages officials open all day, at
village, township and county level, on PostgreSQL with DEBUG off.

The database is built once per size by ``manage.py seed_scale`` on the PostgreSQL server
DATABASE_URL names (a database ``qiyue_scale_<N>`` beside it) and reused by later runs;
without PostgreSQL the benchmark is skipped at once (CI's SQLite runs stay cheap). Each
page: median of ``REPEAT`` requests through the Django test client after one warm-up, its
query count, and the EXPLAIN ANALYZE of the heaviest queries; the export also reports its
peak traced memory (tracemalloc, one extra run; QIYUE_BENCH_SCALE_EXPORT=0 leaves the export
out). Each figure is also logged to stderr as it is measured.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

REPEAT = 5
LEVELS = {
    "village": "village_secretary",
    "township": "township_work_station",
    "county": "county_poverty_office",
}
PAGES = {
    "inbox": "/workflow/inbox/",
    "queue": "/workflow/queue/",
    "archive": "/workflow/archive/",
    "project_list": "/projects/",
    "project_page": None,  # the newest project in the official's jurisdiction
    "ledger": "/projects/ledger/",
}
# The supervisors' pages, each opened by the role that reads it at each level.
SUPERVISION = {
    "dashboard": (
        "/oversight/dashboard/",
        {"township": "township_lead", "county": LEVELS["county"]},
    ),
    "five_ones": ("/supervision/", {"township": "township_lead", "county": LEVELS["county"]}),
    "five_ones_summary": ("/supervision/county/", {"county": LEVELS["county"]}),
}
EXPORT = "/projects/ledger.xlsx"
TARGETS_MS = {"inbox": 30, "queue": 30, "archive": 30, "project_list": 50, "project_page": 50}
TARGETS_MS["ledger"] = 100
TARGETS_MS.update(dict.fromkeys(SUPERVISION, 100))
EXPORT_TARGET = {"seconds": 5.0, "mb": 100.0}
# The tables whose indexes serve these pages.
TABLES = (
    "processes_project",
    "processes_fundmovement",
    "permissions_region",
    "viewflow_task",
    "processes_dividendyear",
    "guardian_userobjectpermission",
)


def _log(message):
    print(f"scale: {message}", file=sys.stderr, flush=True)


def _use_database(projects: int):
    """Point Django at ``qiyue_scale_<N>``, creating, migrating and seeding it when missing.
    Returns the accounts of the build (role_code -> account), or None without PostgreSQL."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    name = f"qiyue_scale_{projects}"
    accounts_file = Path(settings.VAR_DIR) / f"{name}-accounts.json"
    accounts_file.parent.mkdir(parents=True, exist_ok=True)  # VAR_DIR: made only for SQLite
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
    if exists and not accounts_file.exists():  # a build that never finished
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE "{name}"')
        exists = False
    if not exists:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name
    seed_seconds = None
    if not exists:
        _log(f"building {name} (once; later runs reuse it)")
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        tmp = accounts_file.with_suffix(".tmp")
        call_command("seed_scale", projects=projects, accounts_json=str(tmp), stdout=sys.stderr)
        seed_seconds = round(time.perf_counter() - started, 1)
        tmp.rename(accounts_file)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rows = json.loads(accounts_file.read_text(encoding="utf-8"))
    return {row["role_code"]: row for row in rows}, seed_seconds


def _client(username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _size(response) -> int:
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def _time(client, url, repeat=REPEAT):
    response = client.get(url)  # warm-up: session, per-process caches
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        size = _size(client.get(url))
        times.append(time.perf_counter() - started)
    return statistics.median(times), size


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        _size(client.get(url))
    return [(float(q["time"]), q["sql"]) for q in ctx.captured_queries]


def _explain(sql):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def _export_memory(client):
    import tracemalloc

    tracemalloc.start()
    size = _size(client.get(EXPORT))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 2**20, 1), round(size / 2**20, 2)


def _project_url(username):
    from django.contrib.auth import get_user_model

    from processes.models import Project

    user = get_user_model().objects.get(username=username)
    return f"/projects/{Project.objects.visible_to(user).order_by('-created_at').first().pk}/"


def measure(accounts, export=True) -> dict:
    """Medians (ms), query counts and bytes of each page at each level, the export, and the
    plans of the heaviest queries."""
    from django.test.utils import override_settings

    results, heavy = {}, []

    def page_figures(client, page, level, url):
        median, size = _time(client, url)
        queries = _queries(client, url)
        heavy.extend((t, sql, f"{page}@{level}") for t, sql in queries)
        results[f"{page}.{level}"] = {
            "ms": round(median * 1000, 1),
            "queries": len(queries),
            "kb": round(size / 1024, 1),
        }
        _log(f"{page}.{level} {results[f'{page}.{level}']}")

    with override_settings(DEBUG=False):
        for page, (url, roles) in SUPERVISION.items():
            for level, role in roles.items():
                page_figures(_client(accounts[role]["username"]), page, level, url)
        for level, role in LEVELS.items():
            username = accounts[role]["username"]
            client = _client(username)
            for page, url in PAGES.items():
                page_figures(client, page, level, url or _project_url(username))
            if export:
                median, size = _time(client, EXPORT, repeat=3 if level == "county" else 5)
                peak_mb, _mb = _export_memory(client)
                results[f"export.{level}"] = {
                    "ms": round(median * 1000, 1),
                    "mb_file": round(size / 2**20, 2),
                    "mb_peak_traced": peak_mb,
                }
                _log(f"export.{level} {results[f'export.{level}']}")
            _log(f"{level} done")
    heavy.sort(key=lambda item: -item[0])
    plans = [
        {"page": page, "ms": round(t * 1000, 1), "sql": sql[:2000], "plan": _explain(sql)}
        for t, sql, page in heavy[:4]
        if sql.lstrip().upper().startswith("SELECT")
    ]
    return {"pages": results, "plans": plans}


def indexes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "ORDER BY tablename, indexname",
            [list(TABLES)],
        )
        rows = cursor.fetchall()
    listed = {}
    for table, _name, definition in rows:
        listed.setdefault(table, []).append(definition.split(" USING ", 1)[-1])
    return listed


def bench(options):
    projects = options.scale_projects or int(os.environ.get("QIYUE_BENCH_SCALE_PROJECTS", 0))
    if not projects:
        return {"skipped": "set --scale-projects N (or QIYUE_BENCH_SCALE_PROJECTS)"}, {}, {}
    built = _use_database(projects)
    if built is None:
        return {"skipped": "needs PostgreSQL (DATABASE_URL)"}, {}, {}
    accounts, seed_seconds = built
    measured = measure(accounts, export=os.environ.get("QIYUE_BENCH_SCALE_EXPORT", "1") != "0")
    pages = measured["pages"]
    targets, met = {}, {}
    for key, figures in pages.items():
        page, _level = key.split(".")
        if page in TARGETS_MS:
            targets[f"scale_{key}_ms"] = TARGETS_MS[page]
            met[f"scale_{key}_ms"] = figures["ms"] <= TARGETS_MS[page]
    if "export.county" in pages:
        targets["scale_export.county_s"] = EXPORT_TARGET["seconds"]
        met["scale_export.county_s"] = pages["export.county"]["ms"] / 1000 <= 5.0
        targets["scale_export.county_mb"] = EXPORT_TARGET["mb"]
        met["scale_export.county_mb"] = pages["export.county"]["mb_peak_traced"] <= 100.0
    results = {
        "projects": projects,
        "seed_seconds": seed_seconds,
        **measured,
        "indexes": indexes(),
    }
    return results, targets, met
