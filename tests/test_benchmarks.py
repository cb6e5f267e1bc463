"""`make bench` starts: the benchmark modules import before Django is set up."""

import subprocess
import sys
from pathlib import Path


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
