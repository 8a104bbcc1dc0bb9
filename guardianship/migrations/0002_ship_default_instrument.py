from django.db import migrations


def ship(apps, schema_editor):
    from guardianship.instruments import load_instrument

    load_instrument(*(apps.get_model("guardianship", m) for m in ("Instrument", "Dimension", "Item", "Option")))


class Migration(migrations.Migration):
    dependencies = [("guardianship", "0001_initial")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
