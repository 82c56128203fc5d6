"""The process cache of reference data (ewtp/cache.py)."""

from __future__ import annotations

import threading

from ewtp.cache import process_cache


class Source:
    """Reference data another process may change: a version and a count of the times it was read."""

    def __init__(self) -> None:
        self.version = 1
        self.reads = 0
        self.stamps = 0

    def read(self, *args) -> tuple:
        self.reads += 1
        return (self.version, *args)

    def stamp(self) -> int:
        self.stamps += 1
        return self.version


def test_a_value_is_built_once_for_every_thread_and_again_after_a_reset():
    # given a slow build asked for by eight threads at once
    source, started = Source(), threading.Event()

    @process_cache()
    def book() -> tuple:
        started.wait(1)
        return source.read()

    answers: list[tuple] = []
    threads = [threading.Thread(target=lambda: answers.append(book())) for _ in range(8)]
    for thread in threads:
        thread.start()
    started.set()
    for thread in threads:
        thread.join()
    # then it was built once and every thread got that value
    assert source.reads == 1 and answers == [(1,)] * 8
    # and a newer version is seen only after a reset
    source.version = 2
    assert book() == (1,)
    book.cache_clear()
    assert book() == (2,) and source.reads == 2


def test_values_per_argument_oldest_forgotten_past_maxsize():
    source = Source()

    @process_cache(maxsize=2)
    def table(on: str | None = None) -> tuple:
        return source.read(on)

    assert table("mon") == (1, "mon") and table("tue") == (1, "tue") and table("mon") == (1, "mon")
    assert source.reads == 2
    table("wed")  # "mon" was built first: it goes
    table("tue")
    assert source.reads == 3
    table("mon")
    assert source.reads == 4


def test_without_a_stamp_values_are_read_again_once_every_seconds_have_passed():
    source, seconds = Source(), {"every": 3600.0}

    @process_cache(every=lambda: seconds["every"])
    def rates() -> tuple:
        return source.read()

    assert rates() == (1,)
    source.version = 2
    assert rates() == (1,)  # within the interval
    seconds["every"] = 0
    assert rates() == (2,)


def test_with_a_stamp_the_value_is_rebuilt_only_when_the_stamp_changed():
    source, seconds = Source(), {"every": 0.0}

    @process_cache(stamp=source.stamp, every=lambda: seconds["every"])
    def index() -> tuple:
        return source.read()

    # given the stamp is asked on every call
    first = index()
    assert index() is first and source.reads == 1 and source.stamps == 2
    # when the source changes, the next call rebuilds
    source.version = 2
    assert index() == (2,) and source.reads == 2
    # and with an interval of an hour the stamp is not asked again until a reset
    seconds["every"] = 3600
    stamps = source.stamps
    source.version = 3
    assert index() == (2,) and source.stamps == stamps
    index.cache_clear()
    assert index() == (3,) and source.stamps == stamps + 1


def test_a_value_built_from_data_a_reset_replaced_is_not_kept():
    source, building, reset_done = Source(), threading.Event(), threading.Event()

    @process_cache()
    def book() -> tuple:
        value = source.read()
        if source.reads == 1:  # the first build is overtaken by a loader
            building.set()
            reset_done.wait(1)
        return value

    answers: list[tuple] = []
    thread = threading.Thread(target=lambda: answers.append(book()))
    thread.start()
    building.wait(1)
    source.version = 2
    book.cache_clear()
    reset_done.set()
    thread.join()
    # the caller that asked before the reset has its answer, but the next one reads the new data
    assert answers == [(1,)]
    assert book() == (2,)
