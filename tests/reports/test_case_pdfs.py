"""The printed bilan social, case file and consent form: real, extractable text, Arabic shaped and right to left.

How the Arabic is checked.  ``pdftotext`` (poppler) in its default mode puts
right-to-left lines back into logical order and wraps them in bidi embedding
marks (U+202A…U+202E): after removing those marks, an Arabic phrase reads as it
was typed ("محمد فيكتيف").  ``pdftotext -bbox`` instead gives each word in
visual order (its characters reversed) with its position, which is how the
tests check that the words of a line run right to left and that a word was
drawn with its joined forms (its width is the shaped width, not the sum of the
isolated letters).  ``-raw`` mode is not used: it keeps drawing order, and so
mixes visual and logical order.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from desktop.i18n import messages
from desktop.reports import fonts
from desktop.reports.bidi import keep_together, reorder_words
from desktop.reports.case_pdf import render_assessment_pdf, render_case_file_pdf
from desktop.reports.consent_pdf import render_consent_form_pdf
from desktop.reports.pdf_common import (
    DocumentInfo,
    Writer,
    age_text,
    build_pdf,
    country_name,
    fmt_date,
    label,
)
from desktop.services.case_types import (
    ActionInput,
    AssessmentItemInput,
    AssessmentRow,
    CaseDetail,
    ConsentRow,
    ContactRow,
    DocumentInput,
    HouseholdInput,
    PersonInput,
    StageRow,
    VulnerabilityRow,
)

ROOT = Path(__file__).resolve().parents[2]
OFFICE = "BAOM Fictif"
COMMUNE = "Commune Fictive"
CASE_NUMBER = "BAOM-2024-00042"
BIDI_MARKS = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]")

if shutil.which("pdftotext") is None:  # pragma: no cover - scripts/setup.sh installs poppler-utils
    if os.environ.get("CI"):
        raise RuntimeError("pdftotext (poppler-utils) is required by the PDF tests")
    pytest.skip("pdftotext (poppler-utils) is not installed", allow_module_level=True)


def _person() -> PersonInput:
    return PersonInput(
        family_name="Fictif",
        given_name="Mohamed",
        family_name_ar="فيكتيف",
        given_name_ar="محمد",
        sex="M",
        birth_date=date(1990, 5, 14),
        nationality="SN",
        category="rpt_migrant",
        languages=["fr", "wo"],
        phone="06 00 00 00 00",
        commune_code="",
        douar="Douar Imaginaire",
        legal_status="irregular",
        arrival_date=date(2023, 11, 2),
        documents=[DocumentInput("passport", "XX0000000")],
        household=[HouseholdInput("child", "Awa Fictif", "F", 2019, "enrolled", "not_registered", True)],
    )


def _detail() -> CaseDetail:
    assessment = AssessmentRow(
        id=7,
        assessed_on=date(2024, 1, 20),
        officer="Agent Fictif",
        summary="Situation précaire, soins à organiser en priorité.",
        items=[
            AssessmentItemInput("housing", "Hébergé chez un compatriote", "Hébergement stable", "medium"),
            AssessmentItemInput(
                "health_physical", "Douleurs chroniques, يحتاج إلى طبيب", "Consultation médicale", "high"
            ),
            AssessmentItemInput("administrative", "Passeport valide", "", ""),
        ],
        actions=[
            ActionInput(
                "Orientation vers le centre de santé",
                "health_physical",
                "Agent Fictif",
                date(2024, 2, 1),
                date(2024, 1, 30),
            ),
            ActionInput("Recherche d'hébergement", "housing", "Association Fictive", date(2024, 3, 1), None),
        ],
        reviewed_by="Responsable Fictive",
        reviewed_at=datetime(2024, 1, 22, 10, 0),
    )
    return CaseDetail(
        case_id=1,
        number=CASE_NUMBER,
        person_id=1,
        person=_person(),
        opened_on=date(2024, 1, 15),
        stage="accompagnement",
        closed_on=None,
        closure_reason="",
        officer="Agent Fictif",
        officer_id=2,
        vulnerability_level="high",
        next_follow_up=date(2024, 4, 1),
        consents=[
            ConsentRow(1, "processing", date(2024, 1, 15), None, True),
            ConsentRow(2, "statistics", date(2024, 1, 15), date(2024, 2, 20), True),
        ],
        assessments=[assessment],
        vulnerabilities=[
            VulnerabilityRow(
                1, date(2024, 1, 20), "high", ["serious_illness", "no_shelter"], "Malade, sans abri", "Agent Fictif"
            )
        ],
        contacts=[
            ContactRow(
                1, date(2024, 1, 15), "accueil", "in_person", ["housing"], "Premier accueil au bureau.", "Agent Fictif"
            ),
            ContactRow(2, date(2024, 2, 3), "suivi", "phone", [], "وصل إلى المركز الصحي", "Agent Fictif"),
        ],
        stages=[
            StageRow(date(2024, 1, 15), "accueil", "", "Agent Fictif"),
            StageRow(date(2024, 1, 20), "evaluation", "", "Agent Fictif"),
        ],
        other_cases=[],
    )


class _Text(str):
    """pdftotext's logical-order text; ``in`` ignores white space.

    Where a line changes direction poppler moves the space to the other side of
    the bidi mark ("Fictive‬بتاريخ", "‪ Responsable"), and table cells wrap: so
    phrases are compared with their spaces and line breaks taken out.
    """

    def __contains__(self, phrase: object) -> bool:
        return isinstance(phrase, str) and _flat(phrase) in _flat(str(self))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _text(pdf: Path) -> _Text:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True)
    return _Text(BIDI_MARKS.sub("", out.stdout))


def _words(pdf: Path) -> list[tuple[str, float, float, float]]:
    """(text in logical order, x min, x max, y min) of each word, from ``pdftotext -bbox``."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    words = []
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>'
    for x_min, y_min, x_max, text in re.findall(pattern, out.stdout):
        text = html.unescape(BIDI_MARKS.sub("", text))
        if re.search("[\u0600-\u06ff]", text):
            text = text[::-1]  # -bbox gives Arabic words in visual order
        words.append((text, float(x_min), float(x_max), float(y_min)))
    return words


def _pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    match = re.search(r"^Pages:\s+(\d+)", out.stdout, re.MULTILINE)
    assert match
    return int(match.group(1))


def _assert_whole_pdf(pdf: Path, max_pages: int) -> int:
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    pages = _pages(pdf)
    assert 1 <= pages <= max_pages
    assert [p.name for p in pdf.parent.iterdir() if p.name.endswith(".part")] == []
    return pages


def _assert_page_footer(text: str, pages: int, lang: str) -> None:
    for page in range(1, pages + 1):
        expected = f"صفحة {page} من {pages}" if lang == "ar" else f"page {page} / {pages}"
        assert expected in text, expected


# ---------------------------------------------------------------- bilan social


def test_assessment_pdf_in_french(tmp_path: Path) -> None:
    out = tmp_path / "bilan.pdf"
    render_assessment_pdf(_detail(), 7, OFFICE, COMMUNE, "fr", out)
    pages = _assert_whole_pdf(out, max_pages=2)
    text = _text(out)
    for expected in [
        "Bilan social",
        OFFICE,
        COMMUNE,
        CASE_NUMBER,
        "Fictif Mohamed",
        "محمد فيكتيف",
        country_name("SN", "fr"),
        "Sénégal",
        "Hébergé chez un compatriote",
        "Consultation médicale",
        "Plan d'action",
        "Orientation vers le centre de santé",
        "Association Fictive",
        "01/03/2024",
        "Oui, le 30/01/2024",
        "Revu par Responsable Fictive le 22/01/2024.",
        "La personne accueillie",
        f"Imprimé le {fmt_date(date.today())}",
    ]:
        assert expected in text, expected
    assert "يحتاج إلى طبيب" in text  # Arabic typed inside a French cell keeps its order
    _assert_page_footer(text, pages, "fr")


def test_assessment_pdf_in_arabic_is_shaped_and_right_to_left(tmp_path: Path) -> None:
    out = tmp_path / "bilan-ar.pdf"
    render_assessment_pdf(_detail(), 7, OFFICE, COMMUNE, "ar", out)
    pages = _assert_whole_pdf(out, max_pages=2)
    text = _text(out)
    for expected in [
        "التقييم الاجتماعي",
        "رقم الملف",
        CASE_NUMBER,
        "محمد فيكتيف",
        "Fictif Mohamed",
        country_name("SN", "ar"),
        "خطة العمل",
        "راجعه Responsable Fictive بتاريخ",
        "20/01/2024",
    ]:
        assert expected in text, expected
    _assert_page_footer(text, pages, "ar")

    words = _words(out)
    mohamed = next(word for word in words if word[0] == "محمد")
    fictif = next(word for word in words if word[0] == "فيكتيف" and abs(word[3] - mohamed[3]) < 1)
    assert mohamed[1] > fictif[2], "محمد comes first, so it stands to the right of فيكتيف"
    label_word = next(word for word in words if word[0] == "رقم")
    number = next(word for word in words if word[0] == CASE_NUMBER and abs(word[3] - label_word[3]) < 1)
    assert label_word[1] > number[2], "the label is on the right of the value"
    # Joined letters: the drawn width is HarfBuzz's, far narrower than four isolated letters side by side.
    drawn = mohamed[2] - mohamed[1]
    shaped = fonts.word_width("محمد", 9.5)
    isolated = pdfmetrics.stringWidth("محمد", fonts.REGULAR, 9.5)
    assert abs(drawn - shaped) < 0.5
    assert isolated - drawn > 3


def test_unknown_assessment_is_refused_and_nothing_written(tmp_path: Path) -> None:
    out = tmp_path / "none.pdf"
    with pytest.raises(KeyError):
        render_assessment_pdf(_detail(), 999, OFFICE, COMMUNE, "fr", out)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- case file


def test_case_file_pdf_in_french_holds_everything(tmp_path: Path) -> None:
    out = tmp_path / "dossier.pdf"
    render_case_file_pdf(_detail(), OFFICE, COMMUNE, "fr", out)
    pages = _assert_whole_pdf(out, max_pages=4)
    text = _text(out)
    for expected in [
        "Dossier individuel",
        "droit d'accès",
        "Identité",
        "14/05/1990",
        "06 00 00 00 00",
        "Douar Imaginaire",
        "Documents d'identité",
        "XX0000000",
        "Ménage",
        "Awa Fictif",
        "2019",
        "Consentements",
        "15/01/2024",
        "20/02/2024",
        "En vigueur",
        "Retiré",
        "Bilans sociaux",
        "Bilan du 20/01/2024",
        "Fiches de vulnérabilité",
        "Malade, sans abri",
        "Contacts et passages",
        "Premier accueil au bureau.",
        "وصل إلى المركز الصحي",
        "Parcours",
        f"Imprimé le {fmt_date(date.today())}",
    ]:
        assert expected in text, expected
    _assert_page_footer(text, pages, "fr")


def test_case_file_pdf_in_arabic(tmp_path: Path) -> None:
    out = tmp_path / "dossier-ar.pdf"
    render_case_file_pdf(_detail(), OFFICE, COMMUNE, "ar", out)
    pages = _assert_whole_pdf(out, max_pages=4)
    text = _text(out)
    for expected in [
        "الملف الفردي",
        "حق الاطلاع",
        "وثائق الهوية",
        "XX0000000",
        "الأسرة",
        "الموافقات",
        "20/02/2024",
        "بطاقات الهشاشة",
        "الاتصالات والزيارات",
        "وصل إلى المركز الصحي",
        "المسار",
        "محمد فيكتيف",
    ]:
        assert expected in text, expected
    _assert_page_footer(text, pages, "ar")


def test_long_case_file_breaks_over_pages_and_numbers_them(tmp_path: Path) -> None:
    detail = _detail()
    note = "Appel de suivi : la personne va mieux, rendez-vous pris. " * 3
    detail.contacts = [
        ContactRow(index, date(2023, 1, 1), "suivi", "phone", ["housing"], note, "Agent Fictif") for index in range(80)
    ]
    out = tmp_path / "long.pdf"
    render_case_file_pdf(detail, OFFICE, COMMUNE, "fr", out)
    pages = _assert_whole_pdf(out, max_pages=20)
    assert pages >= 3
    _assert_page_footer(_text(out), pages, "fr")


# ---------------------------------------------------------------- consent form


def test_bilingual_consent_form_from_french(tmp_path: Path) -> None:
    out = tmp_path / "consentement.pdf"
    render_consent_form_pdf(_person(), CASE_NUMBER, OFFICE, COMMUNE, "fr", out)
    _assert_whole_pdf(out, max_pages=2)
    text = _text(out)
    for expected in [
        "Formulaire de consentement",
        "استمارة الموافقة",
        CASE_NUMBER,
        "Fictif Mohamed",
        "محمد فيكتيف",
        "Enregistrer et suivre votre dossier",
        "Partager vos informations pour vous orienter",
        "statistiques anonymes",
        "J'accepte / أوافق",
        "Je refuse / أرفض",
        "retirer votre consentement à tout moment",
        "chiffrées",
        "تحفظ معطياتكم مشفرة",
        "يمكنكم سحب موافقتكم في أي وقت",
        "Signature de la personne",
        "توقيع الشخص",
    ]:
        assert expected in text, expected
    assert str(text).count("J'accepte") == 3  # one tick box pair per purpose


def test_bilingual_consent_form_from_arabic(tmp_path: Path) -> None:
    out = tmp_path / "consent-ar.pdf"
    render_consent_form_pdf(_person(), CASE_NUMBER, OFFICE, COMMUNE, "ar", out)
    _assert_whole_pdf(out, max_pages=2)
    text = _text(out)
    assert "Formulaire de consentement" in text
    assert "استمارة الموافقة" in text
    assert "يمكنكم سحب موافقتكم في أي وقت" in text
    # "أوافق / J'accepte": Arabic first, so on the right of the French in each tick row.
    words = _words(out)
    agree = [word for word in words if word[0] == "أوافق"]
    french = [word for word in words if word[0] == "J'accepte"]
    assert len(agree) == len(french) == 3
    for arabic, latin in zip(agree, french, strict=True):
        assert abs(arabic[3] - latin[3]) < 2
        assert arabic[1] > latin[2]


def test_single_language_consent_forms(tmp_path: Path) -> None:
    french = tmp_path / "fr.pdf"
    render_consent_form_pdf(_person(), CASE_NUMBER, OFFICE, COMMUNE, "fr", french, bilingual=False)
    _assert_whole_pdf(french, max_pages=2)
    text = _text(french)
    assert "J'accepte" in text
    assert "أوافق" not in text
    arabic = tmp_path / "ar.pdf"
    render_consent_form_pdf(_person(), CASE_NUMBER, OFFICE, COMMUNE, "ar", arabic, bilingual=False)
    _assert_whole_pdf(arabic, max_pages=2)
    text = _text(arabic)
    assert "أوافق" in text
    assert "J'accepte" not in text
    assert "يمكنكم سحب موافقتكم في أي وقت" in text


def test_english_forms_render(tmp_path: Path) -> None:
    render_assessment_pdf(_detail(), 7, OFFICE, COMMUNE, "en", tmp_path / "a.pdf")
    render_consent_form_pdf(_person(), CASE_NUMBER, OFFICE, COMMUNE, "en", tmp_path / "c.pdf")
    assert "Social assessment" in _text(tmp_path / "a.pdf")
    text = _text(tmp_path / "c.pdf")
    assert "I agree / أوافق" in text
    assert "Consent form" in text


# ---------------------------------------------------------------- writing


class _Boom(Flowable):
    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        raise RuntimeError("layout failed")


def test_failed_render_keeps_the_previous_file_and_leaves_no_partial_pdf(tmp_path: Path) -> None:
    out = tmp_path / "dossier.pdf"
    render_case_file_pdf(_detail(), OFFICE, COMMUNE, "fr", out)
    before = out.read_bytes()
    writer = Writer("fr")
    with pytest.raises(RuntimeError, match="layout failed"):
        build_pdf(out, [writer.body("avant"), _Boom()], writer, DocumentInfo("t", "fr", OFFICE, COMMUNE))
    assert out.read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["dossier.pdf"]


def test_rendering_again_replaces_the_file(tmp_path: Path) -> None:
    out = tmp_path / "consent.pdf"
    out.write_bytes(b"old")
    render_consent_form_pdf(_person(), CASE_NUMBER, OFFICE, COMMUNE, "fr", out)
    _assert_whole_pdf(out, max_pages=2)


# ---------------------------------------------------------------- helpers


def test_word_order_follows_the_bidi_algorithm() -> None:
    assert reorder_words(["محمد", "فيكتيف"], rtl=True) == ["فيكتيف", "محمد"]
    assert reorder_words(["Nom", "محمد", "فيكتيف"], rtl=False) == ["Nom", "فيكتيف", "محمد"]
    # Latin inside Arabic keeps its own order; punctuation goes to the end of the sentence (the left).
    assert reorder_words(["راجعه", "Responsable", "Fictive", "بتاريخ", "22/01/2024."], rtl=True) == [
        ".22/01/2024",
        "بتاريخ",
        "Responsable",
        "Fictive",
        "راجعه",
    ]
    # "page 1 / 3" in Arabic reads 1 first, from the right.
    assert reorder_words(["صفحة", "1", "/", "3"], rtl=True) == ["3", "/", "1", "صفحة"]
    # Parentheses stay with the Arabic word they enclose (HarfBuzz mirrors them).
    assert reorder_words(["(محمد", "فيكتيف)"], rtl=True) == ["فيكتيف)", "(محمد"]
    # Latin in brackets inside Arabic: the brackets are drawn mirrored (rule L4), never ")AVRR(".
    assert reorder_words(["العودة", "(AVRR)", "طوعية"], rtl=True) == ["طوعية", "(AVRR)", "العودة"]
    assert reorder_words(["Retour", "(AVRR)"], rtl=False) == ["Retour", "(AVRR)"]
    assert keep_together("06 00 00") == "06\u00a000\u00a000"


def test_labels_dates_and_ages() -> None:
    assert label("category", "no_such_code", "fr") == "no_such_code"
    assert label("category", "", "fr") == ""
    assert fmt_date(date(2024, 3, 5)) == "05/03/2024"
    assert country_name("MA", "fr") == "Maroc"
    assert country_name("MA", "en") == "Morocco"
    assert country_name("MA", "ar") not in ("", "MA", "Morocco")
    assert country_name("ZZ", "fr") == "ZZ"
    person = PersonInput(given_name="X", estimated_age=30)
    assert "30" in age_text(person, date(2024, 1, 1), "fr")
    born = PersonInput(given_name="X", birth_date=date(2000, 6, 15))
    assert age_text(born, date(2024, 6, 14), "fr") == "23 ans"
    assert age_text(born, date(2024, 6, 15), "fr") == "24 ans"
    assert age_text(PersonInput(given_name="X", birth_date=date(2018, 1, 1)), date(2024, 6, 1), "ar") == "6 سنوات"


def test_every_pdf_message_exists_in_three_languages() -> None:
    own = json.loads((ROOT / "resources" / "i18n" / "reports.json").read_text(encoding="utf-8"))
    assert all(key.startswith("pdf.") for key in own)
    known = messages()
    used: set[str] = set()
    for path in (ROOT / "desktop" / "reports").glob("*.py"):
        used |= set(re.findall(r"""["'](pdf\.[a-z0-9_.]+[a-z0-9_])["']""", path.read_text(encoding="utf-8")))
    missing = sorted(key for key in used if key not in known or set(known[key]) != {"fr", "ar", "en"})
    assert missing == []
