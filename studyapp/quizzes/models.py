"""Quizzes: practice quizzes and timed mock exams.

An :class:`Attempt` is one sitting (practice or mock exam). Its questions are drawn once,
at start, into :class:`AttemptQuestion` rows that fix everything the page needs: the order
of the questions, the order of the options (with distractors for items that have only
correct answers) and, as the learner works, the selected options and flags. The server
owns the clock: ``Attempt.deadline`` is stored and enforced by the services.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from studyapp.content.models import Item, Topic

from . import exam


class ExamProfile(models.Model):
    """The rules of a mock exam; instructors define them in the admin."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("nome"), max_length=120)
    question_count = models.PositiveSmallIntegerField(
        _("número de questões"), validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    minutes = models.PositiveSmallIntegerField(
        _("duração (minutos)"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("nota de aprovação (100–1000)"),
        validators=[MinValueValidator(exam.MIN_SCORE), MaxValueValidator(exam.MAX_SCORE)],
    )
    domain_1_weight = models.PositiveSmallIntegerField(
        _("peso do domínio 1 (%)"), default=exam.DOMAIN_PERCENT[1]
    )
    domain_2_weight = models.PositiveSmallIntegerField(
        _("peso do domínio 2 (%)"), default=exam.DOMAIN_PERCENT[2]
    )
    domain_3_weight = models.PositiveSmallIntegerField(
        _("peso do domínio 3 (%)"), default=exam.DOMAIN_PERCENT[3]
    )
    domain_4_weight = models.PositiveSmallIntegerField(
        _("peso do domínio 4 (%)"), default=exam.DOMAIN_PERCENT[4]
    )
    is_default = models.BooleanField(_("padrão"), default=False)
    is_active = models.BooleanField(_("ativo"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("perfil de simulado")
        verbose_name_plural = _("perfis de simulado")

    def __str__(self) -> str:
        return self.name

    @property
    def domain_weights(self) -> dict[int, int]:
        return {
            1: self.domain_1_weight,
            2: self.domain_2_weight,
            3: self.domain_3_weight,
            4: self.domain_4_weight,
        }


class ExamProfileTopic(models.Model):
    """A topic's weight in a profile. A profile without any topic weight weighs all topics
    equally; once one is set, topics not listed are left out of the draw."""

    profile = models.ForeignKey(ExamProfile, on_delete=models.CASCADE, related_name="topic_weights")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    weight = models.PositiveSmallIntegerField(_("peso"), default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "topic"], name="examprofiletopic_unique")
        ]
        verbose_name = _("peso de tópico")
        verbose_name_plural = _("pesos de tópicos")

    def __str__(self) -> str:
        return f"{self.topic} × {self.weight}"


class AttemptQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(status=Attempt.Status.IN_PROGRESS)

    def finished(self):
        return self.exclude(status=Attempt.Status.IN_PROGRESS)

    def mocks(self):
        return self.filter(kind=Attempt.Kind.MOCK)

    def scored(self):
        """Finished with a score (submitted or expired), not abandoned."""
        return self.filter(status__in=[Attempt.Status.SUBMITTED, Attempt.Status.EXPIRED])


class Attempt(models.Model):
    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Prática")
        MOCK = "mock", _("Simulado")

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("Em andamento")
        SUBMITTED = "submitted", _("Finalizado")
        EXPIRED = "expired", _("Tempo esgotado")
        # Discarded by the learner, or a practice quiz left idle (services.PRACTICE_IDLE):
        # ended without a score; checked answers keep counting, nothing else is graded.
        ABANDONED = "abandoned", _("Abandonada")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    profile = models.ForeignKey(
        ExamProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    title = models.CharField(_("título"), max_length=200)
    # Practice scope as chosen (deck and topic slugs), to show and to repeat the quiz.
    scope = models.JSONField(default=dict, blank=True)
    seed = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)  # mock exams only
    finished_at = models.DateTimeField(null=True, blank=True)
    pass_mark = models.PositiveSmallIntegerField(null=True, blank=True)  # copied from the profile
    question_count = models.PositiveSmallIntegerField(default=0)
    correct_count = models.PositiveSmallIntegerField(null=True, blank=True)
    scaled_score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="attempt_user_started"),
            models.Index(fields=["status", "deadline"], name="attempt_status_deadline"),
        ]
        verbose_name = _("tentativa")
        verbose_name_plural = _("tentativas")

    def __str__(self) -> str:
        return f"{self.title} ({self.user})"

    @property
    def is_mock(self) -> bool:
        return self.kind == self.Kind.MOCK

    @property
    def is_finished(self) -> bool:
        return self.status != self.Status.IN_PROGRESS

    @property
    def is_abandoned(self) -> bool:
        return self.status == self.Status.ABANDONED

    @property
    def time_used(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class AttemptQuestion(models.Model):
    """One question of an attempt, with everything fixed at the draw.

    ``option_ids`` is the shuffled order of the options shown: the item's own options and,
    for an item with only correct answers, distractors (correct answers of other items of
    the same deck or topic, always wrong here). ``selected_ids`` are the learner's choices.
    ``is_correct`` is set when the answer is graded (checked in practice, at submit).

    A ``self_graded`` question (practice only) is an item with correct answers only, such as
    the seed's flashcards: ``option_ids`` are its answers, shown once the learner asks to see
    them (``revealed_at``); the learner then says right or wrong ("Acertei"/"Errei"), which
    grades it and feeds spaced repetition like any checked answer. Mocks never hold one.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="questions")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="attempt_questions")
    position = models.PositiveSmallIntegerField()  # 1-based
    domain = models.PositiveSmallIntegerField(null=True, blank=True)  # the exam domain drawn for
    option_ids = models.JSONField(default=list)
    choose_count = models.PositiveSmallIntegerField(default=1)
    selected_ids = models.JSONField(default=list, blank=True)
    # Options the learner struck through (eliminated), as on the real exam: display only.
    struck_ids = models.JSONField(default=list, blank=True, db_default=[])  # raw inserts too
    flagged = models.BooleanField(default=False)
    self_graded = models.BooleanField(default=False, db_default=False)  # raw inserts too
    revealed_at = models.DateTimeField(null=True, blank=True)  # self-graded: answer shown
    answered_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="attemptquestion_position"
            ),
            models.UniqueConstraint(fields=["attempt", "item"], name="attemptquestion_item_once"),
        ]
        indexes = [
            # Per-question statistics (instructor view) and "prefer unseen / wrong" in the draw.
            models.Index(fields=["item", "is_correct"], name="attemptquestion_item_correct"),
        ]
        verbose_name = _("questão da tentativa")
        verbose_name_plural = _("questões da tentativa")

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.position}"

    @property
    def is_answered(self) -> bool:
        """Chosen options, or a self-graded card the learner has graded ("Errei" chooses none)."""
        return bool(self.selected_ids) or (self.self_graded and self.graded_at is not None)

    @property
    def is_multiple(self) -> bool:
        return self.choose_count > 1
