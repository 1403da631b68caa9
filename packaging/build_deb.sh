#!/usr/bin/env bash
# Builds dist/onewindow_<version>_<arch>.deb with dpkg-deb (called by `./dev.sh package`).
#
#   packaging/build_deb.sh BUILD_PYTHON [--version V] [--out DIR] [--compress gzip:1|xz:6]
#
# BUILD_PYTHON is a Python with pip (the developer venv); it installs wheels into the package's own venv,
# which is made by Debian's /usr/bin/python3.11 (the interpreter the package depends on), never the
# developer's. Everything is installed from wheels here, so installing the package needs no network.
#
# A venv holds absolute paths (script shebangs, pyvenv.cfg, activate scripts). It is built in a staging
# tree at $STAGE/opt/onewindow/venv and every occurrence of the staging prefix is then removed, so the
# paths are the installed ones (/opt/onewindow/venv/...); the build fails if any is left in a text file.
# Byte code is compiled here with the staging prefix stripped (tracebacks name the installed files).
#
# The dependencies' venv is cached per pyproject.toml, Python and architecture (~/.cache/onewindow-package):
# a second build (another version of the app, same dependencies) only installs the app's own wheel.
set -euo pipefail

BUILD_PY=${1:?usage: build_deb.sh BUILD_PYTHON [--version V] [--out DIR] [--compress KIND:LEVEL]}
shift
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT="$ROOT/dist"
VERSION=""
COMPRESS="gzip:1"
while (($#)); do
  case "$1" in
    --version) VERSION=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --compress) COMPRESS=$2; shift 2 ;;
    *) echo "build_deb.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

PY=/usr/bin/python3.11          # Debian bookworm's; the package Depends on python3.11
INSTALL_PREFIX=/opt/onewindow
ARCH=$(dpkg --print-architecture)
[ -x "$PY" ] || { echo "build_deb.sh: $PY is missing (apt-get install python3.11 python3-venv)" >&2; exit 1; }
if [ -z "$VERSION" ]; then
  VERSION=$("$PY" -c 'import tomllib,sys; print(tomllib.load(open(sys.argv[1],"rb"))["project"]["version"])' \
    "$ROOT/pyproject.toml")
fi
# A Python version that is also a Debian version: digits, dots, plus-local parts and .postN/.devN only.
if ! [[ "$VERSION" =~ ^[0-9]+(\.[0-9]+)*((\.post|\.dev|\+)[0-9A-Za-z.]+)?$ ]]; then
  echo "build_deb.sh: version '$VERSION' is not one both Python and Debian read the same way (e.g. 1.2.0, 1.2.0.post1)" >&2
  exit 2
fi
unset SOURCE_DATE_EPOCH  # it would switch compileall to hash-checked byte code (slower start)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/onewindow-deb.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/root"
VENV="$STAGE$INSTALL_PREFIX/venv"
SITE="$VENV/lib/python3.11/site-packages"
started=$(date +%s)
step() { echo "[package] $(($(date +%s) - started)) s: $*" >&2; }

# --- the app's own wheel, from the working tree (tracked and new files, not what .gitignore names) --------
SRC="$WORK/src"
mkdir -p "$SRC"
(cd "$ROOT" && git ls-files -co --exclude-standard -z -- pyproject.toml README.md LICENSE kiosk ui sync printing \
  | tar --null -T - -cf -) | tar -xf - -C "$SRC"
"$PY" - "$SRC/pyproject.toml" "$VERSION" <<'EOF'
import re, sys
path, version = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
text, n = re.subn(r'(?m)^version = "[^"]*"', f'version = "{version}"', text, count=1)
assert n == 1, "no version line in pyproject.toml"
open(path, "w", encoding="utf-8").write(text)
EOF
"$BUILD_PY" -m pip wheel -q --no-deps -w "$WORK/wheels" "$SRC" >&2

step "wheel built; the dependencies"
# --- the dependencies' venv: cached ------------------------------------------------------------------
CACHE_FORMAT=3  # raise it when the way the cache is made changes
deps_key=$( (cat "$ROOT/pyproject.toml" "$HERE/pyside6-trim.txt"; "$PY" -VV; echo "$ARCH $CACHE_FORMAT") | sha256sum | cut -c1-16)
CACHE="${ONEWINDOW_PACKAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/onewindow-package}/venv-$deps_key"
if [ ! -f "$CACHE/.complete" ]; then
  echo "[package] installing the dependencies into a fresh venv (cached in $CACHE)" >&2
  rm -rf "$CACHE"
  mkdir -p "$(dirname "$CACHE")"
  "$PY" -m venv "$CACHE"
  # the app's dependencies and the scanner extra, from the wheel just built, by the venv's own pip: what has
  # no wheel (python-sane) is compiled against Debian's Python, not the developer's. Then the app itself, pip
  # and setuptools go (the cache holds only what pyproject.toml asks for; nothing installs at run time).
  # (--no-cache-dir: a wheel pip built earlier for another interpreter would be taken from its cache)
  "$CACHE/bin/python" -m pip install -q --no-cache-dir --no-compile --no-warn-script-location \
    "$(ls "$WORK"/wheels/onewindow-*.whl)[scanner]" >&2
  "$CACHE/bin/python" -m pip uninstall -q -y onewindow >&2
  "$CACHE/bin/python" -m pip uninstall -q -y pip setuptools >&2
  # top-level folders some wheels put in site-packages by mistake (python-barcode: docs/, tests/)
  rm -rf "$CACHE/lib/python3.11/site-packages/tests" "$CACHE/lib/python3.11/site-packages/docs"
  pyside="$CACHE/lib/python3.11/site-packages/PySide6"
  (cd "$pyside" && grep -v '^#' "$HERE/pyside6-trim.txt" | while read -r pattern; do
     [ -n "$pattern" ] && rm -rf $pattern
   done)
  still=$(grep -rlaF libQt6WebEngine "$pyside" || true)
  if [ -n "$still" ]; then
    echo "build_deb.sh: left out Qt WebEngine, but these still name it (add them to pyside6-trim.txt):" >&2
    echo "$still" >&2
    exit 1
  fi
  find "$CACHE" -name __pycache__ -type d -prune -exec rm -rf {} +
  rm -f "$CACHE/bin/activate.fish" "$CACHE/bin/activate.csh" "$CACHE/bin/Activate.ps1"
  # byte code naming the installed paths, once per cache (templates that only look like Python, such as
  # PySide6's Android deploy recipes, do not compile: they stay source only)
  "$PY" -m compileall -q -j 0 -s "$CACHE" -p "$INSTALL_PREFIX/venv" "$CACHE/lib/python3.11/site-packages" \
    >/dev/null || true
  touch "$CACHE/.complete"
fi
mkdir -p "$(dirname "$VENV")"
cp -al "$CACHE" "$VENV"   # hard links: every file this build changes is replaced (sed -i), never written through
rm -f "$VENV/.complete"
# the venv's interpreter links name Debian's python3.11 itself, not whatever python3 points to later
for link in python python3 python3.11; do
  [ -L "$VENV/bin/$link" ] && ln -sfn /usr/bin/python3.11 "$VENV/bin/$link"
done
"$BUILD_PY" -m pip --python "$VENV/bin/python" install -q --no-deps --no-compile --no-warn-script-location \
  "$WORK"/wheels/onewindow-*.whl >&2

step "venv in place"
# The assets (fonts, catalog, translations, styles) sit beside the packages, where kiosk/assets.py looks.
cp -a "$ROOT/assets" "$SITE/assets"
find "$SITE/assets" -name '*.pyc' -delete

step "assets in"
# --- absolute paths: staging prefix out ---------------------------------------------------------------
grep -rlIF --null "$CACHE" "$VENV" | xargs -0 -r sed -i "s|$CACHE|$INSTALL_PREFIX/venv|g"
grep -rlIF --null "$STAGE" "$VENV" | xargs -0 -r sed -i "s|$STAGE||g"
# pip records where the wheel came from (a temporary folder of this build): not a path anything uses
find "$SITE" -name direct_url.json -path '*onewindow-*' -delete
left=$(grep -rlIF "$STAGE" "$VENV" || true)
if [ -n "$left" ]; then
  echo "build_deb.sh: the staging path is still in:" >&2
  echo "$left" >&2
  exit 1
fi
left=$(grep -rlIF "$CACHE" "$VENV" || true)
if [ -n "$left" ]; then
  echo "build_deb.sh: the cache path is still in:" >&2
  echo "$left" >&2
  exit 1
fi

step "paths rewritten"
# the app's byte code, with the installed paths in it (the dependencies' is in the cache)
"$PY" -m compileall -q -j 0 -s "$STAGE" -p / "$SITE/kiosk" "$SITE/ui" "$SITE/sync" "$SITE/printing" >/dev/null

step "byte code compiled"
# --- the rest of the file system ------------------------------------------------------------------------
install -d "$STAGE$INSTALL_PREFIX/bin" "$STAGE/usr/bin" "$STAGE/lib/systemd/system" \
  "$STAGE/usr/share/applications" "$STAGE/usr/share/doc/onewindow" "$STAGE/etc/pam.d" "$STAGE/etc/onewindow" \
  "$STAGE/usr/share/lintian/overrides" "$STAGE$INSTALL_PREFIX/share/nginx"
ln -s ../venv/bin/onewindow "$STAGE$INSTALL_PREFIX/bin/onewindow"
ln -s "$INSTALL_PREFIX/bin/onewindow" "$STAGE/usr/bin/onewindow"
for unit in "$HERE"/systemd/*; do   # every file there: the update slice adds its own
  install -m 0644 "$unit" "$STAGE/lib/systemd/system/"
done
install -m 0644 "$HERE"/applications/*.desktop "$STAGE/usr/share/applications/"
install -m 0644 "$HERE/pam/onewindow-kiosk" "$STAGE/etc/pam.d/onewindow-kiosk"
for role in kiosk counter; do
  install -m 0644 "$HERE/etc/$role.toml" "$STAGE/etc/onewindow/$role.toml"
done
install -m 0644 "$ROOT/deploy/nginx/onewindow-platform.conf" "$STAGE$INSTALL_PREFIX/share/nginx/"
install -m 0644 "$ROOT/README.md" "$STAGE/usr/share/doc/onewindow/README.md"
install -m 0644 "$HERE/debian/copyright" "$STAGE/usr/share/doc/onewindow/copyright"
sed "s/@VERSION@/$VERSION/; s/@DATE@/$(date -R)/" "$HERE/debian/changelog.in" | gzip -9n \
  > "$STAGE/usr/share/doc/onewindow/changelog.gz"
install -m 0644 "$HERE/debian/lintian-overrides" "$STAGE/usr/share/lintian/overrides/onewindow"

step "files in place"
# --- control ----------------------------------------------------------------------------------------------
install -d "$STAGE/DEBIAN"
size_kb=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed "s/@VERSION@/$VERSION/; s/@ARCH@/$ARCH/; s/@SIZE@/$size_kb/" "$HERE/debian/control.in" > "$STAGE/DEBIAN/control"
for script in postinst prerm postrm; do
  install -m 0755 "$HERE/debian/$script" "$STAGE/DEBIAN/$script"
done
(cd "$STAGE" && find etc -type f | sed 's|^|/|' | sort) > "$STAGE/DEBIAN/conffiles"
(cd "$STAGE" && find . -path ./DEBIAN -prune -o -type f -print0 | sed -z 's|^\./||' | sort -z \
  | xargs -0 md5sum) > "$STAGE/DEBIAN/md5sums"

step "control and md5sums"
# ownership and modes as dpkg installs them: root, directories 0755, files 0644 or 0755 when executable
chmod -R u+rwX,go+rX,go-w "$STAGE"
mkdir -p "$OUT"
deb="$OUT/onewindow_${VERSION}_${ARCH}.deb"
kind=${COMPRESS%%:*}
level=${COMPRESS#*:}
dpkg-deb --root-owner-group -Z"$kind" -z"$level" --build "$STAGE" "$deb" >&2
echo "[package] $deb: $(du -h "$deb" | cut -f1) (installed $((size_kb / 1024)) MB) in $(($(date +%s) - started)) s" >&2
echo "$deb"
