"""Unlock cost: Argon2id key slot, SQLCipher open, full unlock — beside plain sqlite3.

Run: ``.venv/bin/python bench/bench_unlock.py [--runs 7]``. Prints medians and the
ratio to the plain-sqlite3 open measured in the same run (machines are noisy).
Target (foundation issue): key derivation about 0.3-0.5 s on a 2-core PC.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop.db.engine import raw_connect
from desktop.db.keys import KeyFile, keys_path
from desktop.services import office

PASSWORD = "mot-de-passe-bench"


def _median(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ.pop("BAOM_INSECURE_FAST_KDF_FOR_TESTS", None)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.baomdb"
        handle, _code = office.create_office(
            db,
            commune_code="09.001.01.01.",
            office_name="BAOM Bench (fictif)",
            admin_login="admin",
            admin_name="Admin Bench",
            admin_password=PASSWORD,
        )
        key = handle.key
        handle.close()
        plain = Path(tmp) / "plain.sqlite"
        with sqlite3.connect(plain) as conn:
            conn.execute("CREATE TABLE t(x)")

        def plain_open() -> None:
            conn = sqlite3.connect(plain)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.close()

        def cipher_open() -> None:
            raw_connect(db, key).close()

        def derive() -> None:
            KeyFile.load(keys_path(db)).unwrap_user("admin", PASSWORD)

        def unlock() -> None:
            office.unlock(db, "admin", PASSWORD).close()

        baseline, _ = _median(plain_open, args.runs * 5)
        rows = [
            ("plain sqlite3 open (baseline)", baseline, None),
            ("SQLCipher open, raw key", *_median(cipher_open, args.runs * 5)),
            ("Argon2id key slot unwrap", *_median(derive, args.runs)),
            ("full unlock (slot+open+audit)", *_median(unlock, args.runs)),
        ]
    print(f"{'measure':34} {'median':>10} {'p95':>10} {'x baseline':>12}")
    for name, median, p95 in rows:
        ratio = median / baseline
        p95_text = f"{p95 * 1000:8.2f}ms" if p95 is not None else f"{'':10}"
        print(f"{name:34} {median * 1000:8.2f}ms {p95_text} {ratio:11.0f}x")


if __name__ == "__main__":
    main()
