from django.db import migrations

DEFAULTS = [
    ("Optische Komponenten und Systeme", "Optical components and systems"),
    ("Laser und Lasersysteme", "Lasers and laser systems"),
    ("Mess- und Sensortechnik", "Measurement and sensing"),
    ("Bildverarbeitung und industrielle Bildverarbeitung", "Image processing and machine vision"),
    ("Biophotonik und Medizinoptik", "Biophotonics and medical optics"),
    ("Optische Nachrichtentechnik", "Optical communication"),
    ("Beleuchtung und Displays", "Lighting and displays"),
    ("Feinwerktechnik und Fertigung", "Precision engineering and manufacturing"),
    ("Sonstiges", "Other"),
]


def add_defaults(apps, schema_editor):
    TechnologyField = apps.get_model("reports", "TechnologyField")
    if TechnologyField.objects.exists():
        return
    TechnologyField.objects.bulk_create(
        TechnologyField(name_de=de, name_en=en, position=index * 10)
        for index, (de, en) in enumerate(DEFAULTS)
    )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_growth_report")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
