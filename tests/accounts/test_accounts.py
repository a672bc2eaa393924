import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from studyapp.accounts.roles import INSTRUCTORS_GROUP, is_instructor

pytestmark = pytest.mark.django_db


def test_instructors_group_is_created_by_a_migration():
    assert Group.objects.filter(name=INSTRUCTORS_GROUP).exists()


def test_signup_creates_and_logs_in_the_user(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "dani", "password1": "frase-longa-99", "password2": "frase-longa-99"},
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "dani"


def test_signup_with_bad_input_is_400_with_a_message(client):
    response = client.post(
        "/accounts/signup/", {"username": "", "password1": "a", "password2": "b"}
    )
    assert response.status_code == 400
    assert "Corrija os campos" in response.content.decode()
    assert not User.objects.exists()


def test_login_and_logout(client, user):
    response = client.post("/accounts/login/", {"username": "ana", "password": "senha-de-teste-1"})
    assert response.status_code == 302
    assert client.post("/accounts/logout/").status_code == 302


def test_grant_instructor_adds_the_user_to_the_group(user):
    call_command("grant_instructor", "ana")
    user = User.objects.get(pk=user.pk)
    assert is_instructor(user)


def test_instructor_area_anonymous_goes_to_login_student_403_instructor_200(
    client, user, instructor
):
    response = client.get("/instructor/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(user)
    assert client.get("/instructor/").status_code == 403
    client.force_login(instructor)
    assert client.get("/instructor/").status_code == 200


def test_only_the_instructors_group_makes_an_instructor(user, other_user):
    Group.objects.create(name="Outro grupo").user_set.add(user)
    Group.objects.get(name=INSTRUCTORS_GROUP).user_set.add(other_user)
    assert not is_instructor(User.objects.get(pk=user.pk))
    assert is_instructor(User.objects.get(pk=other_user.pk))
