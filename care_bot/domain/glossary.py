"""The bank's words, spelled out: the one place for its abbreviations and for whose a button is.

The guideline's own expansions: "Regional Experience Manager (RXM)", "Internal Control
Specialist (ICS)", "Corporate Security and Risk" (CS&R). An associate reads them spelled out
wherever they meet them, not only at first use. Stdlib only.
"""

from __future__ import annotations

RXM = "Regional Experience Manager"
ICS = "Internal Control Specialist"
CSR = "Corporate Security & Risk"
FULL_NAMES = {"RXM": RXM, "ICS": ICS, "CS&R": CSR}


def spelled(abbreviation: str) -> str:
    """ "Regional Experience Manager (RXM)": the full name with the short form after it."""
    return f"{FULL_NAMES[abbreviation]} ({abbreviation})"


# The associate's own step: they told their ICS (the "ics_notified" task, its button's words).
TOLD_ICS = f"I told my {spelled('ICS')}"

# Whose a channel button is: everyone in a channel sees it, so its label names the role that
# may press it ("Supervisor: report to HR and CS&R"). The action_id never changes with it.
SUPERVISOR = "Supervisor"
SECURITY = "Security"
MANAGEMENT = "Delivery / local management"
ICS_ROLE = "ICS"


def whose(role: str, action: str) -> str:
    """A button label that says whose it is: "<Role>: <action>"."""
    return f"{role}: {action}"
