"""Importing a register into a busy office: a demo office of N cases, a register of L lines.

Run: ``.venv/bin/python bench/bench_import.py [--cases 20000] [--lines 2000] [--runs 3] [--keep DIR]``.
Measures, as medians over the runs: reading the file alone (the baseline: openpyxl
or csv, no database), the preview (reading + every line checked + the duplicate
search against the office), and the import (one transaction) into a fresh copy of
the office each run. Prints each beside the baseline, and per line.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl

from desktop.services import demo, office, register_import
from desktop.services.register_file import read_register
from desktop.services.register_import import NEW

PASSWORD = "mot-de-passe-bench"
HEADER = ["nom", "prenom", "nom_ar", "prenom_ar", "sexe", "date_naissance", "nationalite", "categorie",
          "date_premier_accueil", "telephone", "type_document", "numero_document", "besoins", "notes"]  # fmt: skip


def build_office(folder: Path, cases: int) -> Path:
    db = folder / "bench.baomdb"
    if not db.exists():
        print(f"building a demo office of {cases} cases in {folder} …", flush=True)
        code = (
            "import sys; from pathlib import Path; from desktop.services import demo; "
            f"demo.create_demo_office(Path(sys.argv[1]), {PASSWORD!r}, {cases}, 7)"
        )
        subprocess.run([sys.executable, "-c", code, str(db)], check=True, cwd=Path(__file__).resolve().parents[1])
    return db


def write_register(path: Path, lines: int, seed: int = 3) -> None:
    """Demo-like names (some will look like known persons), dates in 2023–2025."""
    rng = random.Random(seed)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for i in range(lines):
        (root, root_ar), (suffix, suffix_ar) = rng.choice(demo.ROOTS), rng.choice(demo.SUFFIXES)
        sex = rng.choice("FM")
        region = rng.choice(list(demo.GIVEN))
        given, given_ar = rng.choice(demo.GIVEN[region][sex])
        sheet.append([
            root + suffix, given, root_ar + suffix_ar, given_ar, sex,
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1960, 2006)}",
            rng.choice(["SN", "CI", "GN", "ML", "CM", "MA", "SY"]),
            rng.choice(["migrant", "transit", "MRE", "réfugié"]),
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2023, 2025)}",
            f"0600{i:06d}", "passport", f"ZZB{i:07d}", "santé|logement", "Ligne fictive de banc d'essai",
        ])  # fmt: skip
    book.save(path)


def median_of(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--lines", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="folder kept between runs (the demo office is built once)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="baom-bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = build_office(folder, args.cases)
    register = folder / f"registre-{args.lines}.xlsx"
    if not register.exists():
        write_register(register, args.lines)

    read = median_of(lambda: read_register(register), args.runs)
    previews: list[register_import.ImportPreview] = []

    def preview() -> None:
        with office.unlock(db, "admin", PASSWORD) as handle:
            previews.append(register_import.preview_import(handle, register))

    previewed = median_of(preview, args.runs)
    result = previews[-1]
    decisions = register_import.default_decisions(result, NEW)

    def import_into_copy() -> None:
        copy = folder / "copy.baomdb"
        for suffix in ("", ".keys"):
            shutil.copyfile(str(db) + suffix, str(copy) + suffix)
        with office.unlock(copy, "admin", PASSWORD) as handle:
            start = time.perf_counter()
            register_import.import_register(handle, result, decisions)
            imported.append(time.perf_counter() - start)

    imported: list[float] = []
    for _ in range(args.runs):
        import_into_copy()
    write = statistics.median(imported)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(result.lines)
    print(f"\n{args.cases} cases, register of {args.lines} lines (.xlsx), {args.runs} runs; "
          f"{len(result.problems)} problems, {len(result.to_decide)} lines look like known persons")  # fmt: skip
    print(f"{'measure':40} {'median':>10} {'per line':>10} {'× read':>8}")
    for name, seconds in (("read the file (baseline)", read), ("preview (check + duplicates)", previewed),
                          ("import (one transaction)", write)):  # fmt: skip
        print(f"{name:40} {seconds:9.2f}s {seconds / max(n, 1) * 1000:8.2f}ms {seconds / read:7.1f}×")
    print(f"{'peak RSS':40} {rss:8.0f}MB")


if __name__ == "__main__":
    main()
