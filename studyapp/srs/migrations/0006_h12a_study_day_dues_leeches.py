import django.core.validators
from django.db import migrations, models

from studyapp.srs import timing


def review_dues_to_study_days(apps, schema_editor):
    """Review cards become due at the start of the study day that holds their due time
    (04:00 in the learner's time zone), as new answers now schedule them; cards with 8 or
    more lapses (suspended as leeches by the old rule) get the leech tag."""
    StudyCard = apps.get_model("srs", "StudyCard")
    StudySettings = apps.get_model("srs", "StudySettings")
    zones = dict(StudySettings.objects.values_list("user_id", "timezone"))
    batch = []
    cards = StudyCard.objects.filter(state="review").only("id", "user_id", "due")
    for card in cards.iterator(chunk_size=2000):
        start = timing.day_start(card.due, timing.zone(zones.get(card.user_id)))
        if start != card.due:
            card.due = start
            batch.append(card)
        if len(batch) >= 2000:
            StudyCard.objects.bulk_update(batch, ["due"])
            batch = []
    if batch:
        StudyCard.objects.bulk_update(batch, ["due"])
    StudyCard.objects.filter(lapses__gte=8).update(leech=True)


class Migration(migrations.Migration):
    dependencies = [
        ("srs", "0005_h12c_parameters"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewlog",
            name="leech_before",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="studycard",
            name="leech",
            field=models.BooleanField(default=False, verbose_name="sanguessuga"),
        ),
        migrations.AddField(
            model_name="studysettings",
            name="leech_threshold",
            field=models.PositiveSmallIntegerField(
                default=8,
                help_text="Um cartão esquecido tantas vezes vira sanguessuga e é suspenso; depois, a cada metade desse número de lapsos.",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(99),
                ],
                verbose_name="limite de sanguessuga (lapsos)",
            ),
        ),
        migrations.RunPython(review_dues_to_study_days, migrations.RunPython.noop),
    ]
