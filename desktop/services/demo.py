"""The demo office: synthetic, obviously fictitious people spread over 24 months.

Family names are invented and carry words like "Fictif", "Exemple", "Démo"; phone
numbers use the reserved-looking 0600-00 range; document numbers start with "ZZ".
Rows are committed in batches so an interrupted run keeps every finished batch.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from desktop.db.models import Case, Contact, Person, User, utcnow
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.codelists import CONTACT_KINDS, STAGES
from desktop.domain.users import Role
from desktop.services import users
from desktop.services.office import OfficeHandle, create_office

DEMO_COMMUNE = "09.001.01.01."  # Agadir (Souss-Massa)
DEMO_OFFICE_NAME = "BAOM de démonstration — données fictives"
DEMO_USERS = (
    ("agent.demo", "Agent Démo (fictif)", Role.OFFICER),
    ("responsable.demo", "Responsable Démo (fictif)", Role.SUPERVISOR),
)

GIVEN_NAMES = {
    "M": [
        ("Mohamed", "محمد"),
        ("Youssef", "يوسف"),
        ("Omar", "عمر"),
        ("Ibrahima", "إبراهيما"),
        ("Moussa", "موسى"),
        ("Karim", "كريم"),
        ("Amadou", "أمادو"),
        ("Hassan", "حسن"),
        ("Samir", "سمير"),
        ("Jean", "جون"),
    ],
    "F": [
        ("Fatima", "فاطمة"),
        ("Aicha", "عائشة"),
        ("Khadija", "خديجة"),
        ("Aminata", "أميناتا"),
        ("Mariam", "مريم"),
        ("Salma", "سلمى"),
        ("Fatou", "فاتو"),
        ("Nadia", "نادية"),
        ("Grace", "غريس"),
        ("Zineb", "زينب"),
    ],
}
FAMILY_NAMES = [
    ("Fictif", "فيكتيف"),
    ("Exemple", "إكزامبل"),
    ("Démo", "ديمو"),
    ("Essai", "إيساي"),
    ("Modèle", "موديل"),
    ("Fictivi", "فيكتيفي"),
    ("Exemplaire", "إكزامبلير"),
    ("Testouni", "تستوني"),
    ("Specimen", "سبيسيمن"),
    ("Imaginaire", "إيماجينير"),
    ("Inventé", "أنفنتي"),
    ("Prototype", "بروتوتيب"),
]

# (nationality, weight, categories)
NATIONALITIES = [
    ("MA", 40, ("mre", "returnee_voluntary", "returnee_forced", "returnee_avrr")),
    ("SN", 10, ("rpt_migrant", "rpt_worker", "rpt_student", "rpt_transit")),
    ("CI", 9, ("rpt_migrant", "rpt_worker", "rpt_transit", "rpt_asylum_seeker")),
    ("GN", 8, ("rpt_migrant", "rpt_transit", "rpt_asylum_seeker")),
    ("ML", 6, ("rpt_migrant", "rpt_asylum_seeker", "rpt_refugee")),
    ("CM", 6, ("rpt_migrant", "rpt_student", "rpt_transit")),
    ("NG", 4, ("rpt_migrant", "rpt_transit")),
    ("SY", 5, ("rpt_refugee", "rpt_asylum_seeker")),
    ("YE", 2, ("rpt_refugee", "rpt_asylum_seeker")),
    ("SD", 3, ("rpt_asylum_seeker", "rpt_refugee")),
    ("CD", 3, ("rpt_asylum_seeker", "rpt_refugee", "rpt_student")),
    ("FR", 2, ("rpt_worker", "rpt_student")),
    ("ES", 2, ("rpt_worker",)),
]
DEMO_COMMUNES = ["09.001.01.01.", "09.273.01.15.", "09.001.01.01.", "09.001.01.01."]


def _birth(rng: random.Random, today: date) -> tuple[date | None, int | None]:
    age = min(85, max(0, int(rng.gauss(31, 13))))
    if rng.random() < 0.15:
        return None, today.year - age
    return today - timedelta(days=age * 365 + rng.randrange(365)), None


def _person_row(rng: random.Random, index: int, today: date) -> tuple[dict[str, object], date]:
    sex = "F" if rng.random() < 0.42 else "M"
    given, given_ar = rng.choice(GIVEN_NAMES[sex])
    family, family_ar = rng.choice(FAMILY_NAMES)
    nationality, _, categories = rng.choices(NATIONALITIES, weights=[n[1] for n in NATIONALITIES])[0]
    birth_date, birth_year = _birth(rng, today)
    first_seen = today - timedelta(days=rng.randrange(730))
    script = rng.random()
    row: dict[str, object] = {
        "family_name": family if script > 0.1 else "",
        "given_name": given if script > 0.1 else "",
        "family_name_ar": family_ar if script < 0.6 else "",
        "given_name_ar": given_ar if script < 0.6 else "",
        "sex": sex,
        "birth_date": birth_date,
        "birth_year_estimated": birth_year,
        "nationality": nationality,
        "category": rng.choice(categories),
        "commune_code": rng.choice(DEMO_COMMUNES),
        "phone": f"0600{index:06d}"[:10] if rng.random() < 0.7 else "",
        "document_type": "passport" if nationality != "MA" else "cin",
        "document_number": f"ZZ{index:07d}" if rng.random() < 0.6 else "",
        "created_at": utcnow(),
    }
    return row, first_seen


def fill_demo(
    handle: OfficeHandle,
    cases: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    batch: int = 500,
) -> int:
    """Add ``cases`` fictitious people with a case and contacts; returns cases committed."""
    rng = random.Random(seed)
    today = date.today()
    with handle.transaction() as session:
        done = int(session.scalar(select(func.count()).select_from(Case)) or 0)
        officer_ids = list(session.scalars(select(User.id).where(User.active.is_(True))))
    while done < cases:
        size = min(batch, cases - done)
        with handle.transaction() as session:
            first_person = int(session.scalar(select(func.max(Person.id))) or 0) + 1
            first_case = int(session.scalar(select(func.max(Case.id))) or 0) + 1
            persons, case_rows, contacts = [], [], []
            for offset in range(size):
                index = done + offset + 1
                row, first_seen = _person_row(rng, index, today)
                row["id"] = first_person + offset
                persons.append(row)
                case_id = first_case + offset
                stage = rng.choice(STAGES)
                case_rows.append(
                    {
                        "id": case_id,
                        "number": f"D-{first_seen:%Y}-{index:06d}",
                        "person_id": row["id"],
                        "officer_id": rng.choice(officer_ids),
                        "opened_on": first_seen,
                        "stage": stage,
                        "closed_on": first_seen + timedelta(days=rng.randrange(1, 120)) if stage == "cloture" else None,
                        "closure_reason": "autonomie" if stage == "cloture" else "",
                    }
                )
                day = first_seen
                for _ in range(rng.randint(1, 6)):
                    if day > today:
                        break
                    contacts.append(
                        {"case_id": case_id, "on_date": day, "kind": rng.choice(CONTACT_KINDS), "note": "Note fictive."}
                    )
                    day += timedelta(days=rng.randrange(3, 90))
            session.execute(insert(Person), persons)
            session.execute(insert(Case), case_rows)
            session.execute(insert(Contact), contacts)
            handle.audit(
                session, AuditAction.CREATED, RecordType.PERSON, "", f"demo {first_person}-{first_person + size - 1}"
            )
        done += size
        if progress is not None:
            progress(done)
    return done


def create_demo_office(
    path: Path,
    admin_password: str,
    cases: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    batch: int = 500,
) -> str:
    """Create the demo office (admin ``admin``) and fill it; returns the recovery code."""
    handle, recovery = create_office(
        path,
        commune_code=DEMO_COMMUNE,
        office_name=DEMO_OFFICE_NAME,
        admin_login="admin",
        admin_name="Admin Démo (fictif)",
        admin_password=admin_password,
        is_demo=True,
    )
    with handle:
        for login, name, role in DEMO_USERS:
            users.add_user(handle, login, name, role, admin_password)
        fill_demo(handle, cases, seed, progress, batch)
    return recovery
