"""Records that prove themselves: the event hash chain, verify, backup, retention, legal hold."""

from __future__ import annotations

import itertools
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from care_bot.commands import backup as backup_command
from care_bot.commands import verify as verify_command
from care_bot.config import Retention
from care_bot.flows import retention, tracking
from care_bot.outbox import delivery
from care_bot.storage import Store, chain, incidents
from care_bot.storage.audit import verify_all
from tests.support.report import NOT_A_CLIENT, file_report
from tests.support.world import USERS, make_services

DAY = 86400.0
SEC = USERS["sec"]


@pytest.fixture
def world(tmp_path):
    services, slack, clock = make_services(tmp_path, path=str(tmp_path / "care.db"))
    yield services, slack, clock
    services.store.close()


def _verify(store: Store):
    with store.reading() as db:
        return verify_all(db)


def _raw(store: Store) -> sqlite3.Connection:
    return sqlite3.connect(store.path, isolation_level=None)


def _close(services, clock):
    """File a non-client's report (no account decision owed), deliver it, and close it early
    as security."""
    file_report(services, overrides=NOT_A_CLIENT)
    delivery.deliver_due(services)
    clock.advance(60)
    outcome = tracking.close_early(services, SEC, 1, "resolved with the client")
    assert not outcome.errors
    return incidents.get_incident(services.store.db, 1)


# ---------------------------------------------------------------------------- the chain


def test_chain_each_event_stores_the_previous_hash_and_its_own(world):
    services, _slack, _clock = world
    file_report(services)
    with services.store.reading() as db:
        rows = list(db.query("SELECT * FROM events ORDER BY id"))
    assert rows and rows[0]["prev_hash"] == chain.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after["prev_hash"] == chain.link_hash(before["prev_hash"], before["content_hash"])
    assert all(row["content_hash"] == chain.content_hash(row) for row in rows)


def test_verify_passes_on_an_untouched_trail(world):
    services, _slack, clock = world
    _close(services, clock)
    problems, count, head = _verify(services.store)
    assert problems == [] and count >= 2 and len(head) == 64


def test_verify_fails_on_a_row_edited_after_dropping_the_trigger(world):
    services, _slack, clock = world
    _close(services, clock)
    raw = _raw(services.store)
    raw.execute("DROP TRIGGER events_append_only_update")
    raw.execute("UPDATE events SET actor = 'U0SOMEONE' WHERE id = 2")
    raw.close()
    problems, _count, _head = _verify(services.store)
    assert problems[0].event_id == 2
    assert "changed after it was written" in problems[0].what


def test_verify_fails_on_a_deleted_event(world):
    services, _slack, clock = world
    _close(services, clock)
    raw = _raw(services.store)
    raw.execute("DROP TRIGGER events_append_only_delete")
    raw.execute("DELETE FROM events WHERE id = 1")
    raw.close()
    problems, _count, _head = _verify(services.store)
    assert problems[0].event_id in (1, 2)


def test_verify_fails_when_an_incident_disagrees_with_its_events(world):
    services, _slack, clock = world
    _close(services, clock)
    raw = _raw(services.store)
    raw.execute("UPDATE incidents SET status = 'open', closed_at = NULL WHERE id = 1")
    raw.close()
    problems, _count, _head = _verify(services.store)
    assert any("has a 'closed' event but its status is 'open'" in p.what for p in problems)


def test_verify_command_exits_0_then_1_naming_the_first_bad_event(world, capsys):
    services, _slack, clock = world
    _close(services, clock)
    assert verify_command.run([services.store.path]) == 0
    assert "OK:" in capsys.readouterr().out
    raw = _raw(services.store)
    raw.execute("DROP TRIGGER events_append_only_update")
    raw.execute("UPDATE events SET detail = '{\"reason\": \"edited\"}' WHERE id = 1")
    raw.close()
    assert verify_command.run([services.store.path]) == 1
    assert "the first bad one is event 1" in capsys.readouterr().out


def test_backfill_chains_events_written_before_the_chain(tmp_path):
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, incident_id INTEGER, at REAL, "
               "actor TEXT, action TEXT, surface TEXT, detail TEXT, prev_hash TEXT, "
               "content_hash TEXT, purged_at REAL)")
    for number in (1, 2, 3):
        db.execute("INSERT INTO events (id, incident_id, at, actor, action, surface, detail) "
                   "VALUES (?, 1, ?, 'U1', 'submitted', 'modal', '{}')", [number, number * 1.5])
    import sqlite_utils

    wrapped = sqlite_utils.Database(db)
    assert chain.backfill(wrapped) == 3
    problems, count, _head = chain.verify_chain(wrapped)
    assert problems == [] and count == 3


# ---------------------------------------------------------------------------- backup


def test_backup_copies_a_consistent_database_that_verifies(world, tmp_path, capsys):
    services, _slack, clock = world
    _close(services, clock)
    dest = tmp_path / "copies" / "care-backup.db"
    assert backup_command.run([str(dest), "--database", services.store.path]) == 0
    assert "OK:" in capsys.readouterr().out
    copy = sqlite3.connect(dest)
    assert copy.execute("SELECT count(*) FROM incidents").fetchone() == (1,)
    copy.close()
    assert oct(dest.stat().st_mode & 0o777) == "0o600"
    assert backup_command.run([str(dest), "--database", services.store.path]) == 2  # no clobber


# ---------------------------------------------------------------------------- retention


def test_purge_dry_run_lists_and_changes_nothing(world):
    services, _slack, clock = world
    _close(services, clock)
    rules = Retention(drafts=timedelta(days=30), incidents=timedelta(days=365),
                      outbox=timedelta(days=30))
    found = retention.plan(services.store, rules, clock() + 400 * DAY)
    assert found.incidents == [1] and found.outbox
    with services.store.reading() as db:
        assert incidents.get_incident(db, 1).status == "closed"


def test_purge_erases_an_expired_incident_and_verify_still_passes(world):
    services, _slack, clock = world
    closed = _close(services, clock)
    rules = Retention(drafts=timedelta(days=30), incidents=timedelta(days=365),
                      outbox=timedelta(days=30))
    done = retention.apply(services.store, rules, clock() + 400 * DAY)
    assert done.incidents == [1]
    with services.store.reading() as db:
        row = next(db.query("SELECT * FROM incidents WHERE id = 1"))
        events = list(db.query("SELECT * FROM events WHERE incident_id = 1 ORDER BY id"))
        leftovers = [db.execute(f"SELECT count(*) FROM {t} WHERE incident_id = 1").fetchone()[0]
                     for t in ("outbox", "followups", "drafts")]
    assert (row["status"], row["ref"], row["answers"], row["reporter"]) == (
        "purged", closed.ref, "{}", "")
    assert leftovers == [0, 0, 0]
    assert events[-1]["action"] == chain.TOMBSTONE
    assert all(e["purged_at"] and e["detail"] == "{}" for e in events[:-1])
    problems, _count, _head = _verify(services.store)
    assert problems == []


def test_purged_text_is_gone_from_the_database_files(world):
    services, _slack, clock = world
    _close(services, clock)
    services.store.checkpoint()
    path = services.store.path
    marker = b"he would come back and hurt me"
    assert marker in Path(path).read_bytes()
    retention.apply(services.store, Retention(incidents=timedelta(days=1),
                                              outbox=timedelta(days=1)), clock() + 2 * DAY)
    for suffix in ("", "-wal"):
        file = Path(path + suffix)
        if file.exists():
            assert marker not in file.read_bytes(), suffix


def test_incidents_are_kept_forever_by_default(world):
    services, _slack, clock = world
    _close(services, clock)
    done = retention.apply(services.store, Retention(), clock() + 3650 * DAY)
    assert done.incidents == []
    with services.store.reading() as db:
        assert incidents.get_incident(db, 1).status == "closed"


def test_old_drafts_are_purged_after_their_last_change(world):
    services, _slack, clock = world
    with services.store.transaction() as db:
        from care_bot.storage import drafts

        drafts.create_draft(db, USERS["olly"], clock())
    assert retention.plan(services.store, Retention(), clock() + 29 * DAY).drafts == []
    assert len(retention.apply(services.store, Retention(), clock() + 31 * DAY).drafts) == 1


# ---------------------------------------------------------------------------- legal hold


def test_legal_hold_needs_security_and_a_reason(world):
    services, _slack, clock = world
    _close(services, clock)
    refused = retention.change_hold(services, USERS["sam"], "CARE-2026-0001", "litigation", True)
    assert not refused.ok and "security" in refused.text
    no_reason = retention.change_hold(services, SEC, "CARE-2026-0001", "  ", True)
    assert not no_reason.ok and "reason is required" in no_reason.text


def test_legal_hold_overrides_retention_and_is_audited(world):
    services, _slack, clock = world
    _close(services, clock)
    answer = retention.change_hold(services, SEC, "care-2026-0001", "subpoena 24-117", True)
    assert answer.ok and "legal hold" in answer.text
    rules = Retention(incidents=timedelta(days=1), outbox=timedelta(days=1))
    assert retention.apply(services.store, rules, clock() + 10 * DAY).empty
    with services.store.reading() as db:
        event = next(e for e in incidents.list_events(db, 1) if e.action == "legal_hold_set")
    assert (event.actor, event.detail) == (SEC, {"reason": "subpoena 24-117"})
    assert _verify(services.store)[0] == []
    assert retention.change_hold(services, SEC, "CARE-2026-0001", "case closed", False).ok
    assert retention.apply(services.store, rules, clock() + 10 * DAY).incidents == [1]
    assert _verify(services.store)[0] == []


def test_verify_notices_a_hold_removed_behind_the_bots_back(world):
    services, _slack, clock = world
    _close(services, clock)
    retention.change_hold(services, SEC, "CARE-2026-0001", "subpoena", True)
    raw = _raw(services.store)
    raw.execute("DELETE FROM legal_holds")
    raw.close()
    problems = _verify(services.store)[0]
    assert any("not on legal hold, but its audit events say otherwise" in p.what
               for p in problems)


def test_tombstone_detail_carries_no_incident_text(world):
    services, _slack, clock = world
    _close(services, clock)
    retention.apply(services.store, Retention(incidents=timedelta(days=1)), clock() + 2 * DAY)
    with services.store.reading() as db:
        tomb = next(db.query("SELECT detail FROM events WHERE action = 'purged'"))
    assert set(json.loads(tomb["detail"])) == {"events_redacted", "rule"}
