"""The hall's words: one term for each thing, no English in Chinese text, Chinese punctuation in Chinese.

Walks every Chinese translation in the .ts file and every Chinese text given to `Message(...)` or
`Text(...)` in the code (by reading the source, so a message nobody triggered in a test is checked too).
"""
from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import glossary
from kiosk.errors import Message

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "assets" / "i18n" / "onewindow_zh_CN.ts"
CJK = "[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]"
#: ASCII punctuation touching a Chinese character: "材料:" or "(原件)" instead of "材料：" and "（原件）"
ASCII_PUNCT_BY_CJK = re.compile(rf"(?<={CJK})[,:;()!?]|[,:;()!?](?={CJK})")
#: what Chinese text may carry in Latin letters: abbreviations read as such in China, the ID number's check
#: character, file formats, and the pinyin initials a citizen types to search ("sfz" for 身份证)
ALLOWED_WORDS = {"ID", "QR", "PDF", "OFD", "USB", "UUID", "X", "JPEG", "PNG", "TIFF", "WebP", "MB", "UTF", "Unicode",
                 "CUPS", "sfz", "csv", "json", "xml", "xlsx", "jpg", "jpeg", "png", "tif", "tiff", "webp", "pdf",
                 # the characters a unified social credit code never contains, named in its error
                 "I", "O", "Z", "S", "V",
                 # "U盘", what a USB stick is called; "English", the name of the language a button switches to
                 "U", "English",
                 # values an administrator types on the command line (`onewindow staff add --role ...`)
                 "clerk", "supervisor", "administrator", "python", "escpos",
                 # the package format a platform operator publishes updates in, and its file extension
                 "Debian", "deb"}
#: technical text an administrator types as it stands: commands, options, setting names, file names, addresses
TECHNICAL = re.compile(r"\./[\w.]+(?: [a-z]+)?|onewindow(?: [a-z][a-z-]*)*|--[a-z][\w-]*|\b[a-z]+_[a-z_]+\b|[\w./-]+\.(?:log|sh|toml|py)\b"
                       r"|https?://\S+|\b[\w-]+(?:\.[a-z]{2,})+\b|\{[^{}]*\}|%\d|\"[a-z_]+\"|“[a-z_]+”")


def ts_translations() -> Iterator[tuple[str, str]]:
    for message in ET.parse(TS).getroot().iter("message"):
        translation = message.find("translation")
        source = message.find("source")
        if translation is None or source is None or translation.get("type") in ("vanished", "obsolete"):
            continue
        yield f"ts: {source.text}", translation.text or ""


def _literal(node: ast.expr) -> str | None:
    """The text of a string argument; an f-string's fields become "{}", a join of literals is joined."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return None if left is None and right is None else (left or "{}") + (right or "{}")
    return None


def code_chinese() -> Iterator[tuple[str, str]]:
    for package in ("kiosk", "printing", "sync", "ui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name not in ("Message", "Text"):
                    continue
                text = _literal(node.args[0])
                if text is not None and re.search(CJK, text):
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", text


def english_in(text: str) -> list[str]:
    words = re.findall(r"[A-Za-z]+", TECHNICAL.sub(" ", text))
    return [w for w in words if w not in ALLOWED_WORDS]


def punctuation_in(text: str) -> list[str]:
    return ASCII_PUNCT_BY_CJK.findall(TECHNICAL.sub("〇", text))


def test_the_checks_catch_what_the_issue_saw() -> None:
    """The scanners themselves: a raw status, a channel code and English punctuation are caught."""
    assert english_in("审核结果：valid") == ["valid"]
    assert english_in("来源：cli") == ["cli"]
    assert punctuation_in("材料名称: 户口簿(原件)") == [":", "(", ")"]
    assert not english_in("请扫描二维码（QR）或输入身份证号码，最后一位可为X。") and not punctuation_in("（原件）：是")
    assert not english_in("请运行 onewindow enroll --platform 地址，或设置 device_no。")


def test_ts_has_chinese_for_every_string_and_no_english_or_ascii_punctuation() -> None:
    translations = list(ts_translations())
    assert len(translations) > 200
    bad = [(where, text) for where, text in translations
           if not text or english_in(text) or punctuation_in(text)]
    assert not bad, "\n".join(f"{w}: {t}" for w, t in bad)


def test_chinese_messages_in_the_code_have_no_english_or_ascii_punctuation() -> None:
    messages = list(code_chinese())
    assert len(messages) > 200
    bad = [(where, text, english_in(text), punctuation_in(text)) for where, text in messages
           if english_in(text) or punctuation_in(text)]
    assert not bad, "\n".join(f"{w}: {t} {e} {p}" for w, t, e, p in bad)


def _printing_sources() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "printing").rglob("*.py")):
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


@pytest.mark.parametrize("pattern", sorted(glossary.FORBIDDEN))
def test_one_term_for_each_thing(pattern: str) -> None:
    """The translations, the printing templates and every message use the glossary's term, not its rivals."""
    found = [where for where, text in [*ts_translations(), *_printing_sources(), *code_chinese()]
             if re.search(pattern, text) and not where.startswith("kiosk/glossary.py")]
    assert not found, f"{pattern} instead of {glossary.TERMS[glossary.FORBIDDEN[pattern]].zh}: {found}"


def test_the_receipt_number_has_one_name_on_screens_and_paper() -> None:
    ts = TS.read_text(encoding="utf-8")
    printing = "".join(text for _where, text in _printing_sources())
    assert glossary.RECEIPT_NO.zh in ts and glossary.RECEIPT_NO.zh in printing
    assert ts.count(">回执编号<") >= 2  # the counter's "Receipt no." and the kiosk's "Receipt number" alike


def test_glossary_terms_are_complete_and_bilingual() -> None:
    for key in ("receipt_no", "applicant", "id_card_no", "service_item", "case", "material", "supplement", "accept",
                "reject", "completed", "counter"):
        assert key in glossary.TERMS, key
    for key, term in glossary.TERMS.items():
        assert isinstance(term, Message) and re.fullmatch(f"{CJK}+", term.zh), key
        assert term.en and not re.search(CJK, term.en), key
    zh = [t.zh for t in glossary.TERMS.values()]
    assert len(zh) == len(set(zh))  # no two keys share a term
    assert glossary.label(glossary.RECEIPT_NO, "zh") == "回执编号"
    assert glossary.label(glossary.RECEIPT_NO, "en") == "回执编号 Receipt number"
