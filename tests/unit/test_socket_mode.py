"""Socket Mode pieces that need no socket: the ack text and the state /healthz reports."""

import json

from slack_bolt.response import BoltResponse

from care_bot.runtime.socket_mode import SocketState, ack_message


def test_ack_message_without_body_is_only_the_envelope_id():
    assert json.loads(ack_message("e-1", BoltResponse(status=200, body=""))) == {
        "envelope_id": "e-1"}


def test_ack_message_carries_a_json_answer_as_payload():
    response = BoltResponse(status=200, body=json.dumps({"response_action": "clear"}),
                            headers={"content-type": "application/json;charset=utf-8"})

    assert json.loads(ack_message("e-2", response)) == {
        "envelope_id": "e-2", "payload": {"response_action": "clear"}}


def test_ack_message_wraps_plain_text_as_a_text_payload():
    response = BoltResponse(status=200, body="Saved.")

    assert json.loads(ack_message("e-3", response)) == {
        "envelope_id": "e-3", "payload": {"text": "Saved."}}


def test_socket_state_reports_time_in_utc_and_counts():
    state = SocketState(state="connected", connected_since=1_790_000_000.0, reconnects=2)

    assert state.as_dict() == {"state": "connected", "connected_since": "2026-09-21T14:13:20+00:00",
                               "reconnects": 2, "last_problem": None}
