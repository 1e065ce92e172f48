"""Listeners are plain module-level functions: called here with a fake ack, a fake Slack client
and the context Bolt's middleware fills, without building an app."""

from __future__ import annotations

import pytest

from care_bot.listeners import actions, role_home
from care_bot.listeners.context import SERVICES, services_middleware
from care_bot.listeners.guard import guarded
from care_bot.listeners.payloads import tell_where_clicked
from care_bot.storage import incidents
from tests.support.fake_slack import slack_error
from tests.support.report import file_report
from tests.support.world import USERS, make_services

SAM, OLLY = USERS["sam"], USERS["olly"]
CHANNEL = "C0SUPERVISORS"
PARENT_TS = "1700000000.000100"


class FakeAck:
    """Records what the handler answered Slack, as Bolt's Ack keeps ``response``."""

    def __init__(self):
        self.calls: list[dict] = []
        self.response = None

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        self.response = kwargs


@pytest.fixture
def world(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    file_report(services)
    return services, slack, {SERVICES: services}


def _click(user: str, value: str = "1", **extra) -> dict:
    """A block_actions body for a button on a channel message (the fields handlers read)."""
    return {"type": "block_actions", "user": {"id": user}, "trigger_id": "T1",
            "channel": {"id": CHANNEL}, "message": {"ts": PARENT_TS},
            "container": {"type": "message", "channel_id": CHANNEL, "message_ts": PARENT_TS},
            "actions": [{"action_id": "care_acknowledge", "value": value}], **extra}


def test_middleware_puts_the_services_in_the_context(world):
    services, _slack, _context = world
    context, called = {}, []
    services_middleware(services)(context, lambda: called.append(True))
    assert context[SERVICES] is services and called == [True]


def test_acknowledge_saves_then_acks_once(world):
    services, slack, context = world
    ack = FakeAck()
    actions.acknowledge(ack=ack, body=_click(SAM), context=context)
    assert ack.calls == [{}]
    with services.store.reading() as db:
        assert incidents.get_incident(db, 1).acknowledged_by == SAM
    assert slack.posts == [] and slack.ephemerals == []  # nothing to tell the clicker


def test_a_refused_click_is_answered_in_the_clicked_messages_thread(world):
    _services, slack, context = world
    ack = FakeAck()
    actions.acknowledge(ack=ack, body=_click(OLLY), context=context)
    assert ack.calls == [{}]
    [reply] = slack.posts
    assert reply["channel"] == CHANNEL and reply["thread_ts"] == PARENT_TS
    assert reply["text"].startswith(f"<@{OLLY}> You can't acknowledge CARE-2026-0001. Only ")
    assert slack.ephemerals == []


def test_a_refused_click_in_a_thread_reply_answers_in_that_thread(world):
    _services, slack, context = world
    body = _click(OLLY)
    body["message"] = {"ts": "1700000000.000200", "thread_ts": PARENT_TS}
    actions.acknowledge(ack=FakeAck(), body=body, context=context)
    assert [p["thread_ts"] for p in slack.posts] == [PARENT_TS]


def test_a_thread_reply_slack_refuses_falls_back_to_an_ephemeral(world):
    _services, slack, context = world
    slack.failures.append(slack_error("not_in_channel"))
    actions.acknowledge(ack=FakeAck(), body=_click(OLLY), context=context)
    assert [e["user"] for e in slack.ephemerals] == [OLLY]
    assert slack.ephemerals[0]["text"].startswith("You can't acknowledge")


def test_a_refusal_in_a_modal_is_pushed_on_that_modal(world):
    services, slack, _context = world
    body = {"user": {"id": OLLY}, "trigger_id": "T2",
            "view": {"id": "V9", "type": "modal"}, "container": {"type": "view"}}
    tell_where_clicked(services, body, "You can't do that.", refused=True)
    [pushed] = slack.views
    assert pushed["op"] == "push" and "You can't do that." in str(pushed["view"])
    assert slack.posts == [] and slack.ephemerals == []


def test_home_branch_filter_with_a_fake_client(world):
    _services, slack, context = world
    ack = FakeAck()
    body = {"user": {"id": SAM}, "view": {"type": "home"},
            "actions": [{"action_id": "care_home_branch",
                         "selected_option": {"value": "downtown"}}]}
    role_home.home_branch(ack=ack, body=body, context=context)
    assert ack.calls == [{}]
    assert slack.home_of(SAM) is not None  # Home published again with the filter


def test_guarded_keeps_the_ack_and_tells_the_user_when_work_after_it_fails(world):
    _services, slack, context = world

    def fails_after_ack(ack, body, context):
        ack()
        raise RuntimeError("boom")

    def fails_before_ack(ack, body, context):
        raise RuntimeError("boom")

    guarded(fails_after_ack)(ack=FakeAck(), body=_click(SAM), context=context)
    assert [e["user"] for e in slack.ephemerals] == [SAM]  # told where they clicked
    with pytest.raises(RuntimeError):  # not answered yet: the app's error handler answers
        guarded(fails_before_ack)(ack=FakeAck(), body=_click(SAM), context=context)
