"""Every callback_id, action_id and block_id the app uses, defined once."""

from enum import StrEnum


class Callback(StrEnum):
    """callback_id of each modal."""

    REPORT_STEP = "care_report_step"
    RESUME = "care_resume"
    EMERGENCY = "care_emergency"
    CONFIRMATION = "care_confirmation"
    CHECKLIST = "care_checklist"
    ACCOUNT_DECISION = "care_account_decision"
    CLOSE_EARLY = "care_close_early"
    SAFE_NOW = "care_safe_now"
    REPORT_SHORTCUT = "care_report_shortcut"
    MESSAGE_SHORTCUT = "care_report_message"
    DETAILS = "care_details"  # issue 11: /threat show
    IDENTIFY_CLIENT = "care_identify_client"
    # issue 20: a person's page and what security does from it
    PERSON_PAGE = "care_person_page"
    PERSON_LINK = "care_person_link"
    PERSON_UNLINK = "care_person_unlink"
    NOTICE_NEW = "care_notice_new"
    ORDER_NEW = "care_order_new"
    REVIEW = "care_review"  # issue 21: the post-incident review
    NAME_PEOPLE = "care_name_people"  # issue 17: the supervisor names an unknown RXM / ICS


class Action(StrEnum):
    """action_id of each button or interactive element the app listens to."""

    RESUME_DRAFT = "care_resume_draft"
    DISCARD_DRAFT = "care_discard_draft"
    BACK = "care_back"
    ACKNOWLEDGE = "care_acknowledge"
    UPDATE_CHECKLIST = "care_update_checklist"
    DECIDE_ACCOUNT = "care_decide_account"
    CLOSE_EARLY = "care_close_early"
    OPEN_REPORT = "care_open_report"
    REPORT_TO_HR = "care_report_to_hr"
    CHANGE_STEP = "care_change_step"
    CLAIM_ALERT = "care_claim_alert"
    POLICE_CALLED = "care_police_called"
    POLICE_CANT_CALL = "care_police_cant_call"
    FINISH_REPORT = "care_finish_report"
    HOME_DANGER = "care_home_danger"
    HOME_REPORT = "care_home_report"
    HOME_SAFE_NOW = "care_home_safe_now"  # "I'm safe now" on Home, once the modal is closed
    ICS_NOTIFIED = "care_ics_notified"
    WELLBEING_OK = "care_wellbeing_ok"
    WELLBEING_CONTACT = "care_wellbeing_contact"
    WELLBEING_STOP = "care_wellbeing_stop"  # issue 21: "Stop these check-ins"
    OPEN_REVIEW = "care_open_review"  # issue 21: "Post-incident review"
    # issue 11: role sections of Home and the details modal
    HOME_ACKNOWLEDGE = "care_home_acknowledge"
    HOME_BRANCH = "care_home_branch"
    SHOW_DETAILS = "care_show_details"
    HOME_OTHERS_TASKS = "care_home_others_tasks"  # issue 17: unfold / fold others' overdue tasks
    IDENTIFY_CLIENT = "care_identify_client"
    NAME_PEOPLE = "care_name_people"  # issue 17: the supervisor names an unknown RXM / ICS
    # issue 20: people of concern, "Be on the lookout" notices, orders
    OPEN_PERSON = "care_open_person"
    LINK_CONFIRM = "care_link_confirm"
    LINK_REJECT = "care_link_reject"
    PERSON_LINK = "care_person_link"
    PERSON_UNLINK = "care_person_unlink"
    NOTICE_NEW = "care_notice_new"
    ORDER_NEW = "care_order_new"
    NOTICE_SEEN = "care_notice_seen"
    NOTICE_END = "care_notice_end"


class Block(StrEnum):
    """block_id of each input block; the answer key is the same word."""

    DANGER = "danger"
    BRANCH = "branch"
    LOCATION_DETAIL = "location_detail"
    WHAT_HAPPENED = "what_happened"
    CLIENT_WORDS = "client_words"
    OCCURRED_AT = "occurred_at"
    THREAT_CHANNEL = "threat_channel"
    THREAT_KINDS = "threat_kinds"
    THREAT_KIND_OTHER = "threat_kind_other"
    LIKELIHOOD = "likelihood"
    CLIENT_UNKNOWN = "client_unknown"  # the earlier form's "Unknown / not a client"
    CLIENT_STATUS = "client_status"
    DANGER_NOW = "danger_now"  # asked on the review when "Likely" meets "not viable or imminent"
    SUPERVISOR_CALLED = "supervisor_called"
    THREAT_SIGNS = "did_they"
    ACCOMMODATION = "accommodation"
    SUPERVISOR_CONTACTED = "supervisor_contacted"
    CREDIBLE = "credible"
    VALID = "valid"
    LIKELY = "likely"
    ACTION_TAKEN = "action_taken"
    AGENCY = "agency"
    OFFICER_NAME = "officer_name"
    POLICE_REPORT = "police_report"
    ASSOCIATE_NAME = "associate_name"
    ASSOCIATE_POSITION = "associate_position"
    ASSOCIATE_LOCATION = "associate_location"
    SUPERVISOR = "supervisor"
    RXM = "rxm"
    MARKET_PRESIDENT = "market_president"
    CLIENT_NAME = "client_name"
    ACCOUNTS = "accounts"
    ICS = "ics"
    ACCOUNT_OFFICER = "account_officer"
    RECOMMENDATION = "recommendation"
    RECOMMENDATION_NOTE = "recommendation_note"
    TASKS = "tasks"
    NOTE = "note"
    DECISION = "decision"
    RATIONALE = "rationale"
    REASON = "reason"
    SAFETY_PLAN_NOTE = "safety_plan_note"
    # issue 20
    LINK_REF = "link_ref"
    UNLINK_REF = "unlink_ref"
    TARGET_BRANCHES = "target_branches"
    ALL_BRANCHES = "all_branches"
    NOTICE_DESCRIPTION = "notice_description"
    NOTICE_ACTIONS = "notice_todo"
    NOTICE_EXPIRES = "notice_expires"
    ORDER_KIND = "order_kind"
    ORDER_STARTS = "order_starts"
    ORDER_ENDS = "order_ends"
    ORDER_NOTE = "order_note"
    DEBRIEF_NOTE = "debrief_note"  # issue 21
    WHAT_WORKED = "what_worked"
    WHAT_TO_CHANGE = "what_to_change"


# Every input element uses this action_id; the block_id says which answer it is.
INPUT_ACTION = "value"

MAX_RECORD_ID = 2**63 - 1  # SQLite's largest INTEGER PRIMARY KEY


def record_id(value: object) -> int | None:
    """Read an id from a button value or private_metadata: an integer 1..2^63-1, else None.

    Only plain decimal digits count: no sign, spaces, underscores, decimals or booleans.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_RECORD_ID else None
