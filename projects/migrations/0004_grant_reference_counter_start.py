"""Start each year's grant counter after the highest number already given that year, so new
agreement references never collide with existing ones (existing references are not renamed:
they are printed on signed agreements)."""

import re

from django.db import migrations

REFERENCE = re.compile(r"^PRIM-(\d{4})-(\d+)$")


def start_counters(apps, schema_editor):
    Grant = apps.get_model("projects", "Grant")
    Counter = apps.get_model("projects", "GrantReferenceCounter")
    highest: dict[int, int] = {}
    for reference in Grant.objects.values_list("reference", flat=True):
        match = REFERENCE.match(reference)
        if match:
            year, number = int(match[1]), int(match[2])
            highest[year] = max(highest.get(year, 0), number)
    for year, last in highest.items():
        Counter.objects.update_or_create(year=year, defaults={"last": last})


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_call_translations_documents_override_counter")]

    operations = [migrations.RunPython(start_counters, migrations.RunPython.noop)]
