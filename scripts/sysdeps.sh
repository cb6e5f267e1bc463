#!/usr/bin/env bash
# Install the Debian packages Qiyue needs, but only those that are missing.
#
#   scripts/sysdeps.sh              # the default set (see DEFAULT_PACKAGES)
#   scripts/sysdeps.sh PKG [PKG…]   # just these packages
#
# Runs apt-get (after one `apt-get update`) as root, or through passwordless sudo.
# Without either it prints what is missing and exits 0, so `make` goes on.
# QIYUE_SKIP_SYSDEPS=1 skips the whole thing.
# Exit status: 0 unless SYSDEPS_STRICT=1 and something is still missing at the end.
set -uo pipefail

DEFAULT_PACKAGES=(
  # PostgreSQL server (the second test pass, scripts/pg-test-server) and client (psql).
  postgresql
  postgresql-client
  # Redis, the Celery broker of the broker tests on the PostgreSQL pass (scripts/redis-test-server).
  redis-server
  # msgfmt, for `manage.py compilemessages`.
  gettext
  # Chinese fonts for the PDFs WeasyPrint renders.
  fonts-noto-cjk
  fonts-arphic-uming
  fonts-arphic-ukai
  # The browser the journeys in tests/browser/ drive (Playwright, launched by path): Chromium's
  # headless build (same engine, no window system: a quarter less CPU per journey), and the
  # full browser for looking at a page by hand.
  chromium-headless-shell
  chromium
  # SoftHSM2, the PKCS#11 token the signing-key tests use (scripts/softhsm-test-token).
  softhsm2
  # pdftotext / pdftoppm, to read generated PDFs back in tests and by hand.
  poppler-utils
  # Native libraries WeasyPrint loads at run time.
  libpango-1.0-0
  libpangoft2-1.0-0
  libharfbuzz0b
  libharfbuzz-subset0
  libfontconfig1
  fontconfig
  shared-mime-info
)

log() { printf 'sysdeps: %s\n' "$*" >&2; }

if [[ "${QIYUE_SKIP_SYSDEPS:-}" == 1 ]]; then
  log "QIYUE_SKIP_SYSDEPS=1: skipped"
  exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  log "not a Debian-based system (no dpkg-query): install the equivalents of these by hand:"
  log "  ${DEFAULT_PACKAGES[*]}"
  exit 0
fi

if (($#)); then
  wanted=("$@")
else
  wanted=("${DEFAULT_PACKAGES[@]}")
fi

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

missing_packages() {
  local pkg
  for pkg in "${wanted[@]}"; do
    is_installed "$pkg" || printf '%s\n' "$pkg"
  done
}

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} == 0)); then
  exit 0
fi

log "missing: ${missing[*]}"

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    log "not root and no passwordless sudo: install them yourself, e.g."
    log "  sudo apt-get install ${missing[*]}"
    [[ "${SYSDEPS_STRICT:-}" == 1 ]] && exit 1
    exit 0
  fi
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)

log "apt-get update"
if ! "${as_root[@]}" apt-get "${apt_opts[@]}" update >/dev/null; then
  log "apt-get update failed; trying the install with the package lists already there"
fi

log "apt-get install ${missing[*]}"
if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}" >/dev/null; then
  log "apt-get install failed"
fi

mapfile -t still_missing < <(missing_packages)
if ((${#still_missing[@]})); then
  log "still missing: ${still_missing[*]}"
  [[ "${SYSDEPS_STRICT:-}" == 1 ]] && exit 1
else
  log "installed: ${missing[*]}"
fi
exit 0
