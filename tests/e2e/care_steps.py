"""CARE-specific steps for end-to-end tests: file a report through the real modal, find posts."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.harness import BotProcess, ModalSession, SlackEmulator, wait_until
from tests.support import payloads
from tests.support.blockkit import assert_valid_message, assert_valid_view
from tests.support.report import SKIP, STEP_ANSWERS

STEPS = ("safety", "client_service", "assess", "report", "review")


def answers_for(slack: SlackEmulator, overrides: dict | None = None) -> dict[str, dict]:
    """Return each step's answers, with the emulator's branch and any overrides."""
    merged = {step: dict(answers) for step, answers in STEP_ANSWERS.items()}
    for step, extra in (overrides or {}).items():
        merged[step].update(extra)
        merged[step] = {k: v for k, v in merged[step].items() if v is not SKIP}
    return merged


def step_of(view: dict) -> str:
    """Return the report step a view shows, from its private_metadata."""
    return json.loads(view.get("private_metadata") or "{}").get("step", "")


PROFILE_WAIT_SECONDS = 5


def await_profile_prefill(session: ModalSession, since: int) -> None:
    """Wait for the profile pre-fill that follows the safety step, as a person's typing would.

    The bot asks Slack for the associate's name and title after it answers the safety step, and
    needs them two screens later. A person takes seconds over those screens; a test takes
    milliseconds, so on a loaded machine it could outrun the pre-fill. When Slack fails the
    lookup (a fault under test), the walk goes on without it.
    """
    try:
        session.slack.wait_for_call(
            "users.info", lambda call: call["params"].get("user") == session.user_id,
            since=since, timeout=PROFILE_WAIT_SECONDS,
        )
    except AssertionError:
        return

    def profile_saved() -> bool:
        rows = session.bot.db().execute(
            "SELECT answers FROM drafts WHERE user_id = ? AND submitted_at IS NULL",
            [session.user_id],
        ).fetchall()
        return any(json.loads(row[0]).get("associate_name") for row in rows)

    try:
        wait_until(profile_saved, timeout=2, interval=0.05)
    except AssertionError:
        return  # Slack answered without a name: the associate types it


def walk_to(session: ModalSession, stop_before: str, answers: dict[str, dict]) -> None:
    """Submit steps in order until the modal shows ``stop_before``."""
    while step_of(session.view) != stop_before:
        step = step_of(session.view)
        since = session.slack.last_seq()
        body = session.submit(answers[step])
        if step == "safety":
            await_profile_prefill(session, since)
        assert body.get("response_action") == "update", body
        if body["view"]["callback_id"] == "care_emergency":
            session.click("care_finish_report",  # finishing the report is secondary
                          until=lambda v: v.get("callback_id") == "care_report_step")


def file_report(bot: BotProcess, user_id: str, overrides: dict | None = None) -> dict:
    """Run /threat through every step as ``user_id``; return the confirmation view."""
    session = ModalSession.open(bot, user_id)
    answers = answers_for(bot.slack, overrides)
    walk_to(session, "review", answers)
    body = session.submit({})
    assert body.get("response_action") == "update", body
    return body["view"]


def reference_of(confirmation: dict) -> str:
    """Return the CARE-YYYY-NNNN reference shown on the confirmation view."""
    header = confirmation["blocks"][0]["text"]["text"]
    return header.split()[-1]


def posts(slack: SlackEmulator, channel: str | None = None) -> list[dict]:
    """Return the bot's successful chat.postMessage calls, optionally to one channel."""
    found = [c for c in slack.calls("chat.postMessage") if c["response"].get("ok")]
    return [c for c in found if channel is None or c["params"].get("channel") == channel]


def parent_post(slack: SlackEmulator, channel: str) -> dict:
    """Wait for the incident's parent message in a channel and return its call."""
    return slack.wait_for(lambda: next(
        (c for c in posts(slack, channel) if not c["params"].get("thread_ts")), None
    ))


def thread_texts(slack: SlackEmulator, channel: str, ts: str) -> list[str]:
    """Return the texts of the replies in a thread (without the parent)."""
    return [m.get("text", "") for m in slack.replies(channel, ts)[1:]]


def click_message_button(bot: BotProcess, user_id: str, post: dict, action_id: str,
                         value: Any = None) -> Any:
    """Click a button on a posted message as ``user_id``; returns the HTTP response."""
    params = post["params"]
    blocks = params.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    block_id, element = payloads.find_element(blocks, action_id)
    payload = payloads.block_actions_message(
        user_id, post["response"]["channel"], post["response"]["ts"], action_id,
        element.get("value") if value is None else value, block_id,
        trigger_id=bot.slack.mint_trigger_id(user_id), workspace=bot.slack.workspace,
    )
    return bot.interact(payload)


def assert_all_surfaces_valid(slack: SlackEmulator) -> None:
    """Every view and message the bot sent fits Slack's Block Kit limits."""
    for call in slack.calls():
        params = call["params"]
        if call["method"] in ("views.open", "views.update", "views.push"):
            view = params["view"]
            assert_valid_view(view if isinstance(view, dict) else json.loads(view))
        elif call["method"] in ("chat.postMessage", "chat.update"):
            assert_valid_message(params)


def latest_parent(slack: SlackEmulator, channel: str) -> dict:
    """Return the parent message as last rendered (post or latest chat.update)."""
    parent = parent_post(slack, channel)
    ts = parent["response"]["ts"]
    updates = [c for c in slack.calls("chat.update")
               if c["params"].get("ts") == ts and c["response"].get("ok")]
    if not updates:
        return parent
    return {"params": updates[-1]["params"], "response": parent["response"]}


def open_from_button(bot: BotProcess, user_id: str, post: dict, action_id: str) -> ModalSession:
    """Click a message button that opens a modal; return a session on that modal."""
    since = bot.slack.last_seq()
    response = click_message_button(bot, user_id, post, action_id)
    assert response.status == 200, response
    call = bot.slack.wait_for_call("views.open", lambda c: True, since=since)
    assert call["response"].get("ok"), call["response"]
    session = ModalSession(bot, user_id)
    session.stack = [call["response"]["view"]]
    return session


def ephemerals_to(slack: SlackEmulator, user_id: str) -> list[str]:
    """Return the texts of ephemeral messages the bot showed one user."""
    return [c["params"].get("text", "") for c in slack.calls("chat.postEphemeral")
            if c["params"].get("user") == user_id]


def refusals_in_thread(slack: SlackEmulator, user_id: str,
                       thread_ts: str | None = None) -> list[str]:
    """Return the refusals answered to one person in a thread (issue 17: where they clicked),
    without the mention that starts each one; only that thread's when ``thread_ts`` is given."""
    prefix = f"<@{user_id}> "
    return [c["params"]["text"][len(prefix):] for c in posts(slack)
            if c["params"].get("thread_ts") and (thread_ts is None
                                                 or c["params"]["thread_ts"] == thread_ts)
            and c["params"].get("text", "").startswith(prefix + "You can't")]


def open_home(bot: BotProcess, user_id: str) -> dict:
    """Send `app_home_opened` as Slack does; return the Home view the bot published."""
    since = bot.slack.last_seq()
    event = payloads.app_home_opened(user_id, workspace=bot.slack.workspace)
    response = bot.post_signed(json.dumps(event), content_type="application/json")
    assert response.status == 200, response
    call = bot.slack.wait_for_call(
        "views.publish", lambda c: c["params"].get("user_id") == user_id, since=since)
    assert call["response"].get("ok"), call["response"]
    return call["response"]["view"]


def tap_home(bot: BotProcess, user_id: str, home: dict, action_id: str) -> Any:
    """Tap a Home button (after any confirm dialog, as Slack sends it); return the response."""
    trigger = bot.slack.mint_trigger_id(user_id)
    payload = payloads.block_actions_home(home, user_id, action_id, trigger_id=trigger,
                                          workspace=bot.slack.workspace)
    return bot.interact(payload), trigger


# What the danger screen may truthfully say when it is first built (flows/alert_status.py).
INITIAL_STATES = ("Sending your alert", "Delivered to Corporate Security", "Not delivered yet")
