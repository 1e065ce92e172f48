"""Client details after submission: shown only inside a private modal, and each view recorded."""

import json

from care_bot.flows import tracking
from tests.support.blockkit import assert_valid_view
from tests.support.report import file_report
from tests.support.world import USERS, make_services


def _events(services, action: str) -> list[str]:
    with services.store.reading() as db:
        return [row[0] for row in db.execute(
            "SELECT actor FROM events WHERE action = ?", [action])]


def test_private_details_shown_to_the_ics_in_the_checklist_and_recorded(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services)
    outcome = tracking.open_checklist(services, USERS["ivy"], 1)
    dumped = json.dumps(outcome.view)
    assert "John Q. Client" in dumped and "Checking ****1234" in dumped
    assert_valid_view(outcome.view)
    assert _events(services, "viewed_private") == [USERS["ivy"]]


def test_private_details_hidden_from_role_members_not_named_on_the_incident(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services)
    outcome = tracking.open_checklist(services, USERS["sue"], 1)  # in [roles] supervisors
    assert outcome.view is not None
    assert "John Q. Client" not in json.dumps(outcome.view)
    assert _events(services, "viewed_private") == []


def test_private_details_are_escaped_in_the_modal(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services, overrides={"report": {"client_name": "<!channel> & Co"}})
    dumped = json.dumps(tracking.open_checklist(services, USERS["oscar"], 1).view)
    assert "&lt;!channel&gt; &amp; Co" in dumped and "<!channel>" not in dumped
