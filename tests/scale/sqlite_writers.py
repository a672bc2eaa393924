"""Helper processes for the SQLite busy test: the project's settings and SQLite options
(WAL, BEGIN IMMEDIATE, busy timeout), on a file database given by ``SCALE_SQLITE_PATH``.

    python -m tests.scale.sqlite_writers setup USERS          migrate, import the seed, users
    python -m tests.scale.sqlite_writers write USER [USER…]   answer each user's cards, one
                                                              thread per user; prints "ready",
                                                              then one JSON line per answer
                                                              the database acknowledged
"""

from __future__ import annotations

import json
import os
import sys
import threading

os.environ.pop("DATABASE_URL", None)  # the default SQLite settings, whatever the test run uses
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "sqlite-writers-test-key")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

ANSWERS_PER_USER = 12


def configure() -> None:
    settings.DATABASES["default"]["NAME"] = os.environ["SCALE_SQLITE_PATH"]
    django.setup()


def setup(users: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from studyapp.content.importer import content_import
    from studyapp.srs.services import cards_ensure

    call_command("migrate", verbosity=0)
    seed = settings.BASE_DIR / "content" / "pt-br" / "ecr.md"
    assert content_import(paths=[seed]).ok
    for n in range(users):
        user = get_user_model().objects.create(username=f"w{n}")
        cards_ensure(user=user)


def write(usernames: list[str]) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from studyapp.srs.models import StudyCard
    from studyapp.srs.services import review_record

    out = threading.Lock()
    failures = []

    def answer_cards(username: str) -> None:
        try:
            user = get_user_model().objects.get(username=username)
            cards = list(StudyCard.objects.filter(user=user).order_by("id")[:ANSWERS_PER_USER])
            for card in cards:
                result = review_record(user=user, card_id=card.pk, token=card.token, rating=3)
                with out:
                    print(json.dumps({"user": username, "log": result.log.pk}), flush=True)
        except Exception as error:  # reported to the test through the exit status
            failures.append(f"{username}: {error!r}")
        finally:
            connection.close()

    # Settled before the writers start, so the test can hold the write lock meanwhile.
    get_user_model().objects.count()
    connection.close()
    threads = [threading.Thread(target=answer_cards, args=(name,)) for name in usernames]
    print("ready", flush=True)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    configure()
    if sys.argv[1] == "setup":
        setup(int(sys.argv[2]))
    else:
        write(sys.argv[2:])
