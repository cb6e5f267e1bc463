"""`make bench` starts: the benchmark modules import before Django is set up."""

import subprocess
import sys
from pathlib import Path

import pytest


def test_benchmarks_entry_point_starts():
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--help"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "--projects" in result.stdout and "--quick" in result.stdout
    assert "--scale-projects" in result.stdout


def test_the_scale_benchmark_is_skipped_at_once_without_a_size(monkeypatch):
    from argparse import Namespace

    from benchmarks import scale

    monkeypatch.delenv("QIYUE_BENCH_SCALE_PROJECTS", raising=False)
    results, targets, met = scale.bench(Namespace(scale_projects=None))
    assert "skipped" in results and targets == {} and met == {}


def test_the_scale_benchmark_is_skipped_without_postgresql(db, settings):
    from argparse import Namespace

    from django.db import connection

    from benchmarks import scale

    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the benchmark would build a province; the SQLite pass checks")
    results, _targets, met = scale.bench(Namespace(scale_projects=100))
    assert results == {"skipped": "needs PostgreSQL (DATABASE_URL)"} and met == {}
