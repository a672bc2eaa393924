"""Load test: 70 learners studying cards and 30 taking the DVA-C02 mock exam (`make loadtest`).

Run through ``loadtests/run.py``, which prepares the database, the users and their
sessions (``LOADTEST_SESSIONS``: a JSON list of session keys) and starts gunicorn. Every
study answer that got a success response is counted and written to ``LOADTEST_RESULT``
when the run stops, so run.py can compare it with the reviews stored.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading

from locust import HttpUser, between, constant, events, task

CARD = re.compile(r'data-card="(\d+)"')
TOKEN = re.compile(r'name="token" value="([^"]+)"')
OPTION = re.compile(r'name="option" value="(\d+)"')
CHOOSE = re.compile(r'data-choose="(\d+)"')
QUESTION_URL = re.compile(r"/quiz/a/(\d+)/q/(\d+)/$")
MOCK_PROFILE = "dva-c02"  # "Simulado DVA-C02" (data migration)
QUESTIONS = 65

_sessions = json.loads(os.environ.get("LOADTEST_SESSIONS", "[]") or "[]")
# Think time between steps, as a factor (1: 1–3 s studying, 2–5 s in a mock). 0: none, every
# user sends its next request as soon as the last one is answered (the server's ceiling).
THINK = float(os.environ.get("LOADTEST_THINK", "1"))
STUDYING = int(os.environ.get("LOADTEST_STUDYING", "70"))
MOCK = int(os.environ.get("LOADTEST_MOCK", "30"))


def think(low: float, high: float):
    return between(low * THINK, high * THINK) if THINK else constant(0)


_next_session = itertools.count()
_answers_ok = 0
_answers_lock = threading.Lock()


@events.request.add_listener
def count_answers(request_type, name, response, exception, **_kwargs):
    global _answers_ok
    if name == "study: answer" and exception is None and response.status_code == 200:
        with _answers_lock:
            _answers_ok += 1


def _figures(entry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.total_rps,
        **{f"p{p}": entry.get_response_time_percentile(p / 100) for p in (50, 95, 99)},
        "max": entry.max_response_time,
    }


@events.quitting.add_listener
def write_result(environment, **_kwargs):
    """The final figures (the CSV files miss requests finished during the stop timeout)."""
    path = os.environ.get("LOADTEST_RESULT")
    if path:
        stats = environment.stats
        endpoints = {name: _figures(entry) for (name, _method), entry in stats.entries.items()}
        with open(path, "w") as out:
            json.dump(
                {
                    "answers_ok": _answers_ok,
                    "endpoints": dict(sorted(endpoints.items())),
                    "total": _figures(stats.total),
                },
                out,
                indent=2,
            )


class Learner(HttpUser):
    """A logged-in user (session made by run.py: 100 PBKDF2 logins would only measure the
    password hasher) who sends CSRF like htmx does."""

    abstract = True

    def on_start(self):
        key = _sessions[next(_next_session) % len(_sessions)]
        self.client.cookies.set("sessionid", key)

    def post(self, path: str, data: dict, name: str, htmx: bool = False, **kwargs):
        headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(
            path, data=data, headers=headers, name=name, allow_redirects=False, **kwargs
        )

    def expect(self, response, status: int, pattern: re.Pattern | None = None):
        """Fail the request unless it has ``status`` (and ``pattern`` in its body)."""
        if response.status_code != status:
            response.failure(f"status {response.status_code}, expected {status}")
            return None
        match = pattern.search(response.text) if pattern else True
        if match is None:
            response.failure(f"no {pattern.pattern} in the page")
            return None
        response.success()
        return match


class Studying(Learner):
    """Study session: show the next card, reveal its answer, answer with the one-time token."""

    fixed_count = STUDYING
    wait_time = think(1, 3)

    @task
    def study_one_card(self):
        with self.client.get("/study/", name="study: card", catch_response=True) as response:
            if self.expect(response, 200) is None:
                return
            card = CARD.search(response.text)
        if card is None:  # nothing due now: study ahead
            with self.client.get(
                "/study/?ahead=1", name="study: ahead", catch_response=True
            ) as response:
                card = self.expect(response, 200, CARD)
            if card is None:
                return
        card_id = card.group(1)
        self.wait()
        with self.client.get(
            f"/study/?card={card_id}&reveal=1", name="study: reveal", catch_response=True
        ) as response:
            token = self.expect(response, 200, TOKEN)
        if token is None:
            return
        self.wait()
        rating = random.choices([1, 2, 3, 4], weights=[15, 15, 55, 15])[0]
        with self.post(
            f"/study/cards/{card_id}/answer/",
            {"token": token.group(1), "rating": rating, "duration_ms": 4000},
            name="study: answer",
            htmx=True,
            catch_response=True,
        ) as response:
            self.expect(response, 200)


class MockExam(Learner):
    """A timed mock exam: start it, open each question, autosave an answer, go to the next."""

    fixed_count = MOCK
    wait_time = think(2, 5)

    def on_start(self):
        super().on_start()
        self.attempt = None
        self.position = 1
        self.start_mock()

    def start_mock(self):
        with self.client.get("/quiz/", name="quiz: index", catch_response=True) as response:
            self.expect(response, 200)
        with self.post(
            "/quiz/mock/", {"profile": MOCK_PROFILE}, name="quiz: start mock", catch_response=True
        ) as response:
            if self.expect(response, 302) is None:
                return
            where = QUESTION_URL.search(response.headers.get("Location", ""))
            if where is None:
                response.failure(f"redirected to {response.headers.get('Location')}")
                return
        self.attempt, self.position = where.group(1), 1

    @task
    def answer_a_question(self):
        if self.attempt is None:
            self.start_mock()
            return
        base = f"/quiz/a/{self.attempt}"
        with self.client.get(
            f"{base}/q/{self.position}/", name="quiz: question", catch_response=True
        ) as response:
            if self.expect(response, 200, OPTION) is None:
                return
            options = OPTION.findall(response.text)
            choose_count = CHOOSE.search(response.text)
            choose = int(choose_count.group(1)) if choose_count else 1
        self.wait()
        chosen = random.sample(options, min(choose, len(options)))
        with self.post(
            f"{base}/q/{self.position}/answer/",
            {"option": chosen},
            name="quiz: autosave",
            htmx=True,
            catch_response=True,
        ) as response:
            self.expect(response, 200)
        if random.random() < 0.2:  # changes their mind: a second autosave
            with self.post(
                f"{base}/q/{self.position}/answer/",
                {"option": random.sample(options, min(choose, len(options)))},
                name="quiz: autosave",
                htmx=True,
                catch_response=True,
            ) as response:
                self.expect(response, 200)
        if self.position < QUESTIONS:
            with self.post(
                f"{base}/q/{self.position}/answer/",
                {"option": chosen, "go": "next"},
                name="quiz: save and next",
                catch_response=True,
            ) as response:
                self.expect(response, 302)
            self.position += 1
            return
        with self.client.get(
            f"{base}/review/", name="quiz: summary", catch_response=True
        ) as response:
            self.expect(response, 200)
        with self.post(
            f"{base}/submit/", {"confirm": "1"}, name="quiz: submit", catch_response=True
        ) as response:
            self.expect(response, 302)
        self.attempt = None


class Floor(Learner):
    """The floor view's ceiling (run.py names this class alone): a signed-in page with the
    base template and one indexed query (``/_floor/``, bench/urls.py), no think time."""

    wait_time = constant(0)

    @task
    def floor(self):
        with self.client.get("/_floor/", name="floor", catch_response=True) as response:
            self.expect(response, 200)
