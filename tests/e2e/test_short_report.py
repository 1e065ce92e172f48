"""End-to-end: the not-in-danger path against the real bot, counted screen by screen."""

from __future__ import annotations

from tests.e2e.care_steps import answers_for, step_of
from tests.e2e.harness import ModalSession
from tests.support.counting import answers_to_give, is_question_screen

MAX_SCREENS, MAX_ANSWERS = 4, 10


def test_short_path_screen_and_answer_counts_meet_the_targets(slack, bot_factory):
    """The reporter is not in the directory; choosing the branch pre-fills who will be told."""
    bot = bot_factory.start()
    alice = slack.users["alice"]
    session = ModalSession.open(bot, alice)
    answers = answers_for(slack, {"report": {}})
    questions, to_give = 0, []
    while step_of(session.view) != "review":
        view = session.view
        if is_question_screen(view):
            questions += 1
            to_give += answers_to_give(view)
        body = session.submit(answers[step_of(view)])
        assert body.get("response_action") == "update", body
    print(f"\nshort path (e2e): {questions} question screens before review, "
          f"{len(to_give)} answers to give: {to_give}")
    assert questions <= MAX_SCREENS
    assert len(to_give) <= MAX_ANSWERS
    review = session.view
    assert any(b.get("accessory", {}).get("action_id") == "care_change_step"
               for b in review["blocks"])
    confirmation = session.submit({})["view"]
    assert confirmation["blocks"][0]["text"]["text"].startswith("Saved as CARE-")
    row = bot.db().execute("SELECT answers FROM incidents").fetchone()[0]
    assert slack.users["ivy"] in row and slack.users["oscar"] in row  # from the directory
