"""Key pages read fully in English and in Portuguese; switching language keeps all progress."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from studyapp.quizzes import services as quiz_services
from studyapp.quizzes.models import Attempt
from studyapp.srs.models import ReviewLog, StudyCard

from .test_catalogs import LOCALE, po_entries

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr"}
TEXT_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}
# Unmistakably Portuguese: accented letters English never uses, and common short words.
PORTUGUESE = re.compile(r"[ãõçâêô]|\b(não|você|está|são|para|também|uma|das|dos|pela|pelo)\b")


class VisibleText(HTMLParser):
    """Text nodes and text attributes, each with the language it is marked as (``lang``)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.found: list[tuple[str, str]] = []

    @property
    def lang(self) -> str:
        return self.stack[-1][1] if self.stack else ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or self.lang).lower()
        shown_value = tag == "input" and attrs.get("type") in {"submit", "button"}
        for name, value in attrs.items():
            text_attribute = name in TEXT_ATTRIBUTES or name.startswith("data-msg")
            if value and (text_attribute or (name == "value" and shown_value)):
                self.found.append((" ".join(value.split()), lang))
        if tag not in VOID:
            self.stack.append((tag, lang))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not any(tag in {"script", "style"} for tag, _lang in self.stack):
            self.found.append((text, self.lang))


def visible_text(html: str) -> list[tuple[str, str]]:
    parser = VisibleText()
    parser.feed(html)
    return parser.found


def interface_strings() -> dict[str, str]:
    """Portuguese msgid → English msgstr, for strings that differ (no placeholders)."""
    return {
        e["msgid"]: e["msgstr"][0]
        for e in po_entries(LOCALE / "en" / "LC_MESSAGES" / "django.po")
        if "msgid_plural" not in e
        and e["msgstr"][0] != e["msgid"]
        and not re.search(r"%|\{n\}|<", e["msgid"])
        and e["msgid"] not in {"d/m", "D d/m", "d/m/Y H:i:s"}
    }


def leaks(html: str, *, language: str) -> list[str]:
    """Interface strings of the other language, and Portuguese in English-marked text."""
    strings = interface_strings()
    foreign = set(strings) if language == "en" else set(strings.values()) - set(strings)
    found = []
    for text, lang in visible_text(html):
        if not lang.startswith(language):
            continue  # content marked as another language (an untranslated deck)
        portuguese = language == "en" and PORTUGUESE.search(text.lower())
        if text in foreign or text.rstrip(":.") in foreign or portuguese:
            found.append(text)
    return found


@pytest.fixture
def attempt(all_content, user):
    return quiz_services.attempt_start_practice(user=user, count=5, seed=7)


@pytest.fixture
def finished(attempt, user):
    return quiz_services.attempt_submit(user=user, attempt_id=attempt.pk)


def key_pages(attempt, finished) -> list[tuple[str, str]]:
    """(who, url): "student", "instructor" or "anonymous"."""
    return [
        ("anonymous", "/"),
        ("anonymous", reverse("login")),
        ("anonymous", reverse("signup")),
        ("student", "/"),
        ("student", reverse("deck_detail", args=["ecr"])),
        ("student", reverse("srs:study")),
        ("student", reverse("srs:study") + "?reveal=1"),
        ("student", reverse("srs:settings")),
        ("student", reverse("quizzes:index")),
        ("student", reverse("quizzes:question", args=[attempt.pk, 1])),
        ("student", reverse("quizzes:review", args=[attempt.pk])),
        ("student", reverse("quizzes:result", args=[finished.pk])),
        ("student", reverse("quizzes:answers", args=[finished.pk])),
        ("student", reverse("progress:dashboard")),
        ("instructor", reverse("authoring:index")),
        ("instructor", reverse("authoring:deck_edit", args=["en", "ecr"])),
        ("instructor", reverse("class_view")),
    ]


@pytest.mark.parametrize(("language", "html_lang"), [("en", "en"), ("pt-br", "pt-br")])
def test_key_pages_render_in_one_language_only(
    client, user, instructor, attempt, finished, language, html_lang
):
    second_attempt = quiz_services.attempt_start_practice(user=user, count=5, seed=8)
    problems = {}
    for who, url in key_pages(second_attempt, finished):
        client.logout()
        if who != "anonymous":
            client.force_login(user if who == "student" else instructor)
        response = client.get(url, headers={"Accept-Language": language})
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{html_lang}">' in html, url
        found = leaks(html, language=language[:2])
        if found:
            problems[f"{who} {url}"] = found
    assert not problems


def test_english_study_page_uses_the_english_labels(user_client, all_content):
    english = {"Accept-Language": "en"}
    assert "Show answer" in user_client.get(reverse("srs:study"), headers=english).content.decode()
    html = user_client.get(reverse("srs:study") + "?reveal=1", headers=english).content.decode()
    for label in ["Again", "Hard", "Good", "Easy"]:
        assert f'<span class="label">{label}</span>' in html
    assert "Study" in html and "Mock exams" in html


def test_english_mock_exam_button_names_the_exam_naturally(user_client, all_content):
    html = user_client.get(reverse("quizzes:index"), headers={"Accept-Language": "en"})
    assert "DVA-C02 mock exam" in html.content.decode()


def test_leak_check_catches_a_portuguese_string_on_an_english_page():
    assert leaks("<html lang='en'><p>Mostrar resposta</p></html>", language="en")
    assert leaks("<html lang='en'><p>Isto não é inglês</p></html>", language="en")
    assert not leaks("<html lang='en'><p lang='pt-br'>Isto não é inglês</p></html>", language="en")
    assert leaks("<html lang='pt-br'><button>Show answer</button></html>", language="pt")


def test_switching_language_keeps_the_card_its_schedule_and_quiz_results(
    client, user, all_content, finished
):
    client.force_login(user)
    portuguese = client.get(reverse("srs:study"), headers={"Accept-Language": "pt-br"})
    card_id = re.search(r'data-card="(\d+)"', portuguese.content.decode()).group(1)
    card = StudyCard.objects.get(pk=card_id)
    client.post(
        reverse("srs:answer", args=[card.pk]),
        {"rating": 3, "token": card.token, "scope": "", "duration_ms": 900},
    )
    card.refresh_from_db()
    schedule = (card.state, card.due, card.stability, card.reps)
    logs = ReviewLog.objects.filter(user=user).count()

    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("srs:study")}, follow=True
    )
    html = response.content.decode()
    assert '<html lang="en">' in html
    card.refresh_from_db()
    assert (card.state, card.due, card.stability, card.reps) == schedule
    assert ReviewLog.objects.filter(user=user).count() == logs
    # Cards and attempts point at the Portuguese source items in either language.
    assert card.item.deck.language == "pt-BR"
    result = client.get(reverse("quizzes:result", args=[finished.pk])).content.decode()
    attempt = Attempt.objects.get(pk=finished.pk)
    assert f"{attempt.correct_count} of {attempt.question_count}" in result
