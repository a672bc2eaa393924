"""studyapp.partials: a partial rendered once per process, language and values (the same
object again), the same markup as rendering it; with DEBUG on, rendered afresh every call."""

from studyapp import partials

COUNT = "srs/study.html#count_review"


def test_kept_per_language_and_values_and_equal_to_rendering(settings):
    settings.DEBUG = False
    first = partials.kept(COUNT, language="pt-br", n=2)
    assert first == "2 revisões"
    assert partials.kept(COUNT, language="pt-br", n=2) is first
    assert partials.kept(COUNT, language="en", n=2) == "2 reviews"
    assert partials.kept(COUNT, language="en", n=1) == "1 review"


def test_the_active_language_when_none_is_given(settings):
    from django.utils import translation

    settings.DEBUG = False
    with translation.override("en"):
        assert partials.kept(COUNT, n=3) == "3 reviews"
    with translation.override("pt-br"):
        assert partials.kept(COUNT, n=3) == "3 revisões"


def test_debug_renders_afresh(settings):
    settings.DEBUG = True
    first = partials.kept(COUNT, language="en", n=5)
    again = partials.kept(COUNT, language="en", n=5)
    assert first == again == "5 reviews"
    assert first is not again
