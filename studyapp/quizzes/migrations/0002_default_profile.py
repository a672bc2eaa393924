"""The default DVA-C02 mock exam: 65 questions, 130 minutes, pass mark 720, domain weights
32/26/24/18 (exam guide), every topic weighted equally."""

from django.db import migrations


def create_default(apps, schema_editor):
    ExamProfile = apps.get_model("quizzes", "ExamProfile")
    ExamProfile.objects.update_or_create(
        slug="dva-c02",
        defaults={
            "name": "DVA-C02",
            "question_count": 65,
            "minutes": 130,
            "pass_mark": 720,
            "domain_1_weight": 32,
            "domain_2_weight": 26,
            "domain_3_weight": 24,
            "domain_4_weight": 18,
            "is_default": True,
            "is_active": True,
        },
    )


def remove_default(apps, schema_editor):
    apps.get_model("quizzes", "ExamProfile").objects.filter(slug="dva-c02").delete()


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0001_initial")]

    operations = [migrations.RunPython(create_default, remove_default)]
