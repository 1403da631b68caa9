"""The submission file of `onewindow submit` (also taken by the platform's `submit-online`).

`{"service_item", "applicant", "form", "materials": {CODE: [PATH, ...]}, "id"?}`
with paths relative to the file. Reading it collects every problem, and image
files go through the same page pipeline as a kiosk scan.

Everything a file can hold that the store could not (lone surrogates, as a
file name that is not UTF-8 arrives; NUL and other control characters;
numbers past any sane size, NaN and Infinity; nesting deep enough to
exhaust the parser) is refused here, before a single byte is written, so
such a file is bad input (exit 2, nothing stored) rather than a failure
half-way through storing it.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from kiosk.catalog import Catalog
from kiosk.errors import Message, Problem, ValidationFailed
from kiosk.materials.intake import IntakeLimits, MaterialFile, MaterialRefused, import_path
from kiosk.materials.pipeline import process_checked_files
from kiosk.submission import ApplicationDraft

MAX_INPUT_BYTES = 1024 * 1024
MAX_DEPTH = 32  # the real shape is 4 deep
MAX_INT_DIGITS = 18
KEYS = {"id", "service_item", "applicant", "form", "materials"}


def _file_problem(zh: str, en: str) -> ValidationFailed:
    return ValidationFailed([Problem("file", Message(zh, en))])


class _BadNumber(ValueError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _BadNumber(text)
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(text)
    return value


def _constant(text: str) -> float:
    raise _BadNumber(text)  # NaN, Infinity, -Infinity: not JSON, and nothing a form holds


def _shown(text: str, limit: int = 60, *, tail: bool = False) -> str:
    """A string as it can be printed: a byte a non-UTF-8 file name carried as \\xNN, other oddities as \\uNNNN.

    A long string is cut: its start, or for a path its end (the file name).
    """
    out = []
    cut = len(text) > limit
    for ch in (text[-limit:] if tail else text[:limit]):
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogateescape: the raw byte of the name
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF or not ch.isprintable():
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    if not cut:
        return "".join(out)
    return "…" + "".join(out) if tail else "".join(out) + "…"


def _string_problem(where: str, value: str, *, is_path: bool) -> Problem | None:
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        if is_path:
            shown = _shown(value, tail=True)
            return Problem(where, Message(
                f"文件名不是有效的 UTF-8 文本（{shown}），可能来自其他编码的系统；请将文件改名后再提交。",
                f"the file name is not valid UTF-8 text ({shown}), perhaps from a system with another "
                "encoding; rename the file and submit again."))
        return Problem(where, Message(f"含有无效的 Unicode 字符（{_shown(value)}）。",
                                      f"contains characters that are not valid Unicode ({_shown(value)})."))
    if any(ord(c) < 32 and c not in "\t\n\r" or ord(c) == 127 for c in value):
        shown = _shown(value, tail=is_path)
        return Problem(where, Message(f"含有控制字符（{shown}）。", f"contains control characters ({shown})."))
    return None


def _too_deep(doc: Any) -> bool:
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return False


def document_problems(doc: Any) -> list[Problem]:
    """Every string (value or key) the store could not hold, named by where it is; walked without recursion."""
    problems: list[Problem] = []
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            is_path = where.startswith("materials.") and where.endswith("]")
            problem = _string_problem(where or "file", value, is_path=is_path)
            if problem is not None:
                problems.append(problem)
        elif isinstance(value, dict):
            for key, item in value.items():
                named = f"{where}.{_shown(key)}" if where else _shown(key)
                key_problem = _string_problem(named, key, is_path=False)
                if key_problem is not None:
                    problems.append(key_problem)
                else:
                    stack.append((item, named))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(value))
    return sorted(problems, key=lambda p: p.field)


def parse_submission(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_INPUT_BYTES:
        raise _file_problem("申请文件过大（超过1MB）。", "The application file is over 1 MB.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _file_problem(f"申请文件不是 UTF-8 编码的文本（第{exc.start}字节无效）。",
                            f"The application file is not UTF-8 text (invalid byte at position {exc.start}).") from None
    try:
        doc = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise _file_problem(f"申请文件不是有效的 JSON：{exc}", f"The application file is not valid JSON: {exc}") from None
    except _BadNumber as exc:
        raise _file_problem(f"申请文件含有无法接受的数字：{_shown(exc.text)}（最多{MAX_INT_DIGITS}位整数，不接受 NaN 或无穷大）。",
                            f"The application file holds a number that cannot be accepted: {_shown(exc.text)} "
                            f"(integers of at most {MAX_INT_DIGITS} digits; no NaN or Infinity).") from None
    except RecursionError:
        raise _file_problem(f"申请文件嵌套层数过多（超过{MAX_DEPTH}层）。",
                            f"The application file is nested too deeply (more than {MAX_DEPTH} levels).") from None
    if not isinstance(doc, dict):
        raise _file_problem("申请文件应为一个 JSON 对象。", "The application must be a JSON object.")
    if _too_deep(doc):  # before anything walks it recursively (str(), the checks, the JSON columns)
        raise _file_problem(f"申请文件嵌套层数过多（超过{MAX_DEPTH}层）。",
                            f"The application file is nested too deeply (more than {MAX_DEPTH} levels).")
    return doc


def read_submission_file(path: Path) -> tuple[dict[str, Any], Path]:
    """The document and the folder its relative paths start from."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _file_problem(f"无法读取 {path}：{exc.strerror}", f"Cannot read {path}: {exc.strerror}") from None
    return parse_submission(raw), path.resolve().parent


def draft_from_submission(catalog: Catalog, doc: dict[str, Any], base: Path,
                          limits: IntakeLimits) -> tuple[ApplicationDraft, list[Problem]]:
    """The draft to check and store, plus the problems found while reading its files.

    A string the store could not hold is a problem here; the checks of the
    draft then list it with every other problem, and nothing is stored.
    """
    problems = [Problem(key, Message(f"未知字段“{key}”。", f"Unknown field '{key}'.")) for key in sorted(set(doc) - KEYS)
                if _string_problem(key, key, is_path=False) is None]
    problems += document_problems(doc)
    raw_materials = doc.get("materials", {})
    if not isinstance(raw_materials, dict):
        problems.append(Problem("materials", Message('“materials”应为以材料编码为键、文件路径列表为值的对象，例如 {"id_card": ["scans/id.jpg"]}。',
                                                     "materials must map material codes to lists of file paths.")))
        raw_materials = {}
    item = catalog.item(str(doc.get("service_item") or ""))
    materials: dict[str, list[MaterialFile]] = {}
    for code, paths in raw_materials.items():
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            problems.append(Problem(f"materials.{code}", Message("应为文件路径列表。", "must be a list of file paths.")))
            continue
        checked: list[MaterialFile] = []
        refused = False
        for p in paths:  # every refused file is reported, not only the first
            if _string_problem(p, p, is_path=True) is not None:
                refused = True  # reported above (document_problems); never opened
                continue
            try:
                checked.append(import_path(Path(p) if Path(p).is_absolute() else base / p, limits))
            except MaterialRefused as exc:
                problems.append(Problem(f"materials.{code}", exc.message))
                refused = True
        spec = item.material(code) if item else None
        # The same pipeline as a kiosk scan: pages straightened, compressed, one file per material.
        materials[code] = [] if refused or spec is None or not checked else process_checked_files(checked, spec)
    draft = ApplicationDraft(service_item=str(doc.get("service_item") or ""), applicant=doc.get("applicant"),  # type: ignore[arg-type]
                             form=doc.get("form") if doc.get("form") is not None else {}, materials=materials,
                             id=doc.get("id"))
    return draft, problems
