"""End-to-end: a danger answer is never blocked, whatever else arrives with it or fails."""

from __future__ import annotations

import json

from tests.e2e.care_steps import (
    click_message_button,
    open_home,
    parent_post,
    posts,
    refusals_in_thread,
    tap_home,
)
from tests.e2e.harness import ModalSession
from tests.support import payloads


def _parents(slack) -> dict[str, dict]:
    return {name: parent_post(slack, slack.channels[name])
            for name in ("care-supervisors", "care-security")}


def test_danger_with_bad_values_elsewhere_on_the_screen_still_alerts(slack, bot_factory):
    """An over-long spot and a branch the directory does not know never block the alert."""
    bot = bot_factory.start()
    session = ModalSession.open(bot, slack.users["alice"])
    values = payloads.state_values(session.view, {"danger": "yes"})
    values["location_detail"] = {"location_detail": {"type": "plain_text_input",
                                                      "value": "x" * 4000}}
    values["branch"] = {"branch": {"type": "static_select", "selected_option": {
        "text": {"type": "plain_text", "text": "Gone"}, "value": "gone-branch"}}}
    body = session.submit(values=values)
    assert body.get("response_action") == "update", body
    assert body["view"]["callback_id"] == "care_emergency"
    parents = _parents(slack)
    assert all("location not given" in p["params"]["text"] + json.dumps(p["params"])
               for p in parents.values())


def test_a_retried_danger_submission_raises_one_alert(slack, bot_factory):
    """Slack delivering the same view_submission twice: one incident, one post per channel."""
    bot = bot_factory.start()
    session = ModalSession.open(bot, slack.users["alice"])
    view = session.view
    state = payloads.state_values(view, {"danger": "yes"})
    for _ in range(2):
        payload = payloads.view_submission(view, slack.users["alice"], state,
                                           slack.mint_trigger_id(slack.users["alice"]),
                                           workspace=slack.workspace)
        response = bot.interact(payload)
        assert response.status == 200
        assert response.json()["view"]["callback_id"] == "care_emergency"
    _parents(slack)
    assert bot.db().execute("SELECT count(*) FROM incidents").fetchone()[0] == 1
    for name in ("care-supervisors", "care-security"):
        parents = [c for c in posts(slack, slack.channels[name])
                   if not c["params"].get("thread_ts")]
        assert len(parents) == 1


def test_home_danger_with_users_info_and_views_open_failing_still_alerts(slack, bot_factory):
    """Never opened /threat, no profile from Slack, an expired trigger: the alert goes out."""
    bot = bot_factory.start()
    alice = slack.users["alice"]
    home = open_home(bot, alice)
    slack.fault("users.info", error="fatal_error", count=50)
    slack.fault("views.open", error="expired_trigger_id", count=5)
    response, _trigger = tap_home(bot, alice, home, "care_home_danger")
    assert response.status == 200
    parents = _parents(slack)
    assert all(f"<@{alice}>" in json.dumps(p["params"]) for p in parents.values())


def test_claim_by_someone_who_cannot_take_it_is_refused_in_the_thread(slack, bot_factory):
    """"I'm on it" from a teller elsewhere (not security, not a supervisor): a refusal in the
    alert's thread that mentions them, nothing recorded."""
    bot = bot_factory.start()
    session = ModalSession.open(bot, slack.users["alice"])
    session.submit({"danger": "yes"})
    parent = _parents(slack)["care-security"]
    olly = slack.users["olly"]
    assert click_message_button(bot, olly, parent, "care_claim_alert").status == 200
    refusal = slack.wait_for(lambda: refusals_in_thread(slack, olly,
                                                        parent["response"]["ts"]))[0]
    assert refusal.startswith("You can't take ")
    assert bot.db().execute("SELECT claimed_by FROM incidents").fetchone()[0] is None


def test_safe_now_twice_posts_once(slack, bot_factory):
    """A double press of "I'm safe now" records one time and posts once per thread."""
    bot = bot_factory.start()
    alice = slack.users["alice"]
    session = ModalSession.open(bot, alice)
    session.submit({"danger": "yes"})
    view = session.view
    _parents(slack)
    for _ in range(2):
        payload = payloads.view_submission(view, alice, {}, slack.mint_trigger_id(alice),
                                           workspace=slack.workspace)
        assert bot.interact(payload).status == 200
    def thread_posts():
        return [c for c in posts(slack) if "reported safe at" in c["params"].get("text", "")
                and c["params"].get("thread_ts")]

    slack.wait_for(lambda: len(thread_posts()) >= 2)
    import time
    time.sleep(1.5)
    assert len(thread_posts()) == 2


def test_safe_now_from_home_after_the_emergency_modal_was_closed(slack, bot_factory):
    """The modal closed (or never opened): Home offers "I'm safe now" and it is posted."""
    from tests.e2e.care_steps import thread_texts

    bot = bot_factory.start()
    alice = slack.users["alice"]
    session = ModalSession.open(bot, alice)
    session.submit({"danger": "yes"})
    session.close(force=True)
    parents = _parents(slack)
    home = slack.wait_for(lambda: next(
        (c["response"]["view"] for c in reversed(slack.calls("views.publish"))
         if c["params"].get("user_id") == alice and "care_home_safe_now"
         in json.dumps(c["params"])), None))
    _block, button = payloads.find_element(home["blocks"], "care_home_safe_now")
    assert button["text"]["text"] == "I'm safe now"
    response, _trigger = tap_home(bot, alice, home, "care_home_safe_now")
    assert response.status == 200
    for name, parent in parents.items():
        channel, ts = slack.channels[name], parent["response"]["ts"]
        slack.wait_for(lambda c=channel, t=ts: any(
            "reported safe at" in text for text in thread_texts(slack, c, t)))
    event = bot.db().execute("SELECT surface FROM events WHERE action = 'reported_safe'"
                             ).fetchall()
    assert [tuple(e) for e in event] == [("home",)]
    slack.wait_for(lambda: "care_home_safe_now" not in json.dumps(next(
        c for c in reversed(slack.calls("views.publish"))
        if c["params"].get("user_id") == alice)["params"]))


def test_the_alert_names_the_associate_from_their_slack_profile(slack, bot_factory):
    """Who is in danger: name and position from Slack, with the mention."""
    from tests.e2e.care_steps import latest_parent

    bot = bot_factory.start()
    alice = slack.users["alice"]
    session = ModalSession.open(bot, alice)
    session.submit({"danger": "yes"})
    for name in ("care-supervisors", "care-security"):
        slack.wait_for(lambda n=name: "Alice Associate, Associate" in json.dumps(
            latest_parent(slack, slack.channels[n])["params"]))
