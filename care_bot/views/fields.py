"""The report's questions as data: one FieldSpec per input block, grouped by step."""

from __future__ import annotations

from dataclasses import dataclass, field

from care_bot.domain import glossary
from care_bot.domain.care import (
    ACTIONS,
    CLIENT_STATUS,
    LIKELIHOOD,
    NOTHING_YET,
    RECOMMENDATIONS,
    SUPERVISOR_CALLED,
    THREAT_CHANNELS,
    THREAT_KINDS,
    THREAT_SIGNS,
    Step,
)
from care_bot.ids import Block

YES_NO = {"yes": "Yes", "no": "No"}


@dataclass(frozen=True)
class FieldSpec:
    """One question: its input element kind, label, limits and choices."""

    block: Block
    kind: str  # text, long_text, radio, select, checkboxes, user, datetime
    label: str
    required: bool = True
    max_length: int = 150
    hint: str | None = None
    example: str | None = None  # grey example text inside an empty input
    options: dict[str, str] = field(default_factory=dict)
    default: str | None = None  # the choice made for the associate until they change it
    now_by_default: bool = False  # a date and time that starts at "now"


# The people of the notification. Where the branch directory names one, the answer is
# pre-filled and optional (an empty answer falls back to the directory); the associate is never
# required to name the Market President or the account officer (their owners fill them in).
# Issue 17 §4: only the supervisor is required of an associate missing from the directory.
UNKNOWN_POST_HINT = "Leave it if you don't know: your supervisor is asked to name them."
DIRECTORY_PEOPLE = ("supervisor", "rxm", "ics", "market_president", "account_officer")
NEVER_REQUIRED = frozenset({"market_president", "account_officer"})

STEP_FIELDS: dict[Step, tuple[FieldSpec, ...]] = {
    Step.SAFETY: (
        FieldSpec(
            Block.DANGER, "radio", "Is anyone in immediate danger right now?",
            options={"yes": "Yes, someone is in danger now", "no": "No, not right now"},
        ),
        FieldSpec(Block.BRANCH, "select", "Your branch", required=False,
                  hint="Leave it if you are not sure: the alert goes out without it."),
        FieldSpec(
            Block.LOCATION_DETAIL, "text", "Where exactly are you?", required=False,
            example="e.g. teller line, drive-through, parking lot",
        ),
    ),
    Step.CLIENT_SERVICE: (
        FieldSpec(
            Block.WHAT_HAPPENED, "long_text", "What happened?", max_length=3000,
            hint=("Describe the situation in your own words. Put the client's name and "
                  "accounts in the client fields on the last screen: they are kept out of the "
                  "channels."),
        ),
        FieldSpec(
            Block.CLIENT_WORDS, "long_text", "Their words, as exactly as you can",
            required=False, max_length=1500,
        ),
        FieldSpec(Block.OCCURRED_AT, "datetime", "When did it happen?", now_by_default=True,
                  hint="It starts at now: change it if it happened earlier."),
        FieldSpec(Block.THREAT_CHANNEL, "radio", "How did the threat come?",
                  options=THREAT_CHANNELS),
        FieldSpec(Block.THREAT_KINDS, "checkboxes", "What kind of threat was it?",
                  options=THREAT_KINDS, hint="Choose all that apply."),
        FieldSpec(Block.THREAT_KIND_OTHER, "text", "If \"Other\": what kind, in a few words",
                  required=False, max_length=150),
        FieldSpec(Block.CLIENT_STATUS, "radio", "Is the person a client of the bank?",
                  options=CLIENT_STATUS,
                  hint="The guideline covers people who are not clients too."),
        FieldSpec(
            Block.ACCOMMODATION, "long_text", "How did you try to meet their needs?",
            max_length=1500,
        ),
        FieldSpec(Block.SUPERVISOR_CALLED, "checkboxes", "Your supervisor", required=False,
                  options=SUPERVISOR_CALLED),
    ),
    Step.ASSESS: (
        FieldSpec(
            Block.LIKELIHOOD, "radio", "How likely is it that the threat will be acted on?",
            options=LIKELIHOOD,
            hint=("The guideline asks: is it credible (could they do it?), valid (is it "
                  "aimed at you, the branch or the bank?) and likely to be acted upon?"),
        ),
        FieldSpec(Block.THREAT_SIGNS, "checkboxes", "Did they…", required=False,
                  options=THREAT_SIGNS),
        FieldSpec(Block.ACTION_TAKEN, "radio", "What did you do?", options=ACTIONS,
                  default=NOTHING_YET,
                  hint="Reporting here tells your supervisor: you need do nothing else first."),
        FieldSpec(Block.AGENCY, "text", "Which law enforcement agency did you call?",
                  required=False, hint="Only if you called law enforcement."),
        FieldSpec(Block.OFFICER_NAME, "text", "Officer's name", required=False),
        FieldSpec(Block.POLICE_REPORT, "text", "Police report number", required=False,
                  max_length=60),
    ),
    Step.REPORT: (
        FieldSpec(Block.SUPERVISOR, "user", "Your supervisor"),
        FieldSpec(Block.RXM, "user", f"{glossary.spelled('RXM')} or next-level manager",
                  required=False, hint=UNKNOWN_POST_HINT),
        FieldSpec(Block.ICS, "user", glossary.spelled("ICS"), required=False,
                  hint=UNKNOWN_POST_HINT),
        FieldSpec(Block.MARKET_PRESIDENT, "user", "Market President", required=False,
                  hint="Leave it if you don't know; it is filled in later."),
        FieldSpec(Block.ACCOUNT_OFFICER, "user", "Account officer", required=False,
                  hint=(f"Your {glossary.spelled('ICS')} finds the account officer, as "
                        "the guideline says.")),
        FieldSpec(Block.ASSOCIATE_NAME, "text", "Your name"),
        FieldSpec(Block.ASSOCIATE_POSITION, "text", "Your position"),
        FieldSpec(Block.ASSOCIATE_LOCATION, "text", "Your location"),
        FieldSpec(
            Block.CLIENT_NAME, "text", "Client's name", required=False,
            hint="Kept private: saved with the report, never posted in a channel.",
        ),
        FieldSpec(
            Block.ACCOUNTS, "text", "Account(s) involved", required=False, max_length=300,
            hint="Kept private, like the client's name.",
        ),
        FieldSpec(Block.RECOMMENDATION, "radio", "Your recommendation on the relationship",
                  required=False, options=RECOMMENDATIONS),
        FieldSpec(Block.RECOMMENDATION_NOTE, "long_text", "Why?", required=False,
                  max_length=1000),
    ),
    Step.REVIEW: (),
}
# Asked once, on the review, when the answers contradict each other.
DANGER_NOW_QUESTION = FieldSpec(
    Block.DANGER_NOW, "radio", "You said it is likely to be acted on. Is anyone in danger now?",
    options={"yes": "Yes, someone is in danger now", "no": "No, not right now"},
    hint="If someone is, press the red button below: it alerts security at once.",
)


def contradicts(answers) -> bool:
    """ "Likely" to be acted on, yet "not viable or imminent": worth one question."""
    return (answers.get("likelihood") == "likely"
            and answers.get("action_taken") == "supervisor_notified")


# Where "The client relationship" begins on the "Who will be told" screen.
CLIENT_PART_STARTS_AT = Block.CLIENT_NAME
# The relationship part, skipped for someone who is not a client.
CLIENT_PART = frozenset({Block.CLIENT_NAME, Block.ACCOUNTS, Block.RECOMMENDATION,
                         Block.RECOMMENDATION_NOTE})

FIELDS_BY_BLOCK: dict[str, FieldSpec] = {
    spec.block.value: spec for specs in STEP_FIELDS.values() for spec in specs
}
