"""The dashboard's cache: the rendered figures of one learner, in the shared cache (Redis;
none without it: settings.SHARED_CACHE), keyed so that they are fresh at once after:

- anything the learner does that changes them (an answer, an undo, a suspended or buried
  card, a quiz answer or submit, a mock exam's prediction, a settings change, the exam date):
  a per-user data version, renewed on commit by the model signals below;
- an import: the content version (``content.selectors.content_version``);
- a change to an exam profile (the admin's: pass mark, question count, domain weights): one
  token for everyone, ``PROFILE_KEY``;
- a language switch: the language is in the key;
- the study day's rollover: an entry holds when the study day it was built on ends (in the
  learner's time zone) and is not read after.

One slot per learner and language holds the body with the versions it was built under:
a view reads the versions and the slot in one cache round trip, and serves the body only
when they match (no query for the key). What changes with the clock alone ("due now",
recall probabilities) is at most ``TTL`` seconds old. Tokens are random and never reused
(``studyapp.versions``); without Redis every view builds the figures.

A rebuild (after an answer, say) reuses the learner's *parts* that did not change, read in
the same round trip: each is kept under the tokens of the data it was read from, one token
per kind of change (``KIND_KEYS``): ``settings`` (time zone, exam date, retention and
trained parameters: ``SETTINGS_KEY``), ``quiz`` (quiz accuracy per deck, the last answer per
question, the mock history and its predictions: ``QUIZ_KEY`` and the content version) and
``study`` (the memory rows of the cards studied, the latest answers and the daily roll-ups,
with the last log id read: ``STUDY_KEY``, the settings and the content version). A write
renews the data version and its kind's token; an answer renews none of them: the next
rebuild reads the answers logged after the kept part's last log and their cards (one or two
queries) and applies them (``progress.selectors.learner_study``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.db.models.signals import post_delete, post_save

from studyapp.content import selectors as content_selectors
from studyapp.srs.signals import study_data_rewritten
from studyapp.versions import renew, tokens

TTL = 120
USER_KEY = "version:progress:data:{}"
SLOT_KEY = "progress:dashboard:{}:{}:{}"  # user id, language, "own" or "instructor"
SETTINGS_KEY = "version:progress:settings:{}"
QUIZ_KEY = "version:progress:quiz:{}"
PART_KEY = "progress:part:{}:{}"  # user id, part name
PART_TTL = 24 * 3600  # read again after a day even when nothing renewed its tokens
STUDY_KEY = "version:progress:study:{}"
SECTION_KEY = "progress:section:{}:{}:{}:{}"  # user id, language, viewer, section name
# Sections rendered apart (progress.views), kept under a digest of their inputs: the mock
# exams' section, the heatmap's days before today.
SECTIONS = ("mocks", "heatmap")
# Models whose rows feed the dashboard ("app_label.Model": resolved lazily, no import), and
# the part each one's writes renew (``ANSWERED``: a logged answer renews none, see below).
ANSWERED = "answered"
SENDERS = {
    "accounts.Profile": "settings",  # the exam date (the plan)
    "srs.ReviewLog": ANSWERED,
    "srs.StudyCard": ANSWERED,
    "srs.StudySettings": "settings",
    "srs.DeckLimits": "settings",  # a deck's own daily limits (due today)
    "srs.ParameterEvaluation": "settings",
    "srs.CardAction": "study",
    "quizzes.Attempt": "quiz",
    "quizzes.AttemptQuestion": "quiz",
    "progress.Prediction": "quiz",
}
# The exam profile (pass mark, question count, domain weights): one token for everyone,
# renewed by any write to a profile (the admin's).
PROFILE_KEY = "version:progress:exam-profile"
KIND_KEYS = {"settings": SETTINGS_KEY, "quiz": QUIZ_KEY, "study": STUDY_KEY}
# The tokens each part is kept under ("content": the content version).
PARTS = {
    "settings": ("settings",),
    "quiz": ("quiz", "content"),
    "draw": ("quiz", "content", "profile"),  # the mock draw's frame for the quiz tiers
    "study": ("study", "settings", "content"),
    "profile": ("profile",),  # quizzes.selectors.exam_profile()
}


def user_data_changed(user_id: int, kind: str | None = None) -> None:
    """Renew ``user_id``'s data version (and ``kind``'s token: "settings", "quiz")."""
    renew(USER_KEY.format(user_id))
    if kind is not None:
        renew(KIND_KEYS[kind].format(user_id))


# This process's latest study part per learner (the one its last rebuild brought up to
# date): user id → (the tokens it was read under, (last log id, memory, answers, roll-ups),
# answers applied since the shared copy was kept, the answers as the model reads them).
# Checked against the current tokens like the shared copy (a write that renews them makes
# it unread), so never stale; it spares a rebuild after an answer the shared copy's ~70 KB
# (its decoding, ~0.4 ms at 326 cards and 500 answers) and lets it apply only the answers
# since its own last build.
# Bounded twice: 32 learners, and 60,000 rows (cards' memory rows, answers, daily roll-ups)
# in all, a few MB per worker: with much content a heavy learner's part is large (at 100×
# content, thousands of cards), and one larger than the whole budget is not kept (its
# rebuilds read the shared copy).
STUDY_MEMO_SIZE = 32
STUDY_MEMO_ROWS = 60_000
study_memo: dict[int, tuple] = {}
_study_memo_lock = threading.Lock()  # threads of one process (runserver, gunicorn --threads)


def _rows(state: tuple, evidence: list) -> int:
    _last_log, memory, answers, rollups = state
    return len(memory) + len(answers) + len(rollups) + len(evidence)


def study_memo_keep(
    user_id: int, versions: tuple, state: tuple, pending: int, evidence: list
) -> None:
    """Keep ``state`` as ``user_id``'s study part read under ``versions`` (none kept
    without the shared cache's tokens), with ``evidence``: its answers as the model reads
    them (``progress.selectors.answers_from``)."""
    if versions is None or "-" in versions:
        return
    size = _rows(state, evidence)
    with _study_memo_lock:
        study_memo.pop(user_id, None)
        if size > STUDY_MEMO_ROWS:
            return
        kept = sum(_rows(entry[1], entry[3]) for entry in study_memo.values())
        while study_memo and (len(study_memo) >= STUDY_MEMO_SIZE or kept + size > STUDY_MEMO_ROWS):
            oldest = next(iter(study_memo))  # the least recently kept
            entry = study_memo.pop(oldest, None)
            if entry is not None:
                kept -= _rows(entry[1], entry[3])
        study_memo[user_id] = (versions, state, pending, evidence)


def study_memo_drop(user_id: int) -> None:
    """Forget ``user_id``'s study part (its tokens were renewed)."""
    with _study_memo_lock:
        study_memo.pop(user_id, None)


@dataclass
class Found:
    """What one lookup read: the body (or None), the versions to store a new one under, the
    parts still valid ({name: value}) and the tokens to keep fresh parts under."""

    body: bytes | None  # UTF-8
    versions: tuple[str, str, str]  # the learner's data, the content, the exam profile
    parts: dict = field(default_factory=dict)
    part_versions: dict = field(default_factory=dict)
    sections: dict = field(default_factory=dict)  # name → (digest of its inputs, html)
    study_pending: int = 0  # answers applied to ``parts["study"]`` since it was kept shared
    study_evidence: list | None = None  # its answers as the model reads them (this process's)


def lookup(*, user, language: str, now: datetime, viewer: str) -> Found:
    """The cached body of ``user``'s dashboard as ``viewer`` sees it (or None), the versions
    to store a new one under and the parts a rebuild can reuse, in one cache round trip when
    the tokens exist."""
    keys = (USER_KEY.format(user.pk), content_selectors.CONTENT_VERSION_KEY, PROFILE_KEY)
    slot = SLOT_KEY.format(user.pk, language, viewer)
    cache = _cache()
    found = cache.get_many([*keys, slot])
    versions = tuple(found.get(key) for key in keys)
    if None in versions:
        versions = tuple(tokens(*keys))
    entry = found.get(slot)
    if entry is not None and entry[0] == versions and now < entry[1]:
        return Found(entry[2], versions)
    if "-" in versions:  # no shared cache: nothing kept
        return Found(None, versions)
    # A rebuild: the parts and their tokens in a second round trip (a repeat view reads
    # the slot and its three versions only).
    kind_keys = {kind: key.format(user.pk) for kind, key in KIND_KEYS.items()}
    memo = study_memo.get(user.pk)  # this process's own study part: not read when valid
    part_keys = {
        name: PART_KEY.format(user.pk, name)
        for name in PARTS
        if not (name == "study" and memo is not None)
    }
    section_keys = {name: SECTION_KEY.format(user.pk, language, viewer, name) for name in SECTIONS}
    found = cache.get_many([*kind_keys.values(), *part_keys.values(), *section_keys.values()])
    current = {kind: found.get(key) for kind, key in kind_keys.items()}
    if None in current.values():
        current = dict(zip(kind_keys, tokens(*kind_keys.values()), strict=True))
    current["content"], current["profile"] = versions[1], versions[2]
    part_versions = {name: tuple(current[k] for k in kinds) for name, kinds in PARTS.items()}
    parts = {}
    for name, key in part_keys.items():
        kept = found.get(key)
        if kept is not None and kept[0] == part_versions[name] and "-" not in kept[0]:
            parts[name] = kept[1]
    sections = {name: found[key] for name, key in section_keys.items() if key in found}
    pending, evidence = 0, None
    if memo is not None:
        if memo[0] == part_versions["study"] and "-" not in memo[0]:
            parts["study"], pending, evidence = memo[1], memo[2], memo[3]
        else:  # renewed since (an undo, a suspension, the settings, an import): the shared one
            study_memo_drop(user.pk)
            kept = cache.get(PART_KEY.format(user.pk, "study"))
            if kept is not None and kept[0] == part_versions["study"] and "-" not in kept[0]:
                parts["study"] = kept[1]
    return Found(None, versions, parts, part_versions, sections, pending, evidence)


def store(
    *,
    user,
    language: str,
    versions: tuple[str, str, str],
    until: datetime,
    body: bytes,
    viewer: str,
) -> None:
    """Keep ``body`` for views until ``until`` (the end of its study day) while ``versions``
    are current (none kept without them: no shared cache)."""
    if "-" not in versions:
        _cache().set(SLOT_KEY.format(user.pk, language, viewer), (versions, until, body), TTL)


def store_parts(*, user, found: Found, parts: dict) -> None:
    """Keep the parts a build read (``parts``: {name: value}) under the tokens ``found`` read
    before (a write since then renewed them: these are never read)."""
    entries = {
        PART_KEY.format(user.pk, name): (found.part_versions[name], value)
        for name, value in parts.items()
        if name in found.part_versions and "-" not in found.part_versions[name]
    }
    if entries:
        _cache().set_many(entries, PART_TTL)


def store_sections(*, user, language: str, viewer: str, sections: dict) -> None:
    """Keep rendered sections ({name: (digest of what it shows, html)}): a rebuild renders a
    section again only when the digest of its inputs differs (no token: the digest is the
    whole of what it shows)."""
    if sections:
        _cache().set_many(
            {
                SECTION_KEY.format(user.pk, language, viewer, name): value
                for name, value in sections.items()
            },
            PART_TTL,
        )


def _cache():
    return caches[settings.SHARED_CACHE]


# A quiz question counts once graded (accuracy); an ungraded autosave changes no figure.
GRADED = frozenset({"is_correct", "graded_at"})


def _kind(sender, signal, update_fields) -> str | None:
    """The part a write renews. The study part is brought up to date from the logs (a
    rebuild applies the answers logged since it was kept, with their cards as they are
    then): a new log and a card write that moves its due date (an answer's: the study
    answer's and the quiz answer's card writes both come with a new log) renew no part;
    any other card write (a suspension, a burial, an undo's restore, a reset), a deleted
    log (an undo) or card, and a card action renew it."""
    kind = SENDERS[sender._meta.label]
    if kind != ANSWERED:
        return kind
    if signal is post_delete:
        return "study"
    if sender._meta.label == "srs.ReviewLog":
        return None
    return None if update_fields is not None and "due" in update_fields else "study"


def _changed(sender, instance, update_fields=None, signal=None, **kwargs) -> None:
    user_id = getattr(instance, "user_id", None)
    if user_id is None and getattr(instance, "settings_id", None) is not None:
        user_id = instance.settings.user_id  # a deck's limits: their learner's settings
    if user_id is None and getattr(instance, "attempt_id", None) is not None:
        if update_fields is not None and not GRADED & set(update_fields):
            return
        user_id = instance.attempt.user_id
    if user_id is not None:
        user_data_changed(user_id, _kind(sender, signal, update_fields))


def _profile_changed(**kwargs) -> None:
    renew(PROFILE_KEY)


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(
            _profile_changed,
            sender="quizzes.ExamProfile",
            dispatch_uid=f"progress.dashboard_cache:profile:{signal is post_save}",
        )
    for sender in SENDERS:
        uid = f"progress.dashboard_cache:{sender}"
        post_save.connect(_changed, sender=sender, dispatch_uid=uid + ":save")
        post_delete.connect(_changed, sender=sender, dispatch_uid=uid + ":delete")
    study_data_rewritten.connect(_rewritten, dispatch_uid="progress.dashboard_cache:rewritten")


def _rewritten(sender, user_ids, **kwargs) -> None:
    """srs rewrote these learners' study data in bulk (no model signal): their study part
    and figures are read afresh."""
    for user_id in user_ids:
        user_data_changed(user_id, "study")
