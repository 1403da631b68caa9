"""Finding a service item the way people type: Chinese, English, or pinyin initials.

"sfz" finds 居民身份证换领 (shen fen zheng), "hk" finds 户口迁移, "social" finds
the social security card. Initials are computed once per catalog (pypinyin
is slow to load), and heteronyms count both ways (银行 is "yh", not "yx").
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kiosk.catalog import Catalog, ServiceItem


@lru_cache(maxsize=4096)
def initials(text: str) -> tuple[str, ...]:
    """Every plausible initials string of `text` (one per heteronym reading, capped)."""
    from pypinyin import Style, pinyin

    readings = pinyin(text, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    combos = [""]
    for options in readings:
        letters = sorted({o[:1].lower() for o in options if o}) or [""]
        combos = [c + letter for c in combos for letter in letters][:64]
    return tuple(combos)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace(" ", "")


@dataclass(frozen=True)
class SearchIndex:
    entries: tuple[tuple[ServiceItem, str, tuple[str, ...]], ...]

    @classmethod
    def build(cls, catalog: Catalog) -> "SearchIndex":
        entries = []
        for item in catalog.items:
            haystack = _norm(" ".join([item.name.zh, item.name.en, item.department.name.zh,
                                       item.department.name.en, item.theme.name.zh, item.theme.name.en]))
            entries.append((item, haystack, initials(item.name.zh)))
        return cls(tuple(entries))

    def search(self, query: str) -> list[ServiceItem]:
        q = _norm(query)
        if not q:
            return [entry[0] for entry in self.entries]
        hits = []
        for item, haystack, inits in self.entries:
            if q in haystack or (q.isascii() and q.isalpha() and any(q in i for i in inits)):
                hits.append(item)
        return hits
