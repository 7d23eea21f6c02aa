"""Data: every existing beneficiary's consent to processing and to sharing becomes the first
entry of its consent history (date and method as recorded, recorded by whoever registered the
person, at the time the record was created). Consent to be contacted was never asked: the
new boolean stays false and no entry is invented.

One INSERT ... SELECT per purpose (no Python loop); rows already in the history are skipped,
so running it again adds nothing."""

from django.db import migrations

INSERT = """
INSERT INTO baom_consentrecord
    (uuid, beneficiary_id, purpose, given, date, method, recorded_by_id, recorded_at)
SELECT gen_random_uuid(), b.id, %(purpose)s, b.{field}, b.consent_date, b.consent_method,
       b.registered_by_id, b.created_at
FROM baom_beneficiary b
WHERE NOT EXISTS (
    SELECT 1 FROM baom_consentrecord c WHERE c.beneficiary_id = b.id AND c.purpose = %(purpose)s
)
"""


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for purpose, field in (("processing", "consent_processing"), ("sharing", "consent_sharing")):
            cursor.execute(INSERT.format(field=field), {"purpose": purpose})


class Migration(migrations.Migration):
    dependencies = [("baom", "0005_consent_rights_retention")]

    # Going back: the schema migration before this one drops the table.
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
