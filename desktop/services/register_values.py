"""Reading one cell of an existing register: the words offices write, as domain codes.

Registers are typed by hand: "Sénégalaise", "F", "Femme", "demandeur d'asile",
"CIN", "santé | logement", 12/03/1988, 1988. Each reader takes the cell (text,
number or date from Excel) and returns the code, or raises :class:`BadValue` with
the i18n key that says why. Codes, labels of the three languages and the usual
shorthands are all accepted; comparison ignores case, accents and punctuation.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from datetime import date, datetime
from functools import cache

from desktop import i18n
from desktop.domain import codelists
from desktop.domain.geography import geography

Cell = str | int | float | date | datetime | None


class BadValue(ValueError):
    def __init__(self, key: str, **params: str | int) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces (Arabic letters kept)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", plain).replace("_", " ").split())


def text_of(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date):
        return cell.strftime("%d/%m/%Y")
    return str(cell).strip()


def _shown(cell: Cell) -> str:
    """The value as quoted back in an error (short)."""
    shown = text_of(cell)
    return shown if len(shown) <= 30 else shown[:29] + "…"


# -- code lists --------------------------------------------------------------------------
_EXTRA: dict[str, dict[str, tuple[str, ...]]] = {
    "sex": {
        "F": ("femme", "feminin", "fille", "female", "woman", "أنثى", "انثى", "امرأة"),
        "M": ("h", "homme", "masculin", "garcon", "male", "man", "ذكر", "رجل"),
    },
    "category": {
        "mre": ("marocain residant a l etranger", "marocaine residant a l etranger"),
        "returnee_voluntary": ("retour volontaire", "retourne volontaire", "marocain de retour", "de retour"),
        "returnee_forced": ("retour force", "retourne force", "expulse", "expulsee", "refoule", "refoulee"),
        "returnee_avrr": ("avrr", "aide au retour volontaire", "retour volontaire assiste", "arvr"),
        "rpt_migrant": ("rpt", "migrant", "migrante", "ressortissant de pays tiers"),
        "rpt_student": ("etudiant", "etudiante", "etudiant etranger", "etudiante etrangere"),
        "rpt_worker": ("travailleur", "travailleuse", "travailleur migrant", "travailleuse migrante"),
        "rpt_asylum_seeker": ("demandeur d asile", "demandeuse d asile", "da"),
        "rpt_refugee": ("refugie", "refugiee", "refugie e"),
        "rpt_transit": ("transit", "en transit", "migrant en transit", "migrante en transit"),
    },
    "document_type": {
        "cin": ("cnie", "carte nationale", "carte nationale d identite", "cni"),
        "passport": ("passeport", "pp"),
        "residence_card": ("carte de sejour", "titre de sejour", "cs", "carte de residence"),
        "unhcr_card": ("carte hcr", "carte de refugie", "carte refugie", "carte unhcr"),
        "unhcr_attestation": ("attestation hcr", "attestation unhcr", "attestation de demandeur d asile"),
        "consular_card": ("carte consulaire", "immatriculation consulaire"),
        "birth_certificate": ("acte de naissance", "extrait d acte de naissance", "extrait de naissance"),
        "other": ("autre",),
    },
    "domain": {
        "administrative": ("administratif", "administrative", "documents", "papiers", "regularisation"),
        "civil_status": ("etat civil",),
        "health_physical": ("sante", "sante physique", "medical", "soins"),
        "health_mental": ("sante mentale",),
        "health_srh": ("ssr", "srh", "sante sexuelle", "sante reproductive"),
        "psychosocial": ("psy", "soutien psychologique", "psychologique", "ecoute"),
        "housing": ("logement", "hebergement", "abri"),
        "income_employment": ("emploi", "travail", "revenus", "agr", "insertion professionnelle"),
        "education_training": ("education", "formation", "scolarisation", "ecole"),
        "family_social": ("famille", "social", "familial", "regroupement familial", "liens familiaux"),
        "legal": ("juridique", "aide juridique", "justice", "droit"),
        "pension_rights": ("retraite", "pension", "securite sociale", "cnss"),
    },
    "language": {
        "ary": ("darija", "arabe marocain", "arabe dialectal"),
        "ar": ("arabe", "arabe classique"),
        "zgh": ("amazigh", "tamazight", "berbere", "tachelhit", "tarifit"),
        "fr": ("francais",),
        "en": ("anglais",),
        "es": ("espagnol",),
        "wo": ("wolof",),
        "ff": ("peul", "pular", "fulfulde", "peulh"),
        "bm": ("bambara",),
        "ln": ("lingala",),
        "ha": ("haoussa", "hausa"),
        "pt": ("portugais",),
        "it": ("italien",),
        "de": ("allemand",),
        "other": ("autre",),
    },
    "legal_status": {
        "moroccan_national": ("marocain", "marocaine", "nationalite marocaine"),
        "regular_resident": ("regulier", "reguliere", "en situation reguliere", "residant regulier"),
        "irregular": ("irregulier", "irreguliere", "en situation irreguliere", "sans papiers"),
        "asylum_seeker": ("demandeur d asile", "demandeuse d asile"),
        "refugee": ("refugie", "refugiee"),
        "pending_regularisation": ("en cours de regularisation", "regularisation en cours"),
        "student_visa": ("etudiant", "etudiante", "titre etudiant"),
        "unknown": ("inconnu", "inconnue", "non renseigne", "nr"),
    },
}


@cache
def _aliases(codelist: str) -> dict[str, str]:
    """Folded spelling -> code: codes, labels in every language, shorthands."""
    found: dict[str, str] = {}
    for code in codelists.CODELISTS[codelist]:
        spellings = [code, *(_EXTRA.get(codelist, {}).get(code, ()))]
        spellings += [i18n.tr_in(lang, codelists.label_key(codelist, code)) for lang in i18n.LANGUAGES]
        for spelling in spellings:
            found.setdefault(fold(spelling), code)
    return found


def code_of(codelist: str, cell: Cell, key: str) -> str:
    """The code a cell names in ``codelist``; "" for an empty cell."""
    text = text_of(cell)
    if not text:
        return ""
    code = _aliases(codelist).get(fold(text))
    if code is None:
        raise BadValue(key, value=_shown(cell))
    return code


def codes_of(codelist: str, cell: Cell, key: str) -> list[str]:
    """Several codes separated by ``|`` (or ``;``, ``,`` and ``/`` when that is all there is)."""
    text = text_of(cell)
    if not text:
        return []
    separator = next((s for s in "|;,/" if s in text), "|")
    codes: list[str] = []
    for part in text.split(separator):
        if part.strip():
            code = code_of(codelist, part.strip(), key)
            if code not in codes:
                codes.append(code)
    return codes


# -- dates and numbers -------------------------------------------------------------------
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")


def date_of(cell: Cell, *, year_alone: bool = False) -> date | int | None:
    """A date (JJ/MM/AAAA, AAAA-MM-JJ or an Excel date); with ``year_alone`` a bare year is an int."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = text_of(cell)
    if year_alone and _YEAR.match(text):
        return int(text)
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) != 4:
            raise BadValue("import.year_two_digits", value=_shown(cell))
    else:
        match = _YMD.match(text)
        if not match:
            raise BadValue("import.date_invalid", value=_shown(cell))
        year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue("import.date_invalid", value=_shown(cell)) from None


def age_of(cell: Cell) -> int | None:
    if cell is None or cell == "":
        return None
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if float(cell).is_integer():
            return int(cell)
        raise BadValue("import.age_invalid", value=_shown(cell))
    match = re.match(r"^(\d{1,3})\s*(ans?|سنة|years?)?$", text_of(cell).casefold())
    if not match:
        raise BadValue("import.age_invalid", value=_shown(cell))
    return int(match.group(1))


def phone_of(cell: Cell) -> str:
    """As typed; a number Excel stored without its leading 0 (612345678) gets it back."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        digits = str(int(cell))
        if len(digits) == 9 and digits[0] in "5678":
            return "0" + digits
        return ("+" + digits) if len(digits) > 10 else digits
    return text_of(cell)


# -- nationality -------------------------------------------------------------------------
# Nationalities as registers write them (masculine; feminine forms are derived).
_DEMONYMS: dict[str, str] = {
    "marocain": "MA", "senegalais": "SN", "guineen": "GN", "ivoirien": "CI", "malien": "ML",
    "camerounais": "CM", "nigerian": "NG", "nigerien": "NE", "tchadien": "TD", "soudanais": "SD",
    "sud soudanais": "SS", "syrien": "SY", "yemenite": "YE", "burkinabe": "BF", "gambien": "GM",
    "sierra leonais": "SL", "liberien": "LR", "ghaneen": "GH", "beninois": "BJ", "togolais": "TG",
    "gabonais": "GA", "centrafricain": "CF", "mauritanien": "MR", "algerien": "DZ", "tunisien": "TN",
    "libyen": "LY", "egyptien": "EG", "palestinien": "PS", "irakien": "IQ", "erythreen": "ER",
    "ethiopien": "ET", "somalien": "SO", "bangladais": "BD", "pakistanais": "PK", "philippin": "PH",
    "francais": "FR", "espagnol": "ES", "italien": "IT", "belge": "BE", "neerlandais": "NL",
    "allemand": "DE", "cap verdien": "CV", "bissau guineen": "GW", "congolais rdc": "CD",
    "angolais": "AO", "rwandais": "RW", "burundais": "BI", "comorien": "KM", "kenyan": "KE",
}  # fmt: skip
_COUNTRY_SHORTHANDS: dict[str, str] = {
    "rdc": "CD", "congo rdc": "CD", "congo kinshasa": "CD", "congo brazzaville": "CG",
    "سوريا": "SY", "اليمن": "YE", "فلسطين": "PS",
}  # fmt: skip


def _feminine(word: str) -> str:
    if word.endswith(("ien", "een")):
        return word + "ne"
    return word if word.endswith("e") else word + "e"


@cache
def _countries() -> dict[str, str]:
    import pycountry

    found: dict[str, str] = {}
    translations = {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in ("fr", "ar")
    }
    for country in pycountry.countries:
        code = str(country.alpha_2)
        found[fold(code)] = code
        found.setdefault(fold(str(country.alpha_3)), code)
        names = [getattr(country, attr, None) for attr in ("name", "common_name", "official_name")]
        for name in (n for n in names if n):
            found.setdefault(fold(name), code)
            for translation in translations.values():
                found.setdefault(fold(translation.gettext(name)), code)
    for demonym, code in _DEMONYMS.items():
        found.setdefault(demonym, code)
        found.setdefault(_feminine(demonym), code)
    for shorthand, code in _COUNTRY_SHORTHANDS.items():
        found.setdefault(fold(shorthand), code)
    return found


def nationality_of(cell: Cell) -> str:
    text = text_of(cell)
    if not text:
        return ""
    code = _countries().get(fold(text))
    if code is None:
        raise BadValue("import.nationality_unknown", value=_shown(cell))
    return code


# -- commune -----------------------------------------------------------------------------
@cache
def _communes_by_name() -> dict[str, list[tuple[str, str]]]:
    """Folded name -> [(commune code, province code)]."""
    found: dict[str, list[tuple[str, str]]] = {}
    for commune in geography().communes():
        for name in (commune.name_fr, commune.name_ar):
            found.setdefault(fold(name), []).append((commune.code, commune.province_code))
    return found


def commune_of(cell: Cell, office_province: str) -> str:
    """A commune code from a code or a name (a name shared by several: the office's province decides)."""
    text = text_of(cell)
    if not text:
        return ""
    try:
        return geography().commune(text).code
    except KeyError:
        pass
    try:
        return geography().commune(text + ".").code
    except KeyError:
        pass
    matches = _communes_by_name().get(fold(text), [])
    if len(matches) > 1:
        matches = [m for m in matches if m[1] == office_province] or matches
    if not matches:
        raise BadValue("import.commune_unknown", value=_shown(cell))
    if len(matches) > 1:
        raise BadValue("import.commune_ambiguous", value=_shown(cell))
    return matches[0][0]
