"""Every instructor URL: anonymous → login, student → 403, instructor → 200 (or a redirect
for POST actions). The Anki export is for any signed-in user."""

import pytest
from django.urls import reverse

from studyapp.authoring.models import Revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(browser_edited):
    deck = browser_edited
    revision = Revision.objects.for_deck(deck.slug, deck.language).last()
    args = [deck.language, deck.slug]
    text = {"text": deck.source.text}
    return [
        ("get", reverse("authoring:index"), None),
        ("get", reverse("authoring:deck_new"), None),
        ("post", reverse("authoring:preview_new"), text),
        ("get", reverse("authoring:deck_edit", args=args), None),
        ("post", reverse("authoring:deck_edit", args=args), text),
        ("post", reverse("authoring:preview", args=args), text),
        ("get", reverse("authoring:deck_source", args=args), None),
        ("get", reverse("authoring:revisions", args=args), None),
        ("get", reverse("authoring:revision_detail", args=[*args, revision.pk]), None),
        ("post", reverse("authoring:revision_revert", args=[*args, revision.pk]), {}),
        ("get", reverse("authoring:upload"), None),
        ("get", reverse("authoring:gift_import"), None),
        ("post", reverse("authoring:gift_import"), {"text": "Q?{=a ~b}"}),
        ("get", reverse("authoring:export_zip"), None),
    ]


def _call(client, method, url, data):
    return client.get(url) if method == "get" else client.post(url, data or {})


def test_anonymous_users_are_sent_to_login(client, urls):
    for method, url, data in urls:
        response = _call(client, method, url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_students_get_403(user_client, urls):
    for method, url, data in urls:
        assert _call(user_client, method, url, data).status_code == 403, url


def test_instructors_get_the_pages(instructor_client, urls):
    for method, url, data in urls:
        response = _call(instructor_client, method, url, data)
        expected = {200} if method == "get" or "preview" in url or "gift" in url else {302}
        assert response.status_code in expected, (url, response.status_code)


def test_anki_export_is_for_any_signed_in_user(client, user, instructor, seed_deck):
    url = reverse("authoring:anki_export", args=[seed_deck.slug])
    assert url == "/instructor/decks/ecr/anki.apkg"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(user)
    assert client.get(url).status_code == 200
    client.force_login(instructor)
    assert client.get(url).status_code == 200


def test_instructor_link_stays_at_instructor_root():
    assert reverse("authoring:index") == "/instructor/"
