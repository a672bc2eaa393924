"""``python manage.py import_content [--check] [--json] [--force] PATH...``

Exit codes: 0 success, 1 content errors (nothing written), 2 bad usage.
"""

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from studyapp.content.importer import UsageError, content_import


class Command(BaseCommand):
    help = "Importa decks em Markdown (arquivos ou pastas): tudo ou nada."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="arquivos .md ou pastas")
        parser.add_argument("--check", action="store_true", help="valida sem gravar nada")
        parser.add_argument("--json", action="store_true", help="imprime um objeto JSON")
        parser.add_argument(
            "--force",
            action="store_true",
            help="sobrescreve decks editados no navegador (ver docs/authoring.md)",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            report = content_import(
                paths=options["paths"], check=options["check"], force=options["force"]
            )
        except UsageError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        elapsed = time.perf_counter() - started
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            for error in report.errors:
                self.stderr.write(str(error))
            verb = "verificados" if options["check"] else "importados"
            self.stdout.write(
                f"{report.decks} decks {verb}: {report.concept_cards} cartões de conceito, "
                f"{report.questions} perguntas, {report.references} referências, "
                f"{report.retired} itens aposentados; {report.unchanged_files} arquivos sem "
                f"mudança; {len(report.errors)} erros ({elapsed:.2f} s)"
            )
        if report.errors:
            sys.exit(1)
