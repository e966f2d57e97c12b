"""The demo office: synthetic, obviously fictitious people spread over 24 months.

Family names are invented from roots like "Fictiv", "Exempl", "Démo" (and their
Arabic transcriptions); phone numbers use 0600 00…; document numbers start with
"ZZ". Proportions (categories, nationalities, vulnerabilities) are plausible for a
Souss-Massa office. About 2% of new people are *planted* spelling variants of an
earlier person (other script, El/Al, swapped names, a typo) so that duplicate
detection can be measured. Rows are committed in batches: an interrupted run keeps
every finished batch.

The office also gets a directory of the region's services (:mod:`demo_directory`,
fictitious contacts) and about 1.5 referrals per case, to providers serving the case's
needs where the person lives: most closed with a counter-referral, the recent ones still
waiting (some overdue), a few drafts and cancellations, 5% incoming. Each has its
events, as the referral service writes them, and sharing is backed by the person's
consent (asked when the referral is made, or a supervisor's override). Referrals draw
from their own random stream, so people and cases are those of the same seed without them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from desktop.db.models import (
    ActionPlanItem,
    AssessmentItem,
    Case,
    CaseStageEvent,
    Consent,
    Contact,
    HouseholdMember,
    IdentityDocument,
    Person,
    Provider,
    Referral,
    ReferralEvent,
    SocialAssessment,
    User,
    VulnerabilitySheet,
    utcnow,
)
from desktop.domain import names
from desktop.domain import referrals as rules
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.codelists import ASSESSMENT_DOMAINS, CLOSURE_REASONS, CONTACT_KINDS, STAGES
from desktop.domain.errors import InputRejected
from desktop.domain.users import Role
from desktop.services import demo_directory, search_index, users
from desktop.services.demo_directory import Candidate, DemoDirectory
from desktop.services.office import OfficeHandle, create_office

DEMO_COMMUNE = "09.001.01.01."  # Agadir (Souss-Massa)
DEMO_OFFICE_NAME = "BAOM de démonstration — données fictives"
DEMO_USERS = (
    ("agent.demo", "Agent Démo (fictif)", Role.OFFICER),
    ("agente.demo", "Agente Démo (fictive)", Role.OFFICER),
    ("responsable.demo", "Responsable Démo (fictif)", Role.SUPERVISOR),
)
PLANTED_SHARE = 0.02

ROOTS = [("Fictiv", "فيكتيف"), ("Exempl", "إكسمبل"), ("Demon", "ديمون"), ("Model", "موديل"), ("Specim", "سبيسيم"),
         ("Imagin", "إيماجين"), ("Invent", "أنفنت"), ("Prototyp", "بروتوتيب"), ("Essay", "إيساي"),
         ("Simul", "سيمول"), ("Factic", "فاكتيك"), ("Illustr", "إيلوستر")]  # fmt: skip
SUFFIXES = [("i", "ي"), ("ou", "و"), ("a", "ا"), ("ane", "ان"), ("ari", "اري"), ("ouni", "وني"),
            ("aoui", "اوي"), ("o", "و"), ("ara", "ارا"), ("ba", "با"), ("ine", "ين")]  # fmt: skip
PREFIXES = [("", ""), ("El ", "ال"), ("Ben ", "بن "), ("Ait ", "آيت ")]

GIVEN = {
    "maghreb": {
        "M": [("Mohamed", "محمد"), ("Youssef", "يوسف"), ("Omar", "عمر"), ("Hassan", "حسن"), ("Karim", "كريم"),
              ("Said", "سعيد"), ("Rachid", "رشيد"), ("Abdellah", "عبد الله"), ("Mustapha", "مصطفى"), ("Ahmed", "أحمد"),
              ("Brahim", "إبراهيم"), ("Lahcen", "لحسن"), ("Hamid", "حميد"), ("Driss", "إدريس")],
        "F": [("Fatima", "فاطمة"), ("Khadija", "خديجة"), ("Aicha", "عائشة"), ("Zineb", "زينب"), ("Naima", "نعيمة"),
              ("Salma", "سلمى"), ("Malika", "مليكة"), ("Hanane", "حنان"), ("Samira", "سميرة"), ("Latifa", "لطيفة"),
              ("Meryem", "مريم"), ("Hafsa", "حفصة")],
    },
    "west_africa": {
        "M": [("Ibrahima", "إبراهيما"), ("Moussa", "موسى"), ("Amadou", "أمادو"), ("Mamadou", "مامادو"),
              ("Ousmane", "عثمان"), ("Abdoulaye", "عبد الله"), ("Cheikh", "الشيخ"), ("Seydou", "سيدو"),
              ("Lamine", "الأمين"), ("Boubacar", "أبو بكر"), ("Souleymane", "سليمان"), ("Yacouba", "يعقوبا")],
        "F": [("Aminata", "أميناتا"), ("Fatou", "فاتو"), ("Mariama", "مريمة"), ("Awa", "عوا"), ("Kadiatou", "كادياتو"),
              ("Aissatou", "عيساتو"), ("Ramatoulaye", "رماتولاي"), ("Hawa", "حواء"), ("Binta", "بنتا")],
    },
    "central_africa": {
        "M": [("Jean", "جون"), ("Patrick", "باتريك"), ("Emmanuel", "إيمانويل"), ("Serge", "سيرج"), ("Blaise", "بليز")],
        "F": [("Grace", "غريس"), ("Esther", "إستير"), ("Sandrine", "ساندرين"), ("Christelle", "كريستيل")],
    },
    "mashreq": {
        "M": [("Ahmad", "أحمد"), ("Khaled", "خالد"), ("Mahmoud", "محمود"), ("Yasser", "ياسر"), ("Ali", "علي")],
        "F": [("Rania", "رانيا"), ("Hiba", "هبة"), ("Lina", "لينا"), ("Nour", "نور"), ("Amal", "أمل")],
    },
    "europe": {
        "M": [("Pierre", "بيير"), ("Carlos", "كارلوس"), ("Marco", "ماركو"), ("Thomas", "توماس")],
        "F": [("Claire", "كلير"), ("Lucia", "لوسيا"), ("Sofia", "صوفيا"), ("Anna", "آنا")],
    },
}  # fmt: skip

# nationality, weight, region of names, categories, languages, Arabic-script share
NATIONALITIES: list[tuple[str, int, str, tuple[str, ...], tuple[str, ...], float]] = [
    ("MA", 40, "maghreb", ("mre", "returnee_voluntary", "returnee_forced", "returnee_avrr"), ("ary", "zgh", "fr"), 0.7),
    ("SN", 10, "west_africa", ("rpt_migrant", "rpt_worker", "rpt_student", "rpt_transit"), ("wo", "fr"), 0.05),
    ("CI", 9, "west_africa", ("rpt_migrant", "rpt_worker", "rpt_transit", "rpt_asylum_seeker"), ("fr",), 0.02),
    ("GN", 8, "west_africa", ("rpt_migrant", "rpt_transit", "rpt_asylum_seeker"), ("ff", "fr"), 0.05),
    ("ML", 6, "west_africa", ("rpt_migrant", "rpt_asylum_seeker", "rpt_refugee"), ("bm", "fr"), 0.05),
    ("CM", 6, "central_africa", ("rpt_migrant", "rpt_student", "rpt_transit"), ("fr", "en"), 0.0),
    ("NG", 3, "west_africa", ("rpt_migrant", "rpt_transit"), ("en", "ha"), 0.0),
    ("CD", 3, "central_africa", ("rpt_asylum_seeker", "rpt_refugee", "rpt_student"), ("ln", "fr"), 0.0),
    ("SY", 5, "mashreq", ("rpt_refugee", "rpt_asylum_seeker"), ("ar",), 0.9),
    ("YE", 2, "mashreq", ("rpt_refugee", "rpt_asylum_seeker"), ("ar",), 0.9),
    ("SD", 3, "mashreq", ("rpt_asylum_seeker", "rpt_refugee"), ("ar", "en"), 0.8),
    ("FR", 3, "europe", ("rpt_worker", "rpt_student"), ("fr",), 0.0),
    ("ES", 2, "europe", ("rpt_worker",), ("es",), 0.0),
]
LEGAL = {
    "mre": "moroccan_national", "returnee_voluntary": "moroccan_national", "returnee_forced": "moroccan_national",
    "returnee_avrr": "moroccan_national", "rpt_student": "student_visa", "rpt_worker": "regular_resident",
    "rpt_refugee": "refugee", "rpt_asylum_seeker": "asylum_seeker",
}  # fmt: skip
DEMO_COMMUNES = ["09.001.01.01."] * 6 + ["09.273.01.15.", "09.001.01.01."]
LEVELS = (("low", 35), ("medium", 35), ("high", 20), ("urgent", 10))

# -- referrals -----------------------------------------------------------------------------
# Mean referrals per case by stage (a case at the reception desk has hardly any yet): ~1.5.
REFERRALS_PER_CASE = {"accueil": 0.4, "evaluation": 1.0, "orientation": 1.7, "accompagnement": 2.0, "suivi": 1.9,
                      "autonomie": 1.8, "cloture": 1.6}  # fmt: skip
NEEDS_FIRST = 0.8  # share of referrals answering a need of the bilan or of a contact
# Needs when the case says nothing: what offices refer for most.
DOMAIN_WEIGHTS = (("health_physical", 16), ("administrative", 12), ("social_aid", 12), ("employment_training", 10),
                  ("legal_aid", 8), ("housing", 8), ("civil_status", 6), ("education", 6), ("health_srh", 5),
                  ("psychosocial", 5), ("protection_gbv", 4), ("health_mental", 3), ("income_generating", 3),
                  ("pension_rights", 2))  # fmt: skip
PRESSING = frozenset({"health_physical", "health_srh", "health_mental", "protection_gbv", "housing"})
URGENCY = (("weeks2", 86), ("h72", 10), ("h24", 4))
URGENCY_PRESSING = (("weeks2", 62), ("h72", 26), ("h24", 12))
# Outcomes of counter-referrals (of all referrals: the rest are waiting, drafts, cancelled).
OUTCOMES = (("served", 55), ("partly_served", 10), ("did_not_come", 12), ("not_eligible", 5), ("refused", 5),
            ("redirected", 4))  # fmt: skip
OUTCOMES_NOT_ELIGIBLE = (("served", 5), ("partly_served", 5), ("did_not_come", 5), ("not_eligible", 55),
                         ("refused", 10), ("redirected", 20))  # fmt: skip
INCOMING_SHARE = 0.05
DRAFT_SHARE = 0.01
CANCELLED_SHARE = 0.025
LOST_SHARE = 0.001  # never answered: still overdue, whatever its age
FITTING_SHARE = 0.97  # providers chosen among those accepting the person's public
REASONS = {
    "administrative": "Démarches administratives (séjour, attestations)", "civil_status": "Acte d'état civil",
    "health_physical": "Consultation médicale", "health_mental": "Suivi en santé mentale",
    "health_srh": "Santé maternelle et reproductive", "psychosocial": "Soutien psychosocial",
    "legal_aid": "Conseil juridique", "employment_training": "Recherche d'emploi ou formation",
    "income_generating": "Projet d'activité génératrice de revenus", "social_aid": "Aide sociale d'urgence",
    "housing": "Hébergement", "education": "Scolarisation ou alphabétisation",
    "protection_gbv": "Protection (violences)", "pension_rights": "Droits à la retraite", "other": "Autre besoin",
}  # fmt: skip
FEEDBACK = {
    "served": "Service rendu (retour fictif).", "partly_served": "Service rendu en partie (retour fictif).",
    "did_not_come": "La personne ne s'est pas présentée (retour fictif).",
    "not_eligible": "Hors des conditions d'accès (retour fictif).", "refused": "La personne a refusé (retour fictif).",
    "redirected": "Réorientée vers une autre structure (retour fictif).",
}  # fmt: skip
CANCEL_REASONS = ("Doublon (fictif).", "La personne a quitté la région (fictif).", "Besoin couvert autrement (fictif).")
OVERRIDE_REASON = "Urgence : accord oral de la personne, formulaire à signer (fictif)."
FOLLOW_UP_NOTE = "Relance téléphonique (fictive)."


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([code for code, _ in table], weights=[w for _, w in table])[0]


@dataclass
class _Sharing:
    """The person's referral-sharing consent as the referrals of their case see it."""

    given_on: date | None
    withdrawn_on: date | None

    def covers(self, start: date, end: date) -> bool:
        return (
            self.given_on is not None
            and self.given_on <= start
            and (self.withdrawn_on is None or self.withdrawn_on > end)
        )


@dataclass
class DemoReport:
    cases: int = 0
    planted: list[tuple[int, int]] = field(default_factory=list)  # (original person, planted variant)


@dataclass
class _Batch:
    persons: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    household: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    sheets: list[dict[str, Any]] = field(default_factory=list)
    assessments: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    search: list[dict[str, Any]] = field(default_factory=list)
    referrals: list[dict[str, Any]] = field(default_factory=list)
    referral_events: list[dict[str, Any]] = field(default_factory=list)


class _Generator:
    def __init__(self, rng: random.Random, today: date, officer_ids: list[int], ids: dict[str, int]) -> None:
        self.rng = rng
        self.today = today
        self.officers = officer_ids
        self.ids = ids  # next id per table
        self.known: list[dict[str, Any]] = []  # people generated this run (for planting variants)
        self.case_seq: dict[int, int] = {}
        # referrals: their own stream, the directory, codes already taken, who may override consent
        self.ref_rng = random.Random(0)  # fill_demo seeds it from the demo's seed
        self.directory: DemoDirectory | None = None
        self.codes: set[str] = set()
        self.supervisors: list[int] = officer_ids
        self.stamp = utcnow()

    def _next(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def family_name(self) -> tuple[str, str]:
        (prefix, prefix_ar), (root, root_ar), (suffix, suffix_ar) = (
            self.rng.choice(PREFIXES),
            self.rng.choice(ROOTS),
            self.rng.choice(SUFFIXES),
        )
        return f"{prefix}{root}{suffix}", f"{prefix_ar}{root_ar}{suffix_ar}"

    def person(self, batch: _Batch, planted_from: dict[str, Any] | None) -> dict[str, Any]:
        rng = self.rng
        if planted_from is None:
            nationality, _w, region, categories, languages, arabic_share = rng.choices(
                NATIONALITIES, weights=[n[1] for n in NATIONALITIES]
            )[0]
            sex = "F" if rng.random() < 0.42 else "M"
            given, given_ar = rng.choice(GIVEN[region][sex])
            family, family_ar = self.family_name()
            category = rng.choice(categories)
            age = self._age(category)
            birth = self.today - timedelta(days=age * 365 + rng.randrange(365))
            script = rng.random()
            if script < arabic_share * 0.15:
                family, given = "", ""  # Arabic only
            elif script > arabic_share:
                family_ar, given_ar = "", ""  # Latin only
            document = self._document(nationality, category)
            phone = f"0600{rng.randrange(10**6):06d}" if rng.random() < 0.75 else ""
        else:
            nationality = planted_from["nationality"]
            languages = tuple(planted_from["languages"].split("|"))
            category = planted_from["category"]
            sex = planted_from["sex"]
            variant = rng.choice(
                names.variants(planted_from["family_name"] or "", planted_from["given_name"] or "", rng)
                or [(planted_from["family_name"], planted_from["given_name"], "", "")]
            )
            family, given, family_ar, given_ar = variant
            if not (family or given or family_ar or given_ar):
                family_ar, given_ar = planted_from["family_name_ar"], planted_from["given_name_ar"]
            birth = planted_from["birth_date"] or date(int(planted_from["birth_year"]), 6, 30)
            if rng.random() < 0.5:
                birth = birth + timedelta(days=rng.choice((-400, -365, -30, 30, 365)))
            document = planted_from["_document"] if rng.random() < 0.3 else self._document(nationality, category)
            phone = planted_from["phone"] if rng.random() < 0.3 else ""
        estimated = rng.random() < 0.12
        person_id = self._next("person")
        row = {
            "id": person_id,
            "family_name": family,
            "given_name": given,
            "family_name_ar": family_ar,
            "given_name_ar": given_ar,
            "sex": sex,
            "birth_date": None if estimated else birth,
            "birth_year_estimated": birth.year if estimated else None,
            "birth_year": birth.year,
            "nationality": nationality,
            "category": category,
            "languages": "|".join(rng.sample(languages, k=rng.randint(1, len(languages)))),
            "commune_code": rng.choice(DEMO_COMMUNES),
            "douar": f"Quartier fictif {rng.randint(1, 40)}",
            "phone": phone,
            "legal_status": LEGAL.get(
                category, rng.choice(("irregular", "regular_resident", "pending_regularisation"))
            ),
            "arrival_date": None,
            "name_key": names.name_key(family, given, family_ar, given_ar),
            "created_at": utcnow(),
        }
        batch.persons.append(row)
        if document:
            batch.documents.append(
                {
                    "person_id": person_id,
                    "kind": document[0],
                    "number": document[1],
                    "number_key": names.document_key(document[1]),
                }
            )
        if rng.random() < 0.3:
            for _ in range(rng.randint(1, 3)):
                child_age = rng.randint(0, 17)
                batch.household.append(
                    {
                        "person_id": person_id,
                        "relation": "child",
                        "name": "",
                        "sex": rng.choice("FM"),
                        "birth_year": self.today.year - child_age,
                        "schooling": "not_applicable"
                        if child_age < 6
                        else rng.choice(("enrolled", "enrolled", "not_enrolled")),
                        "birth_registration": rng.choice(("registered", "registered", "not_registered", "unknown")),
                        "lives_with": True,
                    }
                )
        remembered = dict(row, _document=document)
        self.known.append(remembered)
        return remembered

    def _age(self, category: str) -> int:
        rng = self.rng
        if category == "rpt_student":
            return rng.randint(18, 30)
        if category == "mre" and rng.random() < 0.4:
            return rng.randint(58, 85)  # retired migrants and their pension rights
        if rng.random() < 0.07:
            return rng.randint(13, 17)  # some minors, some unaccompanied
        return min(80, max(18, int(rng.gauss(32, 10))))

    def _document(self, nationality: str, category: str) -> tuple[str, str] | None:
        rng = self.rng
        if rng.random() < 0.3:
            return None
        if nationality == "MA":
            return "cin", f"ZZ{rng.randrange(10**6):06d}"
        if category in ("rpt_refugee", "rpt_asylum_seeker"):
            return "unhcr_card", f"ZZU-{rng.randrange(10**7):07d}"
        return "passport", f"ZZP{rng.randrange(10**7):07d}"

    def case(self, batch: _Batch, person: dict[str, Any], planted: bool) -> None:
        rng = self.rng
        today = self.today
        case_id = self._next("case_file")
        consents_from, items_from, contacts_from = len(batch.consents), len(batch.items), len(batch.contacts)
        opened = today - timedelta(days=rng.randrange(730))
        seq = self.case_seq.get(opened.year, 0) + 1
        self.case_seq[opened.year] = seq
        number = f"D-{opened.year}-{seq:06d}"
        officer = rng.choice(self.officers)
        stage = rng.choices(STAGES, weights=(10, 15, 20, 20, 15, 5, 15))[0]
        closed = stage == "cloture"
        closed_on = min(today, opened + timedelta(days=rng.randint(7, 200))) if closed else None
        follow_up = today + timedelta(days=rng.randint(-30, 45)) if not closed and rng.random() < 0.7 else None
        level = ""
        batch.stages.append(self._stage(case_id, opened, "accueil", "", officer))
        if stage != "accueil":
            moved = min(today, opened + timedelta(days=rng.randint(1, 60)))
            if closed and closed_on is not None:
                batch.stages.append(self._stage(case_id, closed_on, "cloture", rng.choice(CLOSURE_REASONS), officer))
            else:
                batch.stages.append(self._stage(case_id, moved, stage, "", officer))
        for purpose, share in (("processing", 1.0), ("referral_sharing", 0.85), ("statistics", 0.92)):
            if rng.random() < share:
                withdrawn = opened + timedelta(days=rng.randint(1, 90)) if rng.random() < 0.03 else None
                batch.consents.append(
                    {
                        "person_id": person["id"],
                        "purpose": purpose,
                        "given_on": opened,
                        "withdrawn_on": min(withdrawn, today) if withdrawn else None,
                        "form_signed": rng.random() < 0.8,
                        "recorded_by": officer,
                        "recorded_at": utcnow(),
                    }
                )
        if rng.random() < 0.6:
            for n in range(rng.choice((1, 1, 2))):
                level = rng.choices([lv for lv, _ in LEVELS], weights=[w for _, w in LEVELS])[0]
                batch.sheets.append(
                    {
                        "case_id": case_id,
                        "assessed_on": min(today, opened + timedelta(days=n * rng.randint(20, 120))),
                        "level": level,
                        "criteria": "|".join(self._criteria(person)),
                        "note": "",
                        "officer_id": officer,
                        "recorded_at": utcnow(),
                    }
                )
        if rng.random() < 0.45:
            assessment_id = self._next("social_assessment")
            batch.assessments.append(
                {
                    "id": assessment_id,
                    "case_id": case_id,
                    "assessed_on": min(today, opened + timedelta(days=rng.randint(0, 20))),
                    "officer_id": officer,
                    "summary": "Bilan fictif.",
                    "updated_at": utcnow(),
                }
            )
            for domain in rng.sample(ASSESSMENT_DOMAINS, k=rng.randint(2, 4)):
                batch.items.append(
                    {
                        "assessment_id": assessment_id,
                        "domain": domain,
                        "situation": "Situation fictive.",
                        "need": "Besoin fictif.",
                        "priority": rng.choice(("low", "medium", "high")),
                    }
                )
            batch.actions.append(
                {
                    "assessment_id": assessment_id,
                    "domain": "",
                    "action": "Action fictive.",
                    "responsible": "Agent démo",
                    "due_on": opened + timedelta(days=rng.randint(7, 60)),
                    "done_on": None,
                }
            )
        last_contact = None
        day = opened
        for _ in range(rng.randint(1, 6)):
            if day > (closed_on or today):
                break
            batch.contacts.append(
                {
                    "case_id": case_id,
                    "on_date": day,
                    "kind": rng.choice(CONTACT_KINDS),
                    "channel": rng.choice(("in_person", "in_person", "phone", "message")),
                    "needs": "|".join(rng.sample(ASSESSMENT_DOMAINS, k=rng.randint(0, 2))),
                    "note": "Note fictive.",
                    "officer_id": officer,
                }
            )
            last_contact = day
            day += timedelta(days=rng.randrange(3, 90))
        batch.cases.append(
            {
                "id": case_id,
                "number": number,
                "person_id": person["id"],
                "officer_id": officer,
                "opened_on": opened,
                "stage": stage,
                "closed_on": closed_on,
                "closure_reason": batch.stages[-1]["reason"] if closed else "",
                "vulnerability_level": level,
                "next_follow_up": follow_up,
                "last_contact_on": last_contact,
            }
        )
        documents = [person["_document"][1]] if person["_document"] else []
        body = search_index.body_of(
            person["family_name"], person["given_name"], person["family_name_ar"], person["given_name_ar"],
            person["phone"], documents, number,
        )  # fmt: skip
        batch.search.append({"id": case_id, "body": body})
        del planted
        if self.directory is not None:
            needs = {item["domain"] for item in batch.items[items_from:]}
            needs |= {
                need for contact in batch.contacts[contacts_from:] for need in contact["needs"].split("|") if need
            }
            consent = next((c for c in batch.consents[consents_from:] if c["purpose"] == "referral_sharing"), None)
            sharing = _Sharing(consent["given_on"], consent["withdrawn_on"]) if consent else _Sharing(None, None)
            self.referrals(batch, case_id, person, officer, opened, closed_on or today, stage, needs, sharing)

    # -- referrals ---------------------------------------------------------------------------
    def referrals(
        self,
        batch: _Batch,
        case_id: int,
        person: dict[str, Any],
        officer: int,
        opened: date,
        end: date,
        stage: str,
        needs: set[str],
        sharing: _Sharing,
    ) -> None:
        """The case's referrals, in the order they were made (consent asked at the first that shares)."""
        assert self.directory is not None
        rng = self.ref_rng
        area = person["commune_code"]
        public = rules.public_of(person["category"], person["legal_status"])
        available = self.directory.domains(area)
        wanted = [d for need in sorted(needs) for d in rules.ASSESSMENT_TO_SERVICE.get(need, ()) if d in available]
        if person["category"] == "mre" and self.today.year - int(person["birth_year"]) >= 58:
            wanted += ["pension_rights"] * 3
        span = max(0, (end - opened).days)
        days = sorted(int(span * rng.random() ** 1.6) for _ in range(_poisson(rng, REFERRALS_PER_CASE[stage])))
        used: set[str] = set()
        for day in days:
            fresh = [d for d in wanted if d not in used]
            if fresh and rng.random() < NEEDS_FIRST:
                domain = rng.choice(fresh)
            else:
                domain = _weighted(rng, DOMAIN_WEIGHTS)
                if domain not in available:
                    continue
            used.add(domain)
            candidates = self.directory.serving(domain, area)
            fitting = [c for c in candidates if c.accepts(public)]
            chosen = rng.choice(fitting if fitting and rng.random() < FITTING_SHARE else candidates)
            self.referral(batch, case_id, person, officer, opened + timedelta(days=day), domain, chosen,
                          chosen.accepts(public), sharing)  # fmt: skip

    def _code(self) -> str:
        while True:
            code = rules.new_code()
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _shared(self, domain: str) -> list[str]:
        rng = self.ref_rng
        if rng.random() < 0.05:
            return []  # the person goes with the slip alone
        shared = ["identity"]
        for item, share in (("phone", 0.6), ("need_summary", 0.5), ("documents", 0.2), ("vulnerability", 0.15)):
            if rng.random() < share:
                shared.append(item)
        if domain.startswith("health") and rng.random() < 0.4:
            shared.append("health")
        return shared

    def referral(
        self,
        batch: _Batch,
        case_id: int,
        person: dict[str, Any],
        officer: int,
        created: date,
        domain: str,
        provider: Candidate,
        eligible: bool,
        sharing: _Sharing,
    ) -> None:
        rng, today = self.ref_rng, self.today
        referral_id = self._next("referral")
        incoming = rng.random() < INCOMING_SHARE
        urgency = "weeks2" if incoming else _weighted(rng, URGENCY_PRESSING if domain in PRESSING else URGENCY)
        events: list[tuple[date, str, str, int]] = []  # (on, kind, note, officer), in the order written
        row: dict[str, Any] = {
            "id": referral_id, "code": self._code(), "case_id": case_id,
            "direction": "incoming" if incoming else "outgoing", "domain": domain,
            "provider_id": provider.provider_id,
            "service_id": rng.choice(provider.services) if provider.services and rng.random() < 0.85 else None,
            "urgency": urgency, "reason": f"{REASONS[domain]} (besoin fictif).", "shared": "", "state": rules.DRAFT,
            "created_on": created, "sent_on": None, "due_on": None, "acknowledged_on": None, "closed_on": None,
            "outcome": "", "counter_received_on": None, "service_date": None, "feedback": "", "consent_override": "",
            "last_follow_up_on": None, "follow_ups": 0, "officer_id": officer, "updated_at": self.stamp,
        }  # fmt: skip
        sent_on = (
            created if incoming or rng.random() < 0.85 else min(today, created + timedelta(days=rng.randint(1, 3)))
        )
        if incoming:
            shared = ["identity"] if rng.random() < 0.7 else []
        else:
            shared = self._shared(domain)
            if shared and not sharing.covers(created, sent_on):
                roll = rng.random()
                if sharing.given_on is not None or roll < 0.10:
                    shared = []  # consent withdrawn (or declined): nothing leaves the office
                elif roll < 0.95:  # asked at the referral, as the form says
                    sharing.given_on = created
                    batch.consents.append(
                        {"person_id": person["id"], "purpose": "referral_sharing", "given_on": created,
                         "withdrawn_on": None, "form_signed": rng.random() < 0.9, "recorded_by": officer,
                         "recorded_at": self.stamp}
                    )  # fmt: skip
                else:
                    row["consent_override"] = OVERRIDE_REASON
                    events.append((created, "override", OVERRIDE_REASON, rng.choice(self.supervisors)))
        row["shared"] = "|".join(shared)
        events.append((created, rules.DRAFT, "", officer))
        roll = rng.random()
        if not incoming and roll < DRAFT_SHARE:
            pass  # never sent
        elif not incoming and roll < DRAFT_SHARE + CANCELLED_SHARE:
            if rng.random() < 0.5:
                self._sent(row, events, sent_on, officer)
            cancelled = min(today, (row["sent_on"] or created) + timedelta(days=rng.randint(0, 10)))
            row.update(state=rules.CANCELLED, closed_on=cancelled)
            events.append((cancelled, rules.CANCELLED, rng.choice(CANCEL_REASONS), officer))
        else:
            self._sent(row, events, sent_on, officer)
            self._answer(row, events, sent_on, officer, eligible)
        batch.referrals.append(row)
        events.sort(key=lambda e: e[0])  # stable: same-day events keep the service's order
        batch.referral_events.extend(
            {"referral_id": referral_id, "on_date": on, "kind": kind, "note": note, "officer_id": who,
             "recorded_at": self.stamp}
            for on, kind, note, who in events
        )  # fmt: skip

    def _sent(self, row: dict[str, Any], events: list[tuple[date, str, str, int]], on: date, officer: int) -> None:
        outgoing = row["direction"] == "outgoing"
        row.update(state=rules.SENT, sent_on=on, due_on=rules.due_on(on, row["urgency"]) if outgoing else None)
        events.append((on, rules.SENT, "", officer))

    def _answer(
        self, row: dict[str, Any], events: list[tuple[date, str, str, int]], sent: date, officer: int, eligible: bool
    ) -> None:
        """The provider's answer (the counter-referral), if it came by today; acknowledgements, follow-ups."""
        rng, today = self.ref_rng, self.today
        mean = 5.0 if row["urgency"] == "weeks2" else 1.5
        delay = min(40, 2 + int(rng.expovariate(1 / mean)))
        received = sent + timedelta(days=delay)
        waiting = received > today or rng.random() < LOST_SHARE
        last = today if waiting else received - timedelta(days=1)  # the last day it was still waiting
        if (last - sent).days >= 1 and rng.random() < (0.4 if waiting else 0.35):
            acknowledged = sent + timedelta(days=rng.randint(1, min(3, (last - sent).days)))
            row.update(state=rules.ACKNOWLEDGED, acknowledged_on=acknowledged)
            events.append((acknowledged, rules.ACKNOWLEDGED, "", officer))
        due = row["due_on"]
        if due is not None and last > due and rng.random() < (0.6 if waiting else 0.5):
            late = (last - due).days
            calls = sorted(due + timedelta(days=rng.randint(1, late)) for _ in range(rng.choice((1, 1, 2, 3))))
            row.update(follow_ups=len(calls), last_follow_up_on=calls[-1])
            events.extend((on, "follow_up", FOLLOW_UP_NOTE, officer) for on in calls)
        if waiting:
            return
        outcome = _weighted(rng, OUTCOMES if eligible else OUTCOMES_NOT_ELIGIBLE)
        served = outcome in ("served", "partly_served")
        row.update(
            state=rules.CLOSED,
            outcome=outcome,
            counter_received_on=received,
            closed_on=received,
            service_date=sent + timedelta(days=rng.randint(0, delay)) if served else None,
            feedback=FEEDBACK[outcome] if rng.random() < 0.6 else "",
        )
        events.append((received, "counter", outcome, officer))
        events.append((received, rules.CLOSED, "", officer))

    def _stage(self, case_id: int, on: date, stage: str, reason: str, officer: int) -> dict[str, Any]:
        return {"case_id": case_id, "on_date": on, "stage": stage, "reason": reason, "officer_id": officer,
                "recorded_at": utcnow()}  # fmt: skip

    def _criteria(self, person: dict[str, Any]) -> list[str]:
        rng = self.rng
        age = self.today.year - int(person["birth_year"])
        found = []
        if age < 18 and rng.random() < 0.5:
            found.append("unaccompanied_child")
        if person["sex"] == "F" and 16 <= age <= 45 and rng.random() < 0.15:
            found.append("pregnant_lactating")
        if age >= 60:
            found.append("elderly")
        for criterion, share in (("single_parent", 0.08), ("disability", 0.04), ("serious_illness", 0.06),
                                 ("mental_health", 0.06), ("violence_survivor", 0.08), ("trafficking_victim", 0.02),
                                 ("no_shelter", 0.12), ("no_resources", 0.25)):  # fmt: skip
            if rng.random() < share:
                found.append(criterion)
        if person["legal_status"] == "irregular" and rng.random() < 0.6:
            found.append("no_documents")
        return found or ["no_resources"]


def _next_ids(handle: OfficeHandle) -> dict[str, int]:
    with handle.transaction() as session:
        return {
            "person": int(session.scalar(select(func.max(Person.id))) or 0) + 1,
            "case_file": int(session.scalar(select(func.max(Case.id))) or 0) + 1,
            "social_assessment": int(session.scalar(select(func.max(SocialAssessment.id))) or 0) + 1,
            "referral": int(session.scalar(select(func.max(Referral.id))) or 0) + 1,
        }


def fill_demo(
    handle: OfficeHandle,
    cases: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    batch: int = 500,
) -> DemoReport:
    """Add fictitious cases until the office has ``cases``; returns what was planted."""
    from desktop.services.office import office_info

    if not office_info(handle).is_demo:
        raise InputRejected("error.not_demo_office")
    rng = random.Random(seed)
    today = date.today()
    report = DemoReport()
    with handle.transaction() as session:
        done = int(session.scalar(select(func.count()).select_from(Case)) or 0)
        officer_ids = list(session.scalars(select(User.id).where(User.active.is_(True))))
        supervisors = list(
            session.scalars(select(User.id).where(User.active.is_(True), User.role.in_((Role.SUPERVISOR, Role.ADMIN))))
        )
        if not session.scalar(select(func.count()).select_from(Provider)):
            demo_directory.seed_directory(session, handle, today, seed)
        demo_dir = DemoDirectory.load(session)
        codes = set(session.scalars(select(Referral.code)))
        years: dict[str, int] = dict(
            session.execute(
                select(func.strftime("%Y", Case.opened_on), func.count()).group_by(func.strftime("%Y", Case.opened_on))
            ).all()
        )
        if not search_index.is_current(session):
            search_index.rebuild(session)
    generator = _Generator(rng, today, officer_ids, _next_ids(handle))
    generator.case_seq = {int(year): int(count) + 1000 for year, count in years.items() if year}
    generator.directory, generator.codes, generator.supervisors = demo_dir, codes, supervisors or officer_ids
    generator.ref_rng = random.Random(f"demo-referrals-{seed}")
    while done < cases:
        size = min(batch, cases - done)
        work = _Batch()
        generator.stamp = utcnow()
        for _ in range(size):
            planted = len(generator.known) > 50 and rng.random() < PLANTED_SHARE
            original = rng.choice(generator.known) if planted else None
            person = generator.person(work, original)
            if original is not None:
                report.planted.append((int(original["id"]), int(person["id"])))
            generator.case(work, person, planted)
        with handle.transaction() as session:
            for model, rows in (
                (Person, work.persons), (IdentityDocument, work.documents), (HouseholdMember, work.household),
                (Case, work.cases), (CaseStageEvent, work.stages), (Consent, work.consents),
                (VulnerabilitySheet, work.sheets), (SocialAssessment, work.assessments),
                (AssessmentItem, work.items), (ActionPlanItem, work.actions), (Contact, work.contacts),
                (Referral, work.referrals), (ReferralEvent, work.referral_events),
            ):  # fmt: skip
                if rows:  # Core on the table: one executemany (the ORM's bulk insert splits at every None)
                    session.execute(insert(model.metadata.tables[model.__tablename__]), rows)
            session.execute(text("INSERT INTO case_search(rowid, body) VALUES (:id, :body)"), work.search)
            first, last = work.persons[0]["id"], work.persons[-1]["id"]
            handle.audit(session, AuditAction.CREATED, RecordType.PERSON, "", f"demo {first}-{last}")
        done += size
        report.cases = done
        if progress is not None:
            progress(done)
    return report


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
        with handle.transaction() as session:
            search_index.rebuild(session)  # marks the (empty) index current
        fill_demo(handle, cases, seed, progress, batch)
    return recovery
