"""Scale-out: two gunicorn app servers on one PostgreSQL database, many browsers and tabs
answering the same and different cards and autosaving one quiz attempt through both
servers at once. Afterwards nothing is lost or duplicated and every card's state is what
replaying its review log gives."""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection

from studyapp.content.importer import Source, content_import
from studyapp.content.models import Deck
from studyapp.quizzes.models import AttemptQuestion
from studyapp.quizzes.services import answer_save, attempt_start_practice, attempt_submit
from studyapp.srs import services as srs_services
from studyapp.srs.models import ReviewLog, StudyCard
from studyapp.srs.services import cards_ensure, review_record
from tests.conftest import SEED
from tests.quizzes.conftest import deck_text
from tests.scale.conftest import PASSWORD, requires_postgres
from tests.scale.live import Client

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]

USERS = 6
TABS = 6  # tabs per user racing to answer one card with one token, half on each server
ROUNDS = 4
SPREAD_TABS = 3  # tabs per user answering different cards at once
SPREAD_ANSWERS = 5
AUTOSAVES = 6  # sequential autosaves per question, alternating servers

SCHEDULE_FIELDS = ("state", "step", "stability", "difficulty", "due")
# The seed's items are flashcards (self-graded in a quiz, no options to autosave): the quiz
# attempts draw from a five-question deck with options (as many items as the seed's Q&A, so
# the load stays what this test was sized for).
QUIZ_DECK = Source(path="content/pt-br/escala.md", data=deck_text("escala", "ECR", "1", 5).encode())


def import_decks() -> Deck:
    assert content_import(paths=[SEED]).ok
    assert content_import(sources=[QUIZ_DECK]).ok
    return Deck.objects.get(slug="escala", language="pt-BR")


@pytest.fixture
def learners(live_database_url, password_hash):
    """Six learners with the ECR cards and a 5-question practice attempt each."""
    deck = import_decks()
    people = []
    for n in range(USERS):
        user = get_user_model().objects.create(username=f"escala{n}", password=password_hash)
        cards_ensure(user=user)
        attempt = attempt_start_practice(user=user, decks=[deck], count=5)
        people.append((user, attempt))
    return people


class Ledger:
    """What the clients were told: every answer's (user, card, token) and HTTP status."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answers: list[tuple[str, int, str, int]] = []
        self.autosaves: dict[tuple[int, int], list[int]] = {}

    def answer(self, client: Client, username: str, card_id: int, token: str) -> int:
        response = client.post(
            f"/study/cards/{card_id}/answer/",
            {"token": token, "rating": random.randint(1, 4), "duration_ms": 900},
            htmx=True,
        )
        with self.lock:
            self.answers.append((username, card_id, token, response.status_code))
        return response.status_code

    def successes(self) -> list[tuple[str, int, str, int]]:
        return [answer for answer in self.answers if answer[3] == 200]


def contested_round(servers, browser: Client, username: str, ledger: Ledger, barrier) -> None:
    """Every tab posts the shown card's answer with the same one-time token at once."""
    card_id, token = browser.shown_card()
    tabs = [browser.tab(servers[n % 2].url) for n in range(TABS)]
    barrier.wait()
    with ThreadPoolExecutor(TABS) as pool:
        list(pool.map(lambda tab: ledger.answer(tab, username, card_id, token), tabs))


def spread_answers(tab: Client, username: str, card_ids: list[int], ledger: Ledger) -> None:
    """One tab answering its own cards, one after the other."""
    for card_id in card_ids:
        shown, token = tab.shown_card(card_id)
        assert shown == card_id
        assert ledger.answer(tab, username, card_id, token) == 200


def autosave_question(
    tabs: list[Client], attempt_id: int, question: AttemptQuestion, ledger: Ledger
) -> None:
    """Change one question's answer again and again, alternating servers; remember the
    last selection a server acknowledged."""
    rng = random.Random(question.pk)
    for n in range(AUTOSAVES):
        size = rng.randint(0, question.choose_count)
        chosen = sorted(rng.sample(question.option_ids, size))
        response = tabs[n % 2].post(
            f"/quiz/a/{attempt_id}/q/{question.position}/answer/", {"option": chosen}, htmx=True
        )
        assert response.status_code == 200, response.text[:300]
        ledger.autosaves[(attempt_id, question.position)] = chosen


def test_two_app_servers_lose_and_duplicate_nothing(start_server, learners):
    servers = [start_server(workers=2, threads=2), start_server(workers=2, threads=2)]
    browsers = {}
    for n, (user, _attempt) in enumerate(learners):
        # Logged in on one server, the session works on the other (it lives in the database).
        browsers[user.username] = Client(servers[n % 2].url)
        browsers[user.username].login(user.username, PASSWORD)
    ledger = Ledger()

    # 1. Same card, same token, many tabs on both servers: one review per token.
    for _round in range(ROUNDS):
        barrier = threading.Barrier(USERS, timeout=60)
        with ThreadPoolExecutor(USERS) as pool:
            futures = [
                pool.submit(
                    contested_round,
                    servers,
                    browsers[user.username].tab(servers[n % 2].url),
                    user.username,
                    ledger,
                    barrier,
                )
                for n, (user, _attempt) in enumerate(learners)
            ]
            for future in futures:
                future.result()

    # 2 and 3 at once: different cards per tab, and autosaves to one attempt per learner
    # through both servers.
    jobs = []
    with ThreadPoolExecutor(USERS * (SPREAD_TABS + 5)) as pool:
        for user, attempt in learners:
            browser = browsers[user.username]
            card_ids = list(
                StudyCard.objects.filter(user=user).order_by("-id").values_list("id", flat=True)
            )
            for t in range(SPREAD_TABS):
                mine = card_ids[t * SPREAD_ANSWERS : (t + 1) * SPREAD_ANSWERS]
                tab = browser.tab(servers[t % 2].url)
                jobs.append(pool.submit(spread_answers, tab, user.username, mine, ledger))
            tabs = [browser.tab(server.url) for server in servers]
            for question in attempt.questions.all():
                jobs.append(pool.submit(autosave_question, tabs, attempt.pk, question, ledger))
        for job in jobs:
            job.result()

    statuses = Counter(status for *_rest, status in ledger.answers)
    assert set(statuses) <= {200, 400}, statuses  # 400: "Este cartão já foi respondido"
    successes = ledger.successes()
    logs = ReviewLog.objects.filter(source=ReviewLog.Source.STUDY)
    assert logs.count() == len(successes) == USERS * (ROUNDS + SPREAD_TABS * SPREAD_ANSWERS)
    per_token = Counter((card, token) for _user, card, token, _status in successes)
    assert max(per_token.values()) == 1
    raced = Counter((card, token) for _user, card, token, _status in ledger.answers)
    contested = [key for key, tries in raced.items() if tries == TABS]
    assert len(contested) == USERS * ROUNDS
    assert all(per_token[key] == 1 for key in contested)

    # Each card's state is its last log's "after" state, and each log starts where the
    # previous one ended (no answer was applied to a stale card).
    history = defaultdict(list)
    for log in logs.order_by("reviewed_at", "id"):
        history[log.card_id].append(log)
    for card in StudyCard.objects.filter(pk__in=history):
        chain = history[card.pk]
        for earlier, later in zip(chain, chain[1:], strict=False):
            for field in SCHEDULE_FIELDS:
                assert getattr(later, f"{field}_before") == getattr(earlier, f"{field}_after")
            assert later.reps_before == earlier.reps_before + 1
            assert later.last_review_before == earlier.reviewed_at
        for field in SCHEDULE_FIELDS:
            assert getattr(card, field) == getattr(chain[-1], f"{field}_after"), (card.pk, field)
        assert card.reps == chain[0].reps_before + len(chain)
        assert card.last_review == chain[-1].reviewed_at

    # Autosaved answers are the last ones a server acknowledged.
    assert len(ledger.autosaves) == USERS * 5
    for (attempt_id, position), chosen in ledger.autosaves.items():
        stored = AttemptQuestion.objects.get(attempt_id=attempt_id, position=position)
        assert sorted(stored.selected_ids) == chosen
    print(
        f"\n{len(ledger.answers)} answers ({statuses[200]} recorded, {statuses[400]} refused "
        f"as already answered), {USERS * 5 * AUTOSAVES} autosaves, 2 servers × 2 workers × 2 "
        "threads"
    )


def test_a_study_answer_and_a_quiz_submit_of_the_same_learner_do_not_deadlock(
    live_database_url, monkeypatch
):
    """Submitting a quiz reviews several cards, each time adding to the day's roll-up row;
    a study answer in another tab locks its card, then that row. Were the submit to lock
    its cards one by one, it could hold the roll-up while waiting for the answer's card, and
    the answer hold that card while waiting for the roll-up (PostgreSQL aborts one: a 503).
    Here the answer holds its card and waits until the submit has updated the roll-up once
    (or 2 s, when the submit is rightly waiting for that card first)."""
    deck = import_decks()
    user = get_user_model().objects.create(username="duas-abas")
    cards_ensure(user=user)
    attempt = attempt_start_practice(user=user, decks=[deck], count=5)
    questions = list(attempt.questions.order_by("position"))
    for question in questions:
        answer_save(
            user=user,
            attempt_id=attempt.pk,
            position=question.position,
            option_ids=question.option_ids[:1],
        )
    contested = StudyCard.objects.get(user=user, item_id=questions[-1].item_id)
    answer_holds_card = threading.Event()
    submit_touched_rollup = threading.Event()
    real_rollup = srs_services.rollup_record
    answering = threading.local()

    def rollup_record(**kwargs):
        if getattr(answering, "active", False):
            answer_holds_card.set()
            submit_touched_rollup.wait(timeout=2)
            return real_rollup(**kwargs)
        real_rollup(**kwargs)
        submit_touched_rollup.set()

    monkeypatch.setattr(srs_services, "rollup_record", rollup_record)
    errors = []

    def study():
        answering.active = True
        try:
            review_record(user=user, card_id=contested.pk, token=contested.token, rating=3)
        except Exception as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    def submit():
        answer_holds_card.wait(timeout=5)
        try:
            attempt_submit(user=user, attempt_id=attempt.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=study), threading.Thread(target=submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ReviewLog.objects.filter(card=contested).count() == 2
