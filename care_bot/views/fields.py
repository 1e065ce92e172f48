"""The report's questions as data: one FieldSpec per input block, grouped by step."""

from __future__ import annotations

from dataclasses import dataclass, field

from care_bot.care import (
    ACTIONS,
    ASSESSMENT_ANSWERS,
    ASSESSMENT_QUESTIONS,
    RECOMMENDATIONS,
    THREAT_CHANNELS,
    THREAT_KINDS,
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
            hint="Describe the situation in your own words.",
        ),
        FieldSpec(
            Block.CLIENT_WORDS, "long_text", "The client's words, as exactly as you can",
            required=False, max_length=1500,
        ),
        FieldSpec(Block.OCCURRED_AT, "datetime", "When did it happen?"),
        FieldSpec(Block.THREAT_CHANNEL, "radio", "How did the threat come?",
                  options=THREAT_CHANNELS),
        FieldSpec(Block.THREAT_KINDS, "checkboxes", "What kind of threat was it?",
                  options=THREAT_KINDS, hint="Choose all that apply."),
        FieldSpec(
            Block.ACCOMMODATION, "long_text", "What did you do to accommodate the client?",
            max_length=1500,
        ),
        FieldSpec(Block.SUPERVISOR_CONTACTED, "radio", "Did you already contact a supervisor?",
                  options=YES_NO),
    ),
    Step.ASSESS: (
        *(
            FieldSpec(Block(key), "radio", question, options=ASSESSMENT_ANSWERS)
            for key, question in ASSESSMENT_QUESTIONS.items()
        ),
        FieldSpec(Block.ACTION_TAKEN, "radio", "What action did you take?", options=ACTIONS),
        FieldSpec(Block.AGENCY, "text", "Law enforcement agency", required=False,
                  hint="Required if you contacted law enforcement."),
        FieldSpec(Block.OFFICER_NAME, "text", "Officer's name", required=False),
        FieldSpec(Block.POLICE_REPORT, "text", "Police report number", required=False,
                  max_length=60),
    ),
    Step.REPORT: (
        FieldSpec(Block.ASSOCIATE_NAME, "text", "Your name"),
        FieldSpec(Block.ASSOCIATE_POSITION, "text", "Your position"),
        FieldSpec(Block.ASSOCIATE_LOCATION, "text", "Your location"),
        FieldSpec(Block.SUPERVISOR, "user", "Supervisor"),
        FieldSpec(Block.RXM, "user", "Regional Experience Manager or next-level manager"),
        FieldSpec(Block.MARKET_PRESIDENT, "user", "Market President"),
        FieldSpec(Block.OFFICER_NAME, "text", "Law enforcement officer, if any",
                  required=False),
    ),
    Step.EVALUATE: (
        FieldSpec(
            Block.CLIENT_NAME, "text", "Client's name",
            hint="Kept private: saved with the report, never posted in a channel.",
        ),
        FieldSpec(
            Block.ACCOUNTS, "text", "Account(s) involved", required=False, max_length=300,
            hint="Kept private, like the client's name.",
        ),
        FieldSpec(Block.ICS, "user", "Internal Control Specialist (ICS)"),
        FieldSpec(Block.ACCOUNT_OFFICER, "user", "Account officer"),
        FieldSpec(Block.RECOMMENDATION, "radio", "Your recommendation on the relationship",
                  options=RECOMMENDATIONS),
        FieldSpec(Block.RECOMMENDATION_NOTE, "long_text", "Why? (optional)", required=False,
                  max_length=1000),
    ),
    Step.REVIEW: (),
}

FIELDS_BY_BLOCK: dict[str, FieldSpec] = {
    spec.block.value: spec for specs in STEP_FIELDS.values() for spec in specs
}
