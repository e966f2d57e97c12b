"""The demo office's service directory: a plausible Souss-Massa cartographie, fictitious contacts.

Institution *types* are real (ANAPEC agencies, Entraide Nationale delegations, health
centres, civil-status offices, the AREF, courts, the CNSS, UNHCR and IOM partners) and
placed in real communes of region ``09.``; every contact is invented: phones in
``0528 00 00 xx``, e-mails at ``exemple.invalid`` (a reserved domain that never
resolves), focal points "Point focal fictif N", addresses "Adresse fictive". Associations
have obviously made-up names ending in "(fictive)". Verification dates spread over the
last twelve months, about a third of them older than six months (shown as stale).

:class:`DemoDirectory` answers the demo generator's question "who, serving this domain,
covers this commune and accepts this public?" with the directory service's own rules.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db.models import Provider, ProviderService
from desktop.domain.geography import geography
from desktop.services import directory
from desktop.services.office import OfficeHandle
from desktop.services.referral_types import ProviderInput, ServiceInput

PHONE_PREFIX = "0528 00 00 "  # a fictitious range of the Souss-Massa area code
EMAIL_DOMAIN = "exemple.invalid"
FOCAL_POINT = "Point focal fictif"
NOTE = "Fiche de démonstration : structure type, coordonnées fictives."
UID_NAMESPACE = uuid.UUID("6f1c9a52-3c1e-4d7a-9b1e-0d3e5a7b9c11")  # stable uids across demo offices

AGADIR = "09.001.01.01."
AOURIR = "09.001.07.03."
INEZGANE = "09.273.01.15."
AIT_MELLOUL = "09.273.01.05."
DCHEIRA = "09.273.01.13."
LQLIAA = "09.273.01.17."
BIOUGRA = "09.163.01.11."
AIT_BAHA = "09.163.01.03."
TAROUDANNT = "09.541.01.13."
OULAD_TEIMA = "09.541.01.09."
TIZNIT = "09.581.01.07."
TAFRAOUT = "09.581.01.05."
TATA = "09.551.01.07."

PUBLIC_LANGUAGES = ("ar", "ary", "zgh", "fr")
ASSOCIATION_LANGUAGES = ("ary", "ar", "fr", "en", "wo", "bm")
INTERNATIONAL_LANGUAGES = ("fr", "en", "ar", "ary", "es")

WEEK = ("mon", "tue", "wed", "thu", "fri")
HOURS: dict[str, dict[str, str]] = {
    "admin": {**{day: "08:30-16:30" for day in WEEK[:4]}, "fri": "08:30-11:30, 13:30-16:30"},
    "health": {**{day: "08:00-16:00" for day in WEEK}, "sat": "08:00-12:00"},
    "hospital": {day: "00:00-23:59" for day in (*WEEK, "sat", "sun")},
    "association": {**{day: "09:00-13:00, 14:30-18:00" for day in WEEK}, "sat": "09:00-13:00"},
    "international": {day: "09:00-17:00" for day in WEEK},
}

CIVIL_DOCUMENTS = "Pièce d'identité des parents, certificat d'accouchement ou livret de famille"
ANAPEC_DOCUMENTS = "CIN ou carte de séjour en cours de validité, CV si disponible"
HEALTH_DOCUMENTS = "Aucun document exigé (pièce d'identité si disponible, carnet de santé)"
COURT_DOCUMENTS = "Requête, pièces d'identité, certificats et pièces selon la demande"
CNSS_DOCUMENTS = "CIN, numéro d'immatriculation, relevés de carrière à l'étranger"
NONE_REQUIRED = "Aucun document exigé"


@dataclass(frozen=True)
class _Spec:
    name_fr: str
    name_ar: str
    kind: str
    commune: str  # "" for a national provider
    coverage: str
    services: tuple[tuple[str, str, str], ...]  # (name_fr, name_ar, service domain)
    publics: tuple[str, ...] = ()  # empty: everyone
    languages: tuple[str, ...] = PUBLIC_LANGUAGES
    hours: str = "admin"
    cost: str = "free"
    documents: str = NONE_REQUIRED
    extra_domains: tuple[str, ...] = ()
    note: str = ""
    active: bool = True


def _anapec(city_fr: str, city_ar: str, commune: str) -> _Spec:
    return _Spec(
        f"Agence ANAPEC {city_fr}", f"وكالة أنابيك {city_ar}", "public", commune, "province",
        (("Inscription et accompagnement vers l'emploi", "التسجيل والمواكبة نحو الشغل", "employment_training"),
         ("Appui à l'auto-emploi", "دعم التشغيل الذاتي", "income_generating")),
        publics=("mre", "returnee", "rpt_regular", "refugee"), documents=ANAPEC_DOCUMENTS,
    )  # fmt: skip


def _entraide(title_fr: str, title_ar: str, commune: str, coverage: str) -> _Spec:
    return _Spec(
        title_fr, title_ar, "public", commune, coverage,
        (("Aide sociale et orientation", "المساعدة الاجتماعية والتوجيه", "social_aid"),
         ("Formation professionnelle des femmes", "التكوين المهني للنساء", "employment_training"),
         ("Éducation non formelle", "التربية غير النظامية", "education")),
        extra_domains=("income_generating",), documents="Pièce d'identité si disponible",
    )  # fmt: skip


def _health_centre(kind_fr: str, kind_ar: str, place_fr: str, place_ar: str, commune: str) -> _Spec:
    return _Spec(
        f"{kind_fr} {place_fr}", f"{kind_ar} {place_ar}", "public", commune, "commune",
        (("Consultations de médecine générale", "الفحوصات الطبية العامة", "health_physical"),
         ("Santé maternelle et infantile, vaccination", "صحة الأم والطفل والتلقيح", "health_srh"),
         ("Planification familiale", "التخطيط العائلي", "health_srh")),
        hours="health", documents=HEALTH_DOCUMENTS,
    )  # fmt: skip


def _civil_status(place_fr: str, place_ar: str, commune: str) -> _Spec:
    return _Spec(
        f"Bureau d'état civil {place_fr}", f"مكتب الحالة المدنية {place_ar}", "public", commune, "commune",
        (("Déclaration de naissance", "التصريح بالولادة", "civil_status"),
         ("Copies et extraits d'actes", "نسخ ومستخرجات الرسوم", "civil_status")),
        documents=CIVIL_DOCUMENTS,
    )  # fmt: skip


def _court(place_fr: str, place_ar: str, commune: str) -> _Spec:
    return _Spec(
        f"Tribunal de première instance {place_fr}", f"المحكمة الابتدائية {place_ar}", "public", commune, "province",
        (("Cellule de prise en charge des femmes et des enfants victimes de violence",
          "خلية التكفل بالنساء والأطفال ضحايا العنف", "protection_gbv"),
         ("Assistance judiciaire", "المساعدة القضائية", "legal_aid"),
         ("Jugement déclaratif de naissance", "الحكم التصريحي بالولادة", "civil_status")),
        documents=COURT_DOCUMENTS,
    )  # fmt: skip


def _cnss(place_fr: str, place_ar: str, commune: str) -> _Spec:
    return _Spec(
        f"Agence CNSS {place_fr}", f"وكالة الصندوق الوطني للضمان الاجتماعي {place_ar}", "public", commune, "province",
        (("Dossiers de pension et transfert de droits", "ملفات المعاش ونقل الحقوق", "pension_rights"),
         ("Immatriculation et attestations", "التسجيل والشهادات", "administrative")),
        publics=("mre", "returnee", "rpt_regular"), documents=CNSS_DOCUMENTS,
    )  # fmt: skip


def _association(name_fr: str, name_ar: str, commune: str, coverage: str,
                 services: tuple[tuple[str, str, str], ...], publics: tuple[str, ...] = (),
                 note: str = "", active: bool = True) -> _Spec:  # fmt: skip
    return _Spec(
        name_fr, name_ar, "associative", commune, coverage, services, publics=publics,
        languages=ASSOCIATION_LANGUAGES, hours="association", note=note, active=active,
    )  # fmt: skip


MIGRANTS = ("rpt_irregular", "rpt_regular", "asylum_seeker", "refugee")
PROTECTED = ("asylum_seeker", "refugee")

SPECS: tuple[_Spec, ...] = (
    # -- employment: ANAPEC agencies, vocational training
    _anapec("d'Agadir", "بأكادير", AGADIR),
    _anapec("d'Inezgane", "بإنزكان", INEZGANE),
    _anapec("de Biougra", "ببيوكرى", BIOUGRA),
    _anapec("de Taroudannt", "بتارودانت", TAROUDANNT),
    _anapec("de Tiznit", "بتزنيت", TIZNIT),
    _Spec("Institut de formation professionnelle (OFPPT) d'Agadir", "معهد التكوين المهني بأكادير", "public",
          AGADIR, "province",
          (("Formation qualifiante", "التكوين التأهيلي", "employment_training"),
           ("Formation par apprentissage", "التكوين بالتدرج المهني", "employment_training")),
          publics=("mre", "returnee", "rpt_regular", "refugee"), documents="Pièce d'identité, niveau scolaire"),
    # -- Entraide Nationale
    _entraide("Délégation régionale de l'Entraide Nationale Souss-Massa",
              "المندوبية الجهوية للتعاون الوطني سوس ماسة", AGADIR, "region"),
    _entraide("Délégation provinciale de l'Entraide Nationale d'Inezgane-Ait Melloul",
              "المندوبية الإقليمية للتعاون الوطني إنزكان آيت ملول", INEZGANE, "province"),
    _entraide("Délégation provinciale de l'Entraide Nationale de Taroudannt",
              "المندوبية الإقليمية للتعاون الوطني تارودانت", TAROUDANNT, "province"),
    _entraide("Délégation provinciale de l'Entraide Nationale de Tiznit",
              "المندوبية الإقليمية للتعاون الوطني تزنيت", TIZNIT, "province"),
    _Spec("Centre multifonctionnel pour femmes d'Ait Melloul (Entraide Nationale)",
          "الفضاء متعدد الوظائف للنساء بآيت ملول (التعاون الوطني)", "public", AIT_MELLOUL, "province",
          (("Écoute et orientation des femmes", "الاستماع للنساء وتوجيههن", "protection_gbv"),
           ("Accompagnement psychosocial", "المواكبة النفسية والاجتماعية", "psychosocial"),
           ("Cours d'alphabétisation", "دروس محو الأمية", "education"))),
    _Spec("Établissement de protection sociale d'Agadir (Entraide Nationale)",
          "مؤسسة الرعاية الاجتماعية بأكادير (التعاون الوطني)", "public", AGADIR, "province",
          (("Hébergement temporaire", "الإيواء المؤقت", "housing"),
           ("Aide alimentaire", "المساعدة الغذائية", "social_aid")),
          hours="hospital", documents="Fiche d'orientation du service social",
          note="Places limitées, délai d'attente de quelques jours (fictif)."),
    # -- health
    _health_centre("Centre de santé urbain", "المركز الصحي الحضري", "Agadir-Centre", "أكادير المركز", AGADIR),
    _health_centre("Centre de santé urbain", "المركز الصحي الحضري", "d'Inezgane", "بإنزكان", INEZGANE),
    _health_centre("Centre de santé urbain", "المركز الصحي الحضري", "d'Ait Melloul", "بآيت ملول", AIT_MELLOUL),
    _health_centre("Centre de santé urbain", "المركز الصحي الحضري", "de Dcheira El Jihadia", "بالدشيرة الجهادية",
                   DCHEIRA),
    _health_centre("Centre de santé rural", "المركز الصحي القروي", "d'Aourir", "بأورير", AOURIR),
    _health_centre("Centre de santé urbain", "المركز الصحي الحضري", "de Biougra", "ببيوكرى", BIOUGRA),
    _health_centre("Centre de santé urbain", "المركز الصحي الحضري", "de Taroudannt", "بتارودانت", TAROUDANNT),
    _health_centre("Centre de santé urbain", "المركز الصحي الحضري", "de Tiznit", "بتزنيت", TIZNIT),
    _health_centre("Centre de santé urbain", "المركز الصحي الحضري", "de Tata", "بطاطا", TATA),
    _Spec("Centre hospitalier régional d'Agadir", "المركز الاستشفائي الجهوي بأكادير", "public", AGADIR, "region",
          (("Urgences", "المستعجلات", "health_physical"),
           ("Consultations spécialisées sur référence", "الاستشارات المتخصصة بالإحالة", "health_physical"),
           ("Maternité", "دار الولادة", "health_srh")),
          hours="hospital", cost="reduced", documents="Fiche de référence du centre de santé, pièce d'identité"),
    _Spec("Service de psychiatrie du centre hospitalier régional d'Agadir",
          "مصلحة الطب النفسي بالمركز الاستشفائي الجهوي بأكادير", "public", AGADIR, "region",
          (("Consultations de psychiatrie", "استشارات الطب النفسي", "health_mental"),),
          hours="health", cost="reduced", documents="Fiche de référence, pièce d'identité si disponible"),
    _Spec("Centre de référence de santé reproductive d'Agadir", "المركز المرجعي للصحة الإنجابية بأكادير",
          "public", AGADIR, "region",
          (("Suivi de grossesse à risque", "تتبع الحمل المحفوف بالمخاطر", "health_srh"),
           ("Dépistage des cancers du sein et du col", "الكشف عن سرطان الثدي وعنق الرحم", "health_srh")),
          hours="health", documents=HEALTH_DOCUMENTS),
    _Spec("Centre d'addictologie d'Agadir", "مركز علاج الإدمان بأكادير", "public", AGADIR, "province",
          (("Prise en charge des addictions", "التكفل بالإدمان", "health_mental"),
           ("Groupes de parole", "مجموعات الحوار", "psychosocial")),
          hours="health", documents=NONE_REQUIRED),
    # -- civil status, administration
    _civil_status("d'Agadir", "بأكادير", AGADIR),
    _civil_status("d'Inezgane", "بإنزكان", INEZGANE),
    _civil_status("d'Ait Melloul", "بآيت ملول", AIT_MELLOUL),
    _civil_status("de Taroudannt", "بتارودانت", TAROUDANNT),
    _civil_status("de Tiznit", "بتزنيت", TIZNIT),
    _Spec("Bureau des étrangers de la préfecture de police d'Agadir", "مكتب الأجانب بولاية أمن أكادير", "public",
          AGADIR, "region",
          (("Dépôt et suivi des demandes de carte de séjour", "إيداع وتتبع طلبات بطاقة الإقامة", "administrative"),),
          publics=("rpt_regular", "rpt_irregular", "refugee"), languages=("ar", "fr"),
          documents="Passeport, photos, justificatif de domicile, pièces selon le motif du séjour"),
    # -- education
    _Spec("Académie régionale d'éducation et de formation Souss-Massa (AREF)",
          "الأكاديمية الجهوية للتربية والتكوين سوس ماسة", "public", AGADIR, "region",
          (("Inscription scolaire des enfants migrants", "تسجيل الأطفال المهاجرين في المدرسة", "education"),
           ("Programme école de la deuxième chance", "برنامج مدرسة الفرصة الثانية", "education")),
          documents="Extrait d'acte de naissance ou document d'identité de l'enfant, certificat de scolarité"),
    _Spec("Direction provinciale de l'éducation nationale d'Agadir Ida-Ou-Tanane",
          "المديرية الإقليمية للتربية الوطنية أكادير إداوتنان", "public", AGADIR, "province",
          (("Inscription et réinscription scolaires", "التسجيل وإعادة التسجيل المدرسي", "education"),),
          documents="Document d'identité de l'enfant, dernier bulletin scolaire si disponible"),
    # -- justice
    _court("d'Agadir", "بأكادير", AGADIR),
    _court("d'Inezgane", "بإنزكان", INEZGANE),
    _court("de Taroudannt", "بتارودانت", TAROUDANNT),
    _court("de Tiznit", "بتزنيت", TIZNIT),
    # -- pensions
    _cnss("d'Agadir", "بأكادير", AGADIR),
    _cnss("d'Inezgane", "بإنزكان", INEZGANE),
    # -- associations (invented names)
    _association("Association Exemple Solidarité (fictive)", "جمعية مثال للتضامن (وهمية)", AGADIR, "province",
                 (("Hébergement d'urgence", "الإيواء المستعجل", "housing"),
                  ("Aide alimentaire et kits d'hygiène", "المساعدة الغذائية وأطقم النظافة", "social_aid"),
                  ("Écoute et accompagnement psychosocial", "الإنصات والمواكبة النفسية والاجتماعية", "psychosocial")),
                 publics=MIGRANTS),
    _association("Association Imaginaire pour les Femmes (fictive)", "جمعية خيالية للنساء (وهمية)", INEZGANE,
                 "province",
                 (("Écoute et orientation des femmes victimes de violence", "الاستماع للنساء ضحايا العنف وتوجيههن",
                   "protection_gbv"),
                  ("Accompagnement juridique", "المواكبة القانونية", "legal_aid"),
                  ("Hébergement temporaire des femmes", "الإيواء المؤقت للنساء", "housing"))),
    _association("Association Modèle Accueil Migrants (fictive)", "جمعية نموذج لاستقبال المهاجرين (وهمية)",
                 AGADIR, "region",
                 (("Appui aux démarches administratives", "الدعم في الإجراءات الإدارية", "administrative"),
                  ("Accompagnement vers la régularisation", "المواكبة نحو تسوية الوضعية", "legal_aid")),
                 publics=MIGRANTS),
    _association("Association Spécimen Enfance (fictive)", "جمعية عينة للطفولة (وهمية)", AIT_MELLOUL, "province",
                 (("Protection de l'enfance", "حماية الطفولة", "protection_gbv"),
                  ("Soutien scolaire", "الدعم المدرسي", "education"))),
    _association("Association Démo Santé pour Tous (fictive)", "جمعية تجريبية الصحة للجميع (وهمية)", INEZGANE,
                 "region",
                 (("Accès aux soins et accompagnement", "الولوج إلى العلاج والمواكبة", "health_physical"),
                  ("Dépistage et santé sexuelle", "الكشف والصحة الجنسية", "health_srh")),
                 publics=MIGRANTS),
    _association("Association Prototype Insertion (fictive)", "جمعية نموذج أولي للإدماج (وهمية)", AGADIR,
                 "province",
                 (("Ateliers d'insertion professionnelle", "ورشات الإدماج المهني", "employment_training"),
                  ("Microprojets et activités génératrices de revenus", "المشاريع الصغيرة والأنشطة المدرة للدخل",
                   "income_generating"))),
    _association("Association Exemple Retraités MRE (fictive)", "جمعية مثال للمتقاعدين من مغاربة العالم (وهمية)",
                 TIZNIT, "region",
                 (("Information sur les droits à la retraite", "الإعلام حول الحقوق في التقاعد", "pension_rights"),
                  ("Aide aux démarches auprès des caisses étrangères", "المساعدة في الإجراءات لدى الصناديق الأجنبية",
                   "pension_rights")),
                 publics=("mre", "returnee")),
    _association("Association Fictive Accès au Droit (fictive)", "جمعية وهمية للولوج إلى القانون (وهمية)", AGADIR,
                 "region",
                 (("Consultations juridiques gratuites", "استشارات قانونية مجانية", "legal_aid"),)),
    _association("Association Simulation Écoute (fictive)", "جمعية محاكاة للإنصات (وهمية)", AGADIR, "province",
                 (("Soutien psychologique", "الدعم النفسي", "health_mental"),
                  ("Groupes de parole", "مجموعات الحوار", "psychosocial"))),
    _association("Association Illustration Logement (fictive)", "جمعية توضيح للسكن (وهمية)", DCHEIRA, "province",
                 (("Aide au loyer", "المساعدة في الكراء", "housing"),),
                 publics=MIGRANTS),
    _association("Association Exemple Solidarité Taroudannt (fictive)", "جمعية مثال للتضامن تارودانت (وهمية)",
                 TAROUDANNT, "province",
                 (("Aide sociale d'urgence", "المساعدة الاجتماعية المستعجلة", "social_aid"),
                  ("Soutien scolaire", "الدعم المدرسي", "education"))),
    _association("Association Imaginaire Oasis de Tata (fictive)", "جمعية خيالية واحة طاطا (وهمية)", TATA,
                 "province",
                 (("Aide sociale et orientation", "المساعدة الاجتماعية والتوجيه", "social_aid"),)),
    _association("Association Fictive Alphabétisation Tiznit (fictive)", "جمعية وهمية لمحو الأمية تزنيت (وهمية)",
                 TIZNIT, "commune",
                 (("Cours d'alphabétisation", "دروس محو الأمية", "education"),),
                 note="Activité suspendue pendant les travaux du local (fictif).", active=False),
    _Spec("Coopérative Exemple Argan (fictive)", "تعاونية مثال للأركان (وهمية)", "private", AIT_BAHA, "province",
          (("Travail en coopérative", "العمل التعاوني", "income_generating"),),
          publics=("mre", "returnee", "rpt_regular"), hours="association"),
    # -- international partners
    _Spec("Partenaire HCR (fictif)", "شريك المفوضية السامية لشؤون اللاجئين (وهمي)", "international", AGADIR,
          "region",
          (("Orientation vers l'enregistrement (demande d'asile)", "التوجيه نحو التسجيل (طلب اللجوء)",
            "administrative"),
           ("Assistance financière ponctuelle", "مساعدة مالية ظرفية", "social_aid"),
           ("Accompagnement juridique", "المواكبة القانونية", "legal_aid")),
          publics=PROTECTED, languages=INTERNATIONAL_LANGUAGES, hours="international",
          documents="Attestation ou carte HCR si disponible"),
    _Spec("Partenaire HCR — soutien psychosocial (fictif)", "شريك المفوضية — الدعم النفسي والاجتماعي (وهمي)",
          "international", INEZGANE, "region",
          (("Accompagnement psychosocial", "المواكبة النفسية والاجتماعية", "psychosocial"),
           ("Soutien psychologique", "الدعم النفسي", "health_mental")),
          publics=PROTECTED, languages=INTERNATIONAL_LANGUAGES, hours="international"),
    _Spec("Partenaire OIM (fictif)", "شريك المنظمة الدولية للهجرة (وهمي)", "international", "", "national",
          (("Aide au retour volontaire et à la réintégration", "المساعدة على العودة الطوعية وإعادة الإدماج",
            "administrative"),
           ("Assistance aux victimes de traite", "مساعدة ضحايا الاتجار بالبشر", "protection_gbv"),
           ("Soins de santé pour migrants", "الرعاية الصحية للمهاجرين", "health_physical")),
          publics=("rpt_irregular", "rpt_regular", "asylum_seeker"), languages=INTERNATIONAL_LANGUAGES,
          hours="international"),
    _Spec("Partenaire OIM — réintégration (fictif)", "شريك المنظمة الدولية للهجرة — إعادة الإدماج (وهمي)",
          "international", AGADIR, "region",
          (("Appui à la réinsertion économique", "دعم الإدماج الاقتصادي", "income_generating"),
           ("Orientation vers la formation", "التوجيه نحو التكوين", "employment_training")),
          publics=("returnee",), languages=INTERNATIONAL_LANGUAGES, hours="international"),
    # -- private
    _Spec("Cabinet d'avocat partenaire (fictif)", "مكتب محاماة شريك (وهمي)", "private", INEZGANE, "province",
          (("Représentation en justice", "التمثيل أمام القضاء", "legal_aid"),),
          languages=("ar", "ary", "fr"), cost="reduced", documents="Pièces du dossier"),
    _Spec("Clinique partenaire (fictive)", "مصحة شريكة (وهمية)", "private", LQLIAA, "province",
          (("Consultations à tarif réduit", "استشارات بتعريفة مخفضة", "health_physical"),),
          hours="health", cost="reduced", documents=HEALTH_DOCUMENTS, active=False,
          note="Convention suspendue en attente de renouvellement (fictif)."),
)  # fmt: skip


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_text).split()
    return "-".join(w for w in words if w not in {"de", "d", "l", "la", "le", "des", "du", "pour", "les"})[:48]


def _verified(rng: random.Random, today: date) -> date:
    """About two thirds checked within six months, the rest between six and twelve (stale)."""
    if rng.random() < 0.68:
        return today - timedelta(days=rng.randint(3, 175))
    return today - timedelta(days=rng.randint(190, 365))


def providers(today: date, seed: int = 1) -> list[ProviderInput]:
    """The demo directory as the directory service takes it."""
    rng = random.Random(f"demo-directory-{seed}")
    names = geography()
    found: list[ProviderInput] = []
    for n, spec in enumerate(SPECS, start=1):
        place = names.commune(spec.commune).name_fr if spec.commune else "Rabat"
        domains = list(dict.fromkeys([*(s[2] for s in spec.services), *spec.extra_domains]))
        found.append(
            ProviderInput(
                name_fr=spec.name_fr,
                name_ar=spec.name_ar,
                kind=spec.kind,
                domains=domains,
                address=f"Adresse fictive n° {n}, quartier fictif, {place}",
                commune_code=spec.commune,
                coverage=spec.coverage,
                focal_point=f"{FOCAL_POINT} {n}",
                phone=f"{PHONE_PREFIX}{n:02d}",
                email=f"{_slug(spec.name_fr)}@{EMAIL_DOMAIN}",
                hours=dict(HOURS[spec.hours]),
                languages=list(spec.languages),
                cost=spec.cost,
                documents_required=spec.documents,
                publics=list(spec.publics),
                notes=f"{NOTE} {spec.note}".strip(),
                verified_on=_verified(rng, today),
                active=spec.active,
                services=[ServiceInput(fr, domain, ar) for fr, ar, domain in spec.services],
                uid=str(uuid.uuid5(UID_NAMESPACE, spec.name_fr)),
            )
        )
    return found


def seed_directory(session: Session, handle: OfficeHandle, today: date, seed: int = 1) -> int:
    """Write the demo directory (checked and audited as the directory service does); returns its size."""
    entries = providers(today, seed)
    for data in entries:
        directory.check_provider(data)
        directory.save_provider_in(session, handle, data, None)
    return len(entries)


# -- who serves what, where ----------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    provider_id: int
    publics: frozenset[str]  # empty: everyone
    services: tuple[int, ...]  # active services of the provider in the domain asked

    def accepts(self, public: str) -> bool:
        return not self.publics or public in self.publics


@dataclass
class DemoDirectory:
    """The directory as the demo generator reads it: active providers by domain and area."""

    providers: list[tuple[int, set[str], str, str, frozenset[str]]]  # id, domains, commune, coverage, publics
    services: dict[tuple[int, str], list[int]]  # (provider, domain) -> service ids
    _cache: dict[tuple[str, str], list[Candidate]] = field(default_factory=dict)
    _domains: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> DemoDirectory:
        services: dict[tuple[int, str], list[int]] = {}
        for sid, pid, domain in session.execute(
            select(ProviderService.id, ProviderService.provider_id, ProviderService.domain)
            .where(ProviderService.active)
            .order_by(ProviderService.id)
        ):
            services.setdefault((pid, domain), []).append(sid)
        rows = []
        for p in session.scalars(select(Provider).where(Provider.active).order_by(Provider.id)):
            domains = set(directory.split(p.domains)) | {d for (pid, d) in services if pid == p.id}
            rows.append((p.id, domains, p.commune_code, p.coverage, frozenset(directory.split(p.publics))))
        return cls(rows, services)

    def serving(self, domain: str, area: str) -> list[Candidate]:
        """Active providers offering ``domain`` whose coverage includes the commune ``area``."""
        key = (domain, area)
        if key not in self._cache:
            self._cache[key] = [
                Candidate(pid, publics, tuple(self.services.get((pid, domain), ())))
                for pid, domains, commune, coverage, publics in self.providers
                if domain in domains and directory.covers(commune, coverage, area)
            ]
        return self._cache[key]

    def domains(self, area: str) -> set[str]:
        """The domains some active provider covering ``area`` offers."""
        if area not in self._domains:
            self._domains[area] = {d for _pid, domains, commune, coverage, _ in self.providers for d in domains
                                   if directory.covers(commune, coverage, area)}  # fmt: skip
        return self._domains[area]
