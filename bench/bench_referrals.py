"""Referrals at scale: the demo office of N cases (default 100,000, ~150,000 referrals), medians and p95.

Run: ``.venv/bin/python bench/bench_referrals.py [--cases 100000] [--runs 15] [--keep DIR]``.
Measures, as the screens ask them: the overdue list ("à relancer", ``referrals.overdue``),
the home screen's overdue count, a reference-code lookup (``referrals.find_by_code``, a
different code typed each run, lower case with its dash), the directory filtered by
domain and area (``directory.list_providers``, a different pair each run), the referral
log's newest 5,000 and a case's referrals. Beside each measure, the floor: the very SQL
statements the service ran, replayed on raw SQLite (sqlcipher3's build, no key, the same
page cache and temp store as the office's engine) over an unencrypted copy, and the ratio.
``--explain`` prints SQLite's plan for each statement.

Then variants, measured here only (the services are unchanged): the overdue queries with
the partial index's condition written as literals (SQLite uses a partial index only when
the query repeats its WHERE terms, and a bound parameter is not the literal 'sent'), and
the referral log's SQL with an index on ``created_on`` (created inside a transaction that
is rolled back on the office, created then dropped on the copy).
Targets (issue 4): overdue list <= 200 ms, code lookup <= 20 ms, directory filter <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlcipher3
from sqlalchemy import func, select, text

from bench.floor import Recorder, plain_copy, replay
from desktop.db.models import Case, Provider, Referral, ReferralEvent
from desktop.domain import codelists
from desktop.domain import referrals as rules
from desktop.services import directory, office, referrals
from desktop.services.referral_types import DirectoryFilter, ReferralFilter

PASSWORD = "mot-de-passe-bench"
AREAS = ("09.001.01.01.", "09.273.01.15.", "09.273.01.05.", "09.541.01.13.", "09.581.01.07.", "09.551.01.07.")
LOG_LIMIT = 1000  # the referral log's page (desktop/ui/pages/referrals/log_view.py)
# ix_referral_waiting's WHERE, verbatim: with it, SQLite may use the partial index
WAITING_LITERAL = text("referral.state IN ('sent', 'acknowledged') AND referral.counter_received_on IS NULL")
LOG_INDEX = "CREATE INDEX ix_bench_referral_created_on ON referral (created_on)"


def pct95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[round(0.95 * (len(ordered) - 1))]


@dataclass
class Row:
    name: str
    median: float
    p95: float
    floor: float
    target_ms: float | None
    note: str = ""


class Bench:
    def __init__(self, handle: office.OfficeHandle, floor: sqlcipher3.Connection, runs: int, explain: bool) -> None:
        self.handle = handle
        self.floor = floor
        self.runs = runs
        self.explain = explain
        self.recorder = Recorder(handle)
        self.rows: list[Row] = []
        self.statements: dict[str, list[tuple[str, Any]]] = {}

    def measure(self, name: str, fn: Callable[[], object], target_ms: float | None = None, note: str = "") -> None:
        """``fn`` once to warm up (an officer's first look), then ``runs`` timed calls, each replayed on the copy."""
        self.recorder.take()
        fn()
        warm = self.recorder.take()
        self.statements[name] = warm
        if self.explain:
            self._explain(name, warm)
        samples: list[float] = []
        floors: list[float] = []
        for _ in range(self.runs):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
            floors.append(replay(self.floor, self.recorder.take()))
        self.rows.append(Row(name, statistics.median(samples), pct95(samples), statistics.median(floors), target_ms,
                             note))  # fmt: skip

    def _explain(self, name: str, statements: list[tuple[str, Any]]) -> None:
        print(f"\n-- {name}")
        for statement, parameters in statements:
            print("   " + " ".join(statement.split())[:160])
            for _id, _parent, _unused, detail in self.floor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters):
                print(f"      {detail}")

    def report(self, header: str) -> bool:
        print(f"\n{header}")
        print(f"{'measure':40} {'median':>10} {'p95':>10} {'floor':>10} {'ratio':>7} {'target':>9}")
        ok = True
        for r in self.rows:
            if r.name.startswith("--"):
                print(r.name)
                continue
            ratio = f"{r.median / r.floor:6.1f}x" if r.floor else ""
            verdict = ""
            if r.target_ms is not None:
                met = r.median * 1000 <= r.target_ms
                ok = ok and met
                verdict = f"{'<=' if met else '>'}{r.target_ms:4.0f}ms {'ok' if met else 'MISSED'}"
            print(f"{r.name:40} {r.median * 1000:8.2f}ms {r.p95 * 1000:8.2f}ms {r.floor * 1000:8.2f}ms {ratio:>7} "
                  f"{verdict}{'  ' + r.note if r.note else ''}")  # fmt: skip
        return ok


def sql_only(conn: sqlcipher3.Connection, statements: list[tuple[str, Any]], runs: int) -> tuple[float, float]:
    samples = [replay(conn, statements) for _ in range(runs)]
    return statistics.median(samples), pct95(samples)


# -- variants (bench only) -------------------------------------------------------------------
def overdue_literal(handle: office.OfficeHandle, today: Any) -> int:
    """referrals.overdue with the waiting condition as literals (same rows, same row building)."""
    query = (
        referrals._rows_query()
        .where(WAITING_LITERAL, Referral.due_on < today, Referral.direction == "outgoing")
        .order_by(Referral.due_on, Referral.id)
    )
    with handle.transaction() as session:
        return len([referrals._row(r, c, p, pr, today) for r, c, p, pr in session.execute(query)])


def overdue_count_literal(handle: office.OfficeHandle, today: Any) -> dict[str, int]:
    query = (
        select(Referral.urgency, func.count())
        .where(WAITING_LITERAL, Referral.due_on < today, Referral.direction == "outgoing")
        .group_by(Referral.urgency)
    )
    with handle.transaction() as session:
        return {urgency: int(n) for urgency, n in session.execute(query)}


def log_with_index(bench: Bench, handle: office.OfficeHandle, floor: sqlcipher3.Connection, name: str) -> None:
    """The log's recorded SQL on the office and on the copy, without and with an index on created_on."""
    statements = bench.statements[name]
    raw = handle.engine.raw_connection()
    try:
        office_conn = raw.driver_connection
        assert office_conn is not None
        before = sql_only(office_conn, statements, bench.runs)
        floor_before = sql_only(floor, statements, bench.runs)
        office_conn.execute("BEGIN")
        try:
            office_conn.execute(LOG_INDEX)
            after = sql_only(office_conn, statements, bench.runs)
        finally:
            office_conn.execute("ROLLBACK")
    finally:
        raw.close()
    floor.execute(LOG_INDEX)
    try:
        floor_after = sql_only(floor, statements, bench.runs)
        if bench.explain:
            bench._explain(f"{name}, with {LOG_INDEX}", statements)
    finally:
        floor.execute("DROP INDEX ix_bench_referral_created_on")
    bench.rows.append(Row("V log SQL only, as is", *before, floor_before[0], None))
    bench.rows.append(Row("V log SQL only, index on created_on", *after, floor_after[0], None))


def cycle(items: list[Any]) -> Iterator[Any]:
    while True:
        yield from items


def build(db: Path, cases: int) -> None:
    """The demo office, built by another process (as ``baom demo`` would)."""
    started = time.perf_counter()
    env = dict(os.environ, BAOM_PASSWORD=PASSWORD)
    subprocess.run(
        [sys.executable, "-m", "desktop.cli", "demo", "--db", str(db), "--cases", str(cases), "--seed", "1"],
        check=True, env=env, stdout=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    print(f"demo office of {cases} cases built in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="reuse/keep the demo office in this folder")
    parser.add_argument("--explain", action="store_true", help="print SQLite's plan of every statement")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="baom-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "bench.baomdb"
    if not db.exists():
        build(db, args.cases)
    handle = office.unlock(db, "admin", PASSWORD)
    plain = plain_copy(handle, folder)
    floor = sqlcipher3.connect(str(plain))
    floor.execute("PRAGMA cache_size = -32768")  # as the office's engine (desktop/db/engine.py)
    floor.execute("PRAGMA temp_store = MEMORY")
    today = rules.office_today()
    rng = random.Random(4)
    with handle.transaction() as session:
        counts = {
            "cases": session.scalar(select(func.count()).select_from(Case)) or 0,
            "referrals": session.scalar(select(func.count()).select_from(Referral)) or 0,
            "referral events": session.scalar(select(func.count()).select_from(ReferralEvent)) or 0,
            "providers": session.scalar(select(func.count()).select_from(Provider)) or 0,
        }
        total = counts["referrals"]
        codes = [
            session.scalar(select(Referral.code).where(Referral.id == rng.randint(1, total)))
            for _ in range(args.runs + 1)
        ]
        busiest = session.scalar(
            select(Referral.case_id).group_by(Referral.case_id).order_by(func.count().desc()).limit(1)
        )
    bench = Bench(handle, floor, args.runs, args.explain)

    late: list[int] = []
    bench.measure("overdue list (à relancer)", lambda: late.append(len(referrals.overdue(handle, today))), 200)
    bench.measure("overdue count (home screen)", lambda: referrals.overdue_count(handle, today))

    typed = cycle([rules.display_code(c).lower() for c in codes if c])
    bench.measure("reference-code lookup", lambda: referrals.find_by_code(handle, next(typed)), 20)

    pairs = [(d, a) for d in codelists.SERVICE_DOMAINS if d != "other" for a in AREAS]
    rng.shuffle(pairs)
    filters = cycle([DirectoryFilter(domain=d, area=a) for d, a in pairs])
    found: list[int] = []
    bench.measure(
        "directory filter (domain + area)",
        lambda: found.append(len(directory.list_providers(handle, next(filters), today))),
        50,
    )
    bench.measure("directory, whole list (log's chooser)", lambda: directory.list_providers(
        handle, DirectoryFilter(include_inactive=True), today))  # fmt: skip

    bench.measure(f"referral log, newest {LOG_LIMIT}", lambda: referrals.referral_rows(
        handle, ReferralFilter(), today, LOG_LIMIT))  # fmt: skip
    bench.measure("referral log, overdue only", lambda: referrals.referral_rows(
        handle, ReferralFilter(overdue_only=True), today, LOG_LIMIT))  # fmt: skip
    if busiest is not None:
        bench.measure("a case's referrals (case tab)", lambda: referrals.case_referrals(handle, busiest, today))

    variants = len(bench.rows)
    bench.measure("V overdue list, literal waiting terms", lambda: overdue_literal(handle, today), 200)
    bench.measure("V overdue count, literal waiting terms", lambda: overdue_count_literal(handle, today))
    bench.recorder.close()
    log_with_index(bench, handle, floor, f"referral log, newest {LOG_LIMIT}")
    handle.close()

    summary = ", ".join(f"{n:,} {name}" for name, n in counts.items())
    per_case = counts["referrals"] / max(1, counts["cases"])
    bench.rows.insert(variants, Row("-- variants (bench only, services unchanged)", 0, 0, 0, None))
    ok = bench.report(
        f"{summary} ({per_case:.2f} referrals per case); {late[-1] if late else 0} overdue today; "
        f"directory filter: {statistics.mean(found):.1f} providers on average; "
        f"{args.runs} runs; machine: {os.cpu_count()} cores"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
