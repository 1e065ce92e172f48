"""Benchmark: matching a new report against 100,000 earlier reports (p50/p99; goal p99 < 20 ms).

Builds a file database (WAL, synchronous=FULL, as the bot runs it) with N earlier reports
naming people drawn from a skewed surname list (a few surnames are very common, so "J. Smith"
finds hundreds of candidates), each with its match-key digests and person link, as the bot
stores them. Then, for each new report, times ``flows.people.on_report`` inside the report's
transaction: key digests, the candidate lookup, comparing the candidates, storing the keys and
the link, and queueing "Seen before:" or suggestions. Half the new reports name someone seen
before (by name and ending, or by initial), half someone new.

Usage: python benchmarks/people_matching.py [--earlier 100000] [--runs 300] [--key]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from care_bot.domain import people as matching
from care_bot.flows import people as people_flow
from care_bot.storage import Store, incidents
from tests.support.world import make_services

GOAL_MS = 20.0
SYLLABLES = ["ka", "lo", "mi", "ren", "sa", "to", "vi", "dan", "el", "jo", "ra", "ne", "qu",
             "bel", "cor", "dor", "fa", "gil", "hal", "ix"]


def _word(number: int, parts: int) -> str:
    letters = []
    for _ in range(parts):
        number, digit = divmod(number, len(SYLLABLES))
        letters.append(SYLLABLES[digit])
    return "".join(letters).capitalize()


FIRST = [_word(n, 2) for n in range(400)]  # 400 given names
SURNAMES = [_word(n, 4) for n in range(20000)]
CUMULATIVE = list(itertools.accumulate(1 / (k + 10) for k in range(len(SURNAMES))))


def _person(rng: random.Random) -> tuple[str, str]:
    # Zipf-like: surname k has weight 1/(k+10): the commonest names about 1.3% of reports, as
    # the commonest surnames of a large country are.
    surname = rng.choices(SURNAMES, cum_weights=CUMULATIVE)[0]
    first = rng.choice(FIRST)
    return f"{first} {surname}", f"Checking ****{rng.randint(0, 9999):04d}"


def build(services, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """Insert ``count`` earlier reports with their keys and links; return who they named."""
    secret = services.settings.subject_key
    named = []
    now = time.time() - 86400 * 400
    with services.store.transaction() as db:
        for number in range(count):
            name, accounts = _person(rng)
            named.append((name, accounts))
            answers = {"client_name": name, "accounts": accounts, "threat_kinds": ["abusive"],
                       "branch": "downtown"}
            row = db.execute(
                "INSERT INTO incidents (ref, draft_id, reporter, status, danger, branch, answers,"
                " created_at, submitted_at) VALUES (?, ?, 'U0ALICE', 'closed', 0, 'downtown', ?,"
                " ?, ?)", [f"CARE-2025-{number + 1:06d}", f"bench-{number}", json.dumps(answers),
                           now + number, now + number]).lastrowid
            identity = matching.identity_of(answers)
            digests = {matching.digest(k, v, secret): k
                       for k, v in matching.match_keys(identity)}
            db.conn.executemany(
                "INSERT OR IGNORE INTO subject_keys (incident_id, kind, digest, keyed) "
                "VALUES (?, ?, ?, ?)", [(row, k, d, int(bool(secret))) for d, k in digests.items()])
            person = db.execute("INSERT INTO people (created_at) VALUES (?)", [now]).lastrowid
            db.execute("INSERT INTO person_reports (incident_id, person_id, how, linked_at) "
                       "VALUES (?, ?, 'first', ?)", [row, person, now])
    return named


def measure(services, named: list[tuple[str, str]], runs: int, rng: random.Random) -> list[float]:
    """Time on_report for ``runs`` new reports; return milliseconds."""
    times = []
    for number in range(runs):
        if number % 2:
            name, accounts = rng.choice(named)
            if number % 4 == 1:  # the same person written as an initial: a suggestion
                first, _, rest = name.partition(" ")
                name = f"{first[0]}. {rest}"
        else:
            name, accounts = _person(rng)
        answers = {"client_name": name, "accounts": accounts, "threat_kinds": ["physical"],
                   "branch": "downtown"}
        with services.store.transaction() as db:
            incident = incidents.create_incident(
                db, draft_id=f"new-{number}", reporter="U0ALICE", status="open", danger=False,
                branch="downtown", answers=answers, now=time.time())
            started = time.perf_counter()
            people_flow.on_report(db, services, incident, time.time())
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    """Build, measure and print p50/p99."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--earlier", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--key", action="store_true", help="with CARE_SUBJECT_KEY set")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="care-bench-people-"))
    services, _slack, _clock = make_services(workdir)
    services.store.close()
    services.store = Store.open(workdir / "care.db")
    if args.key:
        services.settings = dataclasses.replace(services.settings, subject_key=b"bench-key")
    rng = random.Random(20)
    started = time.perf_counter()
    named = build(services, args.earlier, rng)
    print(f"built {args.earlier} earlier reports in {time.perf_counter() - started:.1f} s")
    ms = sorted(measure(services, named, args.runs, rng))
    p99 = statistics.quantiles(ms, n=100, method="inclusive")[98]
    verdict = "meets" if p99 < GOAL_MS else "misses"
    with services.store.reading() as db:
        offered = db.execute("SELECT count(*) FROM link_suggestions").fetchone()[0]
        linked = db.execute("SELECT count(*) FROM events WHERE action = 'person_linked'"
                            ).fetchone()[0]
    print(f"matching a new report against {args.earlier} earlier reports, n={len(ms)}: "
          f"p50 {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms, max {ms[-1]:.2f} ms "
          f"({verdict} the {GOAL_MS:.0f} ms p99 goal); linked {linked}, suggested {offered}")
    services.store.close()
    return 0 if p99 < GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
