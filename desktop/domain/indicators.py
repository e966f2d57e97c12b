"""The catalogue of the commune's monthly indicators: codes, units, breakdowns, definitions.

The definitions are printed in the report's annex and shown as tooltips; they are the
contract of each number. Dates are office dates; "the period" runs from its first to
its last day, both included, and "at the end" means on its last day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from desktop.domain import codelists
from desktop.domain.nationality_groups import NATIONALITY_GROUPS


class Unit(StrEnum):
    PERSONS = "persons"
    CONTACTS = "contacts"
    REFERRALS = "referrals"
    CASES = "cases"
    CLOSURES = "closures"
    RATE = "rate"  # a share between 0 and 1, shown as a percentage
    DAYS = "days"  # a median number of days


class Audience(StrEnum):
    """Who will read the figures.

    INTERNAL: the office's own screens and internal report. Counting the office's own
    activity is part of the processing each person consented to (law 09-08, art. 4:
    a purpose compatible with the one of collection), so everyone received is counted.
    OUTSIDE: anything that leaves the office (report for the commune or partners, the
    regional extract): persons who withdrew their consent to statistics are left out
    entirely, and small cells are suppressed.
    """

    INTERNAL = "internal"
    OUTSIDE = "outside"


# Breakdown dimension -> the code list that labels its values ("" = labelled elsewhere).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-4", 0, 4),
    ("5-11", 5, 11),
    ("12-17", 12, 17),
    ("18-24", 18, 24),
    ("25-59", 25, 59),
    ("60+", 60, None),
)
AGE_BAND_CODES: tuple[str, ...] = (*(band for band, _, _ in AGE_BANDS), "unknown")
RECEPTION_STATUS: tuple[str, ...] = ("new", "returning")

DIMENSION_VALUES: dict[str, tuple[str, ...]] = {
    "status": RECEPTION_STATUS,
    "category": codelists.CATEGORIES,
    "sex": codelists.SEXES,
    "age_band": AGE_BAND_CODES,
    "nationality_group": NATIONALITY_GROUPS,
    "contact_kind": codelists.CONTACT_KINDS,
    "channel": codelists.CONTACT_CHANNELS,
    "need_domain": codelists.ASSESSMENT_DOMAINS,
    "level": codelists.VULNERABILITY_LEVELS,
    "criterion": codelists.VULNERABILITY_CRITERIA,
    "referral_domain": codelists.SERVICE_DOMAINS,
    "provider_kind": (*codelists.PROVIDER_KINDS, "none"),
    "urgency": codelists.URGENCIES,
    "outcome": codelists.REFERRAL_OUTCOMES,
    "stage": codelists.STAGES,
    "closure_reason": codelists.CLOSURE_REASONS,
    "provider": (),  # provider ids, labelled with the directory's names
}
# The i18n prefix of each dimension's value labels: f"{prefix}.{value}".
LABEL_PREFIX: dict[str, str] = {
    "status": "stats.status",
    "category": "category",
    "sex": "sex",
    "age_band": "stats.age_band",
    "nationality_group": "stats.nationality_group",
    "contact_kind": "contact_kind",
    "channel": "contact_channel",
    "need_domain": "domain",
    "level": "level",
    "criterion": "criterion",
    "referral_domain": "service_domain",
    "provider_kind": "stats.provider_kind",
    "urgency": "urgency",
    "outcome": "outcome",
    "stage": "stage",
    "closure_reason": "closure_reason",
}
# Dimensions where one unit may count in several values: no sum equals the total.
MULTI_VALUED = frozenset({"need_domain", "criterion"})


@dataclass(frozen=True)
class Indicator:
    code: str
    unit: Unit
    breakdowns: tuple[str, ...]
    definition: Mapping[str, str] = field(default_factory=dict)  # fr / ar / en

    @property
    def is_count(self) -> bool:
        return self.unit not in (Unit.RATE, Unit.DAYS)

    def define(self, lang: str) -> str:
        return self.definition.get(lang) or self.definition["fr"]


def _ind(code: str, unit: Unit, breakdowns: tuple[str, ...], fr: str, ar: str, en: str) -> Indicator:
    return Indicator(code, unit, breakdowns, {"fr": fr, "ar": ar, "en": en})


INDICATORS: tuple[Indicator, ...] = (
    _ind(
        "people_received", Unit.PERSONS, ("status", "category", "sex", "age_band", "nationality_group"),
        "Personnes distinctes reçues pendant la période : au moins un passage (visite ou appel) ou un dossier "
        "ouvert dans la période. « Nouvelle » : ni passage ni dossier avant la période ; sinon « déjà reçue ». "
        "Âge au dernier jour de la période (année estimée si la date de naissance est inconnue).",
        "عدد الأشخاص المختلفين المستقبَلين خلال الفترة: مرور واحد على الأقل (زيارة أو مكالمة) أو ملف فُتح "
        "خلال الفترة. «جديد»: لا مرور ولا ملف قبل الفترة؛ وإلا «سبق استقباله». يُحسب السن في آخر يوم من الفترة "
        "(السنة التقديرية إذا كان تاريخ الازدياد مجهولاً).",
        "Distinct people received in the period: at least one contact (visit or call) or a case opened in "
        "the period. 'New': no contact and no case before the period; otherwise 'returning'. "
        "Age on the last day of the period (estimated year when the date of birth is unknown).",
    ),
    _ind(
        "contacts", Unit.CONTACTS, ("contact_kind", "channel"),
        "Passages (visites, appels, visites à domicile, messages) datés dans la période, par type.",
        "عدد المرورات (زيارات، مكالمات، زيارات منزلية، رسائل) المؤرخة خلال الفترة، حسب النوع.",
        "Contacts (visits, calls, home visits, messages) dated in the period, by type.",
    ),
    _ind(
        "needs", Unit.PERSONS, ("need_domain",),
        "Personnes ayant exprimé au moins un besoin lors d'un passage de la période ; par domaine, une "
        "personne compte une fois par domaine (une personne peut compter dans plusieurs domaines).",
        "الأشخاص الذين عبّروا عن حاجة واحدة على الأقل خلال مرور في الفترة؛ حسب المجال، يُحسب الشخص مرة واحدة "
        "في كل مجال (يمكن أن يُحسب في عدة مجالات).",
        "People who expressed at least one need during a contact in the period; by domain, a person counts "
        "once per domain (a person may count in several domains).",
    ),
    _ind(
        "vulnerable_people", Unit.PERSONS, ("level", "criterion"),
        "Personnes reçues pendant la période dont la dernière fiche de vulnérabilité (au dernier jour de la "
        "période) existe ; par niveau de cette fiche et par critère coché (une personne peut cumuler "
        "plusieurs critères).",
        "الأشخاص المستقبَلون خلال الفترة الذين لهم بطاقة هشاشة (آخر بطاقة في آخر يوم من الفترة)؛ حسب مستوى "
        "هذه البطاقة وحسب كل معيار (يمكن أن يجمع الشخص عدة معايير).",
        "People received in the period who have a vulnerability sheet (the latest one on the last day of the "
        "period); by that sheet's level and by each criterion ticked (a person may have several).",
    ),
    _ind(
        "referrals_sent", Unit.REFERRALS, ("referral_domain", "provider_kind", "urgency"),
        "Références sortantes envoyées pendant la période (date d'envoi), par domaine, type de prestataire "
        "et urgence. Les brouillons ne comptent pas.",
        "الإحالات الصادرة المرسلة خلال الفترة (تاريخ الإرسال)، حسب المجال ونوع مقدم الخدمة ودرجة الاستعجال. "
        "المسودات لا تُحتسب.",
        "Outgoing referrals sent in the period (date sent), by domain, provider type and urgency. Drafts do "
        "not count.",
    ),
    _ind(
        "referrals_incoming", Unit.REFERRALS, ("referral_domain",),
        "Références entrantes (d'un partenaire vers le BAOM) reçues pendant la période.",
        "الإحالات الواردة (من شريك إلى المكتب) المستلمة خلال الفترة.",
        "Incoming referrals (from a partner to the office) received in the period.",
    ),
    _ind(
        "counter_referrals", Unit.REFERRALS, ("outcome", "referral_domain"),
        "Contre-références reçues pendant la période (date de réception), par résultat et par domaine.",
        "الإحالات المضادة (الردود) المستلمة خلال الفترة (تاريخ الاستلام)، حسب النتيجة والمجال.",
        "Counter-referrals received in the period (date received), by outcome and domain.",
    ),
    _ind(
        "counter_referral_rate", Unit.RATE, ("referral_domain",),
        "Part des références sortantes envoyées pendant la période pour lesquelles une contre-référence a été "
        "reçue au plus tard le dernier jour de la période.",
        "نسبة الإحالات الصادرة المرسلة خلال الفترة التي وصل ردّها في موعد أقصاه آخر يوم من الفترة.",
        "Share of outgoing referrals sent in the period whose counter-referral was received by the last day "
        "of the period.",
    ),
    _ind(
        "median_days_to_counter", Unit.DAYS, ("referral_domain",),
        "Médiane du nombre de jours entre l'envoi et la réception de la contre-référence, pour les "
        "contre-références reçues pendant la période.",
        "الوسيط لعدد الأيام بين الإرسال واستلام الرد، بالنسبة للردود المستلمة خلال الفترة.",
        "Median number of days from sending to receiving the counter-referral, for counter-referrals "
        "received in the period.",
    ),
    _ind(
        "overdue_at_end", Unit.REFERRALS, ("referral_domain", "provider_kind"),
        "Références sortantes en retard au dernier jour de la période : envoyées, échéance dépassée, sans "
        "contre-référence reçue ni annulation à cette date.",
        "الإحالات الصادرة المتأخرة في آخر يوم من الفترة: مرسلة، تجاوزت أجلها، دون رد مستلم ولا إلغاء في ذلك "
        "التاريخ.",
        "Outgoing referrals overdue on the last day of the period: sent, past their due date, with no "
        "counter-referral received and not cancelled by that day.",
    ),
    _ind(
        "cases_opened", Unit.CASES, ("category",),
        "Dossiers ouverts pendant la période (date d'ouverture), par catégorie de la personne.",
        "الملفات المفتوحة خلال الفترة (تاريخ الفتح)، حسب فئة الشخص.",
        "Cases opened in the period (date opened), by the person's category.",
    ),
    _ind(
        "cases_active_end", Unit.CASES, ("stage",),
        "Dossiers ouverts au dernier jour de la période (ouverts à cette date ou avant, non clôturés à cette "
        "date ; une réouverture compte), par étape du parcours à cette date.",
        "الملفات المفتوحة في آخر يوم من الفترة (فُتحت في ذلك التاريخ أو قبله ولم تُغلق فيه؛ إعادة الفتح "
        "تُحتسب)، حسب مرحلة المسار في ذلك التاريخ.",
        "Cases open on the last day of the period (opened by then and not closed on that day; a reopening "
        "counts), by stage of the parcours on that day.",
    ),
    _ind(
        "cases_closed", Unit.CLOSURES, ("closure_reason",),
        "Clôtures de dossiers datées dans la période, par motif (un dossier rouvert puis clôturé à nouveau "
        "compte deux fois).",
        "إغلاقات الملفات المؤرخة خلال الفترة، حسب السبب (الملف الذي أعيد فتحه ثم أغلق من جديد يُحتسب مرتين).",
        "Case closures dated in the period, by reason (a case reopened and closed again counts twice).",
    ),
    _ind(
        "provider_answer_rate", Unit.RATE, ("provider",),
        "Par prestataire de l'annuaire : part des références sortantes envoyées pendant la période dont la "
        "contre-référence a été reçue au plus tard le dernier jour de la période.",
        "لكل مقدم خدمة في الدليل: نسبة الإحالات الصادرة المرسلة إليه خلال الفترة التي وصل ردّها في موعد أقصاه "
        "آخر يوم من الفترة.",
        "Per provider of the directory: share of outgoing referrals sent to it in the period whose "
        "counter-referral was received by the last day of the period.",
    ),
)
BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}
# Shown as key figures on the dashboard and the report's first page, in this order.
KEY_FIGURES: tuple[str, ...] = (
    "people_received",
    "contacts",
    "referrals_sent",
    "counter_referral_rate",
    "overdue_at_end",
    "cases_active_end",
)
# Followed month by month on the trend charts.
TREND_FIGURES: tuple[str, ...] = ("people_received", "contacts", "referrals_sent", "counter_referrals", "cases_opened")


@dataclass(frozen=True)
class Figure:
    """One indicator over one period: its value and its breakdowns.

    Counts are ints. A rate is a share in [0, 1] and a median a number of days; both
    are None when there is nothing to compute them over, and carry their ``base``
    (how many units they were computed over) so callers can suppress small bases.
    """

    code: str
    value: float | None
    base: int | None = None
    breakdowns: Mapping[str, Mapping[str, float | None]] = field(default_factory=dict)
    bases: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def cell(self, dimension: str, key: str) -> float | None:
        return self.breakdowns.get(dimension, {}).get(key, 0 if BY_CODE[self.code].is_count else None)


def change(current: float | None, before: float | None) -> float | None:
    """Relative change (0.25 = +25 %); None when there is no base to compare with."""
    if current is None or before is None or before == 0:
        return None
    return (current - before) / before
