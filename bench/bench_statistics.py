"""Monthly statistics at scale: the demo office of N cases (default 100,000), medians and p95.

Run: ``.venv/bin/python bench/bench_statistics.py [--cases 100000] [--runs 7] [--keep DIR] [--month 2026-10]``
(``--year-compare`` adds ``compute`` over 12 months, ``--explain`` every plan; see ``--help``).
Measures, as the screens and reports ask them: every indicator of one month
(``statistics.snapshot_in`` in one ``handle.transaction()``), for the office and for
outside (consent withdrawals left out); the month with the month before, the same month a
year earlier and the 12-month trend (``statistics.compute``); every indicator of 12 months
and (``--year-compare``) its ``compute``; the report's tables (``stats_tables.all_tables``); the PDF and XLSX
reports (when their modules exist). Beside each service measure, the floor: the very SQL
statements the service ran, replayed on raw SQLite (sqlcipher3's build, no key, the
office's page cache and temp store) over an unencrypted copy, and the ratio; for the
month, the same replay on Python's own ``sqlite3`` too.

Then DuckDB (bench/duckdb_stats.py): the same indicators written by hand in DuckDB SQL
over an in-memory copy of the tables (loaded from the unencrypted copy with ``sqlite3``;
the load is timed apart), its ratio to the SQLite floor, and a check that every total,
cell and base equals the service's (mismatches are printed). Then each statement of the
month and of the 12 months: SQL only on the office's connection and on the copy, and
SQLite's plan of the slow ones (``--explain``: of all). Peak RSS at each stage.
Targets (issue 5): one month of indicators <= 500 ms, 12 months <= 2 s, PDF report <= 3 s, XLSX report <= 2 s.
The month defaults to the last complete month before the office's newest contact.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import os
import re
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlcipher3
from sqlalchemy import text

from bench.bench_referrals import PASSWORD, build, pct95
from bench.floor import Recorder, plain_copy, replay
from desktop.db import migrate
from desktop.domain.indicators import INDICATORS, TREND_FIGURES, Audience
from desktop.domain.periods import Period, last_complete_month
from desktop.services import office
from desktop.services import statistics as stats_service
from desktop.services import statistics_sql as q

STAT_TABLES = ("person", "case_file", "contact", "referral", "vulnerability_sheet", "case_stage_event", "consent",
               "provider")  # fmt: skip
REPORTS = (
    # (row name, module, function, language, audience, target ms)
    ("PDF report (fr)", "desktop.reports.stats_pdf", "render_statistics_pdf", "fr", Audience.INTERNAL, 3000),
    ("PDF report (ar, outside)", "desktop.reports.stats_pdf", "render_statistics_pdf", "ar", Audience.OUTSIDE, 3000),
    ("XLSX report (fr)", "desktop.reports.stats_xlsx", "render_statistics_xlsx", "fr", Audience.INTERNAL, 2000),
)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


@dataclass
class Row:
    name: str
    median: float
    p95: float
    floor: float | None
    target_ms: float | None
    note: str = ""


class Bench:
    def __init__(self, handle: office.OfficeHandle, floor: Any, runs: int) -> None:
        self.handle = handle
        self.floor = floor
        self.runs = runs
        self.recorder = Recorder(handle)
        self.rows: list[Row] = []
        self.statements: dict[str, list[tuple[str, Any]]] = {}
        self.results: dict[str, Any] = {}

    def measure(self, name: str, fn: Callable[[], object], target_ms: float | None = None, floor: bool = True) -> None:
        """``fn`` once to warm up (reported as the first call), then ``runs`` timed calls, each replayed on the copy."""
        self.recorder.take()
        start = time.perf_counter()
        self.results[name] = fn()
        first = time.perf_counter() - start
        self.statements[name] = self.recorder.take()
        samples: list[float] = []
        floors: list[float] = []
        for _ in range(self.runs):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
            done = self.recorder.take()
            if floor:
                floors.append(replay(self.floor, done))
        note = f"first call {first * 1000:.0f} ms, {len(self.statements[name])} statements"
        self.rows.append(Row(name, statistics.median(samples), pct95(samples),
                             statistics.median(floors) if floors else None, target_ms, note))  # fmt: skip

    def timed(self, name: str, fn: Callable[[], object], floor: float | None, target_ms: float | None = None,
              note: str = "") -> None:  # fmt: skip
        """A measure with no SQL to replay (a report, DuckDB), against a floor measured elsewhere."""
        self.results[name] = fn()
        samples = []
        for _ in range(self.runs):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        self.rows.append(Row(name, statistics.median(samples), pct95(samples), floor, target_ms, note))

    def row(self, name: str) -> Row:
        return next(r for r in self.rows if r.name == name)

    def section(self, title: str) -> None:
        self.rows.append(Row(f"-- {title}", 0, 0, None, None))

    def report(self, header: str) -> bool:
        print(f"\n{header}")
        print(f"{'measure':52} {'median':>10} {'p95':>10} {'floor':>10} {'ratio':>7} {'target':>9}  ok?")
        ok = True
        for r in self.rows:
            if r.name.startswith("--"):
                print(r.name)
                continue
            ratio = f"{r.median / r.floor:6.2f}x" if r.floor else ""
            floor = f"{r.floor * 1000:8.1f}ms" if r.floor is not None else ""
            target = verdict = ""
            if r.target_ms is not None:
                met = r.median * 1000 <= r.target_ms
                ok = ok and met
                target, verdict = f"<={r.target_ms:.0f}ms", ("ok" if met else "MISSED")
            print(f"{r.name:52} {r.median * 1000:8.1f}ms {r.p95 * 1000:8.1f}ms {floor:>10} {ratio:>7} {target:>9}  "
                  f"{verdict:6}{'  ' + r.note if r.note else ''}")  # fmt: skip
        return ok


# -- the service, as the screens call it -----------------------------------------------------
def snapshot(handle: office.OfficeHandle, period: Period, audience: Audience) -> stats_service.Snapshot:
    with handle.transaction() as session:
        prepare = getattr(stats_service, "prepare", None)  # lists withdrawn consents once (OUTSIDE)
        if prepare is not None:
            prepare(session, audience)
        return stats_service.snapshot_in(session, period, audience)


# -- the unencrypted copy ----------------------------------------------------------------------
def fingerprint(conn: Any) -> tuple[Any, ...]:
    """Schema revision, tables and indexes, and the rows of the tables the indicators read."""
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    names = sorted(conn.execute("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
    counts = [tuple(conn.execute(f"SELECT COUNT(*), MAX(rowid) FROM {t}").fetchone()) for t in STAT_TABLES]
    return tuple(map(tuple, revision)), tuple(map(tuple, names)), tuple(counts)


def ensure_plain(handle: office.OfficeHandle, folder: Path, fresh: bool) -> tuple[Path, str]:
    """Reuse the copy when it matches the office (schema and rows), else write a new one in its place."""
    target = folder / "plain.sqlite"
    raw = handle.engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        wanted = fingerprint(conn)
    finally:
        raw.close()
    if target.exists() and not fresh:
        copy = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            found = fingerprint(copy)
        except sqlite3.Error:
            found = None
        finally:
            copy.close()
        if found == wanted:
            return target, "reused (same schema revision, indexes and rows)"
        why = "schema revision" if found is None or found[0] != wanted[0] else (
            "tables or indexes" if found[1] != wanted[1] else "rows")  # fmt: skip
    else:
        why = "asked" if fresh else "missing"
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix=".plain-", dir=folder))
    try:
        os.replace(plain_copy(handle, work), target)  # atomic: a reader of the old copy keeps it
    finally:
        for leftover in work.iterdir():
            leftover.unlink()
        work.rmdir()
    return target, f"rebuilt ({why} differed) in {time.perf_counter() - started:.0f} s"


def floor_connection(module: Any, plain: Path) -> Any:
    # Read-only: the copy is shared (temp tables, as the service's for outside, still work).
    conn = module.connect(f"file:{plain}?mode=ro", uri=True, isolation_level=None)
    conn.execute("PRAGMA cache_size = -32768")  # as the office's engine (desktop/db/engine.py)
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def warm(conn: Any) -> None:
    """Read the tables once so the first floor run does not pay for the disk."""
    for table in STAT_TABLES:
        conn.execute(f"SELECT COUNT(*) FROM (SELECT * FROM {table})").fetchall()


# -- each statement ----------------------------------------------------------------------------
def _normal(sql: str) -> str:
    return " ".join(re.sub(r":(s|e|key)\b", "?", sql).split())


def labels() -> dict[str, str]:
    """The builders of statistics_sql.py, to name the statements recorded (the module may change)."""
    found: dict[str, str] = {}
    for audience in Audience:
        tag = "" if audience is Audience.INTERNAL else " (outside)"
        for family in getattr(q, "FAMILIES", ()):
            with contextlib.suppress(Exception):  # a builder that changed: named by the SQL's start
                found[_normal(q.counts_sql(family, audience))] = f"{family.name}{tag}"
        for builder in ("rates_sql", "medians_sql"):
            if hasattr(q, builder):
                found[_normal(getattr(q, builder)(audience))] = f"{builder[:-4]}{tag}"
        for code in TREND_FIGURES:
            with contextlib.suppress(Exception):
                found[_normal(q.trend_sql(code, audience))] = f"trend {code}{tag}"
    for i, statement in enumerate(getattr(q, "PREPARE_OUTSIDE", ())):
        found[_normal(statement)] = f"prepare outside {i + 1}"
    return found


def label_of(statement: str, known: dict[str, str]) -> str:
    name = known.get(_normal(statement))
    if name:
        return name
    flat = " ".join(statement.split())
    table = re.search(r"\bFROM (\w+)", flat)
    return f"other: {flat[:24]}… {table.group(1) if table else ''}"


def per_statement(handle: office.OfficeHandle, floor: Any, statements: list[tuple[str, Any]], runs: int,
                  slow_ms: float, explain: bool, title: str) -> None:  # fmt: skip
    """Each statement alone: on the office's connection (SQL only, no ORM) and on the copy, with plans."""
    known = labels()
    raw = handle.engine.raw_connection()
    timings: list[tuple[str, float, float, int]] = []
    try:
        office_conn = raw.driver_connection
        assert office_conn is not None
        office_conn.execute("BEGIN")
        try:
            samples: list[list[tuple[float, float, int]]] = [[] for _ in statements]
            for _ in range(runs):
                for i, (statement, parameters) in enumerate(statements):
                    start = time.perf_counter()
                    rows = office_conn.execute(statement, parameters).fetchall()
                    middle = time.perf_counter()
                    floor.execute(statement, parameters).fetchall()
                    samples[i].append((middle - start, time.perf_counter() - middle, len(rows)))
        finally:
            office_conn.execute("ROLLBACK")
    finally:
        raw.close()
    for (statement, _), found in zip(statements, samples, strict=True):
        timings.append((label_of(statement, known), statistics.median(s[0] for s in found),
                        statistics.median(s[1] for s in found), found[-1][2]))  # fmt: skip
    print(f"\n{title}: each statement, SQL only (median of {runs})")
    print(f"{'statement':40} {'office':>10} {'floor':>10} {'ratio':>7} {'rows':>6}")
    for name, on_office, on_floor, rows in timings:
        ratio = f"{on_office / on_floor:6.1f}x" if on_floor else ""
        print(f"{name:40} {on_office * 1000:8.1f}ms {on_floor * 1000:8.1f}ms {ratio:>7} {rows:6}")
    print(f"{'sum':40} {sum(t[1] for t in timings) * 1000:8.1f}ms {sum(t[2] for t in timings) * 1000:8.1f}ms")
    for (statement, parameters), (name, _, on_floor, _) in zip(statements, timings, strict=True):
        if not (explain or on_floor * 1000 >= slow_ms) or not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        print(f"\n   plan of {name} ({on_floor * 1000:.0f} ms on the copy):")
        for _id, _parent, _unused, detail in floor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters):
            print(f"      {detail}")


# -- reports -----------------------------------------------------------------------------------
def renderer(module_name: str, function: str) -> tuple[Callable[[Any, str, Path], object] | None, str]:
    """The report function, called by its parameters' names; None and why when it is not there yet."""
    try:
        fn = getattr(importlib.import_module(module_name), function)
    except (ImportError, AttributeError) as exc:
        return None, f"not available yet ({type(exc).__name__}: {exc})"
    params = inspect.signature(fn).parameters
    roles: dict[str, str] = {}
    for name, param in params.items():
        lowered = name.lower()
        if "stat" in lowered:
            roles[name] = "stats"
        elif lowered in ("lang", "language", "locale"):
            roles[name] = "lang"
        elif any(word in lowered for word in ("path", "out", "target", "dest", "file")):
            roles[name] = "path"
        elif param.default is inspect.Parameter.empty and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            return None, f"signature not understood: {function}{inspect.signature(fn)}"

    def call(stats: Any, lang: str, path: Path) -> object:
        given = {"stats": stats, "lang": lang, "path": path}
        return fn(**{name: given[role] for name, role in roles.items()})

    return call, ""


def default_month(handle: office.OfficeHandle) -> Period:
    with handle.transaction() as session:
        newest = session.execute(text("SELECT MAX(on_date) FROM contact")).scalar()
    return last_complete_month(date.fromisoformat(str(newest)) if newest else date.today())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="reuse/keep the demo office (and plain.sqlite) in this folder")
    parser.add_argument("--month", help="YYYY-MM (default: the last complete month of the office's data)")
    parser.add_argument("--fresh-copy", action="store_true", help="rewrite plain.sqlite even if it matches")
    parser.add_argument("--explain", action="store_true", help="print SQLite's plan of every statement")
    parser.add_argument("--slow-ms", type=float, default=100, help="print the plan of statements this slow")
    parser.add_argument("--year-compare", action="store_true", help="also compute() over 12 months (slow)")
    parser.add_argument("--no-duckdb", action="store_true")
    parser.add_argument("--no-reports", action="store_true")
    parser.add_argument("--duckdb-threads", type=int, default=0, help="0: DuckDB's default")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="baom-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "bench.baomdb"
    if not db.exists():
        build(db, args.cases)
    started = time.perf_counter()
    handle = office.unlock(db, "admin", PASSWORD)  # migrates an older office (after its backup)
    unlocked = time.perf_counter() - started
    with handle.engine.connect() as conn:
        revision = migrate.current_revision(conn)
    plain, copy_state = ensure_plain(handle, folder, args.fresh_copy)
    floor = floor_connection(sqlcipher3, plain)
    stdlib_floor = floor_connection(sqlite3, plain)
    warm(floor)
    month = Period.parse_month(args.month) if args.month else default_month(handle)
    year = Period.months_to(month, 12)
    with handle.transaction() as session:
        counts = {t: session.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() or 0 for t in STAT_TABLES[:6]}
    rss = {"setup": rss_mb()}
    print(f"office {db} (schema {revision}), unlocked in {unlocked:.1f} s; copy {plain}: {copy_state}")
    print(f"month {month.key()}, 12 months {year.key()}; {args.runs} runs; machine: {os.cpu_count()} cores, "
          f"load {load()}", flush=True)  # fmt: skip

    bench = Bench(handle, floor, args.runs)
    internal, outside = Audience.INTERNAL, Audience.OUTSIDE
    bench.section(f"one month ({month.key()})")
    m_all = "month, all indicators"
    bench.measure(m_all, lambda: snapshot(handle, month, internal), 500)
    samples = [replay(stdlib_floor, bench.statements[m_all]) for _ in range(args.runs)]
    note = "floor column: sqlcipher3's build, no key"
    bench.rows.append(Row(f"  same SQL on stdlib sqlite3 {sqlite3.sqlite_version}", statistics.median(samples),
                          pct95(samples), bench.row(m_all).floor, None, note))  # fmt: skip
    m_out = "month, all indicators, outside (consent)"
    bench.measure(m_out, lambda: snapshot(handle, month, outside), 500)
    m_cmp = "month + previous + last year + trend (compute)"
    bench.measure(m_cmp, lambda: stats_service.compute(handle, month))
    bench.section(f"12 months ({year.key()})")
    y_all = "12 months, all indicators"
    bench.measure(y_all, lambda: snapshot(handle, year, internal), 2000)
    y_out = "12 months, all indicators, outside (consent)"
    bench.measure(y_out, lambda: snapshot(handle, year, outside), 2000)
    if args.year_compare:
        y_cmp = "12 months + previous 12 + trend (compute)"
        bench.measure(y_cmp, lambda: stats_service.compute(handle, year))
    bench.recorder.close()
    rss["service"] = rss_mb()
    print(f"service measured (peak RSS {rss['service']:.0f} MB)", flush=True)

    if not args.no_reports:
        bench.section("reports (month with comparisons and trend; compute not included)")
        month_stats = {a: stats_service.compute(handle, month, a) for a in (internal, outside)}
        try:
            from desktop.reports import stats_tables

            bench.timed("report tables (stats_tables.all_tables, fr)",
                        lambda: stats_tables.all_tables(month_stats[internal], "fr"), None)  # fmt: skip
        except ImportError as exc:
            print(f"stats_tables: not available yet ({exc})")
        out = Path(tempfile.mkdtemp(prefix="baom-stats-reports-"))
        for name, module_name, function, lang, audience, target in REPORTS:
            call, why = renderer(module_name, function)
            if call is None:
                print(f"{name}: {why}")
                bench.rows.append(Row(f"{name}: {why[:60]}", 0, 0, None, None))
                continue
            path = out / f"{name.split()[0].lower()}-{lang}-{audience.value}.{'pdf' if 'PDF' in name else 'xlsx'}"
            try:
                bench.timed(name, lambda c=call, s=month_stats[audience], lg=lang, p=path: c(s, lg, p), None, target)
            except Exception as exc:  # noqa: BLE001 - a report being written: say so, go on
                print(f"{name}: failed: {type(exc).__name__}: {exc}")
                bench.rows.append(Row(f"{name}: failed ({type(exc).__name__})", 0, 0, None, None))
                continue
            size = path.stat().st_size if path.exists() else 0
            bench.row(name).note = f"{size / 1024:.0f} KB" if size else "no file at the path given"
        rss["reports"] = rss_mb()

    mismatched: list[str] = []
    loaded_note = ""
    if not args.no_duckdb:
        import duckdb

        from bench import duckdb_stats

        start = time.perf_counter()
        con, loaded = duckdb_stats.load(plain, args.duckdb_threads or None)
        load_s = time.perf_counter() - start
        threads = con.execute("SELECT current_setting('threads')").fetchone()
        loaded_note = (f"DuckDB {duckdb.__version__} ({threads[0] if threads else '?'} threads): {loaded:,} rows "
                       f"loaded from the copy in {load_s:.1f} s (not in the times below)")  # fmt: skip
        print(loaded_note, flush=True)
        bench.section("DuckDB, hand-written SQL over an in-memory copy (floor: the service's SQL on SQLite)")
        checks = ((f"DuckDB {m_all}", month, internal, m_all), (f"DuckDB {m_out}", month, outside, m_out),
                  (f"DuckDB {y_all}", year, internal, y_all))  # fmt: skip
        for name, period, audience, service_row in checks:
            bench.timed(name, lambda p=period, a=audience: duckdb_stats.snapshot(con, p.start, p.end, a),
                        bench.row(service_row).floor)  # fmt: skip
            found = duckdb_stats.mismatches(bench.results[service_row], bench.results[name])
            bench.row(name).note = f"{len(found)} MISMATCHES with the service" if found else "equals the service"
            mismatched += [f"{period.key()} {audience.value}: {m}" for m in found]
        con.close()
        rss["duckdb"] = rss_mb()

    handle_statements = {name: bench.statements[name] for name in (m_all, y_all)}
    for name, statements in handle_statements.items():
        per_statement(handle, floor, statements, min(args.runs, 5), args.slow_ms, args.explain, name)
    handle.close()

    summary = ", ".join(f"{n:,} {t}" for t, n in counts.items())
    values = bench.results[m_all].figures
    shown = ("people_received", "contacts", "referrals_sent", "counter_referral_rate", "overdue_at_end",
             "cases_active_end")  # fmt: skip
    key = ", ".join(f"{c} {values[c].value:.3g}" if isinstance(values[c].value, float) else f"{c} {values[c].value}"
                    for c in shown)  # fmt: skip
    ok = bench.report(f"{summary}\n{month.key()}: {key} ({len(INDICATORS)} indicators)\n{loaded_note}\n"
                      f"{args.runs} runs; machine: {os.cpu_count()} cores, load average now {load()}")  # fmt: skip
    print("peak RSS: " + ", ".join(f"after {stage} {mb:.0f} MB" for stage, mb in rss.items()))
    if mismatched:
        print(f"\nDUCKDB MISMATCHES ({len(mismatched)}):")
        for line in mismatched[:60]:
            print(f"  {line}")
    sys.exit(0 if ok and not mismatched else 1)


if __name__ == "__main__":
    main()
