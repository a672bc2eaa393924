from django.conf import settings
from django.db import migrations, models


def create_instructors_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="Instrutores")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Profile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(blank=True, choices=[("pt-br", "Português (Brasil)"), ("en", "English")], max_length=10, verbose_name="idioma")),
                ("user", models.OneToOneField(on_delete=models.deletion.CASCADE, related_name="profile", to=settings.AUTH_USER_MODEL)),
            ],
            options={"verbose_name": "perfil", "verbose_name_plural": "perfis"},
        ),
        migrations.RunPython(create_instructors_group, migrations.RunPython.noop),
    ]
