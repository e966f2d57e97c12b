"""The statistics read a month from indexes: the plans SQLite picks for each family."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.domain.indicators import Audience
from desktop.services import office as office_service
from desktop.services import statistics, statistics_sql

PARAMS = {"s": "2026-10-01", "e": "2026-10-31", "key": ""}

# family -> index names its plan must use (and "SCAN" of a table it must not do)
MONTH_OF_CONTACTS = "SEARCH c USING COVERING INDEX ix_contact_month (on_date>? AND on_date<?)"
EXPECTED = {
    "people": (
        MONTH_OF_CONTACTS,
        "SEARCH b USING COVERING INDEX ix_case_file_person_opened (person_id=? AND opened_on<?)",
        "SEARCH bc USING COVERING INDEX ix_contact_case_on_date (case_id=? AND on_date<?)",
    ),
    "contacts": (MONTH_OF_CONTACTS,),
    "needs": (MONTH_OF_CONTACTS,),
    "vulnerable": ("SEARCH v USING COVERING INDEX ix_vulnerability_sheet_case (case_id=? AND assessed_on<?)",),
    "referrals_sent": ("SEARCH r USING COVERING INDEX ix_referral_sent (sent_on>? AND sent_on<?)",),
    "referrals_incoming": ("SEARCH r USING COVERING INDEX ix_referral_sent (sent_on>? AND sent_on<?)",),
    "counters": ("SEARCH r USING COVERING INDEX ix_referral_closed (closed_on>? AND closed_on<?)",),
    "overdue": ("USING INDEX ix_referral_waiting (due_on<?)", "USING COVERING INDEX ix_referral_closed (closed_on>?)"),
    "cases_opened": ("SEARCH cf USING INDEX ix_case_file_opened_on (opened_on>? AND opened_on<?)",),
    "cases_active": (
        "SCAN cf USING COVERING INDEX ix_case_file_open_stage",
        "USING COVERING INDEX ix_case_stage_event_on_date (on_date>?)",
        "SEARCH e USING COVERING INDEX ix_case_stage_event_case_on_date (case_id=? AND on_date<?)",
    ),
    "cases_closed": ("SEARCH e USING COVERING INDEX ix_case_stage_event_on_date (on_date>? AND on_date<?)",),
}
TABLE_ALIASES = {"c", "cf", "p", "b", "bc", "v", "r", "e", "o", "contact", "referral", "case_file", "person"}


@pytest.mark.parametrize("family", statistics_sql.FAMILIES, ids=lambda f: f.name)
@pytest.mark.parametrize("audience", list(Audience), ids=lambda a: a.value)
def test_each_family_reads_its_indexes(
    office: tuple[office_service.OfficeHandle, str, Path], family: statistics_sql.Family, audience: Audience
) -> None:
    handle, _, _ = office
    with handle.transaction() as session:
        statistics.prepare(session, audience)
        sql = "EXPLAIN QUERY PLAN " + statistics_sql.counts_sql(family, audience)
        steps = [str(row[-1]) for row in session.execute(text(sql), PARAMS).all()]
    plan = " | ".join(steps)
    for index in EXPECTED.get(family.name, ()):
        assert index in plan, f"{family.name}: {index} not in {plan}"
    # No step walks a whole table (a bare "SCAN <alias>" of a table, not of a subquery or CTE).
    bare = [step for step in steps if re.fullmatch(r"SCAN (\w+)", step) and step.split()[1] in TABLE_ALIASES]
    assert not bare, plan
