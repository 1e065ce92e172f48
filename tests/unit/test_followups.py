"""The durable follow-ups end to end on fakes: followups.send_due then delivery.deliver_due,
driven by the hand-moved clock, checked through FakeSlack posts and the database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from care_bot.flows import followups, hr_report, intake, renders, tracking
from care_bot.outbox import delivery
from care_bot.roles import RoleDirectory
from care_bot.services import Services
from care_bot.storage import Store
from care_bot.storage import followups as followup_store
from care_bot.storage import incidents as incident_store
from tests.support.fake_slack import FakeSlack
from tests.support.report import file_report
from tests.support.world import (
    SECURITY_CHANNEL,
    START,
    SUPERVISORS_CHANNEL,
    USERS,
    Clock,
    care_toml,
    make_services,
    make_settings,
)

MINUTE = 60
HOUR = 3600
DAY = 86400
TOLD_ICS_TASK = "Associate notified the Internal Control Specialist (ICS)"
NY = ZoneInfo("America/New_York")

REPORTER = USERS["alice"]
SUPERVISOR = USERS["sam"]
RXM = USERS["rita"]
ICS = USERS["ivy"]
SECURITY = USERS["sec"]
SUPPORT_TEXT = "EAP: 1-800-555-0100"
BUSINESS_HOURS = 'business_hours = "09:00-17:00"'
ORDINARY = {"client_service": {"threat_kinds": ["abusive"]}}


def dm(user: str) -> str:
    """FakeSlack's DM channel id for a user."""
    return f"D{user}"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=NY).timestamp()


def build_services(tmp_path: Path, toml_text: str, db_path: Path, clock: Clock,
                   slack: FakeSlack) -> Services:
    """Services like tests/support/world.make_services, on a file-backed Store."""
    settings = make_settings(tmp_path, toml_text)
    store = Store(db_path)
    store.migrate()
    roles = RoleDirectory(settings.roles, slack.usergroup_members, clock=clock)
    return Services(settings=settings, store=store, slack=slack, roles=roles, clock=clock,
                    hooks=renders.delivery_hooks())


class World:
    """One filed report and helpers to sweep, read posts and read the database."""

    def __init__(self, services: Services, slack: FakeSlack, clock: Clock):
        self.services = services
        self.slack = slack
        self.clock = clock
        self.seen = 0
        self.incident_id: int | None = None

    # -- driving
    def file(self, danger: bool = False, urgent: bool = False) -> World:
        # an ordinary report: no physical threat, so the ordinary (not the urgent) ladder
        file_report(self.services, danger=danger, overrides=None if urgent else ORDINARY)
        with self.services.store.reading() as db:
            self.incident_id = db.execute("SELECT max(id) FROM incidents").fetchone()[0]
        self.deliver()
        self.take()
        return self

    def send_due(self) -> int:
        return followups.send_due(self.services)

    def deliver(self) -> None:
        while delivery.deliver_due(self.services):
            pass

    def sweep(self) -> list[dict]:
        """One sweep pass: turn due follow-ups into posts, deliver them; return new posts."""
        self.send_due()
        self.deliver()
        return self.take()

    def at(self, offset: float) -> list[dict]:
        """Set the clock to START + offset and sweep once."""
        self.clock.now = START + offset
        return self.sweep()

    def take(self) -> list[dict]:
        new = self.slack.posts[self.seen:]
        self.seen = len(self.slack.posts)
        return new

    # -- reading Slack
    def parent_ts(self, channel: str) -> str:
        return next(p["ts"] for p in self.slack.posts
                    if p["channel"] == channel and p["thread_ts"] is None)

    def where(self, post: dict) -> str:
        """"supervisors" / "security" for thread replies, "dm:<user>" for DMs."""
        channel = post["channel"]
        if channel == SUPERVISORS_CHANNEL and post["thread_ts"] == self.parent_ts(channel):
            return "supervisors"
        if channel == SECURITY_CHANNEL and post["thread_ts"] == self.parent_ts(channel):
            return "security"
        if channel.startswith("D"):
            return f"dm:{channel[1:]}"
        return f"other:{channel}"

    def places(self, posts: list[dict]) -> list[str]:
        return sorted(self.where(p) for p in posts)

    def parent_status(self, channel: str) -> str:
        """The status line of the latest rendering of the incident's parent in a channel."""
        ts = self.parent_ts(channel)
        renders = [p for p in self.slack.posts if p["ts"] == ts and p["channel"] == channel]
        renders += [u for u in self.slack.updates if u["ts"] == ts and u["channel"] == channel]
        message = renders[-1]
        for block in message["blocks"]:
            text = (block.get("text") or {}).get("text", "")
            if text.startswith(("*Awaiting", "*Acknowledged", "*Closed")):
                return text
        raise AssertionError(f"no status line in {message['blocks']}")

    # -- reading the database
    def incident(self):
        with self.services.store.reading() as db:
            return incident_store.get_incident(db, self.incident_id)

    def rows(self, kind: str | None = None, task: str | None = None) -> list[dict]:
        sql = "SELECT * FROM followups WHERE incident_id = ?"
        params: list = [self.incident_id]
        if kind:
            sql += " AND kind = ?"
            params.append(kind)
        if task is not None:
            sql += " AND task = ?"
            params.append(task)
        with self.services.store.reading() as db:
            return list(db.query(sql + " ORDER BY id", params))

    def pending(self) -> list[tuple[str, str, int, float]]:
        """(kind, task, rung, due offset) of every pending follow-up."""
        with self.services.store.reading() as db:
            return [(f.kind, f.task, f.rung, f.due_at - START)
                    for f in followup_store.pending_for(db, self.incident_id)]

    def outbox(self, like: str) -> list[dict]:
        with self.services.store.reading() as db:
            return list(db.query("SELECT * FROM outbox WHERE key LIKE ? ORDER BY id", [like]))

    # -- people acting
    def acknowledge(self, user: str = SUPERVISOR):
        outcome = tracking.acknowledge(self.services, user, self.incident_id, "channel")
        assert outcome.message is None, outcome.message
        return outcome

    def complete(self, tasks: list[str], user: str = SUPERVISOR):
        outcome = tracking.complete_tasks(self.services, user, self.incident_id, tasks, "")
        assert outcome.message is None and not outcome.errors, outcome
        return outcome

    def report_to_hr(self, user: str = SUPERVISOR):
        outcome = hr_report.report(self.services, user, self.incident_id, "channel")
        assert "Both tasks are done" in outcome.message, outcome
        return outcome

    def close(self, user: str = SECURITY):
        """Close the incident: management decides on the account (so none is owed), then
        security closes early."""
        decided = tracking.decide_account(self.services, USERS["mark"], self.incident_id,
                                          "keep", "No risk to the branch.")
        assert decided.message is None and not decided.errors, decided
        outcome = tracking.close_early(self.services, user, self.incident_id, "handled by phone")
        assert outcome.message is None and not outcome.errors, outcome
        assert self.incident().status == "closed"
        return outcome


def make_world(tmp_path: Path, extra: str = "", **reminders) -> World:
    # The safety plan's, the debrief's and the review's deadlines are far away unless a test
    # is about them.
    reminders = {"safety_plan_deadline": "30d", "danger_safety_plan_deadline": "30d",
                 "debrief_deadline": "30d", "review_deadline": "30d", **reminders}
    services, slack, clock = make_services(tmp_path, care_toml(reminders=reminders, extra=extra))
    return World(services, slack, clock)


def world_text(world: World, posts: list[dict], place: str) -> str:
    """The text of the one post in ``posts`` that went to ``place``."""
    return next(p["text"] for p in posts if world.where(p) == place)


def queued_for(world: World, kind: str) -> list[dict]:
    """The outbox rows queued for the (only) follow-up of a kind."""
    [row] = world.rows(kind)
    return world.outbox(f"%followup:{row['id']}")


def with_text(posts: list[dict], fragment: str) -> list[dict]:
    return [p for p in posts if fragment in p["text"]]


# Quiet settings: distinct ladder intervals, no wellbeing, task deadlines far away.
LADDER = {
    "ack_reminder": "15m", "ack_escalation": "40m", "ack_repeat": "25m", "ack_repeat_max": 2,
    "wellbeing_checkin": "off", "evaluate_deadline": "30d", "decision_deadline": "30d",
}
ESCALATION_PLACES = sorted(["supervisors", "security", f"dm:{SUPERVISOR}", f"dm:{USERS['rita']}"])
# Issue 15: a danger alert nobody took pages security again (thread + DM each member), then
# widens (the RXM, the supervisor and security by DM; @here and the supervisors role).
DANGER_REMIND_PLACES = sorted(["supervisors", "security", f"dm:{USERS['sec']}"])
DANGER_WIDEN_PLACES = sorted(["supervisors", "security", f"dm:{USERS['sam']}",
                              f"dm:{USERS['rita']}", f"dm:{USERS['sec']}"])


# --------------------------------------------------------------------- the acknowledgement ladder


def test_every_rung_of_the_ladder_in_order_with_exact_timings(tmp_path):
    world = make_world(tmp_path, **LADDER).file()
    ref = world.incident().ref
    reminder, escalation = 15 * MINUTE, 40 * MINUTE
    repeat_1, repeat_2 = escalation + 25 * MINUTE, escalation + 50 * MINUTE
    overdue = escalation + 75 * MINUTE

    assert world.at(reminder - 1) == []
    posts = world.at(reminder)
    assert world.places(posts) == ["supervisors"]
    assert "Reminder" in posts[0]["text"] and ref in posts[0]["text"]
    assert f"<@{SUPERVISOR}>" in posts[0]["text"]

    assert world.at(escalation - 1) == []
    posts = world.at(escalation)
    assert world.places(posts) == ESCALATION_PLACES
    by_place = {world.where(p): p["text"] for p in posts}
    assert f"<@{RXM}>" in by_place["supervisors"] and "Escalation" in by_place["supervisors"]
    assert ref in by_place["security"] and "still not acknowledged" in by_place["security"]
    assert ref in by_place[f"dm:{SUPERVISOR}"] and "acknowledgement" in by_place[f"dm:{SUPERVISOR}"]

    for due in (repeat_1, repeat_2):
        assert world.at(due - 1) == []
        posts = world.at(due)
        assert world.places(posts) == ESCALATION_PLACES
        assert f"<@{RXM}>" in world_text(world, posts, "supervisors")

    assert world.at(overdue - 1) == []
    assert not world.incident().overdue
    posts = world.at(overdue)
    assert world.places(posts) == ["security"]
    assert "overdue" in posts[0]["text"] and ref in posts[0]["text"]
    assert world.incident().overdue is True
    for channel in (SUPERVISORS_CHANNEL, SECURITY_CHANNEL):
        assert ":red_circle: *overdue*" in world.parent_status(channel)

    # The ladder has ended: nothing more, ever, until acknowledged.
    assert world.at(overdue + 10 * DAY) == []
    sent = [(r["kind"], r["rung"], r["due_at"] - START, r["done_at"] - START)
            for r in world.rows() if r["status"] == "sent" and r["kind"].startswith("ack")]
    assert sent == [
        ("ack_reminder", 0, reminder, reminder),
        ("ack_escalation", 0, escalation, escalation),
        ("ack_repeat", 1, repeat_1, repeat_1),
        ("ack_repeat", 2, repeat_2, repeat_2),
        ("ack_overdue", 0, overdue, overdue),
    ]


def test_ack_repeat_max_0_goes_from_escalation_straight_to_overdue(tmp_path):
    world = make_world(tmp_path, **{**LADDER, "ack_repeat_max": 0}).file()
    assert world.places(world.at(15 * MINUTE)) == ["supervisors"]
    assert world.places(world.at(40 * MINUTE)) == ESCALATION_PLACES
    assert world.at(65 * MINUTE - 1) == []
    assert world.places(world.at(65 * MINUTE)) == ["security"]
    assert world.incident().overdue is True
    assert not world.rows("ack_repeat")


def test_the_default_ladder_repeats_six_times_then_goes_overdue(tmp_path):
    world = make_world(tmp_path, wellbeing_checkin="off").file()
    assert world.places(world.at(15 * MINUTE)) == ["supervisors"]
    assert world.places(world.at(30 * MINUTE)) == ESCALATION_PLACES
    for n in range(1, 7):
        due = 30 * MINUTE + n * 30 * MINUTE
        assert world.at(due - 1) == []
        assert world.places(world.at(due)) == ESCALATION_PLACES
    assert world.places(world.at(4 * HOUR)) == ["security"]
    assert [r["rung"] for r in world.rows("ack_repeat")] == [1, 2, 3, 4, 5, 6]


def test_acknowledging_stops_the_ack_ladder(tmp_path):
    world = make_world(tmp_path, **LADDER).file()
    world.at(15 * MINUTE)
    assert world.places(world.at(40 * MINUTE)) == ESCALATION_PLACES
    world.clock.now = START + 50 * MINUTE
    world.acknowledge()
    world.deliver()
    world.take()
    ack_rows = [r for r in world.rows() if r["kind"].startswith("ack")]
    assert [r["status"] for r in ack_rows] == ["sent", "sent", "cancelled"]
    assert ack_rows[-1]["kind"] == "ack_repeat"
    # No more ladder posts, however long nobody does anything else (the report deadlines,
    # 4h after the acknowledgement, are the next thing due).
    for offset in (65 * MINUTE, 90 * MINUTE, 2 * HOUR, 3 * HOUR, 50 * MINUTE + 4 * HOUR - 1):
        assert world.at(offset) == []
    assert not world.incident().overdue
    later = world.at(50 * MINUTE + 10 * DAY)
    assert not with_text(later, "acknowledge") and not with_text(later, "overdue")


def test_acknowledging_one_incident_leaves_another_incidents_ladder_running(tmp_path):
    world = make_world(tmp_path, **LADDER).file()
    first = world.incident()
    world.file()
    second = world.incident()
    assert first.id != second.id
    world.acknowledge()  # the second incident
    world.deliver()
    world.take()
    posts = world.at(15 * MINUTE)
    assert len(posts) == 1 and "Reminder" in posts[0]["text"]
    assert first.ref in posts[0]["text"] and second.ref not in posts[0]["text"]
    assert posts[0]["channel"] == SUPERVISORS_CHANNEL


def test_acknowledging_clears_the_overdue_flag(tmp_path):
    world = make_world(tmp_path, **{**LADDER, "ack_repeat_max": 0}).file()
    for offset in (15 * MINUTE, 40 * MINUTE, 65 * MINUTE):
        world.at(offset)
    assert world.incident().overdue is True
    world.acknowledge()
    world.deliver()
    assert world.incident().overdue is False
    for channel in (SUPERVISORS_CHANNEL, SECURITY_CHANNEL):
        status = world.parent_status(channel)
        assert status.startswith("*Acknowledged*") and "overdue" not in status


def test_acknowledged_before_the_first_reminder_sends_no_ladder_at_all(tmp_path):
    world = make_world(tmp_path, **LADDER).file()
    world.clock.now = START + 5 * MINUTE
    world.acknowledge()
    world.deliver()
    world.take()
    for offset in (15 * MINUTE, 40 * MINUTE, 65 * MINUTE, 3 * HOUR):
        assert world.at(offset) == []
    assert {r["status"] for r in world.rows("ack_reminder")} == {"cancelled"}


def test_a_reminder_queued_before_the_acknowledgement_is_skipped_at_delivery(tmp_path):
    world = make_world(tmp_path, **LADDER).file()
    world.clock.now = START + 15 * MINUTE
    assert world.send_due() == 1  # the reminder is now an outbox row
    [row] = world.outbox("%followup:%")
    assert row["status"] == "pending"
    world.acknowledge()
    world.deliver()
    posts = world.take()
    assert not with_text(posts, "Reminder")
    assert [p for p in posts if "acknowledged" in p["text"]]  # the ack replies did go out
    [row] = world.outbox("%followup:%")
    assert (row["status"], row["error"]) == ("skipped", "already acknowledged")


def test_an_escalation_queued_before_the_acknowledgement_is_skipped_everywhere(tmp_path):
    world = make_world(tmp_path, **LADDER).file()
    world.at(15 * MINUTE)
    world.clock.now = START + 40 * MINUTE
    assert world.send_due() == 1
    queued = queued_for(world, "ack_escalation")
    assert len(queued) == 3  # supervisors thread, security thread, DM to the supervisor
    world.acknowledge()
    world.deliver()
    posts = world.take()
    assert not with_text(posts, "Escalation") and not with_text(posts, "needs your")
    assert {r["status"] for r in queued_for(world, "ack_escalation")} == {"skipped"}


# ------------------------------------------------------------------------------ danger incidents


def test_danger_incidents_use_the_danger_intervals(tmp_path):
    world = make_world(tmp_path, wellbeing_checkin="off", ack_repeat_max=1).file(danger=True)
    incident = world.incident()
    assert incident.danger and incident.created_at == START
    assert world.at(5 * MINUTE - 1) == []
    assert world.places(world.at(5 * MINUTE)) == DANGER_REMIND_PLACES
    assert world.at(10 * MINUTE - 1) == []
    assert world.places(world.at(10 * MINUTE)) == DANGER_WIDEN_PLACES
    assert world.at(20 * MINUTE - 1) == []
    assert world.places(world.at(20 * MINUTE)) == DANGER_WIDEN_PLACES
    assert world.incident().overdue is True  # flagged after ack_repeat_max repeats...
    assert world.at(30 * MINUTE - 1) == []
    assert world.places(world.at(30 * MINUTE)) == DANGER_WIDEN_PLACES  # ...and still paged


def test_the_danger_ladder_counts_from_the_alert_not_from_the_submission(tmp_path, monkeypatch):
    world = make_world(tmp_path, wellbeing_checkin="off", danger_ack_reminder="5m",
                       danger_ack_escalation="10m")
    real = intake.continue_after_emergency

    def slow_associate(*args, **kwargs):  # three minutes pass between alert and submission
        world.clock.advance(3 * MINUTE)
        return real(*args, **kwargs)

    monkeypatch.setattr(intake, "continue_after_emergency", slow_associate)
    world.file(danger=True)
    incident = world.incident()
    assert (incident.created_at, incident.submitted_at) == (START, START + 3 * MINUTE)
    assert [(k, r, due) for k, _, r, due in world.pending() if k.startswith("ack")] == [
        ("ack_reminder", 0, 5 * MINUTE),
    ]
    assert world.at(5 * MINUTE - 1) == []
    assert world.places(world.at(5 * MINUTE)) == DANGER_REMIND_PLACES
    assert world.at(10 * MINUTE - 1) == []
    assert world.places(world.at(10 * MINUTE)) == DANGER_WIDEN_PLACES


def test_the_danger_ladder_runs_while_the_report_is_still_being_written(tmp_path, monkeypatch):
    world = make_world(tmp_path, wellbeing_checkin="off")
    real = intake.continue_after_emergency
    seen: dict = {}

    def slow_associate(*args, **kwargs):  # the reminder falls due before the report is sent
        with world.services.store.reading() as db:
            world.incident_id = db.execute("SELECT max(id) FROM incidents").fetchone()[0]
        world.deliver()
        world.take()
        seen["status"] = world.incident().status
        seen["before"] = world.at(5 * MINUTE - 1)
        seen["at"] = world.at(5 * MINUTE)
        return real(*args, **kwargs)

    monkeypatch.setattr(intake, "continue_after_emergency", slow_associate)
    world.file(danger=True)
    assert seen["status"] == "alerted"
    assert seen["before"] == []
    assert world.places(seen["at"]) == DANGER_REMIND_PLACES
    [supervisors] = [p for p in seen["at"] if world.where(p) == "supervisors"]
    assert f"<@{SUPERVISOR}>" in supervisors["text"] and "with no responder" in supervisors["text"]
    # Submitting the report does not restart the ladder: the reminder is not sent again.
    assert [r["status"] for r in world.rows("ack_reminder")] == ["sent"]
    assert world.at(10 * MINUTE - 1) == []
    assert world.places(world.at(10 * MINUTE)) == DANGER_WIDEN_PLACES


# -------------------------------------------------------------------------------- task deadlines


TASKS = {
    "wellbeing_checkin": "off", "report_deadline": "4h", "task_escalation": "1d",
    "evaluate_deadline": "3d", "decision_deadline": "10d",
}


def test_reported_hr_deadline_reminds_the_supervisor_then_tells_the_rxm(tmp_path):
    world = make_world(tmp_path, **TASKS).file()
    ack_at = 10 * MINUTE
    world.clock.now = START + ack_at
    world.acknowledge()
    world.deliver()
    world.take()
    due = ack_at + 4 * HOUR
    assert ("task_due", "reported_hr", 0, due) in world.pending()
    assert ("task_due", "reported_security", 0, due) in world.pending()

    assert with_text(world.at(due - 1), "Reported to HR") == []
    posts = with_text(world.at(due), "Reported to HR")
    assert world.places(posts) == ["dm:" + SUPERVISOR, "supervisors"]
    assert all(f"<@{SUPERVISOR}>" in p["text"] and "Due now" in p["text"] for p in posts)

    escalate = due + DAY
    assert with_text(world.at(escalate - 1), "Reported to HR") == []
    posts = with_text(world.at(escalate), "Reported to HR")
    assert world.places(posts) == sorted(["dm:" + RXM, "security", "supervisors"])
    assert all(f"<@{RXM}>" in p["text"] and "Past due" in p["text"] for p in posts)
    assert with_text(world.at(escalate + 30 * DAY), "Reported to HR") == []
    assert [(r["kind"], r["status"]) for r in world.rows(task="reported_hr")] == [
        ("task_due", "sent"), ("task_overdue", "sent"),
    ]


def test_report_deadlines_start_only_at_acknowledgement(tmp_path):
    world = make_world(tmp_path, **TASKS).file()
    assert not world.rows(task="reported_hr")
    assert not world.rows(task="reported_security")


def test_reporting_to_hr_and_csr_before_the_deadline_stops_both_reminders(tmp_path):
    world = make_world(tmp_path, **TASKS).file()
    world.acknowledge()
    world.clock.now = START + HOUR
    world.report_to_hr()
    world.deliver()
    world.take()
    for task in ("reported_hr", "reported_security"):
        assert [r["status"] for r in world.rows(task=task)] == ["cancelled"]
    assert with_text(world.at(4 * HOUR), "Due now") == []
    assert with_text(world.at(4 * HOUR + DAY), "Past due") == []


def test_reporting_after_the_reminder_stops_the_next_level_escalation(tmp_path):
    world = make_world(tmp_path, **TASKS).file()
    world.acknowledge()
    assert with_text(world.at(4 * HOUR), "Reported to HR")
    world.clock.now = START + 5 * HOUR
    world.report_to_hr()
    world.deliver()
    world.take()
    posts = world.at(4 * HOUR + DAY)
    assert with_text(posts, "Reported to") == []
    assert [(r["kind"], r["status"]) for r in world.rows(task="reported_hr")] == [
        ("task_due", "sent"), ("task_overdue", "cancelled"),
    ]


def test_a_task_reminder_queued_before_the_report_is_skipped_at_delivery(tmp_path):
    world = make_world(tmp_path, **TASKS).file()
    world.acknowledge()
    world.deliver()
    world.take()
    world.clock.now = START + 4 * HOUR
    world.send_due()
    world.report_to_hr()
    world.deliver()
    posts = world.take()
    assert with_text(posts, "Due now") == []
    rows = [r for r in world.outbox("%followup:%") if "Due now" in r["payload"]]
    assert len(rows) == 4  # two tasks: supervisors thread and DM to the supervisor each
    assert {(r["status"], r["error"]) for r in rows} == {("skipped", "task already done")}


def test_ics_notified_deadline_reminds_the_reporter_then_tells_the_supervisor(tmp_path):
    world = make_world(tmp_path, **TASKS).file()
    world.acknowledge()  # stops the ack ladder, which is not under test here
    world.deliver()
    world.take()
    label = TOLD_ICS_TASK
    due = 3 * DAY
    assert with_text(world.at(due - 1), label) == []
    posts = with_text(world.at(due), label)
    assert world.places(posts) == ["dm:" + REPORTER, "supervisors"]
    assert all(f"<@{REPORTER}>" in p["text"] for p in posts)

    assert with_text(world.at(due + DAY - 1), label) == []
    posts = with_text(world.at(due + DAY), label)
    assert world.places(posts) == sorted(["dm:" + SUPERVISOR, "security", "supervisors"])
    assert all(f"<@{SUPERVISOR}>" in p["text"] and "Past due" in p["text"] for p in posts)


def test_completing_ics_notified_stops_its_reminders(tmp_path):
    world = make_world(tmp_path, **TASKS).file()
    world.acknowledge()
    world.clock.now = START + DAY
    world.complete(["ics_notified"], user=ICS)
    world.deliver()
    world.take()
    for offset in (3 * DAY, 4 * DAY, 5 * DAY):
        assert with_text(world.at(offset), TOLD_ICS_TASK) == []
    assert [r["status"] for r in world.rows(task="ics_notified")] == ["cancelled"]


def test_the_other_evaluate_tasks_and_the_account_decision_have_deadlines(tmp_path):
    world = make_world(tmp_path, **TASKS).file(urgent=True)  # urgent: a debrief too
    due = {(task, offset) for kind, task, _, offset in world.pending() if kind == "task_due"}
    assert due == {
        ("ics_notified", 3 * DAY), ("account_officer_contacted", 3 * DAY),
        ("client_notified", 3 * DAY), ("market_president_notified", 3 * DAY),
        ("account_decision", 10 * DAY), ("safety_plan", 30 * DAY),  # far away in make_world
        ("debrief", 30 * DAY),  # a physical threat is urgent: its supervisor debriefs
    }
    world.acknowledge()
    world.deliver()
    world.take()
    assert with_text(world.at(10 * DAY - 1), "local management decided") == []
    posts = with_text(world.at(10 * DAY), "local management decided")
    owner = USERS["mark"]  # the Market President owns the account decision
    assert world.places(posts) == ["dm:" + owner, "supervisors"]


# ---------------------------------------------------------------------------- wellbeing check-in


def test_the_wellbeing_checkin_is_a_dm_to_the_reporter_with_the_support_text(tmp_path):
    """Without [care_after], wellbeing_checkin is the first check-in; 3 and 14 days follow."""
    world = make_world(tmp_path, wellbeing_checkin="24h").file()
    world.acknowledge()
    world.deliver()
    world.take()
    for offset in (DAY, 3 * DAY, 14 * DAY):
        assert [p for p in world.at(offset - 1) if world.where(p) == f"dm:{REPORTER}"
                and SUPPORT_TEXT in p["text"]] == []
        posts = [p for p in world.at(offset) if world.where(p) == f"dm:{REPORTER}"
                 and "How are you doing" in p["text"]]
        assert len(posts) == 1
        assert SUPPORT_TEXT in posts[0]["text"] and world.incident().ref in posts[0]["text"]
    assert [p for p in world.at(30 * DAY) if world.where(p) == f"dm:{REPORTER}"
            and SUPPORT_TEXT in p["text"]] == []
    assert [r["status"] for r in world.rows("wellbeing")] == ["sent"] * 3


def test_no_wellbeing_checkin_when_it_is_off(tmp_path):
    world = make_world(tmp_path, wellbeing_checkin="off").file()
    assert world.rows("wellbeing") == []
    world.acknowledge()
    world.deliver()
    world.take()
    for offset in (DAY, 2 * DAY, 30 * DAY):
        assert [p for p in world.at(offset) if SUPPORT_TEXT in p["text"]] == []


# -------------------------------------------------------------------------------- business hours


def test_the_world_starts_on_monday_morning_in_new_york():
    local = datetime.fromtimestamp(START, NY)
    assert (local.strftime("%A"), local.hour, local.minute) == ("Monday", 10, 13)


def test_a_reminder_due_in_business_hours_is_sent_on_time(tmp_path):
    world = make_world(tmp_path, extra=BUSINESS_HOURS, **LADDER).file()
    assert world.at(15 * MINUTE - 1) == []
    assert world.places(world.at(15 * MINUTE)) == ["supervisors"]  # 10:28 New York


def test_a_reminder_due_after_closing_waits_for_the_next_opening(tmp_path):
    world = make_world(tmp_path, extra=BUSINESS_HOURS, wellbeing_checkin="off",
                       ack_reminder="7h", ack_escalation="8h").file()
    due = START + 7 * HOUR  # Monday 17:13:20 New York: closed
    tuesday_opening = utc(2026, 9, 22, 13, 0)  # 09:00 EDT
    assert tuesday_opening == ny(2026, 9, 22, 9, 0) == START + 82000
    assert world.at(due - START) == []
    [row] = world.rows("ack_reminder")
    assert (row["status"], row["due_at"]) == ("pending", tuesday_opening)
    assert f"<!date^{int(tuesday_opening)}^" in world.parent_status(SUPERVISORS_CHANNEL)
    assert world.at(tuesday_opening - START - 1) == []
    posts = world.at(tuesday_opening - START)
    assert world.places(posts) == ["supervisors"]
    assert "Reminder" in posts[0]["text"]


def test_a_reminder_due_on_friday_evening_waits_for_monday(tmp_path):
    world = make_world(tmp_path, extra=BUSINESS_HOURS, wellbeing_checkin="off",
                       ack_reminder="103h", evaluate_deadline="30d",
                       decision_deadline="30d").file()
    friday_evening = START + 103 * HOUR
    assert friday_evening == ny(2026, 9, 25, 17, 13) + 20
    monday_opening = utc(2026, 9, 28, 13, 0)
    assert monday_opening == ny(2026, 9, 28, 9, 0)
    assert world.at(friday_evening - START) == []
    assert world.rows("ack_reminder")[0]["due_at"] == monday_opening
    for saturday_or_sunday in (ny(2026, 9, 26, 12, 0), ny(2026, 9, 27, 12, 0)):
        assert world.at(saturday_or_sunday - START) == []
    assert world.at(monday_opening - START - 1) == []
    assert world.places(world.at(monday_opening - START)) == ["supervisors"]


def test_a_danger_incident_never_waits_for_business_hours(tmp_path):
    world = make_world(tmp_path, extra=BUSINESS_HOURS, wellbeing_checkin="off",
                       danger_ack_reminder="7h", danger_ack_escalation="8h").file(danger=True)
    assert world.at(7 * HOUR - 1) == []
    posts = world.at(7 * HOUR)  # Monday 17:13:20 New York, after closing
    assert world.places(posts) == DANGER_REMIND_PLACES
    assert world.places(world.at(8 * HOUR)) == DANGER_WIDEN_PLACES  # 18:13, still after closing


def test_a_wellbeing_checkin_due_at_night_waits_for_the_morning(tmp_path):
    world = make_world(tmp_path, extra=BUSINESS_HOURS, wellbeing_checkin="12h").file()
    world.acknowledge()
    world.deliver()
    world.take()
    assert [p for p in world.at(12 * HOUR) if SUPPORT_TEXT in p["text"]] == []  # 22:13 NY
    tuesday_opening = utc(2026, 9, 22, 13, 0)
    posts = world.at(tuesday_opening - START)
    assert len([p for p in posts if SUPPORT_TEXT in p["text"]]) == 1


# ----------------------------------------------------------------------------------------- close


def test_closing_cancels_every_follow_up_but_the_checkins(tmp_path):
    """Closing ends the paperwork's reminders; the associate's check-ins go on."""
    world = make_world(tmp_path, wellbeing_checkin="24h").file()
    world.acknowledge()
    world.at(15 * MINUTE)
    world.clock.now = START + HOUR
    world.close()
    world.deliver()
    world.take()
    assert [(kind, rung) for kind, _task, rung, _due in world.pending()] == [
        ("wellbeing", 1), ("wellbeing", 2), ("wellbeing", 3)]
    assert {r["kind"] for r in world.rows() if r["status"] == "cancelled"} == {
        "ack_reminder", "task_due",
    }
    assert world.at(4 * HOUR) == []
    for offset in (DAY, 3 * DAY):
        assert [p["text"].split("\n")[0] for p in world.at(offset)] == [
            f"How are you doing after {world.incident().ref}?"]
    for offset in (5 * DAY, 11 * DAY):
        assert world.at(offset) == []


def test_closing_before_acknowledgement_stops_the_ack_ladder(tmp_path):
    world = make_world(tmp_path, **LADDER).file()
    world.at(15 * MINUTE)
    world.clock.now = START + 20 * MINUTE
    world.close()
    world.deliver()
    world.take()
    for offset in (40 * MINUTE, 65 * MINUTE, 2 * HOUR, 40 * DAY):
        assert world.at(offset) == []
    assert world.incident().overdue is False


def test_a_follow_up_queued_before_closing_is_skipped_at_delivery(tmp_path):
    world = make_world(tmp_path, **LADDER).file()
    world.at(15 * MINUTE)
    world.clock.now = START + 40 * MINUTE
    world.send_due()
    world.close()
    world.deliver()
    posts = world.take()
    assert not with_text(posts, "Escalation") and not with_text(posts, "needs your")
    assert {(r["status"], r["error"]) for r in queued_for(world, "ack_escalation")} == {
        ("skipped", "incident closed"),
    }


def test_a_wellbeing_checkin_queued_before_closing_is_still_delivered(tmp_path):
    """Closing the incident's paperwork does not take back a check-in on its way."""
    world = make_world(tmp_path, wellbeing_checkin="24h").file()
    world.acknowledge()
    world.deliver()
    world.take()
    world.clock.now = START + DAY
    world.send_due()
    world.close()
    world.deliver()
    assert len([p for p in world.take() if SUPPORT_TEXT in p["text"]]) == 1


# ------------------------------------------------------------------------ the parent message


def test_the_parent_shows_the_next_reminder_while_one_is_pending(tmp_path):
    world = make_world(tmp_path, **LADDER).file()
    for channel in (SUPERVISORS_CHANNEL, SECURITY_CHANNEL):
        status = world.parent_status(channel)
        assert status.startswith("*Awaiting acknowledgement*")
        assert f"next reminder <!date^{int(START + 15 * MINUTE)}^{{time}}|" in status
    world.at(15 * MINUTE)
    for channel in (SUPERVISORS_CHANNEL, SECURITY_CHANNEL):
        assert f"next reminder <!date^{int(START + 40 * MINUTE)}^" in world.parent_status(channel)
    world.close()
    world.deliver()
    for channel in (SUPERVISORS_CHANNEL, SECURITY_CHANNEL):
        status = world.parent_status(channel)
        assert status.startswith("*Closed*") and "next reminder" not in status


def test_the_parent_next_reminder_ignores_the_wellbeing_checkin(tmp_path):
    world = make_world(tmp_path, wellbeing_checkin="1h", ack_reminder="2h",
                       ack_escalation="3h").file()
    assert f"next reminder <!date^{int(START + 2 * HOUR)}^" in world.parent_status(
        SUPERVISORS_CHANNEL
    )


# ------------------------------------------------------------------- durability and coalescing


def test_a_long_gap_in_the_repeat_phase_sends_one_repeat_per_pass_not_a_burst(tmp_path):
    world = make_world(tmp_path, wellbeing_checkin="off", ack_reminder="15m",
                       ack_escalation="30m", ack_repeat="30m", ack_repeat_max=6).file()
    world.at(15 * MINUTE)
    assert world.places(world.at(30 * MINUTE)) == ESCALATION_PLACES
    world.clock.advance(10 * 30 * MINUTE)  # ten repeat intervals in one jump
    woke = world.clock.now
    posts = world.sweep()
    assert len(posts) == len(ESCALATION_PLACES) and world.places(posts) == ESCALATION_PLACES
    for _ in range(5):
        assert world.sweep() == []  # further passes at the same moment send nothing
    repeats = world.rows("ack_repeat")
    assert [(r["rung"], r["status"]) for r in repeats] == [(1, "sent"), (2, "pending")]
    assert repeats[1]["due_at"] == woke + 30 * MINUTE  # scheduled from the late send
    assert world.at(woke - START + 30 * MINUTE - 1) == []
    assert world.places(world.at(woke - START + 30 * MINUTE)) == ESCALATION_PLACES
    assert len(world.rows("ack_repeat")) == 3


def test_a_long_gap_from_the_start_never_sends_a_burst_of_missed_rungs(tmp_path):
    world = make_world(tmp_path, wellbeing_checkin="off", evaluate_deadline="30d",
                       decision_deadline="30d", ack_reminder="15m", ack_escalation="30m",
                       ack_repeat="30m").file()
    world.clock.advance(10 * 30 * MINUTE)
    first = world.sweep()
    assert world.places(first) == ["supervisors"] and "Reminder" in first[0]["text"]
    later = []
    for _ in range(6):
        later += world.sweep()
    # At most the escalation follows at the same moment; no repeats for the missed intervals.
    assert len(later) in (0, 3)
    assert not world.rows("ack_repeat") or all(
        r["status"] == "pending" and r["due_at"] > world.clock.now
        for r in world.rows("ack_repeat")
    )
    assert len(with_text(world.slack.posts, "Reminder:")) == 1


def test_after_downtime_the_escalation_is_scheduled_from_the_late_reminder(tmp_path):
    world = make_world(tmp_path, **LADDER).file()
    world.clock.advance(10 * 25 * MINUTE)
    woke = world.clock.now
    assert world.places(world.sweep()) == ["supervisors"]
    assert world.sweep() == []  # the supervisor gets time to react to the reminder
    [row] = world.rows("ack_escalation")
    assert row["due_at"] == woke + (40 - 15) * MINUTE


def test_a_stale_due_list_does_not_handle_a_follow_up_twice(tmp_path, monkeypatch):
    world = make_world(tmp_path, **LADDER).file()
    real = followup_store.due_followups

    def twice(db, now, limit=100):  # as if two sweeps had read the same due rows
        rows = real(db, now, limit)
        return rows + rows

    monkeypatch.setattr(followup_store, "due_followups", twice)
    world.clock.now = START + 15 * MINUTE
    assert world.send_due() == 1
    world.deliver()
    assert world.places(world.take()) == ["supervisors"]
    assert len(world.rows("ack_escalation")) == 1


def test_send_due_twice_at_the_same_moment_queues_each_post_once(tmp_path):
    world = make_world(tmp_path, **LADDER).file()
    world.clock.now = START + 15 * MINUTE
    assert world.send_due() == 1
    assert world.send_due() == 0
    assert len(world.outbox("%followup:%")) == 1


def test_a_follow_up_that_fails_to_send_stays_due_and_is_sent_once_later(tmp_path, monkeypatch):
    world = make_world(tmp_path, **LADDER).file()
    real = followups._send
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk hiccup")
        return real(*args, **kwargs)

    monkeypatch.setattr(followups, "_send", flaky)
    world.clock.now = START + 15 * MINUTE
    assert world.sweep() == []
    [row] = world.rows("ack_reminder")
    assert row["status"] == "pending"  # rolled back: nothing half-done
    assert world.rows("ack_escalation") == []
    assert world.places(world.sweep()) == ["supervisors"]
    assert world.sweep() == []


def restart(world: World, tmp_path: Path, toml_text: str, db_path: Path) -> World:
    """Close the store and open a new one on the same file, like a bot restart."""
    world.services.store.close()
    services = build_services(tmp_path, toml_text, db_path, world.clock, world.slack)
    new = World(services, world.slack, world.clock)
    new.incident_id, new.seen = world.incident_id, world.seen
    return new


def test_after_a_restart_each_due_follow_up_is_sent_exactly_once(tmp_path):
    toml_text = care_toml(reminders={
        "ack_reminder": "15m", "ack_escalation": "30m", "ack_repeat": "30m",
        "wellbeing_checkin": "24h", "evaluate_deadline": "3d", "decision_deadline": "10d",
        "task_escalation": "1d",
    })
    db_path = tmp_path / "x.db"
    clock, slack = Clock(), FakeSlack()
    world = World(build_services(tmp_path, toml_text, db_path, clock, slack), slack,
                  clock).file(urgent=True)
    assert len(slack.posts) == 5
    world.services.store.close()

    # Down for three days and an hour: the reminder, several repeats, the wellbeing check-in
    # and four evaluate deadlines all fell due while nothing was running.
    clock.advance(3 * DAY + HOUR)
    world = restart(world, tmp_path, toml_text, db_path)
    woke = clock.now
    posts = []
    for _ in range(6):
        posts += world.sweep()
    assert len(with_text(posts, "Reminder:")) == 1
    assert len([p for p in posts if SUPPORT_TEXT in p["text"]]) == 1
    for label in (TOLD_ICS_TASK, "Internal Control Specialist (ICS) contacted the account officer",
                  "courtesy notice", "Market President notified"):
        due_now = with_text(with_text(posts, "Due now"), label)
        assert world.places(due_now)[-1] == "supervisors" and len(due_now) == 2, label
    assert len(with_text(posts, "Escalation:")) <= 1  # never one per missed interval
    assert world.rows("ack_repeat") == [] or all(
        r["status"] == "pending" for r in world.rows("ack_repeat")
    )
    assert not with_text(posts, "Past due")  # task escalations come a day after the send
    safety = with_text(with_text(posts, "Due now"), "Safety plan")
    assert world.places(safety) == sorted(["security", "dm:" + SECURITY, "dm:" + USERS["hana"]])
    # four evaluate tasks, the safety plan, the debrief (a physical threat is urgent)
    overdue = [r for r in world.rows("task_overdue")]
    assert len(overdue) == 6 and {r["due_at"] for r in overdue} == {woke + DAY}
    sent_rows = [r for r in world.rows() if r["status"] == "sent"]
    assert all(r["done_at"] == woke for r in sent_rows)
    with world.services.store.reading() as db:
        audited = db.execute(
            "SELECT count(*) FROM events WHERE incident_id = ? AND action = 'followup_sent'",
            [world.incident_id],
        ).fetchone()[0]
    assert audited == len(sent_rows)  # one audit event per handled row

    # Restart again; nothing already handled is handled or delivered a second time.
    count = len(slack.posts)
    world = restart(world, tmp_path, toml_text, db_path)
    for _ in range(3):
        assert world.sweep() == []
    assert len(slack.posts) == count

    # The ladder carries on from when the rungs were actually sent.
    escalation = world.rows("ack_escalation")
    assert len(escalation) == 1
    if escalation[0]["status"] == "pending":
        world.clock.now = escalation[0]["due_at"]
        assert world.places(world.sweep()) == ESCALATION_PLACES
    escalated_at = world.rows("ack_escalation")[0]["done_at"]
    [repeat] = world.rows("ack_repeat")
    assert (repeat["rung"], repeat["status"], repeat["due_at"]) == (
        1, "pending", escalated_at + 30 * MINUTE,
    )
    world.clock.now = repeat["due_at"] - 1
    assert world.sweep() == []
    world.clock.now = repeat["due_at"]
    assert world.places(world.sweep()) == ESCALATION_PLACES
    world.services.store.close()


def test_a_crash_between_queueing_and_delivery_delivers_each_post_once(tmp_path):
    toml_text = care_toml(reminders=LADDER)
    db_path = tmp_path / "x.db"
    clock, slack = Clock(), FakeSlack()
    world = World(build_services(tmp_path, toml_text, db_path, clock, slack), slack, clock).file()
    clock.now = START + 15 * MINUTE
    assert world.send_due() == 1  # the reminder is committed to the outbox ...
    world = restart(world, tmp_path, toml_text, db_path)  # ... and the process dies
    clock.advance(5)
    posts = world.sweep()
    assert world.places(posts) == ["supervisors"] and "Reminder" in posts[0]["text"]
    assert world.sweep() == []
    assert [r["status"] for r in world.rows("ack_reminder")] == ["sent"]
    assert [r["status"] for r in world.rows("ack_escalation")] == ["pending"]
    world.services.store.close()


def test_a_file_backed_store_keeps_the_schedule_across_a_restart(tmp_path):
    toml_text = care_toml(reminders=LADDER)
    db_path = tmp_path / "x.db"
    clock, slack = Clock(), FakeSlack()
    world = World(build_services(tmp_path, toml_text, db_path, clock, slack), slack, clock).file()
    before = world.pending()
    world = restart(world, tmp_path, toml_text, db_path)
    assert world.pending() == before
    assert world.at(15 * MINUTE - 1) == []
    assert world.places(world.at(15 * MINUTE)) == ["supervisors"]
    world.services.store.close()
