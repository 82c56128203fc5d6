"""Every measure the loaders read fits the column `load_reference_data` stores it in.

SQLite ignores a CharField's max_length and PostgreSQL refuses the whole load, so an over-long source sentence
or rate text in a new schedule must fail here, on every database."""

import dataclasses

from customs.models import TariffMeasure
from customs.reference import read_all_measures


def test_every_text_field_of_every_measure_fits_its_column():
    measures = read_all_measures()
    limits = {f.name: f.max_length for f in TariffMeasure._meta.get_fields()
              if getattr(f, "max_length", None) and f.get_internal_type() == "CharField"}
    text_fields = [f.name for f in dataclasses.fields(measures[0]) if f.name in limits]
    assert {"destination", "code", "kind", "agreement", "origin", "title"} <= set(text_fields)
    too_long = [(name, m.destination, m.code, len(getattr(m, name))) for m in measures for name in text_fields
                if len(getattr(m, name) or "") > limits[name]]
    assert too_long == []
