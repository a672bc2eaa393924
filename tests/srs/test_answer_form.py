"""forms.answer_cleaned: the answer view's path without the form gives exactly what
AnswerForm gives, and only for data the form accepts."""

import itertools

from django.http import QueryDict

from studyapp.srs.forms import AnswerForm, answer_cleaned

RATINGS = [None, "", "0", "1", "3", "4", "5", " 3", "3 ", "03", "3.0", "x"]
TOKENS = [None, "", "_gD12Xq7Sn8NTwA69MC_YQ", "a" * 64, "a" * 65, " tok", "tok ", "t\x00k", "tø"]
DURATIONS = [None, "", "0", "4000", "0004000", "-1", "4000.0", " 4000", "1" * 19, "٣", "x"]
SCOPES = [None, "", "deck-1_a", "deck 1", " deck", "déck", "a/b"]
AHEADS = [None, "", "1", "0", "true", "false", "on", "yes"]


def _data(rating, token, duration, scope, ahead) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in (
        ("rating", rating),
        ("token", token),
        ("duration_ms", duration),
        ("scope", scope),
        ("ahead", ahead),
    ):
        if value is not None:
            data[name] = value
    return data


def test_answer_cleaned_gives_the_forms_values_or_nothing():
    given = 0
    for values in itertools.product(RATINGS, TOKENS[:4], DURATIONS, SCOPES, AHEADS):
        data = _data(*values)
        fast = answer_cleaned(data)
        if fast is None:
            continue
        given += 1
        form = AnswerForm(data)
        assert form.is_valid(), (values, form.errors)
        assert fast == form.cleaned_data, values
        assert [type(value) for value in fast.values()] == [
            type(form.cleaned_data[name]) for name in fast
        ]
    assert given > 100


def test_answer_cleaned_declines_what_the_form_alone_judges():
    for token in TOKENS:
        data = _data("3", token, "4000", "", None)
        if answer_cleaned(data) is not None:
            assert AnswerForm(data).is_valid(), token
    for values in [("3", "tok", "4000", "", "0"), ("3", "tok", "-1", "", None)]:
        assert answer_cleaned(_data(*values)) is None  # the form decides (valid or not)
    # Several values under one name: the last one counts, as for the form.
    data = QueryDict("rating=9&rating=2&token=t&token=u&scope=a&scope=b")
    form = AnswerForm(data)
    assert form.is_valid()
    assert answer_cleaned(data) == form.cleaned_data


def test_the_study_pages_post_takes_the_path_without_the_form():
    assert answer_cleaned(
        QueryDict("rating=3&token=_gD12Xq7Sn8NTwA69MC_YQ&duration_ms=4000&scope=")
    ) == {
        "scope": "",
        "ahead": False,
        "rating": 3,
        "token": "_gD12Xq7Sn8NTwA69MC_YQ",
        "duration_ms": 4000,
    }
    assert answer_cleaned(QueryDict("rating=1&token=t&duration_ms=&scope=ops&ahead=1")) == {
        "scope": "ops",
        "ahead": True,
        "rating": 1,
        "token": "t",
        "duration_ms": None,
    }
