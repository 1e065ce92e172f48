"""Hostile input: signatures, body caps, ids, typed text, user ids, origins, config echoes."""

from __future__ import annotations

import io
import threading

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from care_bot.config import ConfigError, load_settings
from care_bot.flows import intake
from care_bot.ids import MAX_RECORD_ID, record_id
from care_bot.runtime import origin
from care_bot.runtime.identity import BotIdentity, Installation, TokenRefused, fetch_installation
from care_bot.runtime.request_guard import guarded, signature_ok
from care_bot.storage import drafts
from care_bot.views.forms import read_answers
from care_bot.views.metadata import ModalRef, decode
from care_bot.views.text import clean_typed
from tests.support.signing import signature
from tests.support.world import USERS, care_toml, make_services

NOW = 1_790_000_000
SECRET = "s3cret"
HOME = Installation(team_id="T0HOME", app_id="A0HOME", bot_user_id="U0BOT", bot_id="B0BOT")


def _call(body: bytes, headers: dict, length: str | None = None):
    seen = {}
    environ = {"CONTENT_LENGTH": length if length is not None else str(len(body)),
               "wsgi.input": io.BytesIO(body)}
    environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})

    def app(env, start_response):
        seen["body"] = env["wsgi.input"].read(int(env["CONTENT_LENGTH"]))
        start_response("200 OK", [])
        return [b"ok"]

    statuses = []
    guarded(app, SECRET, clock=lambda: NOW, max_body=1024)(
        environ, lambda status, headers: statuses.append(status))
    return statuses[0], seen.get("body")


def _signed(body: bytes, ts: int = NOW) -> dict:
    return {"X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature(SECRET, ts, body)}


def test_guard_passes_a_signed_body_through_unchanged():
    body = b"command=%2Fthreat&text="
    assert _call(body, _signed(body)) == ("200 OK", body)


@pytest.mark.parametrize("body", [b"a=1", b"payload=%7Bnope", b"\xff\xfe", b""])
def test_guard_refuses_a_signed_body_slack_would_never_send_with_400(body):
    status, seen = _call(body, _signed(body))
    assert status.startswith("400") and seen is None


@pytest.mark.parametrize("headers", [
    {}, {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"},
    {"X-Slack-Request-Timestamp": str(NOW)},
    {"X-Slack-Request-Timestamp": str(NOW - 301), "X-Slack-Signature": "x"},
])
def test_guard_refuses_unsigned_or_malformed_requests_with_401(headers):
    status, body = _call(b"a=1", headers)
    assert status.startswith("401") and body is None


def test_guard_refuses_stale_and_tampered_requests():
    assert _call(b"a=1", _signed(b"a=1", NOW - 301))[0].startswith("401")
    assert _call(b"a=2", _signed(b"a=1"))[0].startswith("401")


def test_guard_refuses_large_bodies_with_413_without_reading():
    class Exploding(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the body was read")

    statuses = []
    wsgi = guarded(lambda e, s: [], SECRET, clock=lambda: NOW, max_body=1024)
    wsgi({"CONTENT_LENGTH": "1025", "wsgi.input": Exploding()},
         lambda status, headers: statuses.append(status))
    assert statuses == ["413 Request Entity Too Large"]
    assert _call(b"", {}, length="-5")[0].startswith("400")


def test_signature_ok_rejects_unicode_digits_and_huge_timestamps():
    assert not signature_ok(SECRET, "\uff11\uff17", "v0=0", b"", NOW)
    assert not signature_ok(SECRET, "9" * 40, "v0=0", b"", NOW)


@pytest.mark.parametrize("value,expected", [
    ("1", 1), (7, 7), (str(MAX_RECORD_ID), MAX_RECORD_ID), (str(MAX_RECORD_ID + 1), None),
    ("0", None), ("-1", None), ("+1", None), (" 1", None), ("1_0", None), ("1.0", None),
    ("\u0661", None), (True, None), (None, None), ([1], None), (1.0, None), ("9" * 400, None),
])
def test_record_id_accepts_only_1_to_2_63_minus_1(value, expected):
    assert record_id(value) == expected


def test_private_metadata_with_an_out_of_range_id_is_an_empty_ref():
    assert decode('{"incident_id": 9223372036854775808}') == ModalRef()
    assert decode('{"incident_id": -3, "draft_id": "d"}') == ModalRef()
    assert decode('{"incident_id": 5}').incident_id == 5


def test_clean_typed_strips_control_and_format_characters_but_keeps_newline_and_tab():
    text = "Hi\u202e evil\u200b \x00\x07line\nnext\tcol\u2066 é 🙂"
    assert clean_typed(text) == "Hi evil line\nnext\tcol é 🙂"
    assert clean_typed("plain text") == "plain text"


def test_read_answers_cleans_text_and_drops_values_that_are_not_user_ids():
    values = {
        "what_happened": {"value": {"type": "plain_text_input", "value": "a\u200db\x1b"}},
        "supervisor": {"value": {"type": "users_select", "selected_user": "<!channel>"}},
        "rxm": {"value": {"type": "users_select", "selected_user": "U0RITA\n"}},
        "ics": {"value": {"type": "users_select", "selected_user": "U0IVY"}},
        "many": {"value": {"type": "multi_users_select", "selected_users": ["U0A", "x", "W0B"]}},
    }
    answers = read_answers(values)
    assert answers == {"what_happened": "ab", "supervisor": None, "rxm": None, "ics": "U0IVY",
                       "many": ["U0A", "W0B"]}


def test_profile_prefill_never_touches_someone_elses_draft(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    with services.store.transaction() as db:
        victim = drafts.create_draft(db, USERS["sam"], clock(), {"branch": "downtown"})
    intake.prefill_profile(services, victim.id, USERS["alice"])
    with services.store.reading() as db:
        assert drafts.get_draft(db, victim.id).answers == {"branch": "downtown"}


@pytest.mark.parametrize("body,ok", [
    ({"team_id": "T0HOME", "api_app_id": "A0HOME"}, True),
    ({"team": {"id": "T0HOME"}, "api_app_id": "A0HOME"}, True),
    ({"team_id": "T0HOME", "api_app_id": "A0OTHER"}, False),
    ({"team_id": "T0OTHER", "api_app_id": "A0HOME"}, False),
    ({"api_app_id": "A0HOME"}, False),
    ({"team_id": "T0HOME"}, False),
])
def test_origin_admits_only_this_installation(tmp_path, body, ok):
    services, _slack, _clock = make_services(tmp_path)
    services.identity.learn(HOME)
    assert origin.admit(services, {"type": "block_actions", **body}, "U0ALICE") is ok


def test_origin_unknown_identity_accepts_records_and_checks_later(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    assert origin.admit(services, {"team_id": "T0HOME", "api_app_id": "A0HOME"}, "U1")
    assert origin.admit(services, {"team_id": "T0EVIL", "api_app_id": "A0HOME"}, "U2")
    assert origin.check_recorded(services, HOME) == 1
    with services.store.reading() as db:
        verdicts = [r[0] for r in db.execute("SELECT verdict FROM unchecked_requests")]
        notice = db.execute("SELECT channel FROM outbox").fetchone()[0]
    assert verdicts == ["ok", "foreign"]
    assert notice == services.settings.security_channel


def test_identity_authorize_never_calls_slack_and_learns_in_the_background():
    identity = BotIdentity("xoxb-1")
    unknown = identity.authorize(None, "T0HOME")
    assert unknown.bot_token == "xoxb-1" and unknown.team_id == "T0HOME"
    attempts = []
    done = threading.Event()
    identity.on_known(lambda known: done.set())

    def fetch():
        attempts.append(1)
        if len(attempts) < 3:
            raise OSError("down")
        return HOME

    identity.resolve_in_background(fetch, sleep=lambda seconds: False)
    assert done.wait(5)
    assert len(attempts) == 3
    known = identity.authorize(None, "T0HOME")
    assert (known.bot_user_id, known.bot_id) == ("U0BOT", "B0BOT")


def _api_error(code: str, status: int = 200) -> SlackApiError:
    response = SlackResponse(client=None, http_verb="POST", api_url="", req_args={},
                             data={"ok": False, "error": code}, headers={}, status_code=status)
    return SlackApiError(code, response)


def test_fetch_installation_tells_a_refused_token_from_an_outage():
    class Client:
        def __init__(self, error):
            self.error = error

        def auth_test(self):
            raise self.error

    with pytest.raises(TokenRefused):
        fetch_installation(Client(_api_error("invalid_auth")))
    with pytest.raises(SlackApiError):
        fetch_installation(Client(_api_error("fatal_error", 503)))


SECRETS = ("xoxb-123456-abcdef-SECRET", "xapp-1-A1-2-deadbeef", "a" * 40, "0123456789abcdef" * 2)


@pytest.mark.parametrize("secret", SECRETS)
def test_config_errors_never_echo_token_like_values(tmp_path, secret):
    text = care_toml().replace('security = "C0SECURITY"', f'security = "{secret}"', 1)
    text = text.replace('supervisors = ["U0SUE"]', f'supervisors = ["{secret}"]', 1)
    path = tmp_path / "care.toml"
    path.write_text(text + f'\n[reminders.x]\n[scheduler]\nsweep_every = "{secret}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings({"SLACK_BOT_TOKEN": "xoxb-t", "SLACK_SIGNING_SECRET": "s",
                       "CARE_CONFIG": str(path), "PORT": secret})
    assert secret not in str(caught.value)
    assert "not shown" in str(caught.value)


def test_config_path_that_is_a_directory_gives_a_clean_message(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings({"SLACK_BOT_TOKEN": "xoxb-t", "SLACK_SIGNING_SECRET": "s",
                       "CARE_CONFIG": str(tmp_path)})
    assert "is a directory" in str(caught.value)


def test_origin_late_check_org_wide_accepts_the_organisations_workspaces(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    org = Installation(team_id="E0ORG", app_id="A0HOME", bot_user_id="W0BOT", bot_id="B0BOT",
                       enterprise_id="E0ORG", is_enterprise_install=True,
                       workspaces=("T0EAST", "T0WEST"))
    shortcut = {"type": "shortcut", "team": None, "user": {"id": "W1", "team_id": "T0WEST"}}
    assert origin.admit(services, {"type": "block_actions", "team": {"id": "T0EAST"},
                                   "api_app_id": "A0HOME"}, "W1")
    assert origin.admit(services, shortcut, "W1")
    assert origin.admit(services, {"type": "block_actions", "team": {"id": "T0ELSE"},
                                   "api_app_id": "A0HOME"}, "W2")
    assert origin.check_recorded(services, org) == 1
    with services.store.reading() as db:
        verdicts = [r[0] for r in db.execute("SELECT verdict FROM unchecked_requests")]
    assert verdicts == ["ok", "ok", "foreign"]
