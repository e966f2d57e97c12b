"""Case work at scale: a demo office of N cases (default 100,000), medians and p95.

Run: ``.venv/bin/python bench/bench_cases.py [--cases 100000] [--runs 15] [--keep DIR]``.
Measures unlock, first screen of the case list (ids + 50 rows), search-as-you-type
keystrokes, opening a case, saving a case, and the process RSS. Beside each, the
same query on raw SQLite (same build, no key) over an unencrypted copy (the floor), and the ratio.
Targets (issue 3): list first screen <= 200 ms, keystroke p95 <= 50 ms, open <= 100 ms,
save <= 50 ms, RSS <= 300 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlcipher3

from desktop.services import case_list, cases, office
from desktop.services.case_types import CaseFilter, ContactInput

PASSWORD = "mot-de-passe-bench"
KEYSTROKES = [
    "f",
    "fi",
    "fic",
    "fict",
    "ficti",
    "fictiv",
    "fictivi",
    "ex",
    "exe",
    "exem",
    "exempl",
    "محم",
    "0600",
    "ZZP1",
]
# Every demo phone starts 0600 (the fictitious range): this prefix matches ~74% of people,
# a worst case reported on its own line.
BROAD = "0600"


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def plain_copy(handle: office.OfficeHandle, folder: Path) -> Path:
    """An unencrypted copy for the floor measurements (bench only)."""
    target = folder / "plain.sqlite"
    target.unlink(missing_ok=True)
    raw = handle.engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        conn.execute(f"ATTACH DATABASE '{target}' AS plain KEY ''")
        conn.execute("SELECT sqlcipher_export('plain')").fetchall()
        conn.execute("DETACH DATABASE plain")
    finally:
        raw.close()
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="reuse/keep the demo office in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="baom-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "bench.baomdb"
    if not db.exists():  # built by another process, so the RSS below is the working set only
        started = time.perf_counter()
        env = dict(os.environ, BAOM_PASSWORD=PASSWORD)
        subprocess.run(
            [sys.executable, "-m", "desktop.cli", "demo", "--db", str(db), "--cases", str(args.cases), "--seed", "1"],
            check=True, env=env, stdout=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[1],
        )  # fmt: skip
        print(f"demo office of {args.cases} cases built in {time.perf_counter() - started:.0f} s")
    unlock_median, unlock_p95 = timed(lambda: office.unlock(db, "admin", PASSWORD).close(), 5)
    handle = office.unlock(db, "admin", PASSWORD)
    plain = plain_copy(handle, folder)
    # The floor: the same SQLite build (sqlcipher3's, for FTS5 trigram options) without encryption.
    floor = sqlcipher3.connect(str(plain))
    rows: list[tuple[str, float, float, float | None]] = [("unlock (Argon2id + open)", unlock_median, unlock_p95, None)]

    def first_screen() -> None:
        ids = case_list.case_ids(handle, CaseFilter(status="open"))
        case_list.case_rows(handle, ids[:50])

    def first_screen_floor() -> None:
        ids = [r[0] for r in floor.execute(
            "SELECT c.id FROM case_file c WHERE c.closed_on IS NULL ORDER BY c.opened_on DESC, c.id DESC")]  # fmt: skip
        marks = ",".join("?" * 50)
        floor.execute(
            f"SELECT * FROM case_file c JOIN person p ON p.id = c.person_id WHERE c.id IN ({marks})", ids[:50]
        ).fetchall()

    m, p = timed(first_screen, args.runs)
    fm, _ = timed(first_screen_floor, args.runs)
    rows.append(("case list first screen", m, p, fm))

    keystroke_samples: list[float] = []
    floor_samples: list[float] = []
    for _ in range(max(1, args.runs // 5)):
        shown = ""
        for text in KEYSTROKES:
            start = time.perf_counter()
            effective = " ".join(t for t in text.split() if len(t) >= 3)
            if effective != shown:  # as the list model: 1-2 characters change nothing
                ids = case_list.case_ids(handle, CaseFilter(search=text))
                case_list.case_rows(handle, ids[:50])
                shown = effective
            keystroke_samples.append(time.perf_counter() - start)
            start = time.perf_counter()
            if len(text) >= 3:  # the floor of a keystroke: the bare trigram match
                floor.execute("SELECT rowid FROM case_search WHERE case_search MATCH ?", (f'"{text}"',)).fetchall()
            floor_samples.append(time.perf_counter() - start)
    keystroke_samples.sort()
    rows.append((
        "search keystroke",
        statistics.median(keystroke_samples),
        keystroke_samples[round(0.95 * (len(keystroke_samples) - 1))],
        statistics.median(floor_samples),
    ))  # fmt: skip

    m, p = timed(lambda: case_list.case_rows(handle, case_list.case_ids(handle, CaseFilter(search=BROAD))[:50]), 5)
    fm, _ = timed(
        lambda: floor.execute("SELECT rowid FROM case_search WHERE case_search MATCH ?", (f'"{BROAD}"',)).fetchall(), 5
    )
    rows.append(("search '0600' (74% of cases match)", m, p, fm))

    some_ids = case_list.case_ids(handle, CaseFilter())[:: max(1, args.cases // args.runs)][: args.runs]
    iterator = iter(some_ids * 3)
    m, p = timed(lambda: cases.get_case(handle, next(iterator)), len(some_ids))
    rows.append(("open a case", m, p, None))
    iterator2 = iter(some_ids * 3)
    m, p = timed(
        lambda: cases.add_contact(handle, next(iterator2), ContactInput(date.today(), "suivi", note="Suivi fictif.")),
        len(some_ids),
    )
    rows.append(("save (add a contact)", m, p, None))
    detail = cases.get_case(handle, some_ids[0])
    iterator3 = iter(range(1000))
    m, p = timed(lambda: (next(iterator3), cases.update_person(handle, detail.person_id, detail.person)), args.runs)
    rows.append(("save (identity + search index)", m, p, None))
    handle.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{args.cases} cases, {args.runs} runs; machine: {os.cpu_count()} cores")
    print(f"{'measure':34} {'median':>10} {'p95':>10} {'floor':>10} {'ratio':>7}")
    for name, median, p95, floor_median in rows:
        floor_text = f"{floor_median * 1000:8.2f}ms" if floor_median else f"{'':10}"
        ratio = f"{median / floor_median:6.1f}x" if floor_median else ""
        print(f"{name:34} {median * 1000:8.2f}ms {p95 * 1000:8.2f}ms {floor_text} {ratio:>7}")
    print(f"{'peak RSS':34} {rss_mb:8.0f}MB")


if __name__ == "__main__":
    main()
