"""``python -m care_bot export``: the same CSV written to a file, each export audited."""

from __future__ import annotations

import csv
import os
import stat

from care_bot import commands as cli
from care_bot.storage import Store, reports
from care_bot.views import export
from tests.support.report import file_report
from tests.support.world import make_services


def _filed_db(tmp_path):
    db_path = tmp_path / "care.db"
    services, _, _ = make_services(tmp_path, path=str(db_path))
    file_report(services)
    services.store.close()
    return db_path


def _env(monkeypatch, tmp_path, db_path):
    monkeypatch.setenv("CARE_DB_PATH", str(db_path))
    monkeypatch.setenv("CARE_CONFIG", str(tmp_path / "care.toml"))
    monkeypatch.setenv("PYTHON_DOTENV_DISABLED", "1")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)


def test_cli_export_writes_the_csv_privately_and_records_it(tmp_path, monkeypatch):
    db_path = _filed_db(tmp_path)
    _env(monkeypatch, tmp_path, db_path)
    out = tmp_path / "out.csv"
    assert cli.main(["export", "--since", "2026-01-01", "--out", str(out)]) == 0
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1 and list(rows[0]) == export.columns()
    assert rows[0]["client_name"] == export.WITHHELD
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    store = Store(db_path)
    with store.reading() as db:
        [event] = [e for e in reports.events_of(db, [1])[1] if e.action == "exported"]
    store.close()
    assert event.actor.startswith("cli:") and event.surface == "cli"


def test_cli_export_with_client_details_and_since_in_the_future(tmp_path, monkeypatch):
    db_path = _filed_db(tmp_path)
    _env(monkeypatch, tmp_path, db_path)
    out = tmp_path / "out.csv"
    assert cli.main(["export", "--with-client-details", "--out", str(out)]) == 0
    assert "John Q. Client" in out.read_text()
    assert cli.main(["export", "--since", "2031-01-01", "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 1  # the header only


def test_cli_export_refuses_bad_input(tmp_path, monkeypatch, capsys):
    db_path = _filed_db(tmp_path)
    _env(monkeypatch, tmp_path, db_path)
    assert cli.main(["export", "--since", "last week", "--out", "x.csv"]) == 2
    monkeypatch.setenv("CARE_DB_PATH", str(tmp_path / "missing.db"))
    assert cli.main(["export", "--out", "x.csv"]) == 2
    assert cli.main(["nonsense"]) == 2
    assert cli.main([]) == 0
    assert "export" in capsys.readouterr().out
