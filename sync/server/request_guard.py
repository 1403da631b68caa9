"""What a JSON request body must be before any endpoint sees it.

FastAPI parses bodies with `json.loads`, which accepts what no endpoint can
store or answer: lone UTF-16 surrogates (`"\\ud800"` cannot be encoded back
to UTF-8, so even the error answer quoting it failed with a 500), `NaN` and
`Infinity`, integers of thousands of digits, nesting deep enough to exhaust
the stack. The platform refuses all of these here, once, with a 422 (415 for a body that is not JSON at all) in its own error
format, as FastAPI answers a body it cannot parse, so every endpoint behind it only ever meets plain JSON
that round-trips: UTF-8 text, finite numbers, integers within a signed
64-bit column, at most `MAX_DEPTH` levels.
"""
from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64
INT_LIMIT = 2**63  # a database integer column holds less than this
JSON_TYPES = ("application/json",)


class BodyRefused(Exception):
    def __init__(self, status: int, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.status = status
        self.code = code
        self.zh = zh
        self.en = en


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 19 or abs(int(text)) >= INT_LIMIT:
        raise BodyRefused(422, "number_out_of_range", "请求中的整数超出范围（须小于 2^63）。",
                          "An integer in the request is out of range (it must be below 2^63).")
    return int(text)


def _no_constant(name: str) -> Any:
    raise BodyRefused(422, "bad_json", f"请求中含有 JSON 不允许的数值 {name}。",
                      f"The request holds {name}, which is not a JSON number.")


def _check_text(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BodyRefused(422, "bad_text", "请求中含有不成对的 UTF-16 代理字符（如 \\ud800），无法作为文字保存。",
                          "The request holds an unpaired UTF-16 surrogate (such as \\ud800), which is not text.") from None


# A lone surrogate can only come from a \uD800-\uDFFF escape: the text itself was decoded from UTF-8, which
# holds none. Without such an escape in the body only the nesting needs a look, not every string.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _walk(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise BodyRefused(422, "too_deep", f"请求嵌套超过 {MAX_DEPTH} 层。", f"The request is nested deeper than {MAX_DEPTH} levels.")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, list):
        for item in value:
            _walk(item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _walk(item, depth + 1)


def _walk_nesting(value: Any, depth: int) -> None:
    """`_walk` for a body without surrogate escapes: its containers only."""
    if depth > MAX_DEPTH:
        raise BodyRefused(422, "too_deep", f"请求嵌套超过 {MAX_DEPTH} 层。", f"The request is nested deeper than {MAX_DEPTH} levels.")
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, (list, dict)):
            _walk_nesting(item, depth + 1)


def is_json_type(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in JSON_TYPES


def check_json_body(content_type: str, body: bytes) -> None:
    """Raise `BodyRefused` unless `body` is plain JSON the platform can store and answer."""
    if not is_json_type(content_type):
        raise BodyRefused(415, "content_type", "请求体须为 JSON（Content-Type: application/json）。",
                          "The request body must be JSON (Content-Type: application/json).")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyRefused(422, "bad_json", "请求体不是 UTF-8 编码的文字。", "The request body is not UTF-8 text.") from None
    try:
        value = json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise BodyRefused(422, "bad_json", "请求体不是有效的 JSON。", "The request body is not valid JSON.") from None
    try:
        if SURROGATE_ESCAPE.search(text) is not None:
            _walk(value, 0)
        elif isinstance(value, (list, dict)):
            _walk_nesting(value, 0)
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops the walk long before
        raise BodyRefused(422, "too_deep", "请求嵌套过深。", "The request is nested too deeply.") from None
