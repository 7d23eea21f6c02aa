"""Load (or refresh) the reference tables every deployment needs: the territory tree, then
each app's own (``<app>/reference.py``).

Idempotent: rows are matched on their code; running it twice changes nothing.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Territory
from accounts.roles import app_modules

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
LEVEL_ORDER = {"region": 0, "province": 1, "commune": 2}


def load_territories(path: Path = DATA_DIR / "territories.csv") -> tuple[int, int]:
    """Create missing territories and update changed ones; returns (created, updated)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: LEVEL_ORDER[row["level"]])
    existing = {t.code: t for t in Territory.objects.all()}
    created = updated = 0
    for row in rows:
        parent = existing.get(row["parent_code"]) if row["parent_code"] else None
        if row["parent_code"] and parent is None:
            raise CommandError(
                f"{path.name}: {row['code']} names an unknown parent {row['parent_code']}"
            )
        values = {
            "level": row["level"],
            "kind": row["kind"],
            "parent": parent,
            "name_fr": row["name_fr"],
            "name_ar": row["name_ar"],
            "name_en": row["name_en"],
        }
        territory = existing.get(row["code"])
        if territory is None:
            territory = Territory(code=row["code"], **values)
            territory.full_clean()
            territory.save()
            existing[territory.code] = territory
            created += 1
        elif any(getattr(territory, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(territory, key, value)
            territory.full_clean()
            territory.save()
            updated += 1
    return created, updated


class Command(BaseCommand):
    help = "Load the territory tree (Souss-Massa and the Oriental) and other reference tables."

    @transaction.atomic
    def handle(self, *args, **options):
        created, updated = load_territories()
        self.stdout.write(f"Territories: {created} created, {updated} updated.")
        # Each app loads its own reference tables from ``<app>/reference.py``: ``load(*, stdout)``.
        for module in app_modules("reference"):
            module.load(stdout=self.stdout)
