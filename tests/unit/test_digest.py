"""The weekly digest: scheduled as rows, sent once with its chart, retried, re-scheduled."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from care_bot.config import ConfigError, Weekly
from care_bot.domain import weekly
from care_bot.flows import digest, tracking
from care_bot.storage import digests
from tests.support.fake_slack import slack_error
from tests.support.report import file_report
from tests.support.world import USERS, care_toml, make_services, make_settings

NY = "America/New_York"
DIGEST = '\n[digest]\nweekly = "mon 09:00"\n'


def test_digest_setting_is_off_by_default_and_uses_the_first_branch_zone(tmp_path):
    settings = make_settings(tmp_path)
    assert settings.digest_weekly is None and settings.bank_timezone == NY
    on = make_settings(tmp_path, care_toml(extra=DIGEST))
    assert on.digest_weekly == Weekly(0, on.digest_weekly.at, NY)
    assert on.digest_weekly.at.strftime("%H:%M") == "09:00"


@pytest.mark.parametrize("text", ["mon 09:00", "Monday 09:00", "MON 9:00", "monday  09:00:00"])
def test_digest_setting_reads_short_and_full_day_names(tmp_path, text):
    settings = make_settings(tmp_path, care_toml(extra=f'\n[digest]\nweekly = "{text}"\n'))
    assert settings.digest_weekly == Weekly(0, datetime(2026, 1, 1, 9).time(), NY)


@pytest.mark.parametrize("value", ['"monday 9"', '"mondays 09:00"', '"mon 25:00"', '"xyz 09:00"',
                                   "3"])
def test_digest_setting_rejects_bad_values(tmp_path, value):
    with pytest.raises(ConfigError, match=r"digest\.weekly"):
        make_settings(tmp_path, care_toml(extra=f"\n[digest]\nweekly = {value}\n"))


def test_digest_next_after_is_local_time_across_dst():
    monday_nine = Weekly(0, datetime(2026, 1, 1, 9).time(), NY)
    before_dst_end = datetime(2026, 10, 28, 12, tzinfo=ZoneInfo(NY)).timestamp()
    due = weekly.next_after(monday_nine, before_dst_end)
    local = datetime.fromtimestamp(due, ZoneInfo(NY))
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-11-02", 9, 0)
    assert weekly.next_after(monday_nine, due) - due == 7 * 86400
    assert weekly.describe(monday_nine) == "Mondays at 09:00 (America/New_York)"


def _pending(services):
    with services.store.reading() as db:
        return digests.pending(db)


def test_digest_off_schedules_nothing(tmp_path):
    services, _, _ = make_services(tmp_path)
    digest.ensure_scheduled(services)
    assert _pending(services) == []


def test_digest_is_sent_once_with_a_png_and_the_next_one_scheduled(tmp_path):
    services, slack, clock = make_services(tmp_path, care_toml(extra=DIGEST))
    file_report(services)
    clock.advance(600)
    tracking.acknowledge(services, USERS["sam"], 1, "channel")
    digest.ensure_scheduled(services)
    digest.ensure_scheduled(services)  # idempotent
    [first] = _pending(services)
    assert digest.send_due(services) == 0  # not yet due
    clock.now = first.due_at + 1
    assert digest.send_due(services) == 1
    assert digest.send_due(services) == 0
    [upload] = slack.uploads
    assert upload["channel"] == services.settings.security_channel
    assert upload["filename"].endswith(".png")
    image = Image.open(io.BytesIO(upload["content"]))
    assert (image.format, image.size) == ("PNG", (760, 380))
    assert "*CARE weekly digest*" in upload["comment"]
    assert "Incidents:* 1" in upload["comment"]
    assert "ordinary: median 10m" in upload["comment"]
    assert "John" not in upload["comment"]  # no client details
    [second] = _pending(services)
    assert second.due_at - first.due_at == 7 * 86400


def test_digest_retries_after_a_transient_failure_and_gives_up_on_permanent(tmp_path):
    services, slack, clock = make_services(tmp_path, care_toml(extra=DIGEST))
    digest.ensure_scheduled(services)
    [first] = _pending(services)
    clock.now = first.due_at
    slack.failures.append(slack_error("internal_error", status=503))
    assert digest.send_due(services) == 0
    [waiting] = _pending(services)
    assert waiting.id == first.id and waiting.not_before > clock.now
    clock.now = waiting.not_before
    slack.failures.append(slack_error("not_in_channel"))
    assert digest.send_due(services) == 0
    [nxt] = _pending(services)
    assert nxt.id != first.id and slack.uploads == []


def test_digest_turned_off_cancels_what_was_scheduled(tmp_path):
    services, _, _ = make_services(tmp_path, care_toml(extra=DIGEST))
    digest.ensure_scheduled(services)
    assert len(_pending(services)) == 1
    off, _, _ = make_services(tmp_path)
    off.store = services.store
    digest.ensure_scheduled(off)
    assert _pending(services) == []
