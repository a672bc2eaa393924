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


RATING = "srs/study.html#rating"


def test_filled_is_the_partial_rendered_with_the_slots_text(settings):
    settings.DEBUG = False
    values = {"value": "3", "label": "Good"}
    for text in ("3 d", "<10 min", 'a & "b"'):
        expected = partials.render_now(RATING, {**values, "interval": text})
        button = partials.filled(RATING, "interval", text, language="en", **values)
        assert button == expected and type(button) is type(expected)
        assert partials.filled(RATING, "interval", text, language="en", **values) is button


def test_filled_renders_the_whole_partial_where_the_slot_does_not_show_once(settings):
    settings.DEBUG = False  # the count partial has no "interval": the stand-in never shows
    assert partials.filled(COUNT, "interval", "x", language="en", n=2) == "2 reviews"


def test_filled_renders_afresh_with_debug(settings):
    settings.DEBUG = True
    values = {"value": "1", "label": "Again"}
    first = partials.filled(RATING, "interval", "1 d", language="en", **values)
    again = partials.filled(RATING, "interval", "1 d", language="en", **values)
    assert first == again and first is not again
