"""Search as you type: the trigram FTS5 index of cases, kept in sync here.

One row per case (rowid = case id) holding the names in both scripts (as typed and
folded), the phone digits, document numbers and the case number. The table is
contentless: the text is indexed, not stored a second time.
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desktop.db.models import Case, IdentityDocument, Person, Setting
from desktop.domain import names

INDEX_VERSION = "2"
VERSION_KEY = "search_index_version"


def body(person: Person, documents: list[str], case_number: str) -> str:
    return body_of(
        person.family_name,
        person.given_name,
        person.family_name_ar,
        person.given_name_ar,
        person.phone,
        documents,
        case_number,
    )


def body_of(
    family: str, given: str, family_ar: str, given_ar: str, phone: str, documents: list[str], case_number: str
) -> str:
    """The indexed text of one case (also used by bulk loaders: demo, register import)."""
    parts = [
        family,
        given,
        family_ar,
        given_ar,
        names.fold_latin(f"{family} {given}"),
        names.phone_key(phone),
        case_number,
        *documents,
        *(names.document_key(d) for d in documents),
    ]
    return " ".join(part for part in parts if part)


def index_person_cases(session: Session, person_id: int) -> None:
    person = session.get(Person, person_id)
    if person is None:
        return
    documents = list(session.scalars(select(IdentityDocument.number).where(IdentityDocument.person_id == person_id)))
    for case_id, number in session.execute(select(Case.id, Case.number).where(Case.person_id == person_id)):
        session.execute(text("DELETE FROM case_search WHERE rowid = :id"), {"id": case_id})
        session.execute(
            text("INSERT INTO case_search(rowid, body) VALUES (:id, :body)"),
            {"id": case_id, "body": body(person, documents, number)},
        )


def rebuild(session: Session) -> int:
    """Recompute every person's name key and the whole index (after an import or upgrade)."""
    session.execute(text("DELETE FROM case_search"))
    docs: dict[int, list[str]] = {}
    for person_id, number in session.execute(select(IdentityDocument.person_id, IdentityDocument.number)):
        docs.setdefault(person_id, []).append(number)
    persons = {p.id: p for p in session.scalars(select(Person))}
    for person in persons.values():
        person.name_key = names.name_key(
            person.family_name, person.given_name, person.family_name_ar, person.given_name_ar
        )
    rows = [
        {"id": case_id, "body": body(persons[person_id], docs.get(person_id, []), number)}
        for case_id, person_id, number in session.execute(select(Case.id, Case.person_id, Case.number))
    ]
    if rows:
        session.execute(text("INSERT INTO case_search(rowid, body) VALUES (:id, :body)"), rows)
    setting = session.get(Setting, VERSION_KEY)
    if setting is None:
        session.add(Setting(key=VERSION_KEY, value=INDEX_VERSION))
    else:
        setting.value = INDEX_VERSION
    return len(rows)


def is_current(session: Session) -> bool:
    setting = session.get(Setting, VERSION_KEY)
    return setting is not None and setting.value == INDEX_VERSION


def match_expression(query: str) -> str | None:
    """Every term of 3+ characters as a quoted phrase, all required; None if none is long enough."""
    terms = [t.replace('"', "") for t in query.split()]
    terms = [t for t in terms if len(t) >= 3]
    if not terms:
        return None
    return " AND ".join(f'"{t}"' for t in terms)
