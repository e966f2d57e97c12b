"""A region at scale: 16 communes x 24 months of extracts imported, then the region's figures.

Run: ``.venv/bin/python bench/bench_region.py [--cases 4000] [--communes 16] [--months 24] [--runs 3]
[--keep DIR] [--no-duckdb]``.

Data: one demo office of ``--cases`` cases extracts its last ``--months`` complete months
(real extracts: population, k-anonymity, signature); each extract is then re-signed for
``--communes`` fictitious communes of region 09 with their own keys, as the secretariat
would receive them (zips). About 1,000,000 person-month rows with the defaults.

Measured, each variant in its own process (peak RSS apart), median of ``--runs``:
- ``baom``: ``region_import.import_extracts`` of every zip into a new regional database, all
  verification on (signature, checksums, every cell, consistency, k);
- ``sqlite``: the baseline of the issue — Python ``csv`` over the same zips and
  ``executemany`` into plain ``sqlite3`` tables, one transaction per extract;
- ``duckdb``: DuckDB ``read_csv`` of the same CSV files (unzipped beforehand, not timed).
Then, on the regional database: ``region_stats.regional_statistics`` over the 24 months,
``region_status.status`` and ``region_status.completeness``, and the regional report when its module exists.
Targets (issue 6): import >= 50 % of the sqlite baseline's rows/s; regional figures over 24 months <= 3 s.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop.domain import extract_format as fmt
from desktop.domain.periods import Period, last_complete_month
from desktop.services import extract_keys as keys

PASSWORD = "mot-de-passe-bench"
REGION = "09."


def communes(count: int) -> list[str]:
    from desktop.domain.geography import geography

    found = [c.code for p in geography().provinces(REGION) for c in geography().communes(p.code)]
    return found[:count]


def seed_of(commune: str) -> bytes:
    return hashlib.sha256(b"bench fictitious seed " + commune.encode()).digest()


def build_data(folder: Path, cases: int, commune_count: int, month_count: int) -> tuple[list[str], list[str]]:
    """The zips (re-signed per commune) and the key files; returns (communes, months)."""
    from desktop.services import demo, extract, office

    names = communes(commune_count)
    last = last_complete_month(date.today())
    months = [last]
    while len(months) < month_count:
        months.insert(0, months[0].previous())
    zips = folder / "extracts"
    if zips.is_dir() and len(list(zips.glob("*.zip"))) == commune_count * month_count:
        return names, [m.key() for m in months]
    zips.mkdir(parents=True, exist_ok=True)
    db = folder / "office.baomdb"
    started = time.perf_counter()
    if not db.exists():
        handle, _ = office.create_office(
            db, commune_code=names[0], office_name="BAOM bench (fictif)", admin_login="admin",
            admin_name="Admin Bench", admin_password=PASSWORD, is_demo=True,
        )  # fmt: skip
        with handle:
            demo.fill_demo(handle, cases=cases, seed=1)
    print(f"demo office of {cases} cases in {time.perf_counter() - started:.0f} s", flush=True)
    handle = office.unlock(db, "admin", PASSWORD)
    with handle:
        for month in months:
            built = extract.build_extract(handle, month, now=datetime.combine(month.end, datetime.min.time(), UTC))
            for commune in names:
                _resign(zips / f"{fmt.file_name(commune, month.key())}.zip", built.files, commune)
    for commune in names:
        key = keys.OfficePublicKey(commune, f"BAOM bench {commune}", keys.public_key_of(seed_of(commune)), date.today())
        (folder / "keys").mkdir(exist_ok=True)
        (folder / "keys" / key.file_name()).write_text(key.text(), encoding="utf-8", newline="")
    return names, [m.key() for m in months]


def _resign(out: Path, files: Mapping[str, bytes], commune: str) -> None:
    """The office's extract as another commune's office would have signed it."""
    manifest = json.loads(files[fmt.MANIFEST])
    next_day = Period.parse_month(manifest["period"]).end + timedelta(days=1)
    manifest["generated_at"] = f"{next_day.isoformat()}T08:00:00Z"
    manifest["commune_code"] = commune
    manifest["signing_key"] = keys.fingerprint(keys.public_key_of(seed_of(commune)))
    data = fmt.canonical(manifest)
    signature = base64.b64encode(keys.sign(seed_of(commune), data)) + b"\r\n"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in fmt.FILES:
            archive.writestr(
                name, data if name == fmt.MANIFEST else signature if name == fmt.SIGNATURE else files[name]
            )


def rows_in(zips: list[Path]) -> int:
    total = 0
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(fmt.MANIFEST))
        total += sum(int(entry.get("rows", 0)) for entry in manifest["files"].values())
    return total


# ---- the variants (each in its own process)


def run_baom(folder: Path, work: Path) -> dict[str, float]:
    from desktop.services import region, region_import, region_keys

    db = work / "region.baomdb"
    handle, _ = region.create_region(
        db, region_code=REGION, name="Secrétariat bench", admin_login="admin", admin_name="Admin Bench",
        admin_password=PASSWORD,
    )  # fmt: skip
    with handle:
        for path in sorted((folder / "keys").iterdir()):
            commune = path.name.split("-")[1] + "."
            region_keys.add_office(handle, commune, path.read_text(encoding="utf-8"))
        started = time.perf_counter()
        summary = region_import.import_extracts(handle, sorted((folder / "extracts").glob("*.zip")))
        elapsed = time.perf_counter() - started
        outcomes = [o.outcome.value for o in summary.outcomes]
    assert set(outcomes) == {"imported"}, [o for o in summary.outcomes if o.outcome.value != "imported"][:1]
    return {"seconds": elapsed}


def run_sqlite(folder: Path, work: Path) -> dict[str, float]:
    db = sqlite3.connect(work / "plain.sqlite")
    for name, columns in fmt.COLUMNS.items():
        db.execute(f"CREATE TABLE {name[:-4]} (extract TEXT, {', '.join(f'{c} TEXT' for c in columns)})")
    started = time.perf_counter()
    for path in sorted((folder / "extracts").glob("*.zip")):
        with zipfile.ZipFile(path) as archive, db:
            for name, columns in fmt.COLUMNS.items():
                with archive.open(name) as raw:
                    reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""), delimiter=";")
                    next(reader)
                    marks = ", ".join("?" * (len(columns) + 1))
                    db.executemany(f"INSERT INTO {name[:-4]} VALUES ({marks})", ((path.name, *r) for r in reader))
    elapsed = time.perf_counter() - started
    db.close()
    return {"seconds": elapsed}


def run_duckdb(folder: Path, work: Path) -> dict[str, float]:
    import duckdb

    unzipped = work / "csv"
    for path in sorted((folder / "extracts").glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            archive.extractall(unzipped / path.stem)
    con = duckdb.connect(str(work / "bench.duckdb"))
    started = time.perf_counter()
    for name in fmt.CSV_FILES:
        pattern = str(unzipped / "*" / name)
        con.execute(
            f"CREATE TABLE {name[:-4]} AS SELECT * FROM read_csv('{pattern}', delim=';', header=true, "
            "all_varchar=true, filename=true)"
        )
    elapsed = time.perf_counter() - started
    con.close()
    return {"seconds": elapsed}


def run_figures(folder: Path, work: Path, months: list[str], runs: int) -> dict[str, float]:
    """Import once (not timed), then the region's figures ``runs`` times."""
    from desktop.services import office, region_stats, region_status

    run_baom(folder, work)
    handle = office.unlock(work / "region.baomdb", "admin", PASSWORD)
    out: dict[str, float] = {}
    with handle:
        for label, call in (
            ("figures_24_months", lambda: region_stats.regional_statistics(handle, months[0], months[-1])),
            ("figures_1_month", lambda: region_stats.regional_statistics(handle, months[-1], months[-1])),
            ("status", lambda: region_status.status(handle)),
            ("completeness", lambda: region_status.completeness(handle, months[0], months[-1])),
        ):
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                call()
                times.append(time.perf_counter() - started)
            out[label] = statistics.median(times)
        try:
            from desktop.services import region_reports
        except ImportError:
            return out
        for kind in ("pdf", "xlsx"):
            started = time.perf_counter()
            region_reports.write_regional_report(handle, months[0], months[-1], "fr", **{kind: work / f"report.{kind}"})
            out[f"report_{kind}"] = time.perf_counter() - started
    return out


def child(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="baom-region-"))
    folder = Path(args.data)
    if args.variant == "figures":
        result = run_figures(folder, work, args.month_keys.split(","), args.runs)
    else:
        result = {"baom": run_baom, "sqlite": run_sqlite, "duckdb": run_duckdb}[args.variant](folder, work)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def measure(folder: Path, variant: str, extra: list[str] | None = None) -> dict[str, float]:
    env = dict(os.environ, BAOM_INSECURE_FAST_KDF_FOR_TESTS="1")
    out = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--data", str(folder), *(extra or [])],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=4000)
    parser.add_argument("--communes", type=int, default=16)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="reuse/keep the data in this folder")
    parser.add_argument("--no-duckdb", action="store_true")
    parser.add_argument("--child", dest="variant")
    parser.add_argument("--data")
    parser.add_argument("--month-keys", default="")
    args = parser.parse_args()
    if args.variant:
        child(args)
        return
    os.environ["BAOM_INSECURE_FAST_KDF_FOR_TESTS"] = "1"  # the bench measures imports, not unlocking
    folder = args.keep or Path(tempfile.mkdtemp(prefix="baom-region-data-"))
    folder.mkdir(parents=True, exist_ok=True)
    names, months = build_data(folder, args.cases, args.communes, args.months)
    zips = sorted((folder / "extracts").glob("*.zip"))
    total = rows_in(zips)
    size = sum(p.stat().st_size for p in zips) / 1e6
    print(f"{len(names)} communes x {len(months)} months: {len(zips)} zips, {size:.0f} MB, {total:,} rows", flush=True)
    variants = ["baom", "sqlite"] + ([] if args.no_duckdb else ["duckdb"])
    results: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    for _ in range(args.runs):
        for variant in variants:  # interleaved, so that a noisy moment hurts every variant alike
            results[variant].append(measure(folder, variant))
    print(f"{'import':<10}{'median s':>10}{'rows/s':>12}{'ratio':>9}{'peak RSS MB':>13}")
    base = statistics.median(r["seconds"] for r in results["sqlite"])
    for variant, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        rss = max(r["peak_rss_mb"] for r in runs)
        print(f"{variant:<10}{seconds:>10.2f}{total / seconds:>12,.0f}{base / seconds:>9.2f}{rss:>13.0f}")
    print("(ratio: rows/s over the sqlite baseline's; target for baom >= 0.50)")
    figures = measure(folder, "figures", ["--month-keys", ",".join(months), "--runs", str(max(args.runs, 3))])
    for label, value in figures.items():
        unit = "MB" if label == "peak_rss_mb" else "s"
        print(f"{label:<20}{value:>10.2f} {unit}")
    print("(target: figures_24_months <= 3 s)")


if __name__ == "__main__":
    main()
