"""The case list: an id list from SQL (filter, search and sort in SQL), rows on demand.

The list never loads 100,000 objects: the view asks for the ids once, then for the
few rows it shows. While the user types, the view first asks for the first screen
(:func:`first_case_ids`, a ``LIMIT``), then for the whole list (:func:`case_ids`).

The id list comes back from SQLite as one JSON array (``json_group_array`` over the
ordered query): 85,000 ids as SQLAlchemy rows cost 110-190 ms (a row object each, and
the garbage collector walking them); one string parsed by ``json.loads`` costs 15 ms.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, select, text
from sqlalchemy.orm import Session

from desktop.db.models import Case, Person, User
from desktop.services import search_index
from desktop.services.case_types import SORT_KEYS, CaseFilter, CaseListRow
from desktop.services.office import OfficeHandle

LEVEL_ORDER = case(
    {"urgent": 4, "high": 3, "medium": 2, "low": 1},
    value=Case.vulnerability_level,
    else_=0,
)


FIRST_PAGE = 200
"""How many ids :func:`first_case_ids` returns by default: a screen and some scrolling."""

WALK_FIRST_FROM = 1_000
WALK_WHOLE_FROM = 4_000
"""Below this many search matches, SQL reads each match's case row and sorts them; from
this many, it walks the date index and keeps the matches (case ids are not in date
order: registers imported later hold old cases). The first screen stops walking early,
so it walks from fewer matches. Measured at 100,000 cases (first screen / whole list):
170 matches 5 / 5 ms read, 12 / 11 ms walked; 1,750 matches 6 / 7 ms read, 4 / 12 ms
walked; 7,800 matches 33 / 38 ms read, 6 / 18 ms walked; 74,000 matches 113 / 152 ms
read, 26 / 61 ms walked."""


def _filtered(query: Select[Any], flt: CaseFilter, today: date, walk_dates: bool = False) -> Select[Any]:
    if flt.category:  # a subquery, not a join: the list scans cases through an index
        query = query.where(Case.person_id.in_(select(Person.id).where(Person.category == flt.category)))
    if flt.stage:
        query = query.where(Case.stage == flt.stage)
    if flt.status == "open":
        query = query.where(Case.closed_on.is_(None))
    elif flt.status == "closed":
        query = query.where(Case.closed_on.is_not(None))
    if flt.vulnerability_level:
        query = query.where(Case.vulnerability_level == flt.vulnerability_level)
    if flt.officer_id is not None:
        query = query.where(Case.officer_id == flt.officer_id)
    if flt.opened_from is not None:
        query = query.where(Case.opened_on >= flt.opened_from)
    if flt.opened_to is not None:
        query = query.where(Case.opened_on <= flt.opened_to)
    if flt.overdue_only:
        query = query.where(and_(Case.closed_on.is_(None), Case.next_follow_up < today))
    search = flt.search.strip()
    if search:
        expression = search_index.match_expression(search)
        if expression is not None:  # one or two characters narrow nothing yet (trigrams)
            matches = text("SELECT rowid FROM case_search WHERE case_search MATCH :q").bindparams(q=expression)
            # Many matches: "+0" stops the id lookup, so SQLite walks the date index
            # (index pages only) and keeps the matches, instead of reading each case row.
            column = (Case.id + 0) if walk_dates else Case.id
            query = query.where(column.in_(matches))
    return query


def _order(query: Select[Any], sort: str, descending: bool) -> Select[Any]:
    if sort not in SORT_KEYS:
        sort = "opened_on"
    columns = {
        "opened_on": Case.opened_on,
        "number": Case.number,
        "name": func.coalesce(func.nullif(Person.family_name, ""), Person.family_name_ar),
        "stage": Case.stage,
        "vulnerability_level": LEVEL_ORDER,
        "next_follow_up": Case.next_follow_up,
    }
    column = columns[sort]
    primary = column.desc() if descending else column.asc()
    tie = Case.id.desc() if descending else Case.id.asc()
    return query.order_by(primary, tie)


def case_ids(
    handle: OfficeHandle, flt: CaseFilter, sort: str = "opened_on", descending: bool = True, today: date | None = None
) -> list[int]:
    """Every case id matching ``flt``, in the order of ``sort`` (ties: newest id first when descending)."""
    with handle.transaction() as session:
        return _ids(session, flt, sort, descending, today or date.today(), None)


def first_case_ids(
    handle: OfficeHandle,
    flt: CaseFilter,
    sort: str = "opened_on",
    descending: bool = True,
    limit: int = FIRST_PAGE,
    today: date | None = None,
) -> list[int]:
    """The first ``limit`` ids of :func:`case_ids` (fewer: that is the whole list)."""
    with handle.transaction() as session:
        return _ids(session, flt, sort, descending, today or date.today(), limit)


def _ids(session: Session, flt: CaseFilter, sort: str, descending: bool, today: date, limit: int | None) -> list[int]:
    query = select(Case.id)
    if sort == "name":  # the only order that needs the person's row
        query = query.join(Person, Person.id == Case.person_id)
    walk_from = WALK_WHOLE_FROM if limit is None else WALK_FIRST_FROM
    walk_dates = sort == "opened_on" and _many_matches(session, flt.search, walk_from)
    ordered = _order(_filtered(query, flt, today, walk_dates), sort, descending)
    if limit is not None:
        ordered = ordered.limit(limit)
    # SQLite keeps a FROM-clause subquery's ORDER BY when the outer query aggregates
    # with anything but count(), min() or max(); a test checks the order holds.
    inner = ordered.subquery()
    packed = session.scalar(select(func.json_group_array(inner.c.id)))
    ids: list[int] = json.loads(packed) if packed else []
    return ids


def _many_matches(session: Session, search: str, at_least: int) -> bool:
    """The search matches at least ``at_least`` cases (counting stops there)."""
    expression = search_index.match_expression(search.strip())
    if expression is None:
        return False
    probe = text("SELECT count(*) FROM (SELECT 1 FROM case_search WHERE case_search MATCH :q LIMIT :n)").bindparams(
        q=expression, n=at_least
    )
    return int(session.scalar(probe) or 0) >= at_least


def case_rows(handle: OfficeHandle, ids: list[int], today: date | None = None) -> list[CaseListRow]:
    """Rows for these ids, in the same order (ids no longer there are skipped)."""
    today = today or date.today()
    with handle.transaction() as session:
        return _rows(session, ids, today)


def _rows(session: Session, ids: list[int], today: date) -> list[CaseListRow]:
    if not ids:
        return []
    query = (
        select(
            Case.id,
            Case.number,
            Person.family_name,
            Person.given_name,
            Person.family_name_ar,
            Person.given_name_ar,
            Person.sex,
            Person.birth_date,
            Person.birth_year,
            Person.nationality,
            Person.category,
            Case.stage,
            Case.vulnerability_level,
            Case.opened_on,
            Case.next_follow_up,
            User.display_name,
            Case.closed_on,
        )
        .join(Person, Person.id == Case.person_id)
        .outerjoin(User, User.id == Case.officer_id)
        .where(Case.id.in_(ids))
    )
    found = {}
    for r in session.execute(query):
        latin = " ".join(part for part in (r.family_name.upper(), r.given_name) if part)
        arabic = " ".join(part for part in (r.family_name_ar, r.given_name_ar) if part)
        found[r.id] = CaseListRow(
            case_id=r.id,
            number=r.number,
            name=latin or arabic,
            name_ar=arabic,
            sex=r.sex,
            age=_age(r.birth_date, r.birth_year, today),
            nationality=r.nationality,
            category=r.category,
            stage=r.stage,
            vulnerability_level=r.vulnerability_level,
            opened_on=r.opened_on,
            next_follow_up=r.next_follow_up,
            officer=r.display_name or "",
            closed=r.closed_on is not None,
        )
    return [found[i] for i in ids if i in found]


def _age(birth_date: date | None, birth_year: int | None, today: date) -> int | None:
    if birth_date is not None:
        return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    if birth_year is not None:
        return today.year - birth_year
    return None


def count_cases(handle: OfficeHandle) -> int:
    with handle.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)
