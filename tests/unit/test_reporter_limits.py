"""The reporter can never approve their own report, whatever they type or whatever their role."""

from care_bot.flows import intake, tracking
from tests.support.report import STEP_ANSWERS, file_report, step_of, submit
from tests.support.world import USERS, care_toml, make_services

ALICE = USERS["alice"]


def _walk_to_report_step(services):
    start = intake.start_report(services, ALICE)
    intake.prefill_profile(services, start.draft_id, ALICE)
    view = start.view
    for step in ("safety", "client_service", "assess"):
        view = submit(services, ALICE, view, STEP_ANSWERS[step]).view
    assert step_of(view) == "report"
    return view


def test_reporter_cannot_name_themselves_as_supervisor(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view = _walk_to_report_step(services)
    result = submit(services, ALICE, view, {"supervisor": ALICE, "market_president": ALICE})
    assert result.errors == {
        "supervisor": "Please name someone other than yourself.",
        "market_president": "Please name someone other than yourself.",
    }


def test_reporter_in_the_security_role_cannot_acknowledge_or_close_their_own_report(tmp_path):
    toml = care_toml().replace(f'security = ["{USERS["sec"]}"]',
                               f'security = ["{USERS["sec"]}", "{ALICE}"]')
    services, _slack, _clock = make_services(tmp_path, toml)
    file_report(services)
    refused = tracking.acknowledge(services, ALICE, 1, "channel")
    assert refused.message.startswith("You can't acknowledge CARE-")
    assert tracking.close_early(services, ALICE, 1, "mine").message.startswith("You can't")
    assert tracking.acknowledge(services, USERS["sec"], 1, "channel").message is None
