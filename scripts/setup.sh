#!/usr/bin/env bash
# Prepares a fresh Debian machine for BAOM: system packages, .venv, the project.
# Usage: scripts/setup.sh run|test|installer   (idempotent; installs only what is missing)
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-run}"

# Qt's xcb platform plugin and the libraries the Qt wheels load.
RUN_PACKAGES="python3-venv libgl1 libegl1 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 fonts-dejavu-core"
# Tests: PDF text extraction, a virtual screen, LibreOffice (opens the XLSX reports headless),
# time zones (the tests run on Morocco's clock, as office PCs do).
TEST_PACKAGES="poppler-utils xvfb xauth libreoffice-calc-nogui tzdata"
# The Windows installer, built and tested here: Wine runs PyInstaller and the MSI, msitools'
# wixl packs it, MinGW builds the Wine prefix's bcryptprimitives.dll, osslsigncode signs.
INSTALLER_PACKAGES="wine wine64 msitools wixl gcc-mingw-w64-x86-64-win32 osslsigncode"

wanted="$RUN_PACKAGES"
[ "$purpose" = "test" ] && wanted="$wanted $TEST_PACKAGES $INSTALLER_PACKAGES"
[ "$purpose" = "installer" ] && wanted="$wanted $INSTALLER_PACKAGES"

if command -v dpkg-query >/dev/null 2>&1; then
  missing=""
  for pkg in $wanted; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    case "$status" in *"install ok installed"*) ;; *) missing="$missing $pkg" ;; esac
  done
  if [ -n "$missing" ]; then
    echo "BAOM: installing system packages:$missing"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
else
  echo "BAOM: not a Debian system; install Qt's runtime libraries yourself." >&2
fi

PYTHON=""
for candidate in python3.11 python3.12 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && \
     "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)'; then
    PYTHON="$candidate"; break
  fi
done
if [ -z "$PYTHON" ]; then
  echo "BAOM needs Python 3.11 or 3.12." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.baom-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test,installer]"
  touch "$stamp"
fi
