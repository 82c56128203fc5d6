"""Reference data kept in process: one helper for every cache of it (tariff book, HS index, rate book,
FX rates, screening index).

    @process_cache()                                   # kept until tariff_book.cache_clear()
    def tariff_book() -> TariffBook: ...

    @process_cache(every=lambda: settings.FX_REFRESH_SECONDS, maxsize=64)
    def fx_table(on: date | None = None) -> FxTable: ...   # one value per argument, read again after `every`

    @process_cache(stamp=lists_version, every=lambda: settings.SCREENING_LIST_RECHECK_SECONDS)
    def screening_index() -> ScreeningIndex: ...       # rebuilt when the stamp (a small query) changes

A value is built once (one thread builds, the others wait for it) and kept until `cache_clear()` (named
as functools' caches: the loader in this process and tests call it); with `every`, values are also
forgotten after that many seconds, or, with a `stamp`, the stamp is asked at most that often and the
values are forgotten when it changed. Another process's loader reaches this one only through `every`:
without it, a process sees new data when it restarts.

Pure memoisation inside an object (a book's lookups, parsed duty expressions) is not a process cache
of reference data and keeps its own dict or lru_cache.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
V = TypeVar("V")

_MISSING = object()


class ProcessCache(Generic[P, V]):
    """`build` called once per distinct arguments; see the module docstring."""

    def __init__(self, build: Callable[P, V], *, every: Callable[[], float] | None = None,
                 stamp: Callable[[], Hashable] | None = None, maxsize: int = 1) -> None:
        if stamp is not None and every is None:
            raise ValueError("a stamp is asked every so often: give `every` too")
        self._build = build
        self._every = every
        self._stamp = stamp
        self._maxsize = maxsize
        self._values: dict[Hashable, V] = {}
        self._building = threading.Lock()  # one build at a time; the others wait for its value
        self._guard = threading.Lock()  # held only to store or forget values, never while building
        self._generation = 0  # bumped when values are forgotten: a build that began before is not kept
        self._checked_at = float("-inf")  # the first call asks the stamp
        self._stamped: Any = _MISSING
        functools.update_wrapper(self, build)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> V:
        key = (*args, *kwargs.items()) if kwargs else args
        if self._every is not None and time.monotonic() - self._checked_at >= self._every():
            self._recheck()
        value = self._values.get(key, _MISSING)
        if value is _MISSING:
            with self._building:
                value = self._values.get(key, _MISSING)
                if value is _MISSING:
                    generation = self._generation
                    value = self._build(*args, **kwargs)
                    with self._guard:
                        if generation == self._generation:
                            if len(self._values) >= self._maxsize:
                                self._values.pop(next(iter(self._values)))  # the oldest built
                            self._values[key] = value
        return value  # type: ignore[return-value]

    def _recheck(self) -> None:
        self._checked_at = time.monotonic()
        stamp = self._stamp() if self._stamp is not None else _MISSING
        if stamp is _MISSING or stamp != self._stamped:
            self._forget()
            self._stamped = stamp

    def _forget(self) -> None:
        with self._guard:
            self._generation += 1
            self._values = {}

    def cache_clear(self) -> None:
        """Forget every value now: the next call builds afresh (loaders in this process, tests)."""
        self._forget()
        self._stamped = _MISSING
        self._checked_at = float("-inf")


def process_cache(*, every: Callable[[], float] | None = None, stamp: Callable[[], Hashable] | None = None,
                  maxsize: int = 1) -> Callable[[Callable[P, V]], ProcessCache[P, V]]:
    """Decorate the function that builds the value (see the module docstring)."""
    def decorate(build: Callable[P, V]) -> ProcessCache[P, V]:
        return ProcessCache(build, every=every, stamp=stamp, maxsize=maxsize)
    return decorate
