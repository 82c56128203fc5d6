"""Words of a search: Chinese text segmented by jieba, the rest split on non-letters. Pure code."""

from __future__ import annotations

import logging
import re
import threading

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_lock = threading.Lock()
_jieba = None


def _segmenter():
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                # jieba prints through a stderr handler of its own: send its records to the project's handlers
                # instead, which keep personal data out (ewtp/log_redaction.py)
                jieba.default_logger.removeHandler(jieba.log_console)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))


def chinese_words(text: str, *, for_index: bool = False) -> list[str]:
    """jieba's words of the Chinese runs in `text`. The index takes cut_for_search (every word and its
    shorter words: 龙井绿茶 → 龙井, 绿茶, 龙井绿茶) so that a query cut precisely still matches."""
    if not has_cjk(text):
        return []
    jieba = _segmenter()
    cut = jieba.cut_for_search if for_index else jieba.cut
    words = []
    for token in cut(text):
        token = token.strip().lower()
        if token and _WORD.fullmatch(token) and has_cjk(token):
            words.append(token)
    return list(dict.fromkeys(words))


def index_text(*parts: str) -> str:
    """The search_zh column: Chinese words separated by spaces (PostgreSQL's 'simple' parser keeps them)."""
    return " ".join(dict.fromkeys(w for part in parts for w in chinese_words(part, for_index=True)))


def query_words(q: str) -> tuple[list[str], list[str]]:
    """(latin words, chinese words) of a query, lowercased, at most 8 of each."""
    latin = [w.lower() for w in _WORD.findall(_CJK.sub(" ", q or ""))]
    return list(dict.fromkeys(latin))[:8], chinese_words(q or "")[:8]
