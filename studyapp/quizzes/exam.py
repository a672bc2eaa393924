"""The exam's definition: AWS Certified Developer – Associate (DVA-C02).

The one owner of the exam's rules: its content domains and their weights (exam guide), the
question count and duration of a full mock exam, the pass mark and the 100–1000 scaled
score. Mock-exam profiles (``ExamProfile``) start from these values; the progress app's
readiness forecast scores with :func:`scaled_score` too. Pure: no database.

The scaled score is linear, ``100 + 900 × correct / total``, rounded half up (0.5 goes up:
a score exactly halfway between two integers is given the benefit of the doubt). AWS does not
publish its scaling; linear is the neutral reading of "100–1000, pass 720".
"""

from __future__ import annotations

import math
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

NAME = "DVA-C02"
# Content domains (an item inherits its deck's ``domains``) and their weights in percent.
DOMAINS = {
    1: _("Desenvolvimento com serviços da AWS"),
    2: _("Segurança"),
    3: _("Implantação"),
    4: _("Solução de problemas e otimização"),
}
DOMAIN_PERCENT = {1: 32, 2: 26, 3: 24, 4: 18}
DOMAIN_WEIGHTS = {number: percent / 100 for number, percent in DOMAIN_PERCENT.items()}
QUESTION_COUNT = 65
MINUTES = 130
MIN_SCORE, MAX_SCORE = 100, 1000
PASS_MARK = 720


def scaled_score(correct: float, total: float = 1) -> int:
    """``correct`` of ``total`` questions right (or a fraction right, alone) → the
    100–1000 scale, linear, clamped, rounded half up. Computed exactly (no float rounding
    at the halfway point): ``scaled_score(1, 2) == 550``, ``scaled_score(0.6923) == 723``."""
    if total <= 0:
        return MIN_SCORE
    fraction = min(Fraction(1), max(Fraction(0), Fraction(correct) / Fraction(total)))
    return math.floor(MIN_SCORE + (MAX_SCORE - MIN_SCORE) * fraction + Fraction(1, 2))


def fraction_for_score(score: float) -> float:
    """The fraction of questions right that a scaled score stands for."""
    return (score - MIN_SCORE) / (MAX_SCORE - MIN_SCORE)
