"""Case work at scale: a demo office of N cases (default 100,000), medians and p95.

Run: ``.venv/bin/python bench/bench_cases.py [--cases 100000] [--runs 15] [--keep DIR]``.
Measures unlock, the case list and search-as-you-type keystrokes as the list model asks
them, opening a case, saving a case, and the process RSS. The list model asks a new list
in two steps: the first screen (the first ``case_list.FIRST_PAGE`` ids and their first
page of rows) then the whole id list; both are reported. Beside each list measure, the
floor: the very SQL statements the services ran, replayed on raw SQLite (same build, no
key) over an unencrypted copy, and the ratio.
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

from bench.floor import Recorder, plain_copy, replay
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
ROWS = 100  # the list model's page: the rows asked with the first screen
FIRST_PAGE: int | None = getattr(case_list, "FIRST_PAGE", None)  # None: a version that asks in one step


def first_screen(handle: office.OfficeHandle, flt: CaseFilter) -> bool:
    """What the list model waits for before it paints rows; True if the whole list is still to come."""
    if FIRST_PAGE is None:
        ids = case_list.case_ids(handle, flt)
        case_list.case_rows(handle, ids[:ROWS])
        return False
    ids = case_list.first_case_ids(handle, flt, "opened_on", True, FIRST_PAGE)
    case_list.case_rows(handle, ids[:ROWS])
    return len(ids) >= FIRST_PAGE


def whole_list(handle: office.OfficeHandle, flt: CaseFilter) -> None:
    """The first screen, then (as the model asks it next) the whole id list."""
    if first_screen(handle, flt):
        case_list.case_ids(handle, flt)


def pct95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[round(0.95 * (len(ordered) - 1))]


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


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

    recorder = Recorder(handle)

    def list_measure(name: str, fn: Callable[[], object], runs: int) -> None:
        recorder.take()
        fn()  # once to record its statements (and warm the caches as an officer's first look would)
        statements = recorder.take()
        m, p = timed(fn, runs)
        recorder.take()
        floor_samples = [replay(floor, statements) for _ in range(runs)]
        rows.append((name, m, p, statistics.median(floor_samples)))

    open_cases = CaseFilter(status="open")
    list_measure("case list first screen", lambda: first_screen(handle, open_cases), args.runs)
    list_measure("case list, whole id list", lambda: whole_list(handle, open_cases), args.runs)

    first_samples: list[float] = []
    whole_samples: list[float] = []
    first_floor: list[float] = []
    whole_floor: list[float] = []
    for _ in range(max(1, args.runs // 5)):
        shown = ""
        for text in KEYSTROKES:
            effective = " ".join(t for t in text.split() if len(t) >= 3)
            if effective == shown:  # as the list model: 1-2 characters change nothing
                for samples in (first_samples, whole_samples, first_floor, whole_floor):
                    samples.append(0.0)
                continue
            shown = effective
            flt = CaseFilter(search=text)
            recorder.take()
            start = time.perf_counter()
            rest = first_screen(handle, flt)
            first_samples.append(time.perf_counter() - start)
            statements = recorder.take()
            if rest:
                case_list.case_ids(handle, flt)
            whole_samples.append(time.perf_counter() - start)
            first_floor.append(replay(floor, statements))
            whole_floor.append(replay(floor, statements + recorder.take()))
    rows.append(("search keystroke, first screen", statistics.median(first_samples), pct95(first_samples),
                 statistics.median(first_floor)))  # fmt: skip
    rows.append(("search keystroke, whole id list", statistics.median(whole_samples), pct95(whole_samples),
                 statistics.median(whole_floor)))  # fmt: skip

    broad = CaseFilter(search=BROAD)
    list_measure("search '0600' (74% match), first", lambda: first_screen(handle, broad), 5)
    list_measure("search '0600' (74% match), whole", lambda: whole_list(handle, broad), 5)
    recorder.close()

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
