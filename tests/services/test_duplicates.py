"""Duplicate detection on a real (encrypted) office: planted spelling variants are found,
strangers are not, a shared document number always is.

The people are synthetic and obviously fictitious: family names are built from
invented roots and syllables (Fictivouraki, El Simulbani, Ait Exemplane…), given
names are common ones. ``bench/bench_duplicates.py`` reuses the generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from desktop.db.models import AuditEntry, Case, IdentityDocument, Person, utcnow
from desktop.domain import names
from desktop.domain.names import NameParts
from desktop.services import search_index
from desktop.services.duplicates import (
    REASON_BIRTH,
    REASON_DOCUMENT,
    REASON_NAME,
    REASON_PHONE,
    THRESHOLD,
    DuplicateProbe,
    find_duplicates,
)
from desktop.services.office import OfficeHandle

OfficeFixture = tuple[OfficeHandle, str, Path]

# -- synthetic, obviously fictitious people ---------------------------------------------------------

ROOTS = ["Fictiv", "Exempl", "Demon", "Specim", "Imagin", "Invent", "Simul", "Model", "Prototyp", "Essay",
         "Factic", "Illustr", "Nominat", "Ficel", "Parod", "Testou"]  # fmt: skip
ONSETS = ["b", "d", "f", "k", "l", "m", "n", "r", "s", "t", "z", "ch", "kh", "gh", "j", "h", "g", "y", "w",
          "dr", "tr", "br", "sl"]  # fmt: skip
VOWELS = ["a", "e", "i", "o", "ou", "ai", "a", "i"]
CODAS = ["", "", "", "n", "r", "l", "m", "s", "t"]
ENDINGS = ["i", "a", "ou", "ane", "ari", "ouni", "aoui", "o", "ara", "ba", "ine", "ini", "ach", "ir", "el"]
PREFIXES = (("", 70), ("El ", 12), ("Ben ", 8), ("Ait ", 6), ("Ould ", 4))
GIVEN = {
    "M": ["Mohamed", "Youssef", "Omar", "Hassan", "Karim", "Said", "Rachid", "Abdellah", "Mustapha", "Ahmed", "Brahim",
          "Lahcen", "Hamid", "Driss", "Ibrahima", "Moussa", "Amadou", "Mamadou", "Ousmane", "Abdoulaye", "Cheikh",
          "Seydou", "Lamine", "Boubacar", "Souleymane", "Yacouba", "Jean", "Patrick", "Emmanuel", "Serge", "Khalid",
          "Ali", "Hamza", "Ayoub", "Ismail", "Younes"],
    "F": ["Fatima", "Khadija", "Aicha", "Zineb", "Naima", "Salma", "Malika", "Hanane", "Samira", "Latifa", "Meryem",
          "Hafsa", "Aminata", "Fatou", "Mariama", "Awa", "Kadiatou", "Aissatou", "Ramatoulaye", "Hawa", "Binta",
          "Grace", "Esther", "Sandrine", "Christelle", "Nadia", "Amal", "Nour"],
}  # fmt: skip
BIRTH_SHIFTS = (-400, -365, -30, 30, 365)  # days: an age guessed again, a date mistyped


@dataclass
class Synthetic:
    family: str
    given: str
    family_ar: str
    given_ar: str
    latin: tuple[str, str]  # the Latin name, even when only the Arabic one is recorded
    sex: str
    birth: date
    estimated: bool
    phone: str
    document: str

    @property
    def parts(self) -> NameParts:
        return NameParts(self.family, self.given, self.family_ar, self.given_ar)


def family_name(rng: random.Random) -> str:
    prefix = rng.choices([p for p, _ in PREFIXES], weights=[w for _, w in PREFIXES])[0]
    if rng.random() < 0.5:
        root = rng.choice(ROOTS)
    else:
        root = rng.choice(ONSETS).capitalize() + rng.choice(VOWELS) + rng.choice(CODAS)
    middle = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.choice((0, 1, 1, 2))))
    return prefix + root + middle + rng.choice(ENDINGS)


def synthetic_people(rng: random.Random, count: int, taken: set[str]) -> list[Synthetic]:
    """``count`` new people; ``taken`` (family names as they sound) keeps every family name new."""
    people = []
    attempts = 0
    while len(people) < count:
        attempts += 1
        if attempts > 50 * count + 1000:
            raise RuntimeError("the family-name generator ran out of new names")
        family = family_name(rng)
        stem = names.phonetic(names.fold_latin(family.split()[-1]))
        if stem in taken:
            continue
        taken.add(stem)
        sex = rng.choice("MF")
        given = rng.choice(GIVEN[sex])
        script = rng.random()
        fam, giv, fam_ar, giv_ar = family, given, "", ""
        if script < 0.3:  # both scripts
            fam_ar, giv_ar = names.to_arabic_script(family), names.to_arabic_script(given)
        elif script < 0.4:  # Arabic only
            fam, giv = "", ""
            fam_ar, giv_ar = names.to_arabic_script(family), names.to_arabic_script(given)
        seq = len(taken)
        people.append(
            Synthetic(
                family=fam,
                given=giv,
                family_ar=fam_ar,
                given_ar=giv_ar,
                latin=(family, given),
                sex=sex,
                birth=date(1950, 1, 1) + timedelta(days=rng.randrange(60 * 365)),
                estimated=rng.random() < 0.15,
                phone=f"0600{seq:06d}" if rng.random() < 0.6 else "",
                document=f"ZZ{seq:07d}" if rng.random() < 0.7 else "",
            )
        )
    return people


def insert_people(handle: OfficeHandle, people: list[Synthetic], first_id: int = 1) -> list[int]:
    """Straight into the tables (one case each, search index row too); returns the person ids."""
    ids = list(range(first_id, first_id + len(people)))
    persons, documents, cases, search = [], [], [], []
    for person_id, p in zip(ids, people, strict=True):
        persons.append(
            {
                "id": person_id,
                "family_name": p.family,
                "given_name": p.given,
                "family_name_ar": p.family_ar,
                "given_name_ar": p.given_ar,
                "sex": p.sex,
                "birth_date": None if p.estimated else p.birth,
                "birth_year_estimated": p.birth.year if p.estimated else None,
                "birth_year": p.birth.year,
                "nationality": "MA",
                "category": "rpt_migrant",
                "phone": p.phone,
                "name_key": names.name_key(p.family, p.given, p.family_ar, p.given_ar),
                "created_at": utcnow(),
            }
        )
        if p.document:
            documents.append(
                {
                    "person_id": person_id,
                    "kind": "passport",
                    "number": p.document,
                    "number_key": names.document_key(p.document),
                }
            )
        number = f"T-{person_id:07d}"
        cases.append({"id": person_id, "number": number, "person_id": person_id, "opened_on": date(2024, 1, 2)})
        body = search_index.body_of(
            p.family, p.given, p.family_ar, p.given_ar, p.phone, [p.document] if p.document else [], number
        )
        search.append({"id": person_id, "body": body})
    with handle.transaction() as session:
        for start in range(0, len(persons), 5000):
            session.execute(insert(Person), persons[start : start + 5000])
        if documents:
            session.execute(insert(IdentityDocument), documents)
        session.execute(insert(Case), cases)
        session.execute(text("INSERT INTO case_search(rowid, body) VALUES (:id, :body)"), search)
    return ids


def planted_probe(rng: random.Random, original: Synthetic) -> DuplicateProbe:
    """The same person registered again: another spelling, maybe another birth guess."""
    family, given, family_ar, given_ar = rng.choice(names.variants(*original.latin, rng))
    birth = original.birth
    if rng.random() < 0.5:
        birth += timedelta(days=rng.choice(BIRTH_SHIFTS))
    estimated = rng.random() < 0.15
    return DuplicateProbe(
        parts=NameParts(family, given, family_ar, given_ar),
        birth_year=birth.year,
        birth_date=None if estimated else birth,
        documents=[],
        phone="",
    )


def new_probe(person: Synthetic) -> DuplicateProbe:
    return DuplicateProbe(
        parts=person.parts,
        birth_year=person.birth.year,
        birth_date=None if person.estimated else person.birth,
        documents=[],
        phone="",
    )


def measure(
    handle: OfficeHandle, rng: random.Random, people: list[Synthetic], ids: list[int], taken: set[str], probes: int
) -> tuple[float, float, list[str]]:
    """(recall on planted variants, false-alarm rate on strangers, the misses for a message)."""
    chosen = rng.sample(range(len(people)), probes)
    found, misses = 0, []
    for index in chosen:
        probe = planted_probe(rng, people[index])
        hits = [c.person_id for c in find_duplicates(handle, probe)]
        if ids[index] in hits:
            found += 1
        else:
            misses.append(f"{probe.parts} ← {people[index].parts}")
    alarms = 0
    for stranger in synthetic_people(rng, probes, taken):
        if find_duplicates(handle, new_probe(stranger)):
            alarms += 1
    return found / probes, alarms / probes, misses


# -- tests ------------------------------------------------------------------------------------------


def test_planted_variants_found_and_strangers_not(office: OfficeFixture, capsys: pytest.CaptureFixture[str]) -> None:
    handle = office[0]
    rng = random.Random(20240601)
    taken: set[str] = set()
    people = synthetic_people(rng, 3000, taken)
    ids = insert_people(handle, people)
    recall, false_alarms, misses = measure(handle, rng, people, ids, taken, probes=200)
    with capsys.disabled():
        print(f"\nduplicates on {len(people)} persons: recall {recall:.3f}, false alarms {false_alarms:.3f}")
    assert recall >= 0.90, misses
    assert false_alarms < 0.05


def _one(handle: OfficeHandle, **fields: object) -> int:
    data = {
        "family_name": "",
        "given_name": "",
        "family_name_ar": "",
        "given_name_ar": "",
        "sex": "M",
        "nationality": "MA",
        "category": "mre",
        "created_at": utcnow(),
        **fields,
    }
    data["name_key"] = names.name_key(
        str(data["family_name"]), str(data["given_name"]), str(data["family_name_ar"]), str(data["given_name_ar"])
    )
    if data.get("birth_date") is not None and "birth_year" not in data:
        data["birth_year"] = data["birth_date"].year  # type: ignore[attr-defined]
    with handle.transaction() as session:
        person = Person(**data)
        session.add(person)
        session.flush()
        return person.id


def _filler(handle: OfficeHandle, count: int = 300) -> None:
    rng = random.Random(5)
    insert_people(handle, synthetic_people(rng, count, set()), first_id=10_000)


def test_same_document_number_with_another_name_is_found(office: OfficeFixture) -> None:
    handle = office[0]
    _filler(handle)
    person_id = _one(handle, family_name="Fictivouraki", given_name="Mohamed", birth_date=date(1990, 3, 4))
    with handle.transaction() as session:
        session.add(IdentityDocument(person_id=person_id, kind="passport", number="ZZ-998 877", number_key="ZZ998877"))
    probe = DuplicateProbe(
        parts=NameParts("Exemplane", "Aminata"),
        birth_year=1971,
        birth_date=None,
        documents=["zz 998877"],
        phone="",
    )
    found = find_duplicates(handle, probe)
    assert found[0].person_id == person_id
    assert found[0].score >= 0.95
    assert REASON_DOCUMENT in found[0].reasons
    assert REASON_NAME not in found[0].reasons


def test_arabic_probe_finds_latin_person_and_swapped_names(office: OfficeFixture) -> None:
    handle = office[0]
    _filler(handle)
    person_id = _one(handle, family_name="El Fictivi", given_name="Mohamed", birth_date=date(1985, 6, 1))
    for parts in (
        NameParts("", "", "الفيكتيفي", "محمد"),
        NameParts("Mohammed", "Al-Fictivi"),
        NameParts("ELFICTIVI", "Muhammad"),
    ):
        probe = DuplicateProbe(parts=parts, birth_year=1986, birth_date=None, documents=[], phone="")
        found = find_duplicates(handle, probe)
        assert [c.person_id for c in found][:1] == [person_id], parts
        assert set(found[0].reasons) >= {REASON_NAME, REASON_BIRTH}
        assert found[0].display_name == "El Fictivi Mohamed"
        assert found[0].birth_year == 1985


def test_unknown_birth_year_still_matches_on_the_name(office: OfficeFixture) -> None:
    handle = office[0]
    _filler(handle)
    person_id = _one(handle, family_name="Ait Exemplane", given_name="Fatima", sex="F", birth_date=date(2001, 1, 9))
    probe = DuplicateProbe(parts=NameParts("Aït-Exemplane", "Fatma"), birth_year=None, birth_date=None)
    assert [c.person_id for c in find_duplicates(handle, probe)] == [person_id]


def test_phone_adds_to_a_similar_name_but_alone_is_not_enough(office: OfficeFixture) -> None:
    handle = office[0]
    _filler(handle)
    person_id = _one(
        handle, family_name="Simulbani", given_name="Youssef", birth_date=date(1979, 2, 2), phone="06 00 99 88 77"
    )
    with handle.transaction() as session:
        session.add(Case(id=50_000, number="T-X", person_id=person_id, opened_on=date(2024, 5, 1)))
        session.flush()
        search_index.index_person_cases(session, person_id)
    similar = DuplicateProbe(
        parts=NameParts("Simulbani", "Yusuf"), birth_year=None, birth_date=None, phone="+212 600998877"
    )
    found = find_duplicates(handle, similar)
    assert found[0].person_id == person_id
    assert REASON_PHONE in found[0].reasons
    without_phone = find_duplicates(handle, DuplicateProbe(parts=similar.parts, birth_year=None, birth_date=None))
    assert found[0].score > without_phone[0].score
    relative = DuplicateProbe(parts=NameParts("Modelaoui", "Khadija"), birth_year=2010, phone="0600998877")
    assert find_duplicates(handle, relative) == []


def test_latest_case_exclusion_limit_and_no_audit(office: OfficeFixture) -> None:
    handle = office[0]
    older = _one(handle, family_name="Prototypini", given_name="Omar", birth_date=date(1970, 1, 1))
    twin = _one(handle, family_name="Prototypini", given_name="Oumar", birth_date=date(1970, 1, 1))
    with handle.transaction() as session:
        session.add(Case(number="T-OLD", person_id=older, opened_on=date(2022, 1, 1)))
        session.add(Case(number="T-NEW", person_id=older, opened_on=date(2024, 1, 1)))
        audits = session.scalar(select(func.count()).select_from(AuditEntry))
    probe = DuplicateProbe(parts=NameParts("Prototypini", "Omar"), birth_year=1970, birth_date=date(1970, 1, 1))
    found = find_duplicates(handle, probe)
    assert [c.person_id for c in found] == [older, twin]
    assert found[0].case_number == "T-NEW" and found[0].case_id is not None
    assert found[1].case_id is None and found[1].case_number == ""
    assert all(THRESHOLD <= c.score <= 1.0 for c in found)
    assert found[0].score >= found[1].score
    editing = DuplicateProbe(parts=probe.parts, birth_year=1970, birth_date=date(1970, 1, 1), exclude_person_id=older)
    assert [c.person_id for c in find_duplicates(handle, editing)] == [twin]
    assert len(find_duplicates(handle, probe, limit=1)) == 1
    with handle.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_nothing_typed_finds_nothing(office: OfficeFixture) -> None:
    handle = office[0]
    _one(handle, family_name="Fictivi", given_name="Ali", birth_date=date(1990, 1, 1))
    assert find_duplicates(handle, DuplicateProbe(parts=NameParts(), birth_year=1990)) == []
    assert find_duplicates(handle, DuplicateProbe(parts=NameParts(" ", ""), documents=["  "], phone="06")) == []
