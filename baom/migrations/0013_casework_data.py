"""Case work data: every open case gets its case worker (who registered the person); every
visit's "next follow-up" becomes a FollowUp (done when a later visit took place on or after
its date, due otherwise); the follow-up reminders run every day at 07:00 (django-celery-beat).
Set-based SQL: one statement per step, whatever the volume."""

from django.db import migrations

TASK = "baom.casework.tasks.remind_follow_ups"
NAME = "baom-follow-up-reminders"

ASSIGN = """
UPDATE baom_beneficiary SET assigned_to_id = registered_by_id
WHERE assigned_to_id IS NULL AND status <> 'closed'
"""

FOLLOW_UPS = """
INSERT INTO baom_followup (uuid, beneficiary_id, bureau_id, assigned_to_id, due_on, purpose,
                           status, reason, visit_id, created_by_id, closed_at, created_at,
                           updated_at)
SELECT gen_random_uuid(), v.beneficiary_id, v.bureau_id, v.agent_id, v.next_follow_up,
       'Suivi de la visite du ' || to_char(v.date, 'DD/MM/YYYY'),
       CASE WHEN later.date IS NULL THEN 'due' ELSE 'done' END, '', v.id, v.agent_id,
       later.date::timestamptz, v.created_at, now()
FROM baom_visit v
LEFT JOIN LATERAL (
    SELECT min(w.date) AS date FROM baom_visit w
    WHERE w.beneficiary_id = v.beneficiary_id AND w.date >= v.next_follow_up AND w.id <> v.id
) later ON true
WHERE v.next_follow_up IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM baom_followup f WHERE f.visit_id = v.id)
"""


def forwards(apps, schema_editor):
    schema_editor.execute(ASSIGN)
    schema_editor.execute(FOLLOW_UPS)
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="7",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Africa/Casablanca",
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()
    schema_editor.execute("DELETE FROM baom_followup WHERE visit_id IS NOT NULL")


class Migration(migrations.Migration):
    dependencies = [
        ("baom", "0012_casework"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
