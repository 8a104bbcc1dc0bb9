"""Load an assessment instrument from JSON (fixtures/guardianship_instrument.json is the shipped default).

Takes the model classes so that a data migration can pass historical models. An existing name+version is left
alone: instruments are versioned, never edited in place once assessments use them."""

import json
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "fixtures" / "guardianship_instrument.json"


def load_instrument(Instrument, Dimension, Item, Option, data: dict | None = None):
    data = data or json.loads(DEFAULT.read_text(encoding="utf-8"))
    existing = Instrument.objects.filter(name=data["name"], version=data["version"]).first()
    if existing:
        return existing
    instrument = Instrument.objects.create(
        name=data["name"],
        version=data["version"],
        source=data.get("source", ""),
        medium_from=data["medium_from"],
        high_from=data["high_from"],
    )
    for d_order, dim in enumerate(data["dimensions"]):
        dimension = Dimension.objects.create(instrument=instrument, name=dim["name"], order=d_order)
        for i_order, item in enumerate(dim["items"]):
            it = Item.objects.create(dimension=dimension, text=item["text"], order=i_order)
            for o_order, option in enumerate(item["options"]):
                label, score, *rest = option
                Option.objects.create(item=it, label=label, score=score, critical=bool(rest and rest[0]), order=o_order)
    return instrument
