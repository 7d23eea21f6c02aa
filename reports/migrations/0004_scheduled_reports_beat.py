"""Monthly and quarterly regional reports, requested by Celery beat for the previous full month
or quarter. Each runs every night of the first week of its period, so a night the server was
down is caught up; the task creates one report per period however often it runs."""

from django.db import migrations

TASK = "reports.tasks.create_scheduled_report"
SCHEDULES = {
    # name: (frequency, minute, hour, months)
    "reports-scheduled-monthly": ("monthly", "15", "2", "*"),
    "reports-scheduled-quarterly": ("quarterly", "30", "2", "1,4,7,10"),
}


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (frequency, minute, hour, months) in SCHEDULES.items():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="1-7",
            month_of_year=months,
            timezone="Africa/Casablanca",
        )
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": TASK,
                "crontab": crontab,
                "kwargs": f'{{"frequency": "{frequency}"}}',
                "description": f"Regional {frequency} report for the previous full period.",
            },
        )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=list(SCHEDULES)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_code_mapping_scheduled"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
