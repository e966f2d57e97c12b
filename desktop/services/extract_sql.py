"""The SQL behind the extract's person and referral rows (docs/extract-format.md §2, §4, §6).

Bound parameters ``:s`` and ``:e``: the month's first and last days (ISO dates). Every
statement leaves out the persons whose latest word on statistics is a withdrawal.
Internal ids leave this module only to be keyed (HMAC) by the service.
"""

from __future__ import annotations

from desktop.domain.nationality_groups import group_case_sql
from desktop.services.statistics_sql import EXCLUDED_PERSONS, age_band_sql, age_sql

# Stage of a case at the end of a day, replayed from its stage events.
_STAGE_AT = (
    "(SELECT ev.stage FROM case_stage_event ev WHERE ev.case_id = cf.id AND ev.on_date {op} :{day} "
    "ORDER BY ev.on_date DESC, ev.id DESC LIMIT 1)"
)

# Cases open on at least one day of the month, with their stage on its last day. A case
# was closed all month when its last event before the 1st is a closure and no event of
# the month reopens it.
OPEN_CASES = f"""SELECT cf.id AS case_id, cf.person_id AS person_id, cf.opened_on AS opened_on,
  {_STAGE_AT.format(op="<=", day="e")} AS stage_end
FROM case_file cf
WHERE cf.opened_on <= :e
  AND (cf.closed_on IS NULL OR cf.closed_on >= :s
       OR EXISTS (SELECT 1 FROM case_stage_event ev WHERE ev.case_id = cf.id AND ev.on_date >= :s))
  AND (COALESCE({_STAGE_AT.format(op="<", day="s")}, '') <> 'cloture'
       OR EXISTS (SELECT 1 FROM case_stage_event ev WHERE ev.case_id = cf.id
                  AND ev.on_date BETWEEN :s AND :e AND ev.stage <> 'cloture'))
  AND cf.person_id NOT IN (SELECT person_id FROM excluded)"""

# Outgoing referrals sent by the last day and not closed before the first; incoming ones
# received in the month. Drafts have no sending date.
REFERRAL_ROWS = """SELECT r.id AS referral_id, cf.person_id AS person_id, r.direction AS direction,
  substr(r.sent_on, 1, 7) AS month_sent, r.domain AS domain, COALESCE(pr.kind, 'none') AS provider_kind,
  r.urgency AS urgency,
  CASE WHEN r.closed_on <= :e THEN CASE WHEN r.counter_received_on IS NOT NULL THEN 'closed' ELSE 'cancelled' END
       WHEN r.acknowledged_on <= :e THEN 'acknowledged' ELSE 'sent' END AS state_at_end,
  (r.direction = 'outgoing' AND (r.closed_on IS NULL OR r.closed_on > :e) AND r.due_on < :e) AS overdue_at_end,
  CASE WHEN r.counter_received_on <= :e THEN r.outcome ELSE '' END AS outcome,
  CASE WHEN r.counter_received_on <= :e THEN substr(r.counter_received_on, 1, 7) ELSE '' END AS counter_month,
  CASE WHEN r.counter_received_on <= :e
       THEN CAST(julianday(r.counter_received_on) - julianday(r.sent_on) AS INTEGER) END AS days_to_counter
FROM referral r JOIN case_file cf ON cf.id = r.case_id LEFT JOIN provider pr ON pr.id = r.provider_id
WHERE r.sent_on IS NOT NULL
  AND ((r.direction = 'outgoing' AND r.sent_on <= :e AND (r.closed_on IS NULL OR r.closed_on >= :s))
       OR (r.direction = 'incoming' AND r.sent_on BETWEEN :s AND :e))
  AND cf.person_id NOT IN (SELECT person_id FROM excluded)"""

_RECEIVED = """SELECT cf.person_id AS person_id FROM contact c JOIN case_file cf ON cf.id = c.case_id
  WHERE c.on_date BETWEEN :s AND :e
  UNION SELECT cf.person_id FROM case_file cf WHERE cf.opened_on BETWEEN :s AND :e"""

_CTES = f"""excluded AS MATERIALIZED ({EXCLUDED_PERSONS}),
open_cases AS MATERIALIZED ({OPEN_CASES}),
received AS MATERIALIZED ({_RECEIVED}),
referred AS MATERIALIZED (SELECT DISTINCT person_id FROM ({REFERRAL_ROWS})),
population AS MATERIALIZED (
  SELECT person_id FROM received UNION SELECT person_id FROM open_cases UNION SELECT person_id FROM referred
  EXCEPT SELECT person_id FROM excluded
)"""

# One row per person of the month's population, QIs at their finest level.
PERSON_ROWS = f"""WITH {_CTES},
stage_end AS (
  SELECT person_id, stage_end FROM (
    SELECT person_id, stage_end,
      ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY opened_on DESC, case_id DESC) AS rn
    FROM open_cases WHERE stage_end IS NOT NULL AND stage_end <> 'cloture'
  ) WHERE rn = 1
),
sheet AS (
  SELECT person_id, level, criteria FROM (
    SELECT cf.person_id AS person_id, v.level AS level, v.criteria AS criteria,
      ROW_NUMBER() OVER (PARTITION BY cf.person_id ORDER BY v.assessed_on DESC, v.id DESC) AS rn
    FROM vulnerability_sheet v JOIN case_file cf ON cf.id = v.case_id
    WHERE v.assessed_on <= :e AND cf.person_id IN (SELECT person_id FROM population)
  ) WHERE rn = 1
),
first_seen AS (
  SELECT person_id, MIN(day) AS day FROM (
    SELECT cf.person_id AS person_id, cf.opened_on AS day FROM case_file cf
    WHERE cf.person_id IN (SELECT person_id FROM population)
    UNION ALL SELECT cf.person_id, c.on_date FROM contact c JOIN case_file cf ON cf.id = c.case_id
    WHERE cf.person_id IN (SELECT person_id FROM population)
    UNION ALL SELECT cf.person_id, r.sent_on FROM referral r JOIN case_file cf ON cf.id = r.case_id
    WHERE r.sent_on IS NOT NULL AND cf.person_id IN (SELECT person_id FROM population)
  ) WHERE day <= :e GROUP BY person_id
)
SELECT p.id AS person_id,
  p.id IN (SELECT person_id FROM received) AS received_in_month,
  substr(fs.day, 1, 7) AS first_reception,
  p.category AS category, p.sex AS sex,
  {age_band_sql("(" + age_sql() + ")")} AS age_band,
  {group_case_sql("p.nationality")} AS nationality_group,
  CASE WHEN p.commune_code = '' THEN 'unknown' ELSE p.commune_code END AS residence,
  COALESCE(se.stage_end, 'cloture') AS stage,
  COALESCE(sh.level, '') AS vulnerability_level,
  COALESCE(sh.criteria, '') AS criteria
FROM population pop JOIN person p ON p.id = pop.person_id
LEFT JOIN first_seen fs ON fs.person_id = p.id
LEFT JOIN stage_end se ON se.person_id = p.id
LEFT JOIN sheet sh ON sh.person_id = p.id"""

REFERRALS = f"WITH excluded AS MATERIALIZED ({EXCLUDED_PERSONS})\n{REFERRAL_ROWS}"
