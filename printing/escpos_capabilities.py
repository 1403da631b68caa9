"""python-escpos's printer profiles, read once per machine instead of once per process.

When `escpos.capabilities` is first imported, python-escpos parses its capabilities.json with PyYAML's
pure-Python loader (a fifth of a second here, more on a kiosk's CPU) and pickles the result into a
directory from `mkdtemp()` that nothing ever removes. So every process that printed or rendered a
receipt (each CLI verb, each window, each worker) started that much later and left a 70 KB directory in
the temporary directory, which on a kiosk is often RAM; a development machine had gathered 7,000 of them.

python-escpos reads a pickle instead of the JSON when `ESCPOS_CAPABILITIES_PICKLE_DIR` names a directory
holding one newer than the JSON. `use_lasting_cache` writes that pickle into the user's cache directory,
keyed by the JSON's hash so an upgraded python-escpos gets its own, and writes it atomically: python-escpos
writes its own pickle in place, where a process starting at the same moment could read half a file. It
reads the file with `json` (the file is JSON; a test checks that YAML's safe loader gives the same values).

`mkdtemp()` is the default argument of python-escpos's `environ.get`, so it is called even when the
variable is set: the import runs with the temporary directory pointed at a private one, removed after.
That setting is process-wide for the import's few tens of milliseconds, while a process starts (a window
imports `printing` in the job that opens its store); nothing in the product makes a temporary file
without naming its directory. The private directory's name holds the process id, so one left by a process
killed during the import is removed by the next import.
Where no cache can be written (a read-only home), nothing is set and python-escpos does what it always did.
Its import also calls `logging.basicConfig()`, which would print every later log record on stderr once the
program's own logging set the level to INFO; the handler it adds is removed again.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.resources
import json
import logging
import os
import pickle
import platform
import shutil
import stat
import sys
import tempfile
from pathlib import Path

import platformdirs

log = logging.getLogger("onewindow.printing")

PICKLE_DIR_VARIABLE = "ESCPOS_CAPABILITIES_PICKLE_DIR"
FILE_VARIABLE = "ESCPOS_CAPABILITIES_FILE"


def cache_root() -> Path:
    return Path(platformdirs.user_cache_dir("onewindow")) / "escpos-capabilities"


def pickle_name() -> str:
    """The file name python-escpos looks for in the directory (its own naming)."""
    return f"{platform.python_version()}.capabilities.pickle"


def use_lasting_cache(root: Path | None = None) -> Path | None:
    """Point python-escpos at a ready pickle and import its profiles; the directory used, or None if none could
    be. A no-op when the profiles are already imported or the person running it set python-escpos's own
    variables."""
    if "escpos.capabilities" in sys.modules or FILE_VARIABLE in os.environ:
        return None
    directory = Path(os.environ[PICKLE_DIR_VARIABLE]) if PICKLE_DIR_VARIABLE in os.environ else \
        _prepared(root or cache_root())
    if directory is not None:
        os.environ[PICKLE_DIR_VARIABLE] = str(directory)
    _import_without_a_stray_directory()
    return directory


def _prepared(root: Path) -> Path | None:
    try:
        with importlib.resources.as_file(importlib.resources.files("escpos") / "capabilities.json") as source:
            data = source.read_bytes()
            written = source.stat().st_mtime
        directory = root / hashlib.sha256(data).hexdigest()[:16]
        target = directory / pickle_name()
        # python-escpos reads the JSON again if it is newer than the pickle (a reinstall of the same version)
        if not target.is_file() or target.stat().st_mtime < written:
            directory.mkdir(parents=True, exist_ok=True)
            capabilities = json.loads(data)
            fd, temporary = tempfile.mkstemp(dir=directory, prefix=".writing-")
            try:
                with os.fdopen(fd, "wb") as out:
                    pickle.dump(capabilities, out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        return directory
    except (OSError, ValueError) as exc:  # a read-only or full cache, an unreadable JSON: python-escpos's own way
        log.warning("python-escpos's printer profiles are not cached (%s); each start reads them again", exc)
        return None


PRIVATE_PREFIX = "onewindow-escpos-"  # then the importing process's id and a dash


def _import_without_a_stray_directory() -> None:
    _remove_leftovers(Path(tempfile.gettempdir()))
    private = tempfile.mkdtemp(prefix=f"{PRIVATE_PREFIX}{os.getpid()}-")
    previous = tempfile.tempdir
    root = logging.getLogger()
    handlers = list(root.handlers)
    tempfile.tempdir = private  # python-escpos's eager `mkdtemp()` lands here, and goes with it
    try:
        importlib.import_module("escpos.capabilities")
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(private, ignore_errors=True)
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)  # its `logging.basicConfig()`: the program sets up its own logging


def _remove_leftovers(directory: Path) -> None:
    """A process killed during the import (a window stopped while it starts) leaves its private directory;
    the next import removes those of processes that are gone. Only this user's directories with this name,
    never a link: the temporary directory is shared."""
    for path in directory.glob(f"{PRIVATE_PREFIX}*-*"):
        pid = path.name[len(PRIVATE_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _running(int(pid)):
            continue
        try:
            found = path.lstat()
        except OSError:
            continue  # removed meanwhile by another process starting
        if stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid():
            shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process has that id now
        return True
    return True
