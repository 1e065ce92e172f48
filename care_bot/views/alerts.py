"""The danger alert's words: who is pinged, who is in danger, where, when, and what to do now.

Plain channel posts notify nobody, so every danger alert names the people who must act.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from care_bot.config import USERGROUP_ID, Branch
from care_bot.domain.care import POLICE_CALLED, POLICE_CANT_CALL
from care_bot.domain.masking import masked_incident
from care_bot.domain.models import Incident
from care_bot.views.summary import branch_label
from care_bot.views.text import mention, reader_clock, safe, slack_date

HERE = "<!here>"
AUDIENCES = ("supervisors", "security")


def role_mentions(entries: Iterable[str]) -> list[str]:
    """Mention each configured role entry: a user group as <!subteam^…>, a user as <@…>."""
    return [f"<!subteam^{e}>" if USERGROUP_ID.match(e) else f"<@{e}>" for e in entries]


def branch_supervisor(incident: Incident, branches: Mapping[str, Branch]) -> str | None:
    """The supervisor the branch directory names for the incident's branch, if any."""
    branch = branches.get(incident.branch or "")
    return branch.supervisor if branch else None


def alert_mentions(
    audience: str,
    incident: Incident,
    roles: Mapping[str, Iterable[str]],
    branches: Mapping[str, Branch],
    broadcast: bool = False,
) -> list[str]:
    """Return who a danger alert pings in one channel ("supervisors" or "security").

    Security: the ``security`` role. Supervisors: the branch's supervisor, or the
    ``supervisors`` role when the branch (or its supervisor) is not known or is the one in
    danger; the associate's own mention is never counted as someone woken. ``@here`` is added
    when ``[alerts] broadcast`` is on, always when the associate cannot call 911, and when
    nobody else could be named (an empty role).
    """
    own = mention(incident.reporter)
    if audience == "security":
        names = role_mentions(roles.get("security", ()))
    else:
        supervisor = branch_supervisor(incident, branches)
        if supervisor == incident.reporter:  # the supervisor is the one in danger
            supervisor = None
        names = [mention(supervisor)] if supervisor else role_mentions(roles.get("supervisors", ()))
    names = [n for n in names if n != own]  # pinging the person in danger wakes nobody else
    if broadcast or incident.police_call == POLICE_CANT_CALL or not names:
        names = [HERE, *names]  # with nobody named, @here is the only way to wake someone
    return names


def _who(incident: Incident) -> str:
    answers = incident.answers
    name = safe(answers.get("associate_name"), 150)
    position = safe(answers.get("associate_position"), 150)
    parts = [p for p in (name, position) if p]
    who = ", ".join(parts)
    return f"{who} ({mention(incident.reporter)})" if who else mention(incident.reporter)


def alert_where(incident: Incident, branches: Mapping[str, Branch]) -> str:
    """Where the associate is, or "location not given"."""
    return branch_label(incident.answers, branches).replace("not given", "location not given")


def _where(incident: Incident, branches: Mapping[str, Branch]) -> str:
    where = branch_label(incident.answers, branches)
    if where == "not given":
        return f"location not given: reach them on Slack, {mention(incident.reporter)}"
    return where


def police_line(incident: Incident) -> str:
    """What the associate said about law enforcement, in words a reader can act on."""
    if incident.police_call == POLICE_CALLED:
        return "they have called 911 / law enforcement"
    if incident.police_call == POLICE_CANT_CALL:
        return "*they cannot call: call 911 for them now*"
    return "not said yet (they were told to call 911)"


def cant_call_line(incident: Incident, branches: Mapping[str, Branch]) -> str:
    """The bold first line of a silent-alarm alert: call law enforcement for the associate."""
    where = alert_where(incident, branches)
    place = (f"; location not given: reach them on Slack, {mention(incident.reporter)}"
             if where == "location not given" else f", to {where}")
    return (f"*{HERE} {mention(incident.reporter)} cannot call 911: please call law "
            f"enforcement for them now{place}.*")


def alert_text(incident: Incident, branches: Mapping[str, Branch], audience: str) -> str:
    """The body of a danger alert: who, where, when, law enforcement, and what to do now."""
    lines = [
        "*Someone may be in immediate danger.*",
        f"*Who:* {_who(incident)}",
        f"*Where:* {_where(incident, branches)}",
        f"*When:* {slack_date(incident.created_at)}",
        f"*Law enforcement:* {police_line(incident)}",
    ]
    if incident.claimed_by:
        lines.append(f":raising_hand: *{mention(incident.claimed_by)} is on it* "
                     f"(since {slack_date(incident.claimed_at, '{time}')})")
    elif audience == "security":
        lines.append("*What to do now:* one of you press *I'm on it*, then contact "
                     f"{mention(incident.reporter)} and the branch. Call 911 if nobody has.")
    else:
        lines.append("*What to do now:* check on the branch and the associate; Corporate "
                     "Security & Risk has been alerted too.")
    if incident.safe_at:
        lines.append(f":white_check_mark: {mention(incident.reporter)} "
                     f"{safe_phrase(incident, branches)}")
    return "\n".join(lines)


def local_time(epoch: float, branches: Mapping[str, Branch], branch_code: str | None) -> str:
    """A time each reader sees in their own zone (mrkdwn); the branch's time (UTC when the
    branch is not known) with its zone is the fallback."""
    branch = branches.get(branch_code or "")
    return reader_clock(epoch, branch.timezone if branch else None)


def safe_phrase(incident: Incident, branches: Mapping[str, Branch]) -> str:
    """ "reported safe at 14:32 EDT" for the incident's safe time."""
    return f"reported safe at {local_time(incident.safe_at or 0, branches, incident.branch)}"


def safe_note(incident: Incident, branches: Mapping[str, Branch]) -> dict[str, Any]:
    """The thread reply posted in both alert threads when the associate reports safe."""
    text = (f":white_check_mark: {mention(incident.reporter)} {safe_phrase(incident, branches)} "
            f"({incident.ref}).")
    return {"text": text, "blocks": [{"type": "section",
                                      "text": {"type": "mrkdwn", "text": text}}]}


def safe_confirmation(incident: Incident, branches: Mapping[str, Branch]) -> dict[str, Any]:
    """The associate's DM after "I'm safe now" (from Home or the modal): what was recorded."""
    text = (f":white_check_mark: You {safe_phrase(incident, branches)} ({incident.ref}). "
            "CARE bot is posting it in the alert's threads for security and your supervisor. "
            "Finish your report "
            "when you are ready: `/threat`.")
    return {"text": text, "blocks": [{"type": "section",
                                      "text": {"type": "mrkdwn", "text": text}}]}


def cant_call_note(incident: Incident, branches: Mapping[str, Branch],
                   mentions: list[str]) -> dict[str, Any]:
    """The thread reply (also shown in the channel) when the associate cannot call 911."""
    others = " ".join(m for m in mentions if m != HERE)
    text = cant_call_line(incident, branches) + (f"\n{others}" if others else "")
    return {"text": text, "reply_broadcast": True,
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def called_note(incident: Incident) -> dict[str, Any]:
    """The thread reply when the associate says they have called 911."""
    text = f"{mention(incident.reporter)} says they have called 911 / law enforcement."
    return {"text": text, "blocks": [{"type": "section",
                                      "text": {"type": "mrkdwn", "text": text}}]}


def supervisor_dm(incident: Incident, branches: Mapping[str, Branch]) -> dict[str, Any]:
    """The DM to the branch's supervisor: a DM reaches a phone even when a channel is muted.

    The supervisor is outside the privacy rule: "where" is masked."""
    incident = masked_incident(incident)
    text = (f":rotating_light: *{incident.ref}: someone at your branch may be in immediate "
            f"danger.*\n*Who:* {_who(incident)}\n*Where:* {_where(incident, branches)}\n"
            "Check on them now; the alert is in the supervisors channel. Call 911 if nobody has.")
    return {"text": text, "blocks": [{"type": "section",
                                      "text": {"type": "mrkdwn", "text": text}}]}

