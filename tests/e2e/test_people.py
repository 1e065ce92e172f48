"""End-to-end: people of concern across branches, "Be on the lookout" notices and orders."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

from tests.e2e.care_steps import (
    assert_all_surfaces_valid,
    click_message_button,
    file_report,
    open_home,
    parent_post,
    posts,
    reference_of,
)
from tests.e2e.harness import ModalSession, care_toml, render_toml, wait_until

NAME_1 = "Jordan Marlowe"
NAME_2 = "JÖRDAN  A. marlowe"  # the same person: case, accents, spacing, a middle initial


def _config(slack, reminders=None):
    harbor = render_toml({"branches.harbor": {
        "name": "Harbor Street", "timezone": "America/New_York", "supervisor": slack.users["olly"],
        "associates": []}})
    return care_toml(slack, reminders) + "\n" + harbor


def _report(bot, branch, name, accounts):
    overrides = {"safety": {"branch": branch},
                 "report": {"client_name": name, "accounts": accounts}}
    if branch == "harbor":  # Harbor Street's directory names only its supervisor
        overrides["report"].update(rxm=bot.slack.users["rita"], ics=bot.slack.users["ivy"])
    return reference_of(file_report(bot, bot.slack.users["alice"], overrides))


def _text(call):
    params = call["params"]
    blocks = params.get("blocks")
    return params.get("text", "") + (blocks if isinstance(blocks, str) else json.dumps(blocks))


def _security_thread(slack, ref):
    """Texts of the bot's replies in the security thread of the report ``ref``."""
    channel = slack.channels["care-security"]
    parent = next((c for c in posts(slack, channel)
                   if not c["params"].get("thread_ts") and ref in _text(c)), None)
    if parent is None:
        return []
    ts = parent["response"]["ts"]
    return [c for c in posts(slack, channel) if c["params"].get("thread_ts") == ts]


def _wait_reply(slack, ref, words, timeout=15):
    return slack.wait_for(lambda: next(
        (c for c in _security_thread(slack, ref) if words in _text(c)), None), timeout=timeout)


def _started(slack, bot_factory, reminders=None):
    bot = bot_factory.start(config_toml_text=_config(slack, reminders))
    first = _report(bot, "downtown", NAME_1, "Checking ****1234")
    parent_post(slack, slack.channels["care-security"])
    return bot, first


def test_people_two_branches_same_client_are_tied_in_security_never_named(slack, bot_factory):
    bot, first = _started(slack, bot_factory)
    second = _report(bot, "harbor", NAME_2, "acct ending 1234, opened 2019")
    reply = _wait_reply(slack, second, "Seen before:")
    text = _text(reply)
    assert first in text and "Downtown" in text and "Physical, verbal or written threat" in text
    rows = bot.db().execute("SELECT incident_id, person_id FROM person_reports").fetchall()
    assert len({person for _, person in rows}) == 1 and len(rows) == 2
    time.sleep(1)  # let every post of both reports go out
    for call in slack.calls("chat.postMessage") + slack.calls("chat.update"):
        words = _text(call).lower()
        assert "marlowe" not in words and "****1234" not in words, call["params"]
    assert_all_surfaces_valid(slack)


def test_people_likely_same_name_is_offered_to_security_who_confirms(slack, bot_factory):
    bot, first = _started(slack, bot_factory)
    second = _report(bot, "harbor", "J. Marlowe", "Checking ****1234")
    offer = _wait_reply(slack, second, "Possibly seen before")
    assert first in _text(offer) and "Marlowe" not in _text(offer)
    assert not [c for c in _security_thread(slack, second) if "Seen before:" in _text(c)]
    refused = click_message_button(bot, slack.users["sam"], offer, "care_link_confirm")
    assert refused.status == 200
    assert bot.db().execute("SELECT status FROM link_suggestions").fetchone()[0] == "pending"
    response = click_message_button(bot, slack.users["sec"], offer, "care_link_confirm")
    assert response.status == 200
    wait_until(lambda: bot.db().execute(
        "SELECT count(DISTINCT person_id) FROM person_reports").fetchone()[0] == 1)
    slack.wait_for_call("chat.update", lambda c: "same person" in _text(c))
    actions = [r[0] for r in bot.db().execute("SELECT action FROM events ORDER BY id")]
    assert actions.count("link_confirmed") == 2 and "link_suggested" in actions


def _person_page(bot, user, ref):
    session = ModalSession.open(bot, user, f"person {ref}")
    assert session.view["callback_id"] == "care_person_page"
    return session


def test_people_notice_to_two_branches_is_seen_and_expires(slack, bot_factory):
    bot, first = _started(slack, bot_factory)
    page = _person_page(bot, slack.users["sec"], first)
    assert NAME_1 in json.dumps(page.view)  # the page, for security, names the person
    page.click("care_notice_new", expect="views.push")
    answer = page.submit({"target_branches": ["downtown", "harbor"],
                          "notice_todo": ["call_security", "do_not_serve"],
                          "notice_expires": int(time.time()) + 8})
    assert answer["response_action"] == "update", answer
    dms = {}
    for name in ("sam", "olly"):
        dm = slack.dm_channel(slack.users[name])
        dms[name] = slack.wait_for(lambda dm=dm: next(
            (c for c in posts(slack, dm) if "Be on the lookout" in _text(c)), None))
        assert "Marlowe" not in _text(dms[name])  # the default text names nobody
    click_message_button(bot, slack.users["sam"], dms["sam"], "care_notice_seen")
    wait_until(lambda: bot.db().execute(
        "SELECT count(*) FROM notice_recipients WHERE seen_at IS NOT NULL").fetchone()[0] == 1)
    slack.wait_for_call("chat.update", lambda c: "Seen:* 1 of 2" in _text(c))
    home = open_home(bot, slack.users["olly"])
    assert "Be on the lookout" in json.dumps(home)
    security = slack.channels["care-security"]
    slack.wait_for(lambda: next((c for c in posts(slack, security)
                                 if "has expired" in _text(c)), None), timeout=20)
    assert "Be on the lookout" not in json.dumps(open_home(bot, slack.users["olly"]))
    actions = [r[0] for r in bot.db().execute("SELECT action FROM events ORDER BY id")]
    assert {"person_page_viewed", "notice_issued", "notice_seen", "notice_expired"} <= \
        set(actions)


def _record_order(bot, ref, ends):
    page = _person_page(bot, bot.slack.users["sec"], ref)
    page.click("care_order_new", expect="views.push")
    answer = page.submit({"order_kind": "trespass", "target_branches": ["harbor"],
                          "order_starts": date.today().isoformat(), "order_ends": ends})
    assert answer["response_action"] == "update", answer


def test_people_order_review_reminder_goes_to_security(slack, bot_factory):
    bot, first = _started(slack, bot_factory, {"order_review_notice": "30d"})
    ends = (date.today() + timedelta(days=10)).isoformat()  # inside the 30 days' notice
    _record_order(bot, first, ends)
    security = slack.channels["care-security"]
    reminder = slack.wait_for(lambda: next((c for c in posts(slack, security)
                                            if "Review due" in _text(c)), None))
    assert ends in _text(reminder) and f"<@{slack.users['sec']}>" in _text(reminder)
    assert reminder["params"].get("thread_ts")


def test_people_report_about_a_person_with_an_active_order_says_so_first(slack, bot_factory):
    bot, first = _started(slack, bot_factory)
    _record_order(bot, first, "2027-01-31")
    home = open_home(bot, slack.users["olly"])  # Harbor Street's supervisor
    assert "Active trespass order (Harbor Street, until 2027-01-31)" in json.dumps(home)
    second = _report(bot, "harbor", NAME_1, "****1234")
    security = slack.channels["care-security"]
    parent = slack.wait_for(lambda: next(
        (c for c in posts(slack, security)
         if not c["params"].get("thread_ts") and second in _text(c)), None))
    blocks = parent["params"]["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    assert "Active trespass order (Harbor Street, until 2027-01-31)" in json.dumps(blocks[0])
    supervisors = slack.channels["care-supervisors"]
    assert not [c for c in posts(slack, supervisors) if "trespass" in _text(c).lower()]


def test_people_notice_not_seen_in_time_is_reported_to_security(slack, bot_factory):
    bot, first = _started(slack, bot_factory, {"bolo_seen_within": "6s"})
    page = _person_page(bot, slack.users["sec"], first)
    page.click("care_notice_new", expect="views.push")
    answer = page.submit({"target_branches": ["downtown", "harbor"],
                          "notice_expires": int(time.time()) + 3600})
    assert answer["response_action"] == "update", answer
    sam_dm = slack.dm_channel(slack.users["sam"])
    dm = slack.wait_for(lambda: next(
        (c for c in posts(slack, sam_dm) if "Be on the lookout" in _text(c)), None))
    click_message_button(bot, slack.users["sam"], dm, "care_notice_seen")
    security = slack.channels["care-security"]
    late = slack.wait_for(lambda: next((c for c in posts(slack, security)
                                        if "Not seen within 6 seconds" in _text(c)), None))
    assert "Harbor Street" in _text(late) and "Downtown" not in _text(late)
    assert f"<@{slack.users['sec']}>" in _text(late) and late["params"].get("thread_ts")
