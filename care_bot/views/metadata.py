"""private_metadata codec: modal state is a small reference, never the answers themselves."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from care_bot.ids import record_id

PRIVATE_METADATA_LIMIT = 3000


@dataclass(frozen=True)
class ModalRef:
    """What a modal refers to: a draft and step, or an incident."""

    draft_id: str = ""
    step: str = ""
    incident_id: int = 0


def encode(ref: ModalRef) -> str:
    """Serialise a ModalRef for private_metadata."""
    text = json.dumps({k: v for k, v in asdict(ref).items() if v}, separators=(",", ":"))
    if len(text) > PRIVATE_METADATA_LIMIT:
        raise ValueError("private_metadata would exceed Slack's limit")
    return text


def decode(text: str | None) -> ModalRef:
    """Read a ModalRef back; unknown or broken metadata gives an empty ref."""
    try:
        raw = json.loads(text or "{}")
    except ValueError:
        return ModalRef()
    if not isinstance(raw, dict):
        return ModalRef()
    incident_id = 0
    if raw.get("incident_id") is not None:
        incident_id = record_id(raw["incident_id"]) or 0
        if not incident_id:  # a forged or broken id never reaches storage
            return ModalRef()
    return ModalRef(
        draft_id=str(raw.get("draft_id", "")),
        step=str(raw.get("step", "")),
        incident_id=incident_id,
    )
