"""Duplicate check while typing: time per probe on a large office, with recall and false alarms.

Run: ``.venv/bin/python bench/bench_duplicates.py [--persons 20000] [--probes 200] [--window-index]``.
Builds a temporary encrypted office of synthetic, fictitious persons (the generator of
tests/services/test_duplicates.py), then times :func:`find_duplicates` on planted
spelling variants and on strangers. Target: median well under 50 ms at 100,000 persons.
Not a test: machines are noisy.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.services import office  # noqa: E402
from desktop.services.duplicates import WINDOW_INDEX, find_duplicates  # noqa: E402
from tests.services.test_duplicates import (  # noqa: E402
    insert_people,
    new_probe,
    planted_probe,
    synthetic_people,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument(
        "--window-index",
        action="store_true",
        help=f"add the proposed ({WINDOW_INDEX}) index on person(birth_year, name_key) first",
    )
    args = parser.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        handle, _code = office.create_office(
            Path(folder) / "bench.baomdb",
            commune_code="09.541.01.11.",
            office_name="BAOM Bench (fictif)",
            admin_login="admin",
            admin_name="Admin Bench",
            admin_password="mot-de-passe-bench",
        )
        with handle:
            taken: set[str] = set()
            start = time.perf_counter()
            people = synthetic_people(rng, args.persons, taken)
            ids = insert_people(handle, people)
            print(f"{args.persons} persons built in {time.perf_counter() - start:.1f} s")
            if args.window_index:
                with handle.transaction() as session:
                    session.execute(text(f"CREATE INDEX {WINDOW_INDEX} ON person (birth_year, name_key)"))
                print(f"with index {WINDOW_INDEX}")
            times: list[float] = []
            found = 0
            for index in rng.sample(range(len(people)), args.probes):
                probe = planted_probe(rng, people[index])
                t0 = time.perf_counter()
                hits = find_duplicates(handle, probe)
                times.append(time.perf_counter() - t0)
                found += ids[index] in [c.person_id for c in hits]
            alarms = 0
            for stranger in synthetic_people(rng, args.probes, taken):
                t0 = time.perf_counter()
                hits = find_duplicates(handle, new_probe(stranger))
                times.append(time.perf_counter() - t0)
                alarms += bool(hits)
            unknown_year: list[float] = []
            for index in rng.sample(range(len(people)), 20):
                probe = planted_probe(rng, people[index])
                probe = type(probe)(parts=probe.parts, birth_year=None, birth_date=None)
                t0 = time.perf_counter()
                find_duplicates(handle, probe)
                unknown_year.append(time.perf_counter() - t0)
    times.sort()
    print(f"recall {found / args.probes:.3f}   false alarms {alarms / args.probes:.3f}")
    print(
        f"per probe: median {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms "
        f"(birth year known, {len(times)} probes)"
    )
    print(f"birth year unknown (whole office scanned): median {statistics.median(unknown_year) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
