#!/usr/bin/env bash
# OneWindow developer entry point. Bootstraps everything it needs on a fresh
# Debian machine (system packages, virtualenv, Python dependencies), then:
#   ./dev.sh app    start the app on its embedded defaults
#   ./dev.sh test   run the whole test suite (what CI runs)
#   ./dev.sh setup  only install
#   ./dev.sh package [--version V] [--out DIR]   build dist/onewindow_<version>_<arch>.deb (packaging/)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="${ONEWINDOW_VENV:-$ROOT/.venv}"

# System packages the app and the tests need: CJK fonts (UI and PDFs), Qt's
# runtime libraries, Xvfb, poppler (pdftotext/pdftoppm), PostgreSQL (tests
# start their own server), SANE with its test backend, tesseract for the OCR
# benchmark, espeak-ng and speech-dispatcher for read-aloud (Mandarin through espeak-ng's cmn voice),
# nginx for the platform's production layout (deploy/nginx/; the tests run it as their own child process).
APT_PACKAGES=(
  fonts-wqy-zenhei fonts-hanazono fontconfig
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libglib2.0-0 libpulse0 xvfb xauth
  # Qt's xcb platform plugin (libqxcb.so, libQt6XcbQpa.so.6 and the xcb GL integrations), from `ldd`:
  libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1
  libxcb-xfixes0 libxcb-xkb1
  poppler-utils postgresql
  sane-utils libsane1 libsane-dev
  tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng
  cups-client libusb-1.0-0
  speech-dispatcher speech-dispatcher-espeak-ng espeak-ng libspeechd2
  nginx
  # the platform's fleet page is tested in a real headless browser (tests/sync/test_fleet_page.py)
  chromium
  # the Debian package (`./dev.sh package`, tests/package/): Debian's own Python 3.11 and venv for the package's
  # environment, lintian, the cage compositor and Qt's Wayland client libraries the kiosk unit runs with
  python3.11 python3.11-dev python3-venv lintian cage xwayland libwayland-client0 libwayland-cursor0 libwayland-egl1 libpam-systemd
)

need_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "[setup] installing system packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    # Debian starts nginx's default site on port 80 when it installs it; the tests only need the program
    # (they run their own nginx), so a service this set-up brought is stopped and left off.
    if [[ " ${missing[*]} " == *" nginx "* ]] && [ -d /run/systemd/system ]; then
      $sudo systemctl disable --now nginx >/dev/null 2>&1 || true
    fi
  fi
}

need_venv() {
  local stamp="$VENV/.onewindow-installed"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "[setup] creating virtualenv in $VENV" >&2
    python3 -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "[setup] installing Python dependencies" >&2
    "$VENV/bin/python" -m pip install -q --upgrade pip >&2
    "$VENV/bin/python" -m pip install -q -e ".[dev,scanner]" >&2
    touch "$stamp"
  fi
}

setup() {
  if command -v apt-get >/dev/null 2>&1; then need_apt; fi
  need_venv
}

cmd="${1:-app}"
shift || true
case "$cmd" in
  setup)
    setup
    ;;
  app)
    setup
    exec "$VENV/bin/onewindow" app --local-platform "$@"
    ;;
  test)
    setup
    export QT_QPA_PLATFORM=offscreen
    "$VENV/bin/lint-imports" --config pyproject.toml
    # One worker per core (ONEWINDOW_TEST_WORKERS=0 for one process, or -n N after the command); each file's
    # tests stay together on one worker, in order, sharing its module fixtures (tests/package builds once).
    exec "$VENV/bin/python" -m pytest -n "${ONEWINDOW_TEST_WORKERS:-auto}" --dist loadfile "$@"
    ;;
  package)
    setup
    exec packaging/build_deb.sh "$VENV/bin/python" "$@"
    ;;
  *)
    echo "usage: ./dev.sh [app|test|setup|package] [args...]" >&2
    exit 2
    ;;
esac
