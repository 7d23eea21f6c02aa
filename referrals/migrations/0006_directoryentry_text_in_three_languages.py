# The directory's free text in French (the plain columns), Arabic and English (core.translated).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0005_remove_referral_referral_beneficiary'),
    ]

    operations = [
        migrations.AddField(
            model_name='directoryentry',
            name='description',
            field=models.TextField(blank=True, help_text='What you offer and to whom, in two or three sentences.', max_length=600, verbose_name='description (French)'),
        ),
        migrations.AddField(
            model_name='directoryentry',
            name='description_ar',
            field=models.TextField(blank=True, max_length=600, verbose_name='description (Arabic)'),
        ),
        migrations.AddField(
            model_name='directoryentry',
            name='description_en',
            field=models.TextField(blank=True, max_length=600, verbose_name='description (English)'),
        ),
        migrations.AlterField(
            model_name='directoryentry',
            name='opening_hours',
            field=models.CharField(blank=True, max_length=200, verbose_name='opening hours (French)'),
        ),
        migrations.AddField(
            model_name='directoryentry',
            name='opening_hours_ar',
            field=models.CharField(blank=True, max_length=200, verbose_name='opening hours (Arabic)'),
        ),
        migrations.AddField(
            model_name='directoryentry',
            name='opening_hours_en',
            field=models.CharField(blank=True, max_length=200, verbose_name='opening hours (English)'),
        ),
        migrations.AlterField(
            model_name='directoryentry',
            name='contact_point',
            field=models.CharField(blank=True, max_length=200, verbose_name='contact point (French)'),
        ),
        migrations.AddField(
            model_name='directoryentry',
            name='contact_point_ar',
            field=models.CharField(blank=True, max_length=200, verbose_name='contact point (Arabic)'),
        ),
        migrations.AddField(
            model_name='directoryentry',
            name='contact_point_en',
            field=models.CharField(blank=True, max_length=200, verbose_name='contact point (English)'),
        ),
    ]
