"""Typed text that reaches the database outside the modals is cleaned too (Cc and Cf removed)."""

from __future__ import annotations

from care_bot.flows import reporter, retention
from care_bot.storage import incidents
from tests.support.report import file_report
from tests.support.world import USERS, make_services

HIDDEN = "\u202e\u200b\x07"  # a bidi override, a zero-width space, a bell


def test_message_shortcut_prefill_is_cleaned_before_it_is_saved():
    """The reported message's text becomes a draft answer: invisible characters go first."""
    answers = reporter.from_message({
        "message": {"ts": "1790000000.000100", "text": f"I know{HIDDEN} where you park.\tOK"},
        "channel": {"id": "C0GENERAL"}, "team": {"domain": "bank"}})
    assert answers["what_happened"].startswith("I know where you park.\tOK\n\n")


def test_legal_hold_reason_is_cleaned_before_it_is_saved(tmp_path):
    """`/threat hold REF reason`: the reason in the audit event has no hidden characters."""
    services, _slack, _clock = make_services(tmp_path)
    file_report(services)
    answer = retention.change_hold(services, USERS["sec"], "CARE-2026-0001",
                                   f"subpoena{HIDDEN} 24-117", True)
    assert answer.ok
    with services.store.reading() as db:
        event = next(e for e in incidents.list_events(db, 1) if e.action == "legal_hold_set")
    assert event.detail == {"reason": "subpoena 24-117"}
