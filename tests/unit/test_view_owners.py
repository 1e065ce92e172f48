"""views.update only the clicker's own modal: who each opened view belongs to, and the check."""

from __future__ import annotations

from care_bot.flows import view_owners
from care_bot.flows.view_owners import TriggerOwners
from tests.support.world import make_services


def _click(user_id: str, view_id: str) -> dict:
    return {"type": "block_actions", "user": {"id": user_id}, "trigger_id": "t-click",
            "view": {"id": view_id, "hash": "h1", "type": "modal"}}


def test_a_view_opened_with_a_users_trigger_is_theirs_and_nobody_elses(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view_owners.note_request(services, {"trigger_id": "t1", "user_id": "U0ALICE"})
    view_owners.note_opened(services, "t1", {"id": "V0ALICE"})
    assert view_owners.is_own(services, "V0ALICE", "U0ALICE")
    assert not view_owners.is_own(services, "V0ALICE", "U0OLLY")
    assert not view_owners.is_own(services, "V0UNKNOWN", "U0ALICE")


def test_update_clickers_modal_refuses_a_view_of_someone_else(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    view_owners.note_request(services, {"trigger_id": "t1", "user": {"id": "U0ALICE"}})
    view_owners.note_opened(services, "t1", {"id": "V0ALICE"})
    assert not view_owners.update_clickers_modal(services, _click("U0OLLY", "V0ALICE"), {})
    assert slack.views == []
    assert view_owners.update_clickers_modal(services, _click("U0ALICE", "V0ALICE"),
                                             {"type": "modal"})
    assert slack.views == [{"op": "update", "view_id": "V0ALICE", "view": {"type": "modal"}}]


def test_an_unknown_or_stale_trigger_records_no_owner(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view_owners.note_opened(services, "never-seen", {"id": "V0X"})
    assert not view_owners.is_own(services, "V0X", "U0ALICE")
    now = [1000.0]
    triggers = TriggerOwners(clock=lambda: now[0])
    triggers.expect("t1", "U0ALICE")
    assert triggers.owner("t1") == "U0ALICE"
    now[0] += 61
    assert triggers.owner("t1") is None
