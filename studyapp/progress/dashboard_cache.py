"""The dashboard's cache: the rendered figures of one learner, in the shared cache (Redis;
none without it: settings.SHARED_CACHE), keyed so that they are fresh at once after:

- anything the learner does that changes them (an answer, an undo, a suspended or buried
  card, a quiz answer or submit, a mock exam's prediction, a settings change, the exam date):
  a per-user data version, renewed on commit by the model signals below;
- an import: the content version (``content.selectors.content_version``);
- a language switch: the language is in the key;
- the study day's rollover: the study day (in the learner's time zone) is in the key.

What changes with the clock alone ("due now", recall probabilities) is at most ``TTL``
seconds old. Tokens are random and never reused (``studyapp.versions``).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from studyapp.content import selectors as content_selectors
from studyapp.srs import selectors as srs_selectors
from studyapp.srs.timing import study_day
from studyapp.versions import renew, tokens

TTL = 120
USER_KEY = "progress:data:{}"
# Models whose rows feed the dashboard ("app_label.Model": resolved lazily, no import).
SENDERS = (
    "accounts.Profile",  # the exam date (the plan)
    "srs.ReviewLog",
    "srs.StudyCard",
    "srs.StudySettings",
    "srs.ParameterEvaluation",
    "srs.CardAction",
    "quizzes.Attempt",
    "quizzes.AttemptQuestion",
    "progress.Prediction",
)


def user_data_changed(user_id: int) -> None:
    renew(USER_KEY.format(user_id))


def key(*, user, language: str, now) -> str:
    """The cache key of ``user``'s dashboard as it would be built now (one query: the
    learner's time zone, for the study day)."""
    day = study_day(now, srs_selectors.user_timezone(user=user))
    data, content = tokens(USER_KEY.format(user.pk), content_selectors.CONTENT_VERSION_KEY)
    return f"{user.pk}:{data}:{content}:{language}:{day.isoformat()}"


# A quiz question counts once graded (accuracy); an ungraded autosave changes no figure.
GRADED = frozenset({"is_correct", "graded_at"})


def _changed(sender, instance, update_fields=None, **kwargs) -> None:
    user_id = getattr(instance, "user_id", None)
    if user_id is None and getattr(instance, "attempt_id", None) is not None:
        if update_fields is not None and not GRADED & set(update_fields):
            return
        user_id = instance.attempt.user_id
    if user_id is not None:
        user_data_changed(user_id)


def connect() -> None:
    for sender in SENDERS:
        uid = f"progress.dashboard_cache:{sender}"
        post_save.connect(_changed, sender=sender, dispatch_uid=uid + ":save")
        post_delete.connect(_changed, sender=sender, dispatch_uid=uid + ":delete")
