"""The daily review roll-ups now belong to the srs app (srs 0003): state only, the table
``progress_dailyreviewstats`` and its rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0001_initial"),
        ("srs", "0003_dailyreviewstats"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DailyReviewStats")],
            database_operations=[],
        ),
    ]
