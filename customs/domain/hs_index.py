"""The HS nomenclature in memory: look a code up, walk its parents, search by code or words in English
and Simplified Chinese.

Pure: built from (code, English description, Chinese name) rows; the customs app builds it once per
process from its tables (customs.selectors.hs_index). About 6,900 entries: a search is a scan of
pre-normalised strings, a few milliseconds at most.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
# Headings first (what a seller usually means), then subheadings, then chapters.
_LEVEL_ORDER = {4: 0, 6: 1, 2: 2}


@dataclass(frozen=True, slots=True)
class HsEntry:
    code: str  # "61", "6109", "610910"
    description: str  # English (HS 2022, UN Comtrade)
    description_zh: str  # Simplified Chinese, "" where none is held
    level: int  # 2 chapter, 4 heading, 6 subheading

    @property
    def parent_code(self) -> str | None:
        return None if self.level == 2 else self.code[: self.level - 2]


def _words(text: str) -> str:
    """' t shirts singlets and other vests ' — lower-case words between spaces, for word-start matching."""
    return " " + " ".join(_WORD.findall(text.lower())) + " "


class HsIndex:
    def __init__(self, entries: Iterable[HsEntry]) -> None:
        self._entries = sorted(entries, key=lambda e: e.code)
        self._codes = [e.code for e in self._entries]
        self._by_code = {e.code: e for e in self._entries}
        self._english = [(_words(e.description), e.description.lower(), e) for e in self._entries]
        self._chinese = [(e.description_zh, e) for e in self._entries if e.description_zh]

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def chinese_count(self) -> int:
        return len(self._chinese)

    def get(self, code: str) -> HsEntry | None:
        return self._by_code.get(code)

    def lineage(self, code: str) -> list[HsEntry]:
        """Chapter, heading and subheading of a code (a national 8-10 digit line stops at its subheading)."""
        return [self._by_code[code[:n]] for n in (2, 4, 6) if len(code) >= n and code[:n] in self._by_code]

    def search(self, query: str, *, limit: int = 20) -> list[HsEntry]:
        query = (query or "").strip()[:100]
        if not query:
            return []
        digits = re.sub(r"[\s.\-]", "", query)
        if digits.isdigit():
            return self._by_prefix(digits[:6], limit)
        if _CJK.search(query):
            return self._chinese_search(query, limit)
        return self._english_search(query, limit)

    def _by_prefix(self, prefix: str, limit: int) -> list[HsEntry]:
        start = bisect_left(self._codes, prefix)
        found = []
        for entry in self._entries[start:]:
            if not entry.code.startswith(prefix):
                break
            found.append(entry)
        found.sort(key=lambda e: (e.level, e.code))
        return found[:limit]

    def _english_search(self, query: str, limit: int) -> list[HsEntry]:
        words = _WORD.findall(query.lower())[:6]
        if not words:
            return []
        starts = [" " + w for w in words]
        # Words must start a word of the description ("tea" is not "steam"); failing that, anywhere.
        found = [(text.find(starts[0]), e) for text, _, e in self._english if all(s in text for s in starts)]
        if not found:
            found = [(raw.find(words[0]), e) for _, raw, e in self._english if all(w in raw for w in words)]
        # Descriptions that name the thing early ("Raw silk") before those that mention it in passing
        # ("Articles of gut (other than silk-worm gut)"); then headings, subheadings, chapters.
        found.sort(key=lambda item: (item[0] // 24, _LEVEL_ORDER[item[1].level], item[1].code))
        return [entry for _, entry in found[:limit]]

    def _chinese_search(self, query: str, limit: int) -> list[HsEntry]:
        tokens = _CJK_RUN.findall(query)
        # A name that is, or starts with, the words first ("智能手机" is 851713 before heading 8517).
        first = tokens[0] if tokens else ""
        whole = [(0 if name.startswith(first) else 0.5, e) for name, e in self._chinese if all(t in name for t in tokens)]
        if whole:
            scored = whole
        else:
            # No name holds every word: rank by the share of the query's characters a name holds.
            chars = set("".join(tokens))
            scored = []
            for name, entry in self._chinese:
                share = len(chars.intersection(name)) / len(chars)
                if share >= 0.5:
                    scored.append((1 - share, entry))
        scored.sort(key=lambda item: (item[0], _LEVEL_ORDER[item[1].level], item[1].code))
        return [entry for _, entry in scored[:limit]]
