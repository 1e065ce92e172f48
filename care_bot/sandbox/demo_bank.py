"""The sandbox's demo bank: its people, branches, channels, and a care.toml with short durations."""

from __future__ import annotations

from dataclasses import dataclass

from care_bot.domain.care import BRANCH_POSTS

TEAM = {"name": "Harbor Savings Bank (sandbox)", "domain": "harbor-sandbox"}


@dataclass(frozen=True)
class Person:
    """One person in the demo workspace."""

    name: str
    real_name: str
    title: str
    about: str  # shown in the page's "Who are you?" list


PEOPLE = (
    Person("alice", "Alice Adams", "Teller", "Associate, Main Street"),
    Person("ben", "Ben Brooks", "Personal Banker", "Associate, Main Street"),
    Person("carlos", "Carlos Diaz", "Teller", "Associate, Harbor Point"),
    Person("dana", "Dana Lee", "Personal Banker", "Associate, Harbor Point"),
    Person("sam", "Sam Rivera", "Branch Supervisor", "Supervisor, Main Street"),
    Person("hannah", "Hannah Park", "Branch Supervisor", "Supervisor, Harbor Point"),
    Person("rita", "Rita Gomez", "Regional Experience Manager", "RXM, both branches"),
    Person("mark", "Mark Mendes", "Market President", "Market President, management"),
    Person("ivy", "Ivy Chen", "Internal Control Specialist", "ICS, both branches"),
    Person("oscar", "Oscar Ortiz", "Account Officer", "Account officer, Main Street"),
    Person("olivia", "Olivia Grant", "Account Officer", "Account officer, Harbor Point"),
    Person("sofia", "Sofia Novak", "Corporate Security & Risk", "Security team"),
    Person("tom", "Tom Becker", "Corporate Security & Risk", "Security team"),
    Person("helen", "Helen Hart", "HR Business Partner", "HR"),
)

BRANCHES = {
    "main-street": {
        "name": "Main Street",
        "supervisor": "sam",
        "rxm": "rita",
        "market_president": "mark",
        "ics": "ivy",
        "account_officer": "oscar",
        "associates": ["alice", "ben"],
    },
    "harbor-point": {
        "name": "Harbor Point",
        "supervisor": "hannah",
        "rxm": "rita",
        "market_president": "mark",
        "ics": "ivy",
        "account_officer": "olivia",
        "associates": ["carlos", "dana"],
    },
}

ROLES = {
    "supervisors": ["sam", "hannah"],
    "security": ["sofia", "tom"],
    "hr": ["helen"],
    "management": ["mark"],
    "ics": ["ivy"],
    "account_officers": ["oscar", "olivia"],
}

# name -> (private, purpose, members); the bot is added to every one of them.
CHANNELS = {
    "care-supervisors": (True, "CARE escalations for supervisors",
                         ["sam", "hannah", "rita", "mark"]),
    "care-security": (True, "CARE reports for Corporate Security & Risk", ["sofia", "tom", "ivy"]),
    "care-hr": (True, "Incident/Threat Notifications for HR", ["helen"]),
}

# Short follow-up intervals so a visitor sees reminders and escalations arrive.
REMINDERS = {
    "ack_reminder": "1m",
    "ack_escalation": "2m",
    "ack_repeat": "2m",
    "ack_repeat_max": 3,
    "urgent_ack_reminder": "1m",
    "urgent_ack_escalation": "2m",
    "danger_ack_reminder": "1m",
    "danger_ack_escalation": "2m",
    "danger_ack_repeat": "2m",
    "report_deadline": "3m",
    "evaluate_deadline": "5m",
    "decision_deadline": "10m",
    "task_escalation": "2m",
    "safety_plan_deadline": "4m",
    "danger_safety_plan_deadline": "2m",
    "wellbeing_checkin": "3m",
    "debrief_deadline": "6m",
    "review_deadline": "10m",
}

SECURITY_PHONE = "+1 555 010 0199"  # a fictional number (555-01xx)
SUPPORT_TEXT = (
    "Being threatened at work is hard. The Employee Assistance Program is free and "
    "confidential (sandbox: no real number)."
)


def durations_notice() -> str:
    """Say, for the page's banner, how soon the sandbox's follow-ups come."""
    r = REMINDERS
    return (
        f"Sandbox timings: an unacknowledged report gets a reminder after {r['ack_reminder']} "
        f"and an escalation after {r['ack_escalation']} (danger: {r['danger_ack_reminder']} and "
        f"{r['danger_ack_escalation']}); task deadlines come after {r['report_deadline']} to "
        f"{r['decision_deadline']} (a debrief after {r['debrief_deadline']}, a post-incident "
        f"review after {r['review_deadline']}); the first wellbeing check-in after "
        f"{r['wellbeing_checkin']}. "
        "A real bank uses minutes to days (config/care.toml)."
    )


def emulate_seed(bot: dict, tokens: list[str]) -> dict:
    """Return emulate's seed: team, people, channels, the bot's app and `tokens` acting as it."""
    users = [
        {
            "name": p.name,
            "real_name": p.real_name,
            "profile": {
                "email": f"{p.name}@harbor-sandbox.invalid",
                "title": p.title,
                "display_name": p.name,
                "real_name": p.real_name,
            },
        }
        for p in PEOPLE
    ]
    channels = [
        {"name": name, "is_private": private, "purpose": purpose}
        for name, (private, purpose, _members) in CHANNELS.items()
    ]
    app = {
        "client_id": f"{bot['app_id']}.client",
        "client_secret": "sandbox-client-secret",
        "name": "CARE bot",
        "app_id": bot["app_id"],
        "bot_id": bot["bot_id"],
        "bot_user_id": bot["bot_user_id"],
        "bot_name": "care-bot",
        "scopes": ["commands", "chat:write", "im:write", "users:read", "usergroups:read"],
    }
    identity = {
        "type": "bot",
        "user": bot["bot_user_id"],
        "bot_id": bot["bot_id"],
        "bot_user_id": bot["bot_user_id"],
        "app_id": bot["app_id"],
    }
    records = [{"token": token, **identity} for token in tokens]
    return {"slack": {"team": TEAM, "users": users, "channels": channels,
                      "oauth_apps": [app], "tokens": records}}


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ids(names: list[str], users: dict[str, str]) -> str:
    return "[" + ", ".join(_quote(users[name]) for name in names) + "]"


def care_toml(users: dict[str, str], channels: dict[str, str]) -> str:
    """Return the sandbox's care.toml, with the Slack IDs the stand-in gave the demo bank."""
    lines = [
        "# CARE bot sandbox settings, written at each start (see care_bot/sandbox/demo_bank.py).",
        "# Durations are short on purpose: follow-ups arrive within minutes.",
        "",
        "[channels]",
        f"supervisors = {_quote(channels['care-supervisors'])}",
        f"security = {_quote(channels['care-security'])}",
        f"hr = {_quote(channels['care-hr'])}",
        "",
        "[roles]",
        *(f"{role} = {_ids(names, users)}" for role, names in ROLES.items()),
        "",
        "[reminders]",
        *(f"{key} = {value if isinstance(value, int) else _quote(value)}"
          for key, value in REMINDERS.items()),
        "",
        "[scheduler]",
        'sweep_every = "2s"',
        "",
        "[support]",
        f"text = {_quote(SUPPORT_TEXT)}",
        f"security_phone = {_quote(SECURITY_PHONE)}",
    ]
    for code, branch in BRANCHES.items():
        lines += ["", f"[branches.{code}]", f"name = {_quote(branch['name'])}",
                  'timezone = "America/New_York"']
        for key in BRANCH_POSTS:
            lines.append(f"{key} = {_quote(users[branch[key]])}")
        lines.append(f"associates = {_ids(branch['associates'], users)}")
    return "\n".join(lines) + "\n"
