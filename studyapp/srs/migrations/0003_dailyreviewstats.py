"""The daily review roll-ups move from the progress app to srs, which writes them.

State only: the table ``progress_dailyreviewstats`` (created by progress 0001) keeps its name,
its rows and its constraint; the model now says ``db_table``. Its content type (and so its
permissions) is renamed to the srs app. progress 0002 removes the model from progress's state.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_to_srs(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="srs", model="dailyreviewstats").exists():
        ContentType.objects.filter(app_label="progress", model="dailyreviewstats").update(
            app_label="srs"
        )


def content_type_to_progress(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="progress", model="dailyreviewstats").exists():
        ContentType.objects.filter(app_label="srs", model="dailyreviewstats").update(
            app_label="progress"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("srs", "0002_cardaction"),
        ("progress", "0001_initial"),  # created the table
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DailyReviewStats",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("day", models.DateField(verbose_name="dia")),
                        ("reviews", models.PositiveIntegerField(default=0)),
                        ("again", models.PositiveIntegerField(default=0)),
                        ("hard", models.PositiveIntegerField(default=0)),
                        ("good", models.PositiveIntegerField(default=0)),
                        ("easy", models.PositiveIntegerField(default=0)),
                        ("young_pass", models.PositiveIntegerField(default=0)),
                        ("young_fail", models.PositiveIntegerField(default=0)),
                        ("mature_pass", models.PositiveIntegerField(default=0)),
                        ("mature_fail", models.PositiveIntegerField(default=0)),
                        ("duration_ms", models.PositiveBigIntegerField(default=0)),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="daily_review_stats", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "resumo diário de revisões",
                        "verbose_name_plural": "resumos diários de revisões",
                        "db_table": "progress_dailyreviewstats",
                        "ordering": ["user", "day"],
                        "constraints": [models.UniqueConstraint(fields=("user", "day"), name="progress_daily_user_day")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_srs, content_type_to_progress),
    ]
