"""Storage on real SQLite: connection, migrations, drafts, incidents, outbox, follow-ups."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import UTC, datetime

import pytest

from care_bot.storage import (
    AlreadyRunning,
    Store,
    dialect,
    drafts,
    followups,
    incidents,
    migrations,
    outbox,
)
from care_bot.storage import backend_name as store_backend
from tests.support.world import START, USERS

ALICE = USERS["alice"]
SUE = USERS["sue"]
SEC = USERS["sec"]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request):
    """Yield a migrated store: in-memory SQLite, or a fresh PostgreSQL database."""
    if request.param == "postgresql":
        from care_bot.storage.postgres import PgStore

        store = PgStore.open(request.getfixturevalue("postgres_url"))
    else:
        store = Store(":memory:")
        store.migrate()
    yield store
    store.close()


@pytest.fixture
def db(store):
    """Yield the in-memory store's sqlite_utils Database."""
    with store.reading() as db:
        yield db


def make_incident(db, *, draft_id: str = "d1", status: str = "open", danger: bool = False,
                  now: float = START):
    """Insert an incident for Alice and return it."""
    return incidents.create_incident(
        db, draft_id=draft_id, reporter=ALICE, status=status, danger=danger,
        branch="downtown", answers={"what_happened": "shouting"}, now=now,
    )


def epoch(year: int, month: int = 1, day: int = 1, hour: int = 0, minute: int = 0,
          second: int = 0) -> float:
    """Return the UTC epoch of a date and time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()


def statuses(db, table: str) -> dict[int, str]:
    """Return {id: status} of every row in an outbox-like table."""
    return {row["id"]: row["status"] for row in db.query(f"SELECT id, status FROM {table}")}


# --- connection, PRAGMAs, migrations, instance lock ----------------------------------------


def test_store_file_database_uses_durable_pragmas(tmp_path):
    store = Store(tmp_path / "data" / "care.db")
    try:
        pragma = store.db.execute
        assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert pragma("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert pragma("PRAGMA foreign_keys").fetchone()[0] == 1
        assert pragma("PRAGMA busy_timeout").fetchone()[0] == 5000
    finally:
        store.close()
    assert (tmp_path / "data" / "care.db").exists()  # the parent folder was created


def _one(store, sql: str):
    """Run one query on a fresh reading connection; return its first row."""
    with store.reading() as db:
        return tuple(db.execute(sql).fetchone())


def test_store_migrate_creates_every_table(store):
    with store.reading() as db:
        names = set(dialect.table_names(db))
    assert {"drafts", "incidents", "events", "outbox", "followups", "counters",
            "sweep_lease"} <= names


def test_store_migrate_twice_is_a_no_op(store):
    with store.transaction() as db:
        drafts.create_draft(db, ALICE, START)

    store.migrate()

    record = "_care_migrations" if store_backend(store) == "postgresql" else "_sqlite_migrations"
    with store.reading() as db:
        applied = [row["name"] for row in db.query(f"SELECT name FROM {record}")]
    defined = [migration.name for migration in migrations.migrations._migrations]
    assert sorted(applied) == sorted(defined)  # each applied once (listed by name)
    assert applied[:3] == ["m001_initial", "m002_outbox_reported", "m003_outbox_unsure"]
    assert "m004_i7_danger_alert_state" in applied
    assert _one(store, "SELECT count(*) FROM drafts")[0] == 1


def test_store_migrations_persist_in_a_file_database(tmp_path):
    path = tmp_path / "care.db"
    first = Store.open(path)
    with first.transaction() as db:
        make_incident(db)
    first.close()

    second = Store.open(path)
    try:
        with second.reading() as db:
            assert incidents.find_by_ref(db, "CARE-2026-0001").reporter == ALICE
    finally:
        second.close()


def test_store_open_claims_the_instance_lock(tmp_path):
    path = tmp_path / "care.db"
    first = Store.open(path)
    try:
        with pytest.raises(AlreadyRunning) as caught:
            Store.open(path)
        assert str(path) in str(caught.value)
        assert "run exactly one bot process per database" in str(caught.value)
        assert first.healthy()  # the failed second open left the first alone
        assert (tmp_path / "care.db.lock").read_text() == str(os.getpid())
    finally:
        first.close()


def test_store_open_works_again_after_close(tmp_path):
    path = tmp_path / "care.db"
    Store.open(path).close()

    again = Store.open(path)
    try:
        assert again.healthy()
    finally:
        again.close()


def test_store_memory_database_needs_no_instance_lock():
    first, second = Store.open(":memory:"), Store.open(":memory:")

    assert first.healthy() and second.healthy()
    first.close()
    second.close()


def test_store_healthy_is_false_after_close():
    store = Store(":memory:")
    store.close()

    assert store.healthy() is False


@pytest.fixture
def file_store(tmp_path):
    """Yield a migrated Store on a file in tmp_path."""
    store = Store.open(tmp_path / "care.db")
    yield store
    store.close()


def count_drafts(store: Store) -> int:
    """Count drafts through the store's reading connection."""
    with store.reading() as db:
        return db.execute("SELECT count(*) FROM drafts").fetchone()[0]


def test_store_reading_a_file_database_sees_each_committed_write(file_store):
    assert count_drafts(file_store) == 0  # the reader is open before the write

    with file_store.transaction() as db:
        drafts.create_draft(db, ALICE, START)

    assert count_drafts(file_store) == 1


def test_store_reading_a_file_database_cannot_write(file_store):
    with pytest.raises(sqlite3.OperationalError, match="readonly"), \
            file_store.reading() as db:
        db.execute("INSERT INTO counters (name, value) VALUES ('x', 1)")

    assert file_store.db.execute("SELECT count(*) FROM counters").fetchone() == (0,)


def test_store_reading_inside_a_transaction_sees_its_uncommitted_writes(file_store):
    with file_store.transaction() as writer:
        drafts.create_draft(writer, ALICE, START)
        with file_store.reading() as db:
            assert db is writer
            assert drafts.open_draft(db, ALICE) is not None


def read_in_thread(store: Store) -> sqlite3.Connection:
    """Read once in a new thread and return the connection that thread was given."""
    seen = []

    def read() -> None:
        """Read through the store and keep the connection used."""
        with store.reading() as db:
            db.execute("SELECT 1")
            seen.append(db.conn)

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    return seen[0]


def test_store_reading_uses_one_connection_per_thread(tmp_path):
    store = Store.open(tmp_path / "care.db")
    try:
        with store.reading() as first, store.reading() as again:
            assert first is again
            assert first is not store.db
        other = read_in_thread(store)

        assert other is not first.conn
        assert other is not store.db.conn
    finally:
        store.close()


def test_store_close_after_reads_in_other_threads_releases_everything(tmp_path):
    path = tmp_path / "care.db"
    store = Store.open(path)
    read_in_thread(store)

    store.close()

    Store.open(path).close()


def test_store_close_closes_reader_connections(tmp_path):
    store = Store.open(tmp_path / "care.db")
    with store.reading() as reader:
        reader.execute("SELECT 1")

    store.close()

    with pytest.raises(sqlite3.ProgrammingError):
        reader.execute("SELECT 1")
    assert store.healthy() is False


def test_store_reading_an_in_memory_database_uses_the_one_connection(store):
    if store_backend(store) == "postgresql":
        pytest.skip("PostgreSQL reads use pooled connections")
    with store.reading() as db:
        assert db is store.db


# --- transactions ---------------------------------------------------------------------------


def test_store_transaction_commits_on_success(store):
    with store.transaction() as db:
        db.execute("INSERT INTO counters (name, value) VALUES ('kept', 1)")

    assert _one(store, "SELECT value FROM counters WHERE name = 'kept'") == (1,)


def test_store_transaction_rolls_back_on_exception(store):
    with pytest.raises(RuntimeError, match="boom"), store.transaction() as db:
        db.execute("INSERT INTO counters (name, value) VALUES ('lost', 1)")
        raise RuntimeError("boom")

    assert _one(store, "SELECT count(*) FROM counters") == (0,)
    with store.transaction() as db:  # the connection is usable again
        db.execute("INSERT INTO counters (name, value) VALUES ('next', 1)")
    assert _one(store, "SELECT count(*) FROM counters") == (1,)


def test_store_transaction_rolls_back_every_statement_of_a_use_case(store):
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as db:
        make_incident(db, draft_id="same")
        make_incident(db, draft_id="same")  # draft_id is UNIQUE

    assert _one(store, "SELECT count(*) FROM incidents") == (0,)
    assert _one(store, "SELECT count(*) FROM counters") == (0,)


# --- incidents, references and events -------------------------------------------------------


def test_next_reference_counts_up_within_a_year(db):
    assert [incidents.next_reference(db, START) for _ in range(3)] == [
        "CARE-2026-0001", "CARE-2026-0002", "CARE-2026-0003",
    ]


def test_next_reference_restarts_each_utc_year(db):
    last_second = epoch(2026, 12, 31, 23, 59, 59)
    first_second = epoch(2027)

    assert incidents.next_reference(db, last_second) == "CARE-2026-0001"
    assert incidents.next_reference(db, first_second) == "CARE-2027-0001"
    assert incidents.next_reference(db, first_second) == "CARE-2027-0002"
    assert incidents.next_reference(db, last_second) == "CARE-2026-0002"


def test_next_reference_grows_past_four_digits(db):
    db.execute("INSERT INTO counters (name, value) VALUES ('ref-2026', 9999)")

    assert incidents.next_reference(db, START) == "CARE-2026-10000"


@pytest.mark.parametrize(("status", "submitted_at"), [("open", START), ("alerted", None)])
def test_create_incident_stores_every_field(db, status, submitted_at):
    incident = make_incident(db, status=status, danger=True)

    assert incident.ref == "CARE-2026-0001"
    assert (incident.reporter, incident.status, incident.danger) == (ALICE, status, True)
    assert incident.branch == "downtown"
    assert incident.answers == {"what_happened": "shouting"}
    assert (incident.created_at, incident.submitted_at) == (START, submitted_at)
    assert incident.acknowledged_by is None and incident.closed_at is None
    assert incident.overdue is False
    assert incidents.find_by_draft(db, "d1") == incident
    assert incidents.find_by_ref(db, incident.ref) == incident
    assert incidents.get_incident(db, incident.id) == incident


def test_find_incident_returns_none_when_missing(db):
    assert incidents.get_incident(db, 99) is None
    assert incidents.find_by_draft(db, "nope") is None
    assert incidents.find_by_ref(db, "CARE-2026-0099") is None


def test_complete_report_turns_an_alert_into_an_open_report(db):
    alert = make_incident(db, status="alerted", danger=True)

    report = incidents.complete_report(db, alert.id, {"client_name": "J"}, "uptown", START + 60)

    assert (report.ref, report.status, report.branch) == (alert.ref, "open", "uptown")
    assert report.answers == {"client_name": "J"}
    assert report.submitted_at == START + 60


def test_set_acknowledged_first_acknowledgement_wins(db):
    incident = make_incident(db)

    assert incidents.set_acknowledged(db, incident.id, SUE, START + 10) is True
    assert incidents.set_acknowledged(db, incident.id, SEC, START + 20) is False

    stored = incidents.get_incident(db, incident.id)
    assert (stored.acknowledged_by, stored.acknowledged_at) == (SUE, START + 10)


def test_set_acknowledged_refuses_a_closed_incident(db):
    incident = make_incident(db)
    incidents.set_closed(db, incident.id, SEC, "handled", START + 5)

    assert incidents.set_acknowledged(db, incident.id, SUE, START + 10) is False
    assert incidents.get_incident(db, incident.id).acknowledged_by is None


def test_set_closed_closes_only_once(db):
    incident = make_incident(db)

    assert incidents.set_closed(db, incident.id, SEC, "resolved", START + 10) is True
    assert incidents.set_closed(db, incident.id, SUE, "again", START + 20) is False

    stored = incidents.get_incident(db, incident.id)
    assert stored.status == "closed"
    assert (stored.closed_by, stored.closed_at, stored.close_reason) == (
        SEC, START + 10, "resolved",
    )


def test_set_overdue_flags_and_unflags(db):
    incident = make_incident(db)

    incidents.set_overdue(db, incident.id, True)
    assert incidents.get_incident(db, incident.id).overdue is True
    incidents.set_overdue(db, incident.id, False)
    assert incidents.get_incident(db, incident.id).overdue is False


def test_events_are_listed_oldest_first_with_detail(db):
    incident = make_incident(db)
    first = incidents.append_event(db, incident.id, actor=ALICE, action="submitted",
                                   surface="modal", now=START)
    second = incidents.append_event(db, incident.id, actor=SUE, action="acknowledged",
                                    surface="button", now=START + 5, detail={"rung": 1})

    assert incidents.list_events(db, incident.id) == [first, second]
    assert second.detail == {"rung": 1}
    assert first.detail == {}


@pytest.mark.parametrize(
    "statement",
    ["UPDATE events SET actor = 'U0FORGER'", "DELETE FROM events"],
)
def test_events_are_append_only(store, statement):
    with store.transaction() as db:
        incident = make_incident(db)
        incidents.append_event(db, incident.id, actor=ALICE, action="submitted",
                               surface="modal", now=START)

    with pytest.raises(sqlite3.IntegrityError, match="audit events are append-only"), \
            store.transaction() as db:
        db.execute(statement)

    with store.reading() as db:
        assert [e.actor for e in incidents.list_events(db, incident.id)] == [ALICE]


def test_events_need_an_existing_incident(db):
    with pytest.raises(sqlite3.IntegrityError, match=r"(?i)FOREIGN KEY"):
        incidents.append_event(db, 404, actor=ALICE, action="submitted", surface="modal",
                               now=START)


# --- drafts ---------------------------------------------------------------------------------


def test_create_draft_starts_at_safety_and_is_open(db):
    draft = drafts.create_draft(db, ALICE, START, {"branch": "downtown"})

    assert (draft.user_id, draft.step, draft.answers) == (ALICE, "safety", {"branch": "downtown"})
    assert (draft.created_at, draft.updated_at, draft.incident_id) == (START, START, None)
    assert drafts.open_draft(db, ALICE) == draft
    assert drafts.get_draft(db, draft.id) == draft
    assert drafts.is_submitted(db, draft.id) is False


def test_open_draft_is_per_associate(db):
    drafts.create_draft(db, ALICE, START)

    assert drafts.open_draft(db, SUE) is None
    assert drafts.get_draft(db, "missing") is None


def test_save_answers_merges_and_records_the_step(db):
    draft = drafts.create_draft(db, ALICE, START, {"branch": "downtown", "danger": "no"})

    drafts.save_answers(db, draft.id, "client_service", {"danger": "yes", "location": "lobby"},
                        START + 30)

    saved = drafts.get_draft(db, draft.id)
    assert saved.answers == {"branch": "downtown", "danger": "yes", "location": "lobby"}
    assert (saved.step, saved.updated_at, saved.created_at) == ("client_service", START + 30,
                                                                START)


def test_mark_submitted_closes_the_draft(db):
    draft = drafts.create_draft(db, ALICE, START)

    drafts.mark_submitted(db, draft.id, START + 60)

    assert drafts.is_submitted(db, draft.id) is True
    assert drafts.open_draft(db, ALICE) is None
    assert drafts.get_draft(db, draft.id) is not None


def test_create_draft_retires_the_older_open_draft_without_deleting_it(db):
    old = drafts.create_draft(db, ALICE, START, {"branch": "downtown"})
    other = drafts.create_draft(db, SUE, START)

    new = drafts.create_draft(db, ALICE, START + 10)

    assert new.id != old.id
    assert drafts.open_draft(db, ALICE) == new
    assert drafts.get_draft(db, old.id).answers == {"branch": "downtown"}  # kept
    assert drafts.open_draft(db, SUE) == other  # someone else's draft is untouched
    assert db.execute("SELECT count(*) FROM drafts").fetchone() == (3,)


def test_create_draft_with_a_known_id_returns_it_unchanged(db):
    first = drafts.create_draft(db, ALICE, START, {"branch": "downtown"}, draft_id="chosen")
    newer = drafts.create_draft(db, ALICE, START + 5)

    again = drafts.create_draft(db, ALICE, START + 10, {"branch": "uptown"}, draft_id="chosen")

    assert first.id == "chosen"
    assert again == drafts.get_draft(db, "chosen")
    assert again.answers == {"branch": "downtown"}
    assert drafts.open_draft(db, ALICE) == newer  # a repeat does not retire the newer draft
    assert db.execute("SELECT count(*) FROM drafts").fetchone() == (2,)


def test_is_submitted_is_false_for_a_retired_draft_that_never_became_a_report(db):
    old = drafts.create_draft(db, ALICE, START)
    drafts.create_draft(db, ALICE, START + 10)

    assert incidents.find_by_draft(db, old.id) is None
    assert drafts.is_submitted(db, old.id) is False


def test_link_incident_remembers_the_danger_alert(db):
    draft = drafts.create_draft(db, ALICE, START)
    incident = make_incident(db, draft_id=draft.id, status="alerted", danger=True)

    drafts.link_incident(db, draft.id, incident.id)

    assert drafts.get_draft(db, draft.id).incident_id == incident.id


# --- outbox ---------------------------------------------------------------------------------


def test_enqueue_post_is_idempotent_per_key(db):
    assert outbox.enqueue_post(db, key="k1", channel="C0SUPERVISE", now=START,
                               payload={"text": "first"}) is True
    assert outbox.enqueue_post(db, key="k1", channel="C0OTHER", now=START + 1,
                               payload={"text": "second"}) is False

    item = outbox.get_item(db, "k1")
    assert (item.kind, item.channel, item.payload, item.status) == (
        "post", "C0SUPERVISE", {"text": "first"}, "pending",
    )
    assert (item.attempts, item.not_before) == (0, START)
    assert outbox.pending_count(db) == 1


def test_enqueue_refresh_coalesces_while_one_is_pending(db):
    incident = make_incident(db)
    outbox.enqueue_post(db, key="parent", channel="C0SUPERVISE", now=START)
    parent = outbox.get_item(db, "parent")
    outbox.mark_sent(db, parent.id, channel="C0SUPERVISE", ts="1.1", now=START)

    outbox.enqueue_refresh(db, parent_key="parent", incident_id=incident.id, render="r",
                           now=START)
    outbox.enqueue_refresh(db, parent_key="parent", incident_id=incident.id, render="r",
                           now=START + 1)

    updates = [i for i in outbox.due_items(db, START + 5) if i.kind == "update"]
    assert len(updates) == 1
    assert (updates[0].thread_of, updates[0].render, updates[0].channel) == ("parent", "r", "")


def test_enqueue_refresh_queues_again_once_the_pending_one_is_taken(db):
    incident = make_incident(db)
    outbox.enqueue_refresh(db, parent_key="parent", incident_id=incident.id, render="r",
                           now=START)
    outbox.enqueue_refresh(db, parent_key="other", incident_id=incident.id, render="r",
                           now=START)
    [first, _] = outbox.due_items(db, START)
    outbox.claim(db, first.id)

    outbox.enqueue_refresh(db, parent_key="parent", incident_id=incident.id, render="r",
                           now=START + 1)

    pending = outbox.due_items(db, START + 1)
    assert sorted(i.thread_of for i in pending) == ["other", "parent"]
    assert first.id not in {i.id for i in pending}


def test_due_items_respects_not_before(db):
    outbox.enqueue_post(db, key="now", channel="C1", now=START)
    outbox.enqueue_post(db, key="later", channel="C1", now=START + 100)

    assert [i.key for i in outbox.due_items(db, START)] == ["now"]
    assert [i.key for i in outbox.due_items(db, START + 99.9)] == ["now"]
    assert [i.key for i in outbox.due_items(db, START + 100)] == ["now", "later"]


def test_due_items_come_in_queue_order_up_to_the_limit(db):
    for number, now in enumerate([START + 3, START + 1, START + 2]):
        outbox.enqueue_post(db, key=f"k{number}", channel="C1", now=now)

    assert [i.key for i in outbox.due_items(db, START + 10)] == ["k0", "k1", "k2"]
    assert [i.key for i in outbox.due_items(db, START + 10, limit=2)] == ["k0", "k1"]


def test_claim_takes_an_item_only_once(db):
    outbox.enqueue_post(db, key="k", channel="C1", now=START)
    item = outbox.get_item(db, "k")

    assert outbox.claim(db, item.id) is True
    assert outbox.claim(db, item.id) is False

    claimed = outbox.get_item(db, "k")
    assert (claimed.status, claimed.attempts) == ("sending", 1)
    assert outbox.due_items(db, START) == []
    assert outbox.pending_count(db) == 0


def test_mark_retry_puts_the_item_back_until_not_before(db):
    outbox.enqueue_post(db, key="k", channel="C1", now=START)
    item = outbox.get_item(db, "k")
    outbox.claim(db, item.id)

    outbox.mark_retry(db, item.id, not_before=START + 30, error="ratelimited")

    retried = outbox.get_item(db, "k")
    assert (retried.status, retried.not_before, retried.error) == (
        "pending", START + 30, "ratelimited",
    )
    assert outbox.due_items(db, START + 29) == []
    assert outbox.claim(db, item.id) is True
    assert outbox.get_item(db, "k").attempts == 2


@pytest.mark.parametrize(
    ("finish", "status", "error"),
    [
        (lambda db, i: outbox.mark_failed(db, i, error="channel_not_found", now=START + 1),
         "failed", "channel_not_found"),
        (lambda db, i: outbox.mark_skipped(db, i, reason="acknowledged", now=START + 1),
         "skipped", "acknowledged"),
    ],
    ids=["failed", "skipped"],
)
def test_outbox_finished_items_leave_the_queue(db, finish, status, error):
    outbox.enqueue_post(db, key="k", channel="C1", now=START)
    item = outbox.get_item(db, "k")
    outbox.claim(db, item.id)

    finish(db, item.id)

    done = outbox.get_item(db, "k")
    assert (done.status, done.error) == (status, error)
    assert outbox.due_items(db, START + 1000) == []
    assert outbox.claim(db, item.id) is False
    assert outbox.release_in_flight(db) == 0


def test_mark_sent_keeps_the_posted_channel_and_ts(db):
    incident = make_incident(db)
    outbox.enqueue_post(db, key="post", channel="U0ALICE", now=START)
    outbox.enqueue_refresh(db, parent_key="post", incident_id=incident.id, render="r",
                           now=START)
    [post] = outbox.due_items(db, START)  # the update waits for its message to be posted
    outbox.mark_sent(db, post.id, channel="D0ALICE", ts="111.222", now=START + 1)
    [update] = outbox.due_items(db, START + 1)
    outbox.mark_sent(db, update.id, channel="D0IGNORED", ts="111.222", now=START + 2)

    assert (outbox.get_item(db, "post").channel, outbox.get_item(db, "post").ts) == (
        "D0ALICE", "111.222",
    )
    sent_update = outbox.get_item(db, update.key)
    assert (sent_update.status, sent_update.channel) == ("sent", "")


def test_release_in_flight_returns_crashed_sends_to_pending(db):
    for key in ("a", "b", "c"):
        outbox.enqueue_post(db, key=key, channel="C1", now=START)
    a, b, c = outbox.due_items(db, START)
    outbox.claim(db, a.id)
    outbox.claim(db, b.id)
    outbox.mark_sent(db, b.id, channel="C1", ts="1.2", now=START)

    assert outbox.release_in_flight(db) == 1

    assert statuses(db, "outbox") == {a.id: "pending", b.id: "sent", c.id: "pending"}
    assert outbox.pending_count(db) == 2


# --- follow-ups -----------------------------------------------------------------------------


@pytest.fixture
def incident(db):
    """Return one open incident to hang follow-ups on."""
    return make_incident(db)


def schedule(db, incident_id: int, kind: str, due_at: float, task: str = "", rung: int = 0):
    """Schedule one follow-up at START and return whether it was added."""
    return followups.schedule(db, incident_id=incident_id, kind=kind, due_at=due_at, now=START,
                              task=task, rung=rung)


def test_schedule_is_idempotent_per_incident_kind_task_and_rung(db, incident):
    other = make_incident(db, draft_id="d2")

    assert schedule(db, incident.id, "ack_reminder", START + 60) is True
    assert schedule(db, incident.id, "ack_reminder", START + 999) is False
    assert schedule(db, incident.id, "ack_reminder", START + 60, rung=1) is True
    assert schedule(db, incident.id, "ack_reminder", START + 60, task="hr") is True
    assert schedule(db, incident.id, "ack_escalation", START + 60) is True
    assert schedule(db, other.id, "ack_reminder", START + 60) is True

    first = followups.pending_for(db, incident.id)[0]
    assert (first.kind, first.due_at, first.status) == ("ack_reminder", START + 60, "pending")
    assert len(followups.pending_for(db, incident.id)) == 4


def test_due_followups_are_pending_and_earliest_first(db, incident):
    schedule(db, incident.id, "c", START + 30)
    schedule(db, incident.id, "a", START + 10)
    schedule(db, incident.id, "b", START + 20)
    schedule(db, incident.id, "future", START + 100)
    [done] = [f for f in followups.pending_for(db, incident.id) if f.kind == "b"]
    followups.finish(db, done.id, "sent", START + 20)

    assert [f.kind for f in followups.due_followups(db, START + 50)] == ["a", "c"]
    assert [f.kind for f in followups.due_followups(db, START + 50, limit=1)] == ["a"]
    assert [f.kind for f in followups.due_followups(db, START + 100)] == ["a", "c", "future"]


def test_finish_moves_a_pending_followup_once(db, incident):
    schedule(db, incident.id, "ack_reminder", START + 10)
    [item] = followups.pending_for(db, incident.id)

    assert followups.finish(db, item.id, "sent", START + 10) is True
    assert followups.finish(db, item.id, "skipped", START + 11) is False

    assert followups.get_followup(db, item.id).status == "sent"
    assert followups.get_followup(db, 999) is None


@pytest.mark.parametrize(
    ("kwargs", "left"),
    [
        ({}, set()),
        ({"kinds": ("ack_reminder", "ack_escalation")}, {"task_deadline:hr", "wellbeing"}),
        ({"task": "hr"}, {"ack_reminder", "ack_escalation", "wellbeing"}),
        ({"kinds": ("task_deadline",), "task": "security"},
         {"ack_reminder", "ack_escalation", "task_deadline:hr", "wellbeing"}),
    ],
    ids=["all", "by-kinds", "by-task", "kind-and-other-task"],
)
def test_cancel_stops_the_chosen_pending_followups(db, incident, kwargs, left):
    other = make_incident(db, draft_id="d2")
    schedule(db, incident.id, "ack_reminder", START + 10)
    schedule(db, incident.id, "ack_escalation", START + 20)
    schedule(db, incident.id, "task_deadline", START + 30, task="hr")
    schedule(db, incident.id, "wellbeing", START + 40)
    schedule(db, other.id, "ack_reminder", START + 10)

    cancelled = followups.cancel(db, incident.id, START + 5, **kwargs)

    remaining = {f.kind + (f":{f.task}" if f.task else "")
                 for f in followups.pending_for(db, incident.id)}
    assert remaining == left
    assert cancelled == 4 - len(left)
    assert len(followups.pending_for(db, other.id)) == 1


def test_next_due_ignores_wellbeing_checkins(db, incident):
    assert followups.next_due(db, incident.id) is None
    schedule(db, incident.id, "wellbeing", START + 5)
    assert followups.next_due(db, incident.id) is None

    schedule(db, incident.id, "task_deadline", START + 50, task="hr")
    schedule(db, incident.id, "ack_reminder", START + 20)

    assert followups.next_due(db, incident.id) == START + 20


def test_next_due_ignores_finished_followups(db, incident):
    schedule(db, incident.id, "ack_reminder", START + 20)
    schedule(db, incident.id, "ack_escalation", START + 40)
    followups.cancel(db, incident.id, START, kinds=("ack_reminder",))

    assert followups.next_due(db, incident.id) == START + 40


def test_postpone_moves_only_a_pending_followup(db, incident):
    schedule(db, incident.id, "ack_reminder", START + 10)
    schedule(db, incident.id, "ack_escalation", START + 20)
    reminder, escalation = followups.pending_for(db, incident.id)
    followups.finish(db, escalation.id, "sent", START + 20)

    followups.postpone(db, reminder.id, START + 3600)
    followups.postpone(db, escalation.id, START + 3600)

    assert followups.get_followup(db, reminder.id).due_at == START + 3600
    assert followups.get_followup(db, escalation.id).due_at == START + 20
    assert followups.due_followups(db, START + 3599) == []


def test_followups_need_an_existing_incident(db):
    with pytest.raises(sqlite3.IntegrityError, match=r"(?i)FOREIGN KEY"):
        schedule(db, 404, "ack_reminder", START)
