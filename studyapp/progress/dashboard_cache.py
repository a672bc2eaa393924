"""The dashboard's cache: the rendered figures of one learner, in the shared cache (Redis;
none without it: settings.SHARED_CACHE), keyed so that they are fresh at once after:

- anything the learner does that changes them (an answer, an undo, a suspended or buried
  card, a quiz answer or submit, a mock exam's prediction, a settings change, the exam date):
  a per-user data version, renewed on commit by the model signals below;
- an import: the content version (``content.selectors.content_version``);
- a language switch: the language is in the key;
- the study day's rollover: an entry holds when the study day it was built on ends (in the
  learner's time zone) and is not read after.

One slot per learner and language holds the body with the versions it was built under:
a view reads the versions and the slot in one cache round trip, and serves the body only
when they match (no query for the key). What changes with the clock alone ("due now",
recall probabilities) is at most ``TTL`` seconds old. Tokens are random and never reused
(``studyapp.versions``); without Redis every view builds the figures.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.db.models.signals import post_delete, post_save

from studyapp.content import selectors as content_selectors
from studyapp.versions import renew, tokens

TTL = 120
USER_KEY = "progress:data:{}"
SLOT_KEY = "progress:dashboard:{}:{}:{}"  # user id, language, "own" or "instructor"
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


def lookup(
    *, user, language: str, now: datetime, viewer: str = "own"
) -> tuple[str | None, tuple[str, str]]:
    """(the cached body of ``user``'s dashboard as ``viewer`` sees it, or None; the versions
    to store a new one under), in one cache round trip when the versions exist."""
    user_key = USER_KEY.format(user.pk)
    content_key = content_selectors.CONTENT_VERSION_KEY
    slot = SLOT_KEY.format(user.pk, language, viewer)
    found = _cache().get_many([user_key, content_key, slot])
    versions = (found.get(user_key), found.get(content_key))
    if None in versions:
        versions = tuple(tokens(user_key, content_key))
    entry = found.get(slot)
    if entry is not None and entry[0] == versions and now < entry[1]:
        return entry[2], versions
    return None, versions


def store(
    *,
    user,
    language: str,
    versions: tuple[str, str],
    until: datetime,
    body: str,
    viewer: str = "own",
) -> None:
    """Keep ``body`` for views until ``until`` (the end of its study day) while ``versions``
    are current (none kept without them: no shared cache)."""
    if "-" not in versions:
        _cache().set(SLOT_KEY.format(user.pk, language, viewer), (versions, until, body), TTL)


def _cache():
    return caches[settings.SHARED_CACHE]


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
