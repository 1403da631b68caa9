"""A repair for PySide6 6.12.0 on CPython 3.11: it hands out None, True and False without a reference.

The 6.12.0 wheels (one abi3 build for every CPython) return `Py_None`,
`Py_True` and `Py_False` without `Py_INCREF` in places: `SignalInstance.emit()`
returns True that way, and calling a Python override of a C++ virtual (a
`QRunnable.run`, for one) takes a reference from None. On CPython 3.12 and
later that is harmless, because those objects are immortal there (PEP 683);
on 3.11 every `.emit()` and every job wears their reference counts down. True
starts with about 7,000 references in a kiosk or counter process, and an idle
window emits about once a second (its sync-status poll), so after about two
hours CPython aborts with "Fatal Python error: bool_dealloc" (or
"none_dealloc"). Under pytest the abort is silent: the message goes to the
captured stderr and faulthandler is already off, so the run just stops
(issue 10's full run that "died silently").

`repair_singleton_refcounts` measures whether this PySide has the bug (a few
emits of a private signal, counting True's references before and after) and
only then does what CPython 3.12 does: it makes None, True, False, Ellipsis
and NotImplemented immortal in practice, by adding 2**60 to their reference
counts. With a fixed PySide, or on CPython 3.12+, it changes nothing.
"""
from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

PROBES = 16
MARGIN = 1 << 60  # a billion stolen references a second would take 36 years to use this up
SINGLETONS = (None, True, False, Ellipsis, NotImplemented)

_repaired = False


class _Probe(QObject):
    ping = Signal()


def emit_steals_a_reference() -> bool:
    """True when `emit()` takes a reference from True."""
    probe = _Probe()
    ping = probe.ping
    before = sys.getrefcount(True)
    for _ in range(PROBES):
        ping.emit()
    lost = before - sys.getrefcount(True)
    for _ in range(max(0, lost)):  # give back what the probing took
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return lost >= PROBES


def _add_references(obj: object, count: int) -> None:
    refcnt = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt: the first field of every object
    before = sys.getrefcount(obj)
    refcnt.value += count
    if sys.getrefcount(obj) - before < count // 2:  # not where we expected it (a trace-refs build): undo
        refcnt.value -= count
        raise RuntimeError("cannot pin the reference count of the built-in singletons on this interpreter")


def repair_singleton_refcounts() -> bool:
    """Idempotent; call on the GUI thread at start-up. True when the repair was needed (and is now in place)."""
    global _repaired
    if _repaired:
        return True
    if sys.version_info >= (3, 12) or not emit_steals_a_reference():
        return False
    for obj in SINGLETONS:
        _add_references(obj, MARGIN)
    _repaired = True
    return True
