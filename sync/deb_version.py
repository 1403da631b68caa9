"""Debian version ordering (deb-version(7)), so a terminal and the root helper agree with dpkg on which
package is newer without asking dpkg (a terminal under test or on another system may not have it)."""
from __future__ import annotations

import re
from functools import cmp_to_key

_PARTS = re.compile(r"(\D*)(\d*)")


def _order(c: str) -> int:
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _compare_part(a: str, b: str) -> int:
    for (a_text, a_num), (b_text, b_num) in _pairs(a, b):
        a_keys = [_order(c) for c in a_text] + [0]
        b_keys = [_order(c) for c in b_text] + [0]
        for x, y in zip(a_keys + [0] * len(b_keys), b_keys + [0] * len(a_keys)):
            if x != y:
                return -1 if x < y else 1
        if int(a_num or 0) != int(b_num or 0):
            return -1 if int(a_num or 0) < int(b_num or 0) else 1
    return 0


def _pairs(a: str, b: str) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    pa = [m.groups() for m in _PARTS.finditer(a) if m.group(0)]
    pb = [m.groups() for m in _PARTS.finditer(b) if m.group(0)]
    n = max(len(pa), len(pb))
    pa += [("", "")] * (n - len(pa))
    pb += [("", "")] * (n - len(pb))
    return list(zip(pa, pb))


def _split(v: str) -> tuple[int, str, str]:
    epoch, _, rest = v.rpartition(":") if ":" in v else ("0", "", v)
    upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "")
    return int(epoch or 0), upstream, revision


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as `dpkg --compare-versions a lt/eq/gt b` would say."""
    ea, ua, ra = _split(a)
    eb, ub, rb = _split(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(ua, ub) or _compare_part(ra, rb)


version_key = cmp_to_key(compare)
