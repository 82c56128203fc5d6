"""National tariff schedules beyond the UK/EU file, one module per published source.

Each module reads its versioned file(s) under `customs/data/tariffs/` (sources in
`customs/data/SOURCES.md`) into the tariff book's `Measure`s and declares:

    DESTINATION: str              customs territory the schedule is for ("US", "JP", ...)
    FILES: tuple[str, ...]        its file names under customs/data/tariffs/
    def read_measures(directory: Path) -> list[Measure]

`customs.reference.read_all_measures` reads every module listed in MODULES; the
`load_reference_data` command stores them, and tests and benches read the same files.
"""

from __future__ import annotations

from customs.national_tariffs import jp_customs, us_hts

MODULES: tuple = (jp_customs, us_hts)
