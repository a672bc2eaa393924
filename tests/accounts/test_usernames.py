"""Issue 17: usernames are normalized (NFKC) and lookalikes are refused: a mixed-script name
with a character imitating another script, or one whose confusable skeleton equals an
existing user's (at sign-up and in the admin)."""

import pytest
from django.contrib.auth.models import User

from studyapp.accounts.usernames import skeleton

pytestmark = pytest.mark.django_db
PASSWORD = "frase-longa-99"


def signup(client, username):
    return client.post(
        "/accounts/signup/",
        {"username": username, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_a_cyrillic_letter_among_latin_ones_is_refused_with_a_message(client):
    response = signup(client, "t\u0435ach")  # Cyrillic е
    assert response.status_code == 400
    assert "mistura alfabetos" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("existing", "lookalike"),
    [
        ("ace", "\u0430\u0441\u0435"),  # all Cyrillic: not mixed, same look
        ("lara", "1ara"),
        ("maria", "rnaria"),
        ("Iago", "lago"),
        ("ana", "ＡＮＡ"),  # fullwidth: NFKC makes it ANA, a case-only duplicate
        ("ana", "ΑΝΑ"),  # Greek capitals
    ],
)
def test_a_name_that_looks_like_an_existing_one_is_refused(client, existing, lookalike):
    User.objects.create_user(existing, password=PASSWORD)
    response = signup(client, lookalike)
    assert response.status_code == 400, lookalike
    assert User.objects.count() == 1


def test_the_message_for_a_lookalike_says_why(client):
    User.objects.create_user("maria", password=PASSWORD)
    html = signup(client, "rnaria").content.decode()
    assert "se confunde com o de outra conta" in html


@pytest.mark.parametrize("name", ["joão", "ana.b", "ana_b", "mário-2", "zé@turma"])
def test_ordinary_names_still_work(client, name):
    User.objects.create_user("ana", password=PASSWORD)
    assert signup(client, name).status_code == 302, name


def test_usernames_are_stored_nfkc_normalized(client):
    assert signup(client, "ﬁlipe").status_code == 302  # the "fi" ligature
    assert User.objects.get().username == "filipe"


def test_skeleton_maps_confusables_to_one_prototype():
    assert skeleton("t\u0435ach") == skeleton("teach")
    assert skeleton("lara") == skeleton("1ara") == skeleton("Iara")
    assert skeleton("joão") != skeleton("joao")  # an accent is not a lookalike


def test_the_admin_refuses_lookalikes_too(admin_client):
    User.objects.create_user("maria", password=PASSWORD)
    response = admin_client.post(
        "/admin/auth/user/add/",
        {
            "username": "rnaria",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200  # the form again, with the message
    assert "se confunde com o de outra conta" in response.content.decode()
    assert not User.objects.filter(username="rnaria").exists()
    maria = User.objects.get(username="maria")
    renamed = admin_client.post(
        f"/admin/auth/user/{maria.pk}/change/",
        {"username": "rnaria", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"},
    )
    assert "se confunde com o de outra conta" not in renamed.content.decode()  # itself: fine
