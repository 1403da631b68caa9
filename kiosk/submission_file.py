"""The submission file of `onewindow submit` (also taken by the platform's `submit-online`).

`{"service_item", "applicant", "form", "materials": {CODE: [PATH, ...]}, "id"?}`
with paths relative to the file. Reading it collects every problem, and image
files go through the same page pipeline as a kiosk scan.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kiosk.catalog import Catalog
from kiosk.errors import Message, Problem, ValidationFailed
from kiosk.materials.intake import IntakeLimits, MaterialFile, MaterialRefused, import_path
from kiosk.materials.pipeline import process_checked_files
from kiosk.submission import ApplicationDraft

MAX_INPUT_BYTES = 1024 * 1024
KEYS = {"id", "service_item", "applicant", "form", "materials"}


def _file_problem(zh: str, en: str) -> ValidationFailed:
    return ValidationFailed([Problem("file", Message(zh, en))])


def parse_submission(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_INPUT_BYTES:
        raise _file_problem("申请文件过大（超过1MB）。", "The application file is over 1 MB.")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _file_problem(f"申请文件不是有效的 JSON：{exc}", f"The application file is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise _file_problem("申请文件应为一个 JSON 对象。", "The application must be a JSON object.")
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
    """The draft to check and store, plus the problems found while reading its files."""
    problems = [Problem(key, Message(f"未知字段“{key}”。", f"Unknown field '{key}'.")) for key in sorted(set(doc) - KEYS)]
    raw_materials = doc.get("materials", {})
    if not isinstance(raw_materials, dict):
        problems.append(Problem("materials", Message("materials 应为“材料编码: [文件路径, ...]”。",
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
