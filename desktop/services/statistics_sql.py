"""The SQL behind each indicator: one statement per family of indicators.

A family's base query returns one row per counted unit (a person, a contact, a
referral, a case, a closure) with ``unit``, ``case_id`` (for the drill-down) and one
column per breakdown. Figures are ``GROUP BY``s over the base (materialised once when
there are several breakdowns); the drill-down is the same base filtered on one value.
Bound parameters: ``:s`` and ``:e``, the period's first and last days as ISO dates
(how SQLite stores dates here).

Only constants of this module and of the domain's code lists are pasted into the SQL;
every value that comes from a user is a bound parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.domain.indicators import AGE_BANDS, Audience
from desktop.domain.nationality_groups import group_case_sql

# Persons whose latest word on statistics is a withdrawal (no consent given since).
EXCLUDED_PERSONS = (
    "SELECT person_id FROM consent WHERE purpose = 'statistics' AND withdrawn_on IS NOT NULL "
    "EXCEPT SELECT person_id FROM consent WHERE purpose = 'statistics' AND withdrawn_on IS NULL"
)
# For what leaves the office, their cases are listed once per computation in a temporary
# table (in memory: temp_store = MEMORY) that every statement then skips.
EXCLUDED_TABLE = "temp.stats_excluded_case"
PREPARE_OUTSIDE: tuple[str, ...] = (
    f"DROP TABLE IF EXISTS {EXCLUDED_TABLE}",
    f"CREATE TABLE {EXCLUDED_TABLE} (id INTEGER PRIMARY KEY)",
    f"INSERT INTO {EXCLUDED_TABLE} SELECT id FROM case_file WHERE person_id IN ({EXCLUDED_PERSONS})",
)
_FILTER = re.compile(r"\{X\(([a-z_.]+)\)\}")


def with_audience(sql: str, audience: Audience) -> str:
    """Fill each ``{X(column)}`` with the filter on that case-id column (or nothing)."""
    if audience is Audience.OUTSIDE:
        return _FILTER.sub(lambda m: f" AND {m.group(1)} NOT IN (SELECT id FROM {EXCLUDED_TABLE})", sql)
    return _FILTER.sub("", sql)


def age_sql() -> str:
    """Age in whole years on the last day of the period (estimated year as a fallback)."""
    year_e = "CAST(substr(:e, 1, 4) AS INTEGER)"
    exact = (
        f"{year_e} - CAST(substr(p.birth_date, 1, 4) AS INTEGER)"
        " - (substr(:e, 6, 5) < substr(p.birth_date, 6, 5))"
    )
    return (
        f"CASE WHEN p.birth_date IS NOT NULL THEN {exact} "
        f"WHEN p.birth_year_estimated IS NOT NULL THEN {year_e} - p.birth_year_estimated END"
    )


def age_band_sql(age: str = "age") -> str:
    whens = []
    for band, low, high in AGE_BANDS:
        if high is None:
            whens.append(f"WHEN {age} >= {low} THEN '{band}'")
        else:
            whens.append(f"WHEN {age} BETWEEN {low} AND {high} THEN '{band}'")
    return "CASE " + " ".join(whens) + " ELSE 'unknown' END"


@dataclass(frozen=True)
class Family:
    """Indicators sharing one base query."""

    name: str
    sql: str  # with {X(case id column)} where the consent filter goes
    dimensions: tuple[str, ...]
    multi: tuple[str, ...] = ()  # columns holding codes joined by "|"
    answered: bool = False  # the base has an ``answered`` 0/1 column: rates per value
    days: bool = False  # the base has ``days`` and ``referral_domain``: medians per domain
    counts: str = ""  # hand-written (dimension, key, units, NULL, NULL) rows, summed per key

    def base(self, audience: Audience) -> str:
        return with_audience(self.sql, audience)


# (person, case) of every reception in the period: a contact, or a case opened.
_RECEIVED = (
    "SELECT cf.person_id AS person_id, c.case_id AS case_id FROM contact c "
    "JOIN case_file cf ON cf.id = c.case_id WHERE c.on_date BETWEEN :s AND :e{X(c.case_id)} "
    "UNION ALL SELECT cf.person_id, cf.id FROM case_file cf WHERE cf.opened_on BETWEEN :s AND :e{X(cf.id)}"
)

PEOPLE = Family(
    "people",
    f"""SELECT unit, case_id, status, category, sex, {age_band_sql()} AS age_band, nationality_group FROM (
  SELECT rc.person_id AS unit, rc.case_id AS case_id,
    CASE WHEN EXISTS (SELECT 1 FROM case_file b WHERE b.person_id = rc.person_id AND b.opened_on < :s)
      OR EXISTS (SELECT 1 FROM case_file b JOIN contact bc ON bc.case_id = b.id
                 WHERE b.person_id = rc.person_id AND bc.on_date < :s)
    THEN 'returning' ELSE 'new' END AS status,
    p.category AS category, p.sex AS sex, {age_sql()} AS age,
    {group_case_sql("p.nationality")} AS nationality_group
  FROM (SELECT person_id, MAX(case_id) AS case_id FROM ({_RECEIVED}) GROUP BY person_id) rc
  JOIN person p ON p.id = rc.person_id
)""",
    ("status", "category", "sex", "age_band", "nationality_group"),
)

CONTACTS = Family(
    "contacts",
    """SELECT c.id AS unit, c.case_id AS case_id, c.kind AS contact_kind, c.channel AS channel
FROM contact c WHERE c.on_date BETWEEN :s AND :e{X(c.case_id)}""",
    ("contact_kind", "channel"),
)

NEEDS = Family(
    "needs",
    """SELECT cf.person_id AS unit, MAX(c.case_id) AS case_id, group_concat(c.needs, '|') AS need_domain
FROM contact c JOIN case_file cf ON cf.id = c.case_id
WHERE c.on_date BETWEEN :s AND :e AND c.needs <> ''{X(c.case_id)}
GROUP BY cf.person_id""",
    (),
    multi=("need_domain",),
)

VULNERABLE = Family(
    "vulnerable",
    f"""SELECT unit, case_id, level, criterion FROM (
  SELECT cf.person_id AS unit, v.case_id AS case_id, v.level AS level, v.criteria AS criterion,
    ROW_NUMBER() OVER (PARTITION BY cf.person_id ORDER BY v.assessed_on DESC, v.id DESC) AS rn
  FROM vulnerability_sheet v JOIN case_file cf ON cf.id = v.case_id
  WHERE v.assessed_on <= :e AND cf.person_id IN (SELECT person_id FROM ({_RECEIVED})){{X(v.case_id)}}
) WHERE rn = 1""",
    ("level",),
    multi=("criterion",),
)

REFERRALS_SENT = Family(
    "referrals_sent",
    """SELECT r.id AS unit, r.case_id AS case_id, r.domain AS referral_domain,
  COALESCE(pr.kind, 'none') AS provider_kind, r.urgency AS urgency,
  CAST(r.provider_id AS TEXT) AS provider,
  (r.counter_received_on IS NOT NULL AND r.counter_received_on <= :e) AS answered
FROM referral r LEFT JOIN provider pr ON pr.id = r.provider_id
WHERE r.direction = 'outgoing' AND r.sent_on BETWEEN :s AND :e{X(r.case_id)}""",
    ("referral_domain", "provider_kind", "urgency", "provider"),
    answered=True,
)

REFERRALS_INCOMING = Family(
    "referrals_incoming",
    """SELECT r.id AS unit, r.case_id AS case_id, r.domain AS referral_domain
FROM referral r WHERE r.direction = 'incoming' AND r.sent_on BETWEEN :s AND :e{X(r.case_id)}""",
    ("referral_domain",),
)

# A counter-referral closes its referral on the day it is received (closed_on is indexed).
COUNTERS = Family(
    "counters",
    """SELECT r.id AS unit, r.case_id AS case_id, r.outcome AS outcome, r.domain AS referral_domain,
  CAST(julianday(r.counter_received_on) - julianday(r.sent_on) AS INTEGER) AS days
FROM referral r
WHERE r.closed_on BETWEEN :s AND :e AND r.counter_received_on BETWEEN :s AND :e
  AND r.direction = 'outgoing'{X(r.case_id)}""",
    ("outcome", "referral_domain"),
    days=True,
)

# Overdue on the last day: sent by then, due before it, and not answered or cancelled by
# then. A referral answered or cancelled later is closed after that day (closed_on > :e);
# one still waiting today is in the partial index of waiting referrals.
OVERDUE = Family(
    "overdue",
    """SELECT w.id AS unit, w.case_id AS case_id, w.domain AS referral_domain,
  COALESCE(pr.kind, 'none') AS provider_kind
FROM (
  SELECT id, case_id, domain, provider_id FROM referral
  WHERE state IN ('sent', 'acknowledged') AND counter_received_on IS NULL AND due_on < :e
    AND direction = 'outgoing' AND sent_on <= :e
  UNION ALL
  SELECT id, case_id, domain, provider_id FROM referral
  WHERE closed_on > :e AND due_on < :e AND direction = 'outgoing' AND sent_on <= :e
) w LEFT JOIN provider pr ON pr.id = w.provider_id
WHERE 1{X(w.case_id)}""",
    ("referral_domain", "provider_kind"),
)

CASES_OPENED = Family(
    "cases_opened",
    """SELECT cf.id AS unit, cf.id AS case_id, p.category AS category
FROM case_file cf JOIN person p ON p.id = cf.person_id
WHERE cf.opened_on BETWEEN :s AND :e{X(cf.id)}""",
    ("category",),
)

# Open on the last day, with the stage of that day. A case with no stage event after
# that day is as it is now (open cases, read from an index); the few others are replayed
# from their events.
_LATER = "(SELECT case_id FROM case_stage_event WHERE on_date > :e)"
_OPEN_NOW = "cf.closed_on IS NULL AND cf.opened_on <= :e"
_AS_NOW = f"""SELECT cf.id AS unit, cf.id AS case_id, cf.stage AS stage
FROM case_file cf INDEXED BY ix_case_file_open_stage WHERE {_OPEN_NOW} AND cf.id NOT IN {_LATER}{{X(cf.id)}}"""
_REPLAYED = f"""SELECT unit, unit AS case_id, stage FROM (
  SELECT cf.id AS unit,
    (SELECT e.stage FROM case_stage_event e WHERE e.case_id = cf.id AND e.on_date <= :e
     ORDER BY e.on_date DESC, e.id DESC LIMIT 1) AS stage
  FROM case_file cf WHERE cf.id IN {_LATER} AND cf.opened_on <= :e{{X(cf.id)}}
) WHERE stage IS NOT NULL AND stage <> 'cloture'"""
# Counting without listing: every case open now by stage (from the index alone), minus
# those with an event after the day (replayed instead), minus excluded persons' cases.
_ACTIVE_COUNTS = f"""SELECT 'stage', cf.stage, COUNT(*), NULL, NULL
FROM case_file cf INDEXED BY ix_case_file_open_stage WHERE {_OPEN_NOW} GROUP BY cf.stage
UNION ALL SELECT 'stage', cf.stage, -COUNT(*), NULL, NULL FROM case_file cf
WHERE cf.id IN {_LATER} AND {_OPEN_NOW} GROUP BY cf.stage{{EXCLUDED}}
UNION ALL SELECT 'stage', stage, COUNT(*), NULL, NULL FROM ({_REPLAYED}) GROUP BY stage"""
CASES_ACTIVE = Family("cases_active", f"{_AS_NOW}\nUNION ALL\n{_REPLAYED}", ("stage",), counts=_ACTIVE_COUNTS)


def _excluded_terms(audience: Audience) -> str:
    if audience is not Audience.OUTSIDE:
        return ""
    return (
        f"\nUNION ALL SELECT 'stage', cf.stage, -COUNT(*), NULL, NULL FROM case_file cf "
        f"WHERE cf.id IN (SELECT id FROM {EXCLUDED_TABLE}) AND {_OPEN_NOW} AND cf.id NOT IN {_LATER} GROUP BY cf.stage"
    )


CASES_CLOSED = Family(
    "cases_closed",
    """SELECT e.id AS unit, e.case_id AS case_id, e.reason AS closure_reason
FROM case_stage_event e WHERE e.stage = 'cloture' AND e.on_date BETWEEN :s AND :e{X(e.case_id)}""",
    ("closure_reason",),
)

FAMILIES: tuple[Family, ...] = (
    PEOPLE, CONTACTS, NEEDS, VULNERABLE, REFERRALS_SENT, REFERRALS_INCOMING,
    COUNTERS, OVERDUE, CASES_OPENED, CASES_ACTIVE, CASES_CLOSED,
)  # fmt: skip
# Each indicator reads one family.
FAMILY_OF: dict[str, Family] = {
    "people_received": PEOPLE,
    "contacts": CONTACTS,
    "needs": NEEDS,
    "vulnerable_people": VULNERABLE,
    "referrals_sent": REFERRALS_SENT,
    "referrals_incoming": REFERRALS_INCOMING,
    "counter_referrals": COUNTERS,
    "counter_referral_rate": REFERRALS_SENT,
    "median_days_to_counter": COUNTERS,
    "overdue_at_end": OVERDUE,
    "cases_opened": CASES_OPENED,
    "cases_active_end": CASES_ACTIVE,
    "cases_closed": CASES_CLOSED,
    "provider_answer_rate": REFERRALS_SENT,
}


def split_codes(column: str) -> str:
    """A json_each source over codes joined by "|" (codes never hold quotes)."""
    return f"json_each('[\"' || replace(base.{column}, '|', '\",\"') || '\"]')"


CUBE = "*"  # dimension of the rows that carry one cell of the cross-table of all breakdowns
SEP = "\x1f"  # joins the breakdown values of a cube row (never inside a code)


def counts_sql(family: Family, audience: Audience) -> str:
    """Rows (dimension, key, units, answered, median days).

    One ``GROUP BY`` over every single-valued breakdown at once: rows with dimension
    ``CUBE`` and the values joined by ``SEP``; the caller adds up the margins (a few
    hundred cells, not one row per case). Then the multi-valued breakdowns, and the
    medians (from the histogram of days) under dimension ``~median``.
    """
    if family.counts:
        return with_audience(family.counts, audience).replace("{EXCLUDED}", _excluded_terms(audience))
    answered = "SUM(answered)" if family.answered else "NULL"
    dims = family.dimensions
    key = " || char(31) || ".join(f"COALESCE({d}, '?')" for d in dims) if dims else "''"
    group = " GROUP BY 2" if dims else ""  # by the joined key: each breakdown expression is evaluated once
    columns = f"'{CUBE}' AS dim, {key} AS key, COUNT(*) AS n, {answered} AS answered, NULL AS median"
    if not (family.multi or family.days):
        return f"SELECT {columns} FROM ({family.base(audience)}){group}"
    parts = [f"SELECT {columns} FROM base{group}"]
    for dim in family.multi:
        parts.append(
            f"SELECT '{dim}', j.value, COUNT(DISTINCT base.unit), NULL, NULL FROM base, {split_codes(dim)} j "
            f"WHERE j.value <> '' GROUP BY j.value"
        )
    ctes = [f"base AS MATERIALIZED ({family.base(audience)})"]
    if family.days:  # medians from the histogram of days (a few hundred rows, not one per referral)
        ctes.append(
            "hist AS (SELECT g, days, COUNT(*) AS k FROM (SELECT '' AS g, days FROM base UNION ALL "
            "SELECT 'referral_domain:' || referral_domain, days FROM base) WHERE days IS NOT NULL GROUP BY g, days)"
        )
        ctes.append(
            "cum AS (SELECT g, days, SUM(k) OVER (PARTITION BY g ORDER BY days) AS upto, "
            "SUM(k) OVER (PARTITION BY g) AS n FROM hist)"
        )
        parts.append(
            "SELECT '~median', g, MAX(n), NULL, (MIN(CASE WHEN upto >= (n + 1) / 2 THEN days END) "
            "+ MIN(CASE WHEN upto >= n / 2 + 1 THEN days END)) / 2.0 FROM cum GROUP BY g"
        )
    return "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL ".join(parts)


def drill_sql(family: Family, audience: Audience, dimension: str | None) -> str:
    """Case ids behind a figure (``:key`` = the breakdown value), newest first."""
    where = ""
    if dimension in family.multi:
        where = f" WHERE '|' || base.{dimension} || '|' LIKE '%|' || :key || '|%'"
    elif dimension in family.dimensions:
        where = f" WHERE base.{dimension} = :key"
    elif dimension:
        raise ValueError(dimension)
    return f"SELECT DISTINCT base.case_id FROM ({family.base(audience)}) base{where} ORDER BY base.case_id DESC"


# Month by month, for the trend charts: (month "YYYY-MM", value) per figure.
TREND_SQL: dict[str, str] = {
    "people_received": (
        "SELECT m, COUNT(DISTINCT person_id) FROM ("
        "SELECT substr(c.on_date, 1, 7) AS m, cf.person_id AS person_id FROM contact c "
        "JOIN case_file cf ON cf.id = c.case_id WHERE c.on_date BETWEEN :s AND :e{X(c.case_id)} "
        "UNION ALL SELECT substr(cf.opened_on, 1, 7), cf.person_id FROM case_file cf "
        "WHERE cf.opened_on BETWEEN :s AND :e{X(cf.id)}) GROUP BY m"
    ),
    "contacts": (
        "SELECT substr(c.on_date, 1, 7), COUNT(*) FROM contact c "
        "WHERE c.on_date BETWEEN :s AND :e{X(c.case_id)} GROUP BY 1"
    ),
    "referrals_sent": (
        "SELECT substr(r.sent_on, 1, 7), COUNT(*) FROM referral r "
        "WHERE r.direction = 'outgoing' AND r.sent_on BETWEEN :s AND :e{X(r.case_id)} GROUP BY 1"
    ),
    "counter_referrals": (
        "SELECT substr(r.counter_received_on, 1, 7), COUNT(*) FROM referral r "
        "WHERE r.closed_on BETWEEN :s AND :e AND r.counter_received_on BETWEEN :s AND :e "
        "AND r.direction = 'outgoing'{X(r.case_id)} GROUP BY 1"
    ),
    "cases_opened": (
        "SELECT substr(cf.opened_on, 1, 7), COUNT(*) FROM case_file cf "
        "WHERE cf.opened_on BETWEEN :s AND :e{X(cf.id)} GROUP BY 1"
    ),
}


def trend_sql(code: str, audience: Audience) -> str:
    return with_audience(TREND_SQL[code], audience)
