"""Reference data: the need and service types, in three languages (see baom/reference.py)."""

from django.db import migrations


def create(apps, schema_editor):
    from baom.reference import load

    load(model=apps.get_model("baom", "ServiceType"))


class Migration(migrations.Migration):
    dependencies = [("baom", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
