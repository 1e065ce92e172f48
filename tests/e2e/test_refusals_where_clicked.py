"""End-to-end (issue 17, "buttons say whose they are"): someone who may not use a button is
told where they clicked. On a channel message that is a reply in the message's own thread,
mentioning them (a phone shows the mention); in a modal it is the modal itself.
"""

from __future__ import annotations

import json

from tests.e2e.care_steps import (
    click_message_button,
    ephemerals_to,
    file_report,
    latest_parent,
    open_from_button,
    parent_post,
    posts,
    reference_of,
    refusals_in_thread,
)


def _dm_texts(slack, user_id: str) -> list[str]:
    channel = slack.dm_channel(user_id)
    return [c["params"].get("text", "") for c in posts(slack)
            if c["response"].get("channel") == channel]


def test_a_refused_click_on_a_channel_message_is_answered_in_its_thread(slack, bot_factory):
    """Olly (no role) presses Acknowledge on the supervisors' parent: the refusal, with its
    exact text, is a reply in that parent's thread that mentions Olly; nothing else is sent
    to him and nothing changes."""
    bot = bot_factory.start()
    olly = slack.users["olly"]
    supervisors = slack.channels["care-supervisors"]
    slack.api("conversations.invite", channel=supervisors, users=olly)
    ref = reference_of(file_report(bot, slack.users["alice"]))
    parent = parent_post(slack, supervisors)
    parent_ts = parent["response"]["ts"]

    assert click_message_button(bot, olly, parent, "care_acknowledge").status == 200
    refusal = slack.wait_for(lambda: refusals_in_thread(slack, olly, parent_ts))[0]
    assert refusal.startswith(f"You can't acknowledge {ref}. Only the branch's supervisor")
    assert "Nothing was changed." in refusal
    reply = next(c for c in posts(slack, supervisors)
                 if c["params"].get("text", "").startswith(f"<@{olly}> You can't"))
    assert reply["params"]["thread_ts"] == parent_ts
    assert not reply["params"].get("reply_broadcast")  # in the thread, not the channel
    # Slack holds it in that thread, as any phone shows it
    thread = slack.replies(supervisors, parent_ts)
    assert any(m.get("text", "").startswith(f"<@{olly}> You can't acknowledge {ref}")
               for m in thread)
    assert ephemerals_to(slack, olly) == []
    assert not any("You can't" in text for text in _dm_texts(slack, olly))
    incident = bot.db().execute("SELECT acknowledged_at FROM incidents").fetchone()
    assert incident[0] is None
    refused = bot.db().execute("SELECT actor, detail FROM events WHERE action = 'refused'")
    assert [(r[0], json.loads(r[1])["attempted"]) for r in refused] == [(olly, "acknowledge")]


def test_a_later_click_that_is_not_a_refusal_stays_private(slack, bot_factory):
    """"Already acknowledged by …" is not a refusal: it stays an ephemeral to the clicker,
    and no thread reply is posted for it."""
    bot = bot_factory.start()
    u = slack.users
    ref = reference_of(file_report(bot, u["alice"]))
    parent = parent_post(slack, slack.channels["care-supervisors"])
    click_message_button(bot, u["sam"], parent, "care_acknowledge")
    click_message_button(bot, u["sec"], parent, "care_acknowledge")
    told = slack.wait_for(lambda: ephemerals_to(slack, u["sec"]))[0]
    assert told.startswith(f"{ref} was already acknowledged by <@{u['sam']}>")
    assert not any(c["params"].get("text", "").startswith(f"<@{u['sec']}>")
                   for c in posts(slack, slack.channels["care-supervisors"]))


def test_a_refused_click_in_a_modal_is_answered_in_that_modal(slack, bot_factory):
    """The checklist's "Close early" is Corporate Security & Risk's: the supervisor who
    presses it sees the refusal pushed on the checklist modal, not in a channel or DM."""
    bot = bot_factory.start()
    u = slack.users
    ref = reference_of(file_report(bot, u["alice"]))
    parent = parent_post(slack, slack.channels["care-supervisors"])
    click_message_button(bot, u["sam"], parent, "care_acknowledge")
    parent = slack.wait_for(lambda: (lambda p: p if "care_update_checklist" in str(p["params"])
                                     else None)(latest_parent(slack, parent["params"]["channel"])))
    checklist = open_from_button(bot, u["sam"], parent, "care_update_checklist")
    view = checklist.view
    # The button is not on the supervisor's checklist; a stale or forged click still arrives.
    view = {**view, "blocks": view["blocks"] + [{
        "type": "actions", "block_id": "stale_close",
        "elements": [{"type": "button", "action_id": "care_close_early",
                      "text": {"type": "plain_text", "text": "Close early"},
                      "value": str(bot.db().execute("SELECT id FROM incidents").fetchone()[0])}],
    }]}
    checklist.stack[-1] = view
    call = checklist.click("care_close_early", expect="views.push")
    shown = json.dumps(call["params"]["view"])
    assert f"You can't close early {ref}" in shown
    assert not refusals_in_thread(slack, u["sam"])
    assert ephemerals_to(slack, u["sam"]) == []
