from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for development, tests and the benchmark: accounts and a synthetic class.

    On top of every other app (it fills them all); nothing imports it but ``bench/``."""

    name = "studyapp.demo"
    label = "demo"
    verbose_name = "Demo"
