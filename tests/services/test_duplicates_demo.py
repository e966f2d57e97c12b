"""The acceptance bar of issue 3 on the demo office itself: planted variants found
(recall >= 90%), strangers not flagged (false alarms < 5%)."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from sqlalchemy import select

from desktop.db.models import IdentityDocument, Person
from desktop.domain.names import NameParts
from desktop.services import demo
from desktop.services.duplicates import DuplicateProbe, find_duplicates
from desktop.services.office import create_office


def _probe(person: Person, documents: list[str]) -> DuplicateProbe:
    return DuplicateProbe(
        parts=NameParts(person.family_name, person.given_name, person.family_name_ar, person.given_name_ar),
        birth_year=person.birth_year,
        birth_date=person.birth_date,
        documents=documents,
        phone=person.phone,
        exclude_person_id=person.id,
    )


def test_demo_office_planted_variants_recall_and_false_alarms(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    handle, _code = create_office(
        tmp_path / "demo.baomdb",
        commune_code=demo.DEMO_COMMUNE,
        office_name=demo.DEMO_OFFICE_NAME,
        admin_login="admin",
        admin_name="Admin Démo",
        admin_password="mot-de-passe-demo",
        is_demo=True,
    )
    with handle:
        report = demo.fill_demo(handle, 3000, seed=11)
        assert len(report.planted) >= 40
        with handle.transaction() as session:
            variants = {
                p.id: p for p in session.scalars(select(Person).where(Person.id.in_([v for _o, v in report.planted])))
            }
            docs: dict[int, list[str]] = {}
            for person_id, number in session.execute(select(IdentityDocument.person_id, IdentityDocument.number)):
                docs.setdefault(person_id, []).append(number)
        found = sum(
            1
            for original, variant in report.planted
            if original
            in {c.person_id for c in find_duplicates(handle, _probe(variants[variant], docs.get(variant, [])))}
        )
        recall = found / len(report.planted)
        rng = random.Random(5)
        strangers = 0
        for i in range(200):  # new fictitious people, absent from the office
            family = "".join(rng.choice("bdfklmnrstvz") + rng.choice("aeiou") for _ in range(4)).title()
            stranger = Person(
                id=-1,
                family_name=f"Zq{family}",
                given_name=rng.choice(("Ulrich", "Oskar", "Ingrid", "Sven", "Helga")),
                family_name_ar="",
                given_name_ar="",
                birth_year=1950 + i % 50,
                birth_date=date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
                phone="",
            )
            if find_duplicates(handle, _probe(stranger, [f"QX{i:08d}"])):
                strangers += 1
        false_alarms = strangers / 200
    with capsys.disabled():
        print(
            f"\ndemo office, 3000 cases: {len(report.planted)} planted, "
            f"recall {recall:.3f}, false alarms {false_alarms:.3f}"
        )
    assert recall >= 0.90
    assert false_alarms < 0.05
