"""End-to-end: each role's Home after a report, Acknowledge from Home, the branch filter."""

from __future__ import annotations

import json

from tests.e2e.care_steps import (
    click_message_button,
    file_report,
    latest_parent,
    open_home,
    parent_post,
    reference_of,
)
from tests.e2e.harness import care_toml
from tests.support import payloads


def _filed(slack, bot_factory, config=None):
    bot = bot_factory.start(config_toml_text=config)
    ref = reference_of(file_report(bot, slack.users["alice"]))
    parent_post(slack, slack.channels["care-security"])
    parent_post(slack, slack.channels["care-supervisors"])
    return bot, ref


def _incident_id(bot):
    return str(bot.db().execute("SELECT id FROM incidents").fetchone()[0])


def _tap(bot, user_id, home, action_id, value=None, selected=None):
    """Tap one element on a Home tab: the button with ``value``, or a select's option."""
    blocks = [block for block_id, block, element in payloads.iter_elements(home["blocks"])
              if element.get("action_id") == action_id
              and (value is None or element.get("value") == value)]
    assert blocks, f"no {action_id} with value {value} on this Home"
    payload = payloads.block_actions_home({**home, "blocks": blocks[:1]}, user_id, action_id,
                                          trigger_id=bot.slack.mint_trigger_id(user_id),
                                          workspace=bot.slack.workspace)
    if selected is not None:
        payload["actions"][0]["selected_option"] = {
            "text": {"type": "plain_text", "text": selected}, "value": selected}
    response = bot.interact(payload)
    assert response.status == 200, response
    return response


def _headers(view):
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


def test_role_home_each_role_sees_its_sections_after_a_report(slack, bot_factory):
    u = slack.users
    hana, both = f'hr = ["{u["hana"]}"]', f'hr = ["{u["hana"]}", "{u["sec"]}"]'
    config = care_toml(slack).replace(hana, both)
    bot, ref = _filed(slack, bot_factory, config)
    incident = _incident_id(bot)
    views = {name: open_home(bot, u[name]) for name in ("alice", "sam", "sec", "hana", "olly")}
    for name, view in views.items():
        text = json.dumps(view)
        assert view["blocks"][0]["block_id"] == "care_emergency_help", name  # emergency first
        assert "John Q. Client" not in text and "****1234" not in text, name  # no client details
    assert "Supervisor: waiting for you" in _headers(views["sam"])
    assert ref in json.dumps(views["sam"]) and "care_home_acknowledge" in json.dumps(views["sam"])
    security = views["sec"]
    assert "Corporate Security & Risk: open incidents" in _headers(security)
    assert "Safety plans pending" in _headers(security) and "Last 30 days" in _headers(security)
    assert "HR" in _headers(security)  # security and HR: the sections of both roles
    assert "Incidents reported to HR" in _headers(views["hana"])
    assert "No open incidents have been reported to HR." in json.dumps(views["hana"])
    assert "Wellbeing requests" in _headers(views["hana"])
    for name in ("alice", "olly"):
        assert "Supervisor: waiting for you" not in _headers(views[name])
        assert "Corporate Security & Risk: open incidents" not in _headers(views[name])
    assert "My reports" in _headers(views["alice"]) and ref in json.dumps(views["alice"])

    since = slack.last_seq()
    _tap(bot, u["sec"], security, "care_home_branch", selected="downtown")
    call = slack.wait_for_call("views.publish",
                               lambda c: c["params"].get("user_id") == u["sec"], since=since)
    select = next(e for _b, _block, e in payloads.iter_elements(call["params"]["view"]["blocks"])
                  if e.get("action_id") == "care_home_branch")
    assert select["initial_option"]["value"] == "downtown"
    assert ref in json.dumps(call["params"]["view"])

    since = slack.last_seq()
    _tap(bot, u["sec"], security, "care_show_details", value=incident)
    opened = slack.wait_for_call("views.open", since=since)
    assert opened["response"]["ok"] and "Timeline" in json.dumps(opened["params"]["view"])


def test_role_home_acknowledge_from_home_updates_channels_and_homes(slack, bot_factory):
    u = slack.users
    bot, ref = _filed(slack, bot_factory)
    incident = _incident_id(bot)
    home = open_home(bot, u["sam"])
    since = slack.last_seq()
    _tap(bot, u["sam"], home, "care_home_acknowledge", value=incident)
    row = slack.wait_for(lambda: bot.db().execute(
        "SELECT acknowledged_by FROM incidents WHERE acknowledged_at IS NOT NULL").fetchone())
    assert row[0] == u["sam"]
    surface = bot.db().execute(
        "SELECT surface FROM events WHERE action = 'acknowledged'").fetchone()[0]
    assert surface == "home"
    for channel in ("care-supervisors", "care-security"):  # the channel posts, as the button
        slack.wait_for(lambda ch=channel: "Acknowledged" in json.dumps(
            latest_parent(slack, slack.channels[ch])["params"]))

    def published(user):
        calls = [c for c in slack.calls("views.publish", since=since)
                 if c["params"].get("user_id") == user and c["response"].get("ok")]
        return calls[-1]["params"]["view"] if calls else None

    sam_home = slack.wait_for(lambda: published(u["sam"]))
    assert f'"value": "{incident}"' not in json.dumps(
        [b for b in sam_home["blocks"] if "care_home_acknowledge" in json.dumps(b)])
    sec_home = slack.wait_for(lambda: (lambda v: v if v and "acknowledged by" in json.dumps(v)
                                       else None)(published(u["sec"])))
    assert ref in json.dumps(sec_home)  # re-published for the people the incident concerns

    # the checklist button on Home opens the checklist; reporting to HR (the parent's
    # "Report to HR and CS&R") makes HR's Home show the incident
    sam_home = open_home(bot, u["sam"])
    since = slack.last_seq()
    _tap(bot, u["sam"], sam_home, "care_update_checklist", value=incident)
    opened = slack.wait_for_call("views.open", since=since)
    assert opened["response"]["ok"], opened["response"]
    parent = slack.wait_for(lambda: (lambda p: p if "care_report_to_hr" in json.dumps(
        p["params"]) else None)(latest_parent(slack, slack.channels["care-supervisors"])))
    assert click_message_button(bot, u["sam"], parent, "care_report_to_hr").status == 200
    hr_home = slack.wait_for(lambda: (lambda v: v if v and ref in json.dumps(v) else None)(
        published(u["hana"])))
    assert "Incidents reported to HR" in _headers(hr_home)
