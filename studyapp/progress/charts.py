"""Server-rendered SVG charts (no JavaScript). Colours come from CSS classes in
static/css/progress.css (CSS variables, so dark mode works); no inline styles, the CSP
forbids them. Every chart has a <title>/<desc>; templates add a data table beside it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.utils.formats import date_format
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


def _svg(*, chart_id: str, title: str, desc: str, width: int, height: int, body) -> SafeString:
    return format_html(
        '<svg class="chart" id="{id}" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMinYMin meet">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        w=width,
        h=height,
        title=title,
        desc=desc,
        body=body,
    )


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    bars: list[tuple[str, int]],
    label_every: int = 1,
    css: str = "bar",
    bar_classes: list[str] | None = None,
) -> SafeString:
    """Vertical bars with the value above each bar and a label under every n-th bar."""
    width, height, top, bottom, left = 600, 220, 18, 28, 4
    plot = height - top - bottom
    n = max(1, len(bars))
    slot = (width - left) / n
    peak = max((value for _label, value in bars), default=0) or 1
    parts = []
    # Plain f-strings (format_html per bar was most of the charts' time): numbers as
    # str.format gives them, labels and values escaped as format_html escapes them.
    esc = conditional_escape
    for i, (label, value) in enumerate(bars):
        h = round(plot * value / peak, 1)
        x = round(left + i * slot + slot * 0.12, 1)
        w = round(slot * 0.76, 1)
        y = round(top + plot - h, 1)
        klass = bar_classes[i] if bar_classes else css
        shown_label, shown_value = esc(label), esc(value)
        parts.append(
            f'<rect class="{esc(klass)}" x="{x}" y="{y}" width="{w}" '
            f'height="{max(h, 0.5 if value else 0)}">'
            f"<title>{shown_label}: {shown_value}</title></rect>"
        )
        if value and (n <= 12 or value == peak):
            parts.append(
                f'<text class="chart-value" x="{round(x + w / 2, 1)}" y="{y - 4}" '
                f'text-anchor="middle">{shown_value}</text>'
            )
        if i % label_every == 0:
            parts.append(
                f'<text class="chart-label" x="{round(x + w / 2, 1)}" y="{height - 8}" '
                f'text-anchor="middle">{shown_label}</text>'
            )
    parts.append(
        f'<line class="axis" x1="{left}" y1="{top + plot}" x2="{width}" y2="{top + plot}"/>'
    )
    return _svg(
        chart_id=chart_id,
        title=title,
        desc=desc,
        width=width,
        height=height,
        body=mark_safe("".join(parts)),  # noqa: S308 - every value escaped or a number
    )


def heat_level(count: int, peak: int) -> int:
    """0 (no reviews) to 4 (the busiest days), relative to the busiest day."""
    if count <= 0:
        return 0
    if peak <= 0:
        return 1
    return min(4, 1 + int(4 * (count - 1) / peak))


@lru_cache(maxsize=4096)
def _day_labels(day: date, language: str | None) -> tuple[str, str]:
    """(short date, month abbreviation) of ``day`` in ``language``, HTML-escaped.
    Cached: the heatmap labels the same 365 days on every dashboard view."""
    return escape(date_format(day, "SHORT_DATE_FORMAT")), escape(date_format(day, "M"))


@lru_cache(maxsize=4096)
def _bar_day(day: date, format_: str, language: str | None) -> str:
    """``day`` as the forecast chart's bars label it (``format_``: the translated "d/m").
    Cached: the chart labels the same 30 days on every rebuild of the dashboard."""
    return date_format(day, format_)


def heatmap_past_digest(days: list[tuple[date, int]]) -> str:
    """What the markup of every day of a :func:`heatmap` but the last depends on, for
    ``days`` consecutive (as ``Activity.days``): the language, the first day, how many,
    the counts before the last day and their heat levels (relative to the busiest day,
    today's included). An answer changes only the last (today's) count; the past's markup
    changes when that moves a past day's level (today being the busiest day: not at every
    answer, the busiest day alone was) or the study day rolls over."""
    peak = max((count for _day, count in days), default=0)
    past = [count for _day, count in days[:-1]]
    inputs = (
        get_language(),
        days[0][0].toordinal() if days else None,
        len(days),
        past,
        [heat_level(count, peak) for count in past],
    )
    return hashlib.sha256(repr(inputs).encode()).hexdigest()[:24]


def heatmap(
    *,
    chart_id: str,
    title: str,
    desc: str,
    days: list[tuple[date, int]],
    past: str | None = None,
    keep: dict | None = None,
) -> SafeString:
    """GitHub-style calendar: one column per week (Monday first), one square per day.
    ``past``: the markup of every day but the last as an earlier call gave it for the same
    :func:`heatmap_past_digest` (used instead of rendering them again); ``keep``: a dict
    that gets it (``keep["past"]``) when it was rendered here."""
    cell, gap, top, left = 11, 2, 14, 2
    if not days:
        days = []
    first = days[0][0] if days else date.today()
    start = first - timedelta(days=first.weekday())
    weeks = ((days[-1][0] - start).days // 7 + 1) if days else 1
    width = left + weeks * (cell + gap)
    height = top + 7 * (cell + gap)
    peak = max((count for _day, count in days), default=0)
    parts = []
    last_month = None
    language = get_language()
    rendered = days
    if past is not None and days:
        parts.append(past)
        rendered = days[-1:]
        last_month = days[-2][0].month if len(days) > 1 else None
    # Plain f-strings: every value is an int or an escaped label (format_html and
    # date_format for 365 days were a third of the dashboard's time).
    for n, (day, count) in enumerate(rendered):
        if past is None and keep is not None and n == len(days) - 1:
            keep["past"] = "".join(parts)
        week = (day - start).days // 7
        x = left + week * (cell + gap)
        y = top + day.weekday() * (cell + gap)
        short_date, month = _day_labels(day, language)
        if day.month != last_month and day.day <= 7:
            parts.append(f'<text class="chart-label" x="{x}" y="10">{month}</text>')
        last_month = day.month
        parts.append(
            f'<rect class="heat heat-{heat_level(count, peak)}" x="{x}" y="{y}" width="{cell}" '
            f'height="{cell}" rx="2"><title>{short_date}: {int(count)}</title></rect>'
        )
    return _svg(
        chart_id=chart_id,
        title=title,
        desc=desc,
        width=width,
        height=height,
        body=mark_safe("".join(parts)),  # noqa: S308
    )


@dataclass(frozen=True)
class _ScoreFrame:
    """The score chart's geometry: 100–1000 on the y axis, one slot per mock exam."""

    n: int
    width: int = 600
    height: int = 220
    top: int = 12
    bottom: int = 28
    left: int = 40
    right: int = 12

    def y_of(self, score) -> float:
        return round(self.top + (self.height - self.top - self.bottom) * (1000 - score) / 900, 1)

    def x_of(self, i) -> float:
        return round(self.left + (self.width - self.left - self.right) * (i + 0.5) / self.n, 1)


def _score_grid(frame: _ScoreFrame, *, pass_mark: int, pass_label: str) -> list:
    """Y labels with gridlines (100, 400, 700, 1000) and the dashed pass line."""
    parts = [
        format_html(
            '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>'
            '<line class="gridline" x1="{}" y1="{}" x2="{}" y2="{}"/>',
            frame.left - 4,
            frame.y_of(score) + 4,
            score,
            frame.left,
            frame.y_of(score),
            frame.width - frame.right,
            frame.y_of(score),
        )
        for score in (100, 400, 700, 1000)
    ]
    parts.append(
        format_html(
            '<line class="pass-line" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<text class="chart-label pass-label" x="{}" y="{}" text-anchor="end">{}</text>',
            frame.left,
            frame.y_of(pass_mark),
            frame.width - frame.right,
            frame.y_of(pass_mark),
            frame.width - frame.right,
            frame.y_of(pass_mark) - 4,
            pass_label,
        )
    )
    return parts


def _score_marks(frame: _ScoreFrame, points, *, pass_mark: int) -> list:
    """The scores (dots joined by a line), the predictions (hollow squares), x labels."""
    parts = []
    actual = [
        (frame.x_of(i), frame.y_of(s)) for i, (_label, s, _p) in enumerate(points) if s is not None
    ]
    if len(actual) > 1:
        parts.append(
            format_html(
                '<polyline class="score-line" points="{}"/>',
                " ".join(f"{x},{y}" for x, y in actual),
            )
        )
    for i, (label, score, predicted) in enumerate(points):
        x = frame.x_of(i)
        if predicted is not None:
            parts.append(
                format_html(
                    '<rect class="predicted-dot" x="{}" y="{}" width="8" height="8"/>',
                    x - 4,
                    frame.y_of(predicted) - 4,
                )
            )
        if score is not None:
            klass = "score-dot pass" if score >= pass_mark else "score-dot fail"
            parts.append(
                format_html(
                    '<circle class="{}" cx="{}" cy="{}" r="5"><title>{}: {}</title></circle>',
                    klass,
                    x,
                    frame.y_of(score),
                    label,
                    score,
                )
            )
        if frame.n <= 10 or i % max(1, frame.n // 10) == 0:
            parts.append(
                format_html(
                    '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
                    x,
                    frame.height - 8,
                    label,
                )
            )
    return parts


def score_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    points: list[tuple[str, int | None, int | None]],
    pass_mark: int,
    pass_label: str,
) -> SafeString:
    """Mock exam scores (dots joined by a line) on the 100–1000 scale, with the pass line
    and, where known, the predicted score (hollow squares)."""
    frame = _ScoreFrame(n=max(1, len(points)))
    width, height = frame.width, frame.height
    parts = _score_grid(frame, pass_mark=pass_mark, pass_label=pass_label)
    parts += _score_marks(frame, points, pass_mark=pass_mark)
    return _svg(
        chart_id=chart_id,
        title=title,
        desc=desc,
        width=width,
        height=height,
        body=format_html_join("", "{}", ((p,) for p in parts)),
    )


def dashboard_charts(
    dashboard, *, heatmap_past: str | None = None, keep: dict | None = None
) -> dict[str, SafeString]:
    """The dashboard's SVG charts, with translated titles and descriptions (the mock exams'
    one apart: :func:`mocks_chart`, rendered with its section). ``heatmap_past``,
    ``keep``: see :func:`heatmap`."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    def _reviews_phrase(count):
        return ngettext(
            "%(count)d revisão nos próximos 30 dias",
            "%(count)d revisões nos próximos 30 dias",
            count,
        ) % {"count": count}

    forecast = dashboard.cards.forecast
    activity = dashboard.activity
    day_format, language = _("d/m"), get_language()
    button_labels = [_("De novo"), _("Difícil"), _("Bom"), _("Fácil")]
    return {
        "forecast": bar_chart(
            chart_id="chart-forecast",
            title=_("Revisões previstas nos próximos 30 dias"),
            desc=_("%(reviews)s; %(today)d hoje.")
            % {
                "reviews": _reviews_phrase(sum(n for _d, n in forecast)),
                "today": dashboard.cards.due_today,
            },
            bars=[(_bar_day(day, day_format, language), n) for day, n in forecast],
            label_every=5,
        ),
        "heatmap": heatmap(
            chart_id="chart-heatmap",
            title=_("Revisões por dia nos últimos 365 dias"),
            desc=_("%(days)s, %(reviews)s; %(streak)s.")
            % {
                "days": ngettext(
                    "%(count)d dia com estudo", "%(count)d dias com estudo", activity.days_studied
                )
                % {"count": activity.days_studied},
                "reviews": ngettext(
                    "%(count)d revisão", "%(count)d revisões", activity.total_reviews
                )
                % {"count": activity.total_reviews},
                "streak": ngettext(
                    "sequência atual de %(count)d dia",
                    "sequência atual de %(count)d dias",
                    activity.streak,
                )
                % {"count": activity.streak},
            },
            days=activity.days,
            past=heatmap_past,
            keep=keep,
        ),
        "buttons": bar_chart(
            chart_id="chart-buttons",
            title=_("Botões de resposta nos últimos 30 dias"),
            desc=", ".join(
                f"{label}: {activity.buttons[i + 1]}" for i, label in enumerate(button_labels)
            ),
            bars=[(label, activity.buttons[i + 1]) for i, label in enumerate(button_labels)],
            bar_classes=["bar rating-1", "bar rating-2", "bar rating-3", "bar rating-4"],
        ),
    }


def mocks_chart(dashboard) -> SafeString | str:
    """The mock exams' scores and predictions ("" without a mock exam)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    mocks = dashboard.mocks
    return (
        score_chart(
            chart_id="chart-mocks",
            title=_("Notas dos simulados"),
            desc=ngettext(
                "%(count)d simulado; linha de aprovação em %(mark)d.",
                "%(count)d simulados; linha de aprovação em %(mark)d.",
                len(mocks),
            )
            % {"count": len(mocks), "mark": dashboard.pass_mark},
            points=[
                (
                    date_format(row.attempt.started_at.astimezone(dashboard.tz), _("d/m")),
                    row.attempt.score,
                    row.prediction.predicted_score if row.prediction else None,
                )
                for row in mocks
            ],
            pass_mark=dashboard.pass_mark,
            pass_label=_("aprovação %(mark)d") % {"mark": dashboard.pass_mark},
        )
        if mocks
        else ""
    )
