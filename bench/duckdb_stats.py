"""The monthly indicators written by hand in DuckDB SQL, over an in-memory copy (bench only).

No DuckDB extension is used (no network, so no sqlite_scanner): the tables are read
with Python's ``sqlite3`` from the unencrypted copy and handed to DuckDB as columns
(NumPy object arrays), then typed (dates become DATE). ``load`` is timed apart from
the queries. ``snapshot`` returns ``{code: Result}`` with the same shape as the
service's figures, and ``mismatches`` says where the two disagree.

The SQL follows the definitions of desktop/domain/indicators.py, written independently
of desktop/services/statistics_sql.py (GROUPING SETS, string_split/unnest, QUALIFY,
median): a second implementation whose totals must equal the service's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from desktop.domain.indicators import AGE_BANDS, BY_CODE, Audience
from desktop.domain.nationality_groups import GROUP_OF

# Only the columns the indicators read, with their DuckDB types.
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "person": (("id", "INTEGER"), ("sex", "VARCHAR"), ("birth_date", "DATE"), ("birth_year_estimated", "INTEGER"),
               ("nationality", "VARCHAR"), ("category", "VARCHAR")),
    "case_file": (("id", "INTEGER"), ("person_id", "INTEGER"), ("opened_on", "DATE"), ("closed_on", "DATE")),
    "contact": (("id", "INTEGER"), ("case_id", "INTEGER"), ("on_date", "DATE"), ("kind", "VARCHAR"),
                ("channel", "VARCHAR"), ("needs", "VARCHAR")),
    "vulnerability_sheet": (("id", "INTEGER"), ("case_id", "INTEGER"), ("assessed_on", "DATE"), ("level", "VARCHAR"),
                            ("criteria", "VARCHAR")),
    "referral": (("id", "INTEGER"), ("case_id", "INTEGER"), ("direction", "VARCHAR"), ("domain", "VARCHAR"),
                 ("provider_id", "INTEGER"), ("urgency", "VARCHAR"), ("state", "VARCHAR"), ("sent_on", "DATE"),
                 ("due_on", "DATE"), ("closed_on", "DATE"), ("outcome", "VARCHAR"),
                 ("counter_received_on", "DATE")),
    "provider": (("id", "INTEGER"), ("kind", "VARCHAR")),
    "case_stage_event": (("id", "INTEGER"), ("case_id", "INTEGER"), ("on_date", "DATE"), ("stage", "VARCHAR"),
                         ("reason", "VARCHAR")),
    "consent": (("person_id", "INTEGER"), ("purpose", "VARCHAR"), ("withdrawn_on", "DATE")),
}  # fmt: skip


def load(plain: Path, threads: int | None = None) -> tuple[duckdb.DuckDBPyConnection, int]:
    """An in-memory DuckDB holding the tables the indicators read; returns it and the rows loaded."""
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    source = sqlite3.connect(f"file:{plain}?mode=ro", uri=True)
    loaded = 0
    try:
        for table, columns in TABLES.items():
            names = [name for name, _ in columns]
            rows = source.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall()
            loaded += len(rows)
            as_columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
            data = {name: np.array(values, dtype=object) for name, values in zip(names, as_columns, strict=True)}
            con.register("incoming", data)
            typed = ", ".join(f"TRY_CAST({name} AS {kind}) AS {name}" for name, kind in columns)
            con.execute(f"CREATE TABLE {table} AS SELECT {typed} FROM incoming")
            con.unregister("incoming")
    finally:
        source.close()
    groups = {"code": np.array(list(GROUP_OF), dtype=object), "grp": np.array(list(GROUP_OF.values()), dtype=object)}
    con.register("incoming", groups)
    con.execute("CREATE TABLE nationality_group AS SELECT CAST(code AS VARCHAR) AS code, "
                "CAST(grp AS VARCHAR) AS grp FROM incoming")  # fmt: skip
    con.unregister("incoming")
    return con, loaded


@dataclass
class Result:
    """One indicator: value, breakdowns {dim: {key: value}} and, for rates and medians, bases."""

    value: float | None
    breakdowns: dict[str, dict[str, float | None]] = field(default_factory=dict)
    bases: dict[str, dict[str, int]] = field(default_factory=dict)
    base: int | None = None


def _excluded(audience: Audience, column: str = "cf.person_id") -> str:
    if audience is not Audience.OUTSIDE:
        return ""
    return (
        f" AND {column} NOT IN (SELECT person_id FROM consent WHERE purpose = 'statistics' AND withdrawn_on IS NOT NULL"
        " EXCEPT SELECT person_id FROM consent WHERE purpose = 'statistics' AND withdrawn_on IS NULL)"
    )


def _age_band() -> str:
    age = (
        "CASE WHEN p.birth_date IS NOT NULL THEN year($e) - year(p.birth_date)"
        " - CASE WHEN month($e) * 100 + day($e) < month(p.birth_date) * 100 + day(p.birth_date) THEN 1 ELSE 0 END"
        " WHEN p.birth_year_estimated IS NOT NULL THEN year($e) - p.birth_year_estimated END"
    )
    whens = " ".join(
        f"WHEN age >= {low} THEN '{band}'" if high is None else f"WHEN age BETWEEN {low} AND {high} THEN '{band}'"
        for band, low, high in AGE_BANDS
    )
    return f"CASE {whens} ELSE 'unknown' END", age


def _sets(dims: dict[str, str], measures: str = "COUNT(*)") -> str:
    """(dim, key, measures...) over ``base``: the total (dim '') and one grouping per dimension."""
    dim_case = " ".join(f"WHEN GROUPING({col}) = 0 THEN '{name}'" for name, col in dims.items())
    key_case = " ".join(f"WHEN GROUPING({col}) = 0 THEN CAST({col} AS VARCHAR)" for col in dims.values())
    sets = ", ".join(["()", *(f"({col})" for col in dims.values())])
    return (
        f"SELECT CASE {dim_case} ELSE '' END AS dim, CASE {key_case} ELSE '' END AS key, {measures} "
        f"FROM base GROUP BY GROUPING SETS ({sets})"
    )


def _received(audience: Audience) -> str:
    x = _excluded(audience)
    return (
        "SELECT cf.person_id FROM contact c JOIN case_file cf ON cf.id = c.case_id "
        f"WHERE c.on_date BETWEEN $s AND $e{x} "
        f"UNION SELECT cf.person_id FROM case_file cf WHERE cf.opened_on BETWEEN $s AND $e{x}"
    )


def queries(audience: Audience) -> dict[str, str]:
    x = _excluded(audience)
    band, age = _age_band()
    referral_from = (
        "FROM referral r JOIN case_file cf ON cf.id = r.case_id LEFT JOIN provider pr ON pr.id = r.provider_id"
    )
    return {
        "people": f"""
WITH received AS ({_received(audience)}),
first_seen AS (
  SELECT cf.person_id, LEAST(MIN(cf.opened_on), MIN(c.on_date)) AS first_day
  FROM case_file cf LEFT JOIN contact c ON c.case_id = cf.id
  WHERE cf.person_id IN (SELECT person_id FROM received)
  GROUP BY cf.person_id),
aged AS (
  SELECT p.id AS unit, p.category, p.sex, p.nationality, {age} AS age, fs.first_day
  FROM received r JOIN person p ON p.id = r.person_id LEFT JOIN first_seen fs ON fs.person_id = r.person_id),
base AS (
  SELECT unit, CASE WHEN first_day < $s THEN 'returning' ELSE 'new' END AS status, category, sex,
    {band} AS age_band, COALESCE(g.grp, 'unknown') AS nationality_group
  FROM aged a LEFT JOIN nationality_group g ON g.code = a.nationality)
"""
        + _sets({"status": "status", "category": "category", "sex": "sex", "age_band": "age_band",
                 "nationality_group": "nationality_group"}),
        "contacts": f"""
WITH base AS (SELECT c.kind, c.channel FROM contact c JOIN case_file cf ON cf.id = c.case_id
  WHERE c.on_date BETWEEN $s AND $e{x})
"""
        + _sets({"contact_kind": "kind", "channel": "channel"}),
        "needs": f"""
WITH base AS (SELECT cf.person_id AS unit, c.needs FROM contact c JOIN case_file cf ON cf.id = c.case_id
  WHERE c.on_date BETWEEN $s AND $e AND c.needs <> ''{x})
SELECT '' AS dim, '' AS key, COUNT(DISTINCT unit) FROM base
UNION ALL
SELECT 'need_domain', domain, COUNT(DISTINCT unit)
FROM (SELECT unit, unnest(string_split(needs, '|')) AS domain FROM base) WHERE domain <> '' GROUP BY domain""",
        "vulnerable": f"""
WITH received AS ({_received(audience)}),
base AS (
  SELECT cf.person_id AS unit, v.level, v.criteria
  FROM vulnerability_sheet v JOIN case_file cf ON cf.id = v.case_id
  WHERE v.assessed_on <= $e AND cf.person_id IN (SELECT person_id FROM received){x}
  QUALIFY ROW_NUMBER() OVER (PARTITION BY cf.person_id ORDER BY v.assessed_on DESC, v.id DESC) = 1)
SELECT '' AS dim, '' AS key, COUNT(*) FROM base
UNION ALL SELECT 'level', level, COUNT(*) FROM base GROUP BY level
UNION ALL
SELECT 'criterion', criterion, COUNT(DISTINCT unit)
FROM (SELECT unit, unnest(string_split(criteria, '|')) AS criterion FROM base) WHERE criterion <> ''
GROUP BY criterion""",
        "referrals_sent": f"""
WITH base AS (
  SELECT r.domain, COALESCE(pr.kind, 'none') AS provider_kind, r.urgency, r.provider_id,
    CASE WHEN r.counter_received_on <= $e THEN 1 ELSE 0 END AS answered
  {referral_from}
  WHERE r.direction = 'outgoing' AND r.sent_on BETWEEN $s AND $e{x})
"""
        + _sets({"referral_domain": "domain", "provider_kind": "provider_kind", "urgency": "urgency",
                 "provider": "provider_id"}, "COUNT(*), SUM(answered)"),
        "referrals_incoming": f"""
WITH base AS (SELECT r.domain FROM referral r JOIN case_file cf ON cf.id = r.case_id
  WHERE r.direction = 'incoming' AND r.sent_on BETWEEN $s AND $e{x})
"""
        + _sets({"referral_domain": "domain"}),
        "counters": f"""
WITH base AS (
  SELECT r.outcome, r.domain, date_diff('day', r.sent_on, r.counter_received_on) AS days
  FROM referral r JOIN case_file cf ON cf.id = r.case_id
  WHERE r.direction = 'outgoing' AND r.counter_received_on BETWEEN $s AND $e{x})
"""
        + _sets({"outcome": "outcome", "referral_domain": "domain"},
                "COUNT(*), CAST(median(days) AS DOUBLE), COUNT(days)"),
        "overdue": f"""
WITH base AS (
  SELECT r.domain, COALESCE(pr.kind, 'none') AS provider_kind
  {referral_from}
  WHERE r.direction = 'outgoing' AND r.sent_on <= $e AND r.due_on < $e
    AND (r.counter_received_on IS NULL OR r.counter_received_on > $e)
    AND NOT (r.state = 'cancelled' AND r.closed_on <= $e){x})
"""
        + _sets({"referral_domain": "domain", "provider_kind": "provider_kind"}),
        "cases_opened": f"""
WITH base AS (SELECT p.category FROM case_file cf JOIN person p ON p.id = cf.person_id
  WHERE cf.opened_on BETWEEN $s AND $e{x})
"""
        + _sets({"category": "category"}),
        "cases_active": f"""
WITH open_at_end AS (
  SELECT cf.id FROM case_file cf
  WHERE cf.opened_on <= $e{x}
    AND (cf.closed_on IS NULL OR cf.closed_on > $e
         OR cf.id IN (SELECT case_id FROM case_stage_event WHERE reason = 'reopened'))),
stage_at_end AS (
  SELECT e.case_id, e.stage FROM case_stage_event e
  WHERE e.on_date <= $e AND e.case_id IN (SELECT id FROM open_at_end)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY e.case_id ORDER BY e.on_date DESC, e.id DESC) = 1),
base AS (SELECT stage FROM stage_at_end WHERE stage <> 'cloture')
"""
        + _sets({"stage": "stage"}),
        "cases_closed": f"""
WITH base AS (SELECT e.reason FROM case_stage_event e JOIN case_file cf ON cf.id = e.case_id
  WHERE e.stage = 'cloture' AND e.on_date BETWEEN $s AND $e{x})
"""
        + _sets({"closure_reason": "reason"}),
    }  # fmt: skip


_COUNT_FAMILY = {
    "people_received": "people", "contacts": "contacts", "needs": "needs", "vulnerable_people": "vulnerable",
    "referrals_sent": "referrals_sent", "referrals_incoming": "referrals_incoming", "counter_referrals": "counters",
    "overdue_at_end": "overdue", "cases_opened": "cases_opened", "cases_active_end": "cases_active",
    "cases_closed": "cases_closed",
}  # fmt: skip


def run_queries(con: duckdb.DuckDBPyConnection, sql: dict[str, str], start: date, end: date) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for name, text in sql.items():
        params = {"e": end, **({"s": start} if "$s" in text else {})}
        found[name] = con.execute(text, params).fetchall()
    return found


def snapshot(con: duckdb.DuckDBPyConnection, start: date, end: date, audience: Audience) -> dict[str, Result]:
    """Every indicator over the days from ``start`` to ``end``."""
    return figures(run_queries(con, queries(audience), start, end))


def figures(rows: dict[str, list[Any]]) -> dict[str, Result]:
    results: dict[str, Result] = {}
    for code, family in _COUNT_FAMILY.items():
        result = Result(0)
        for dim, key, n, *_ in rows[family]:
            if dim == "":
                result.value = int(n)
            elif key is not None and dim in BY_CODE[code].breakdowns:
                result.breakdowns.setdefault(dim, {})[key] = int(n)
        results[code] = result
    sent = {(d, k): (int(n), int(a or 0)) for d, k, n, a in rows["referrals_sent"] if k is not None}
    n_all, a_all = sent.get(("", ""), (0, 0))
    by_domain = {k: v for (d, k), v in sent.items() if d == "referral_domain"}
    by_provider = {k: v for (d, k), v in sent.items() if d == "provider"}
    results["counter_referral_rate"] = Result(
        a_all / n_all if n_all else None,
        {"referral_domain": {k: a / n for k, (n, a) in by_domain.items()}},
        {"referral_domain": {k: n for k, (n, _) in by_domain.items()}},
        n_all,
    )
    p_n = sum(n for n, _ in by_provider.values())
    p_a = sum(a for _, a in by_provider.values())
    results["provider_answer_rate"] = Result(
        p_a / p_n if p_n else None,
        {"provider": {k: a / n for k, (n, a) in by_provider.items()}},
        {"provider": {k: n for k, (n, _) in by_provider.items()}},
        p_n,
    )
    median = Result(None, {"referral_domain": {}}, {"referral_domain": {}}, 0)
    for dim, key, _n, med, with_days in rows["counters"]:
        if not with_days:
            continue
        if dim == "":
            median.value, median.base = float(med), int(with_days)
        elif dim == "referral_domain" and key is not None:
            median.breakdowns["referral_domain"][key] = float(med)
            median.bases["referral_domain"][key] = int(with_days)
    results["median_days_to_counter"] = median
    return results


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def mismatches(service: Any, duck: dict[str, Result]) -> list[str]:
    """Where the service's Snapshot and DuckDB disagree (totals, every cell, every base)."""
    found: list[str] = []
    for code, mine in duck.items():
        figure = service.figures[code]
        if not _close(figure.value, mine.value):
            found.append(f"{code} TOTAL: service={figure.value} duckdb={mine.value}")
        if figure.base is not None and mine.base is not None and int(figure.base) != int(mine.base):
            found.append(f"{code} base: service={figure.base} duckdb={mine.base}")
        for dim in BY_CODE[code].breakdowns:
            theirs = dict(figure.breakdowns.get(dim, {}))
            ours = mine.breakdowns.get(dim, {})
            for key in sorted(set(theirs) | set(ours)):
                if not _close(theirs.get(key), ours.get(key)):
                    found.append(f"{code} {dim}={key}: service={theirs.get(key)} duckdb={ours.get(key)}")
            their_bases = figure.bases.get(dim, {})
            our_bases = mine.bases.get(dim, {})
            if not their_bases and not our_bases:
                continue
            for key in sorted(set(their_bases) | set(our_bases)):
                if their_bases.get(key) != our_bases.get(key):
                    found.append(f"{code} base {dim}={key}: service={their_bases.get(key)} duckdb={our_bases.get(key)}")
    return found
