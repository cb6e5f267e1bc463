#!/usr/bin/env bash
# Run the pytest suite twice: on SQLite, then on a private PostgreSQL server
# (scripts/pg-test-server), which is always stopped afterwards. Fails if either
# pass fails. The PostgreSQL pass also gets a private Redis (scripts/redis-test-server,
# exported as QIYUE_TEST_REDIS_URL) for the broker tests (marker "broker", real Celery
# workers); it is always stopped too. Called by `make test`; expects the venv to be there (`make venv`).
#
# Environment:
#   PYTEST_ARGS     extra pytest arguments, shell-quoted (e.g. "-k 'lifecycle and not slow'")
#   PYTEST_WORKERS  pytest-xdist workers per pass (0 or empty = serial, the default)
#   TEST_DBS        which passes to run, in order (default "sqlite postgres")
#
# The browser journeys (marker "browser", tests/browser/) and the tests whose subject does not
# depend on the database engine (marker "portable": papers' rendering and signing, wording,
# translations, layers; tests/conftest.py PORTABLE_MODULES) run on SQLite only. The journeys are
# a pass of their own ("browser", one process, SQLite) that runs beside the others from the start:
# a journey spends much of its time waiting for the browser (alone, the pass uses 101 core-seconds
# in 155 s), and beside the other passes those waits are filled, though the journeys then cost
# somewhat more CPU. Its output is printed when it ends.
# Each pass prints pytest's own summary; the last line is the total of all,
# in the form "total: N passed, N failed, N skipped".
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT" || exit 1

PY="$REPO_ROOT/.venv/bin/python"
[[ -x "$PY" ]] || {
  echo "test.sh: $PY not found; run 'make venv' first" >&2
  exit 1
}

# Split PYTEST_ARGS the way a shell would (quotes are honoured, nothing is expanded).
extra_args=()
if [[ -n "${PYTEST_ARGS:-}" ]]; then
  mapfile -d '' -t extra_args < <(
    "$PY" -c 'import shlex, sys; sys.stdout.write("".join(a + "\0" for a in shlex.split(sys.argv[1])))' \
      "$PYTEST_ARGS"
  ) || {
    echo "test.sh: cannot parse PYTEST_ARGS: $PYTEST_ARGS" >&2
    exit 2
  }
fi

# xdist's default "load" keeps pytest-django's order on each worker: transactional tests last.
# (worksteal does not: a test run after a serialized_rollback test finds its database flushed,
# permissions and all.)
# --maxschedchunk=1: a worker is handed its next test only when it is nearly idle. The default
# hands out chunks, and the last chunk (the transactional tests, the browser journeys among them,
# about half of the pass's time) went to one worker while the other sat idle for minutes.
worker_args=()
if [[ -n "${PYTEST_WORKERS:-}" && "${PYTEST_WORKERS}" != 0 && "${PYTEST_WORKERS}" != 1 ]]; then
  worker_args=(-n "$PYTEST_WORKERS" --maxschedchunk=1)
fi

WORK="$(mktemp -d -t qiyue-test.XXXXXX)"
# The postgres system user (when we are root) must reach $WORK/pg.
chmod 711 "$WORK"
export QIYUE_PG_STATE_DIR="$WORK/pg"
export QIYUE_REDIS_STATE_DIR="$WORK/redis"
# The prepared PDF fonts are built once (about a minute) and shared by both passes and runs.
export QIYUE_FONT_CACHE_DIR="${QIYUE_FONT_CACHE_DIR:-$REPO_ROOT/var/fonts}"

cleanup() {
  if [[ -n "${browser_pid:-}" ]]; then # interrupted while the journeys ran
    pkill -TERM -P "$browser_pid" 2>/dev/null || true
    wait "$browser_pid" 2>/dev/null || true
  fi
  "$REPO_ROOT/scripts/pg-test-server" stop >/dev/null 2>&1 || true
  "$REPO_ROOT/scripts/redis-test-server" stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

declare -A rc_of=()

pytest_pass() {
  # pytest_pass NAME [ENV=VALUE…]: one pass of the suite; returns pytest's status (5, no tests, is 0).
  local name="$1"
  shift
  local marker_args=() workers=("${worker_args[@]}")
  case "$name" in
    sqlite) marker_args=(-m "not browser") ;;
    browser) marker_args=(-m browser) workers=() ;;
    postgres) marker_args=(-m "not browser and not portable") ;;
  esac
  mkdir -p "$WORK/var-$name"
  echo
  echo "==> pytest on $name${workers:+ (${workers[*]})}"
  env "$@" QIYUE_VAR_DIR="$WORK/var-$name" \
    "$PY" -m pytest "${workers[@]}" "${marker_args[@]}" --junitxml="$WORK/$name.xml" "${extra_args[@]}"
  local rc=$?
  if ((rc == 5)); then
    echo "test.sh: WARNING: pytest collected no tests on $name" >&2
    rc=0
  fi
  return "$rc"
}

run_pytest() {
  # run_pytest NAME [ENV=VALUE…]: a pass in the foreground, its status in rc_of[NAME].
  pytest_pass "$@"
  rc_of[$1]=$?
}

browser_pid=""
start_browser_pass() {
  # The journeys in the background; their output waits in $WORK/browser.log.
  passes+=(browser)
  echo
  echo "==> pytest on browser (SQLite, beside the other passes; its output follows when it ends)"
  pytest_pass browser -u DATABASE_URL >"$WORK/browser.log" 2>&1 &
  browser_pid=$!
}

finish_browser_pass() {
  [[ -n "$browser_pid" ]] || return 0
  wait "$browser_pid"
  rc_of[browser]=$?
  browser_pid=""
  cat "$WORK/browser.log"
  # The failure screenshots would go with $WORK: keep them in var/ for whoever reads the log.
  if ((rc_of[browser] != 0)) && [[ -d "$WORK/var-browser/screenshots" ]]; then
    mkdir -p "$REPO_ROOT/var/test-screenshots"
    cp "$WORK/var-browser/screenshots/"*.png "$REPO_ROOT/var/test-screenshots/" 2>/dev/null &&
      echo "test.sh: the failed journeys' screenshots are in var/test-screenshots/"
  fi
}

# On a fresh machine the fonts are prepared here, before any pass starts: prepared lazily, they were
# built by whichever test rendered the first paper while every other process that needed them
# waited on the lock, and a journey's page then waited for them past its 15 s.
echo "==> preparing the PDF fonts in $QIYUE_FONT_CACHE_DIR (once per machine)"
QIYUE_VAR_DIR="$WORK/var-fonts" "$PY" "$REPO_ROOT/manage.py" build_fonts --if-missing || exit 1

passes=()
for db in ${TEST_DBS:-sqlite postgres}; do
  case "$db" in
    sqlite)
      start_browser_pass
      passes+=(sqlite)
      run_pytest sqlite -u DATABASE_URL
      ;;
    postgres | postgresql | pg)
      passes+=(postgres)
      echo
      echo "==> starting a private PostgreSQL server"
      if url="$("$REPO_ROOT/scripts/pg-test-server" start)"; then
        echo "==> starting a private Redis server"
        redis_url=""
        # Without it the broker tests fail under CI and are skipped elsewhere (tests/workflow/test_broker.py).
        redis_url="$("$REPO_ROOT/scripts/redis-test-server" start)" ||
          echo "test.sh: could not start Redis; the broker tests cannot run" >&2
        run_pytest postgres DATABASE_URL="$url" ${redis_url:+QIYUE_TEST_REDIS_URL="$redis_url"}
        "$REPO_ROOT/scripts/redis-test-server" stop || true
        "$REPO_ROOT/scripts/pg-test-server" stop || true
      else
        echo "test.sh: could not start PostgreSQL; the postgres pass fails" >&2
        rc_of[postgres]=1
      fi
      ;;
    *)
      echo "test.sh: unknown database in TEST_DBS: $db (use sqlite, postgres)" >&2
      exit 2
      ;;
  esac
done

finish_browser_pass

# One closing line for all passes, counted from pytest's JUnit XML.
status=0
echo
for name in "${passes[@]}"; do
  if ((rc_of[$name] == 0)); then
    echo "test.sh: $name pass: ok"
  else
    echo "test.sh: $name pass: FAILED (pytest exit status ${rc_of[$name]})"
    status=1
  fi
done

pass_args=()
for name in "${passes[@]}"; do pass_args+=("$name:${rc_of[$name]}"); done
"$PY" - "$WORK" "${pass_args[@]}" <<'EOF' || status=1
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

work = Path(sys.argv[1])
passed = failed = skipped = 0
for arg in sys.argv[2:]:
    name, rc = arg.rsplit(":", 1)
    path = work / f"{name}.xml"
    bad = 0
    if path.exists():
        root = ET.parse(path).getroot()
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for suite in suites:
            tests = int(suite.get("tests", 0))
            errors = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skip = int(suite.get("skipped", 0))
            passed += tests - errors - skip
            bad += errors
            skipped += skip
    if rc != "0" and bad == 0:
        bad = 1  # the pass failed without reporting a failed test (crash, start-up error)
    failed += bad
print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
EOF

exit "$status"
