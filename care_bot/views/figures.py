"""The program's figures as mrkdwn lines, for the weekly digest and the Security Home."""

from __future__ import annotations

from collections.abc import Mapping

from care_bot.config import Branch
from care_bot.domain.care import THREAT_CHANNELS, THREAT_KINDS
from care_bot.domain.metrics import Metrics, Spread, describe_duration, label_counts
from care_bot.views.text import escape


def _spread(spread: Spread) -> str:
    if not spread.count:
        return "none yet"
    return (f"median {describe_duration(spread.p50)}, p90 {describe_duration(spread.p90)} "
            f"({spread.count})")


def figure_lines(metrics: Metrics, branches: Mapping[str, Branch]) -> list[str]:
    """The figures, one mrkdwn line each."""
    branch_names = {code: escape(branch.name) for code, branch in branches.items()}
    return [
        f"*Incidents:* {metrics.incidents} ({metrics.danger} with immediate danger) · "
        f"not yet acknowledged: {metrics.unacknowledged}",
        f"*Time to acknowledge*, ordinary: {_spread(metrics.ack_ordinary)}",
        f"*Time to acknowledge*, danger: {_spread(metrics.ack_danger)}",
        f"*Time to the HR / CS&R report:* {_spread(metrics.hr_report)}",
        f"*Tasks overdue:* {metrics.tasks_overdue}",
        f"*Post-incident reviews:* {metrics.reviews_done} done · "
        f"{metrics.reviews_overdue} overdue",
        f"*By kind:* {label_counts(metrics.by_kind, THREAT_KINDS)}",
        f"*By branch:* {label_counts(metrics.by_branch, branch_names)}",
        f"*By channel:* {label_counts(metrics.by_channel, THREAT_CHANNELS)}",
    ]


def digest_text(metrics: Metrics, branches: Mapping[str, Branch], period: str) -> str:
    """The weekly digest's message, posted with its chart."""
    lines = [f"*CARE weekly digest* · {period}", *figure_lines(metrics, branches),
             "_The chart shows the last 12 weeks: incidents per week (bars) and the median "
             "time to acknowledge (line)._"]
    return "\n".join(lines)
