"""The printed fiche de référence: one page, the code typeable and in QR codes, only the shared data.

Text is read back with ``pdftotext`` as in ``test_case_pdfs.py`` (default mode:
Arabic comes back in logical order inside bidi marks, which are removed;
``-bbox`` gives each word's position, Arabic words with their characters in
visual order).  The QR codes are read from the page rendered at 150 dpi
(``pdftoppm``) with zxing-cpp, as a phone would read the printed sheet.
The 150-dpi pages are kept in build/screenshots for a developer to look at.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from desktop.domain import referrals as rules
from desktop.domain.codelists import REFERRAL_OUTCOMES
from desktop.reports.pdf_common import country_name, label
from desktop.reports.referral_pdf import render_referral_slip_pdf, shared_only
from desktop.services.referral_types import ReferralSlip

ROOT = Path(__file__).resolve().parents[2]
CODE = "K7M4-X2QY"
OFFICE = "BAOM Fictif"
COMMUNE = "09.541.01.11."  # Taliouine
PERSON_PHONE = "06 99 88 77 66"
BIDI_MARKS = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]")

if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:  # pragma: no cover
    if os.environ.get("CI"):
        raise RuntimeError("pdftotext and pdftoppm (poppler-utils) are required by the PDF tests")
    pytest.skip("poppler-utils is not installed", allow_module_level=True)


def _slip(**changes: object) -> ReferralSlip:
    """A fictitious referral: identity, documents, need and vulnerability shared; the phone not."""
    slip = ReferralSlip(
        code=CODE,
        office_name=OFFICE,
        office_commune=COMMUNE,
        office_phone="05 28 00 00 00",
        office_email="baom.fictif@example.org",
        officer="Agent Fictif",
        created_on=date(2024, 3, 4),
        sent_on=date(2024, 3, 5),
        due_on=date(2024, 3, 8),
        urgency="h72",
        direction="outgoing",
        domain="health_physical",
        provider_name="Centre de santé Fictif",
        provider_name_ar="المركز الصحي الخيالي",
        provider_address="12, rue Imaginaire, Taliouine",
        provider_phone="05 28 11 11 11",
        provider_focal_point="Dr Fictive",
        service_name="Consultation de médecine générale",
        case_number="BAOM-2024-00042",
        shared=["identity", "documents", "need_summary", "vulnerability"],
        family_name="Fictivi",
        given_name="Awa",
        family_name_ar="فيكتيفي",
        given_name_ar="آوا",
        sex="F",
        birth_date=date(1995, 7, 1),
        nationality="SN",
        phone=PERSON_PHONE,  # not shared: must not be printed
        documents=[("passport", "XX0000000")],
        reason="Douleurs abdominales depuis deux semaines, consultation demandée.",
        vulnerability_level="high",
    )
    return replace(slip, **changes)  # type: ignore[arg-type]


class _Text(str):
    """pdftotext's logical-order text; ``in`` ignores white space (cells wrap, poppler moves spaces)."""

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
            text = text[::-1]
        words.append((text, float(x_min), float(x_max), float(y_min)))
    return words


def _pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    match = re.search(r"^Pages:\s+(\d+)", out.stdout, re.MULTILINE)
    assert match
    return int(match.group(1))


def _render(slip: ReferralSlip, lang: str, folder: Path) -> Path:
    out = folder / f"fiche-{lang}.pdf"
    data = render_referral_slip_pdf(slip, lang, out)
    assert data.startswith(b"%PDF-")
    assert out.read_bytes() == data
    assert _pages(out) == 1
    assert [path.name for path in folder.iterdir() if path.name.endswith(".part")] == []
    return out


def _qr_texts(pdf: Path, screenshot: str = "") -> list[str]:
    """What the QR codes of the page say, read from the page rendered at 150 dpi, top to bottom."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(prefix)], check=True)
    png = prefix.with_suffix(".png")
    if screenshot:
        folder = ROOT / "build" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, folder / screenshot)
    with Image.open(png) as image:
        found = zxingcpp.read_barcodes(image)
    codes = sorted(
        (barcode for barcode in found if barcode.format == zxingcpp.BarcodeFormat.QRCode),
        key=lambda barcode: barcode.position.top_left.y,
    )
    return [barcode.text for barcode in codes]


def test_the_fixture_code_is_a_valid_reference_code() -> None:
    assert rules.is_valid_code(rules.normalise_code(CODE))
    assert rules.display_code(rules.normalise_code(CODE)) == CODE


def test_french_slip_carries_the_referral_and_the_tear_off(tmp_path: Path) -> None:
    pdf = _render(_slip(), "fr", tmp_path)
    text = _text(pdf)
    for expected in [
        "Fiche de référence",
        OFFICE,
        "Taliouine",
        "Code de référence",
        CODE,
        "Établie le 04/03/2024",
        "Envoyée le 05/03/2024",
        "À traiter avant le 08/03/2024",
        label("urgency", "h72", "fr"),
        label("service_domain", "health_physical", "fr"),
        "Consultation de médecine générale",
        "Douleurs abdominales depuis deux semaines",
        "Centre de santé Fictif",
        "12, rue Imaginaire, Taliouine",
        "05 28 11 11 11",
        "Dr Fictive",
        "Fictivi Awa",
        "آوا فيكتيفي",
        "Féminin",
        "01/07/1995",
        country_name("SN", "fr"),
        "Passeport : XX0000000",
        label("level", "high", "fr"),
        "Informations partagées avec l'accord de la personne : Identité",
        label("shared_item", "documents", "fr"),
        "Agent(e) référent(e) : Agent Fictif",
        "05 28 00 00 00",
        "baom.fictif@example.org",
        "Découper ici",
        "Contre-référence",
        "Structure : Centre de santé Fictif",
        "Date de réception de la personne",
        "Date du service",
        "Observations",
        "Nom et signature",
        "Cachet de la structure",
        "À retourner au BAOM : BAOM Fictif, 05 28 00 00 00",
    ]:
        assert expected in text, expected
    for outcome in REFERRAL_OUTCOMES:
        assert label("outcome", outcome, "fr") in text, outcome
    assert str(text).count(CODE) == 2  # on the slip and on the tear-off
    assert PERSON_PHONE not in text  # the phone is not shared
    assert "BAOM-2024-00042" not in text  # the case number stays in the office
    assert "المركز الصحي الخيالي" not in text  # the provider's name in the page's language only


def test_arabic_slip_is_right_to_left(tmp_path: Path) -> None:
    pdf = _render(_slip(), "ar", tmp_path)
    text = _text(pdf)
    for expected in [
        "بطاقة الإحالة",
        "رمز الإحالة",
        CODE,
        "تاليوين",
        "المركز الصحي الخيالي",
        label("service_domain", "health_physical", "ar"),
        label("urgency", "h72", "ar"),
        "آوا فيكتيفي",
        "Fictivi Awa",
        country_name("SN", "ar"),
        "جواز السفر",
        "XX0000000",
        "المعلومات المشاركة بموافقة الشخص",
        "الإحالة المضادة",
        "الجهة: المركز الصحي الخيالي",
        "تاريخ استقبال الشخص",
        "تاريخ تقديم الخدمة",
        "الاسم والتوقيع",
        "خاتم الجهة",
        "تعاد إلى المكتب",
        "قص هنا",
        "08/03/2024",
    ]:
        assert expected in text, expected
    for outcome in REFERRAL_OUTCOMES:
        assert label("outcome", outcome, "ar") in text, outcome
    assert PERSON_PHONE not in text

    words = _words(pdf)
    office = next(word for word in words if word[0] == "BAOM")
    code = min((word for word in words if word[0] == CODE), key=lambda word: word[3])
    assert office[1] > code[2], "the office (start side) is on the right of the code"
    title = next(word for word in words if word[0] == "الإحالة" and word[3] < 100)
    assert title[1] > code[1] - 5, "the title and the code are aligned on the same side"
    given = next(word for word in words if word[0] == "آوا")
    family = next(word for word in words if word[0] == "فيكتيفي" and abs(word[3] - given[3]) < 1)
    assert given[1] > family[2], "آوا comes first, so it stands to the right"
    passport = next(word for word in words if word[0] == "السفر:")
    number = next(word for word in words if word[0] == "XX0000000")
    assert abs(passport[3] - number[3]) < 1 and passport[1] > number[2], "جواز السفر: XX0000000, right to left"
    received = next(word for word in words if word[0] == "استقبال")
    service = next(word for word in words if word[0] == "تقديم" and abs(word[3] - received[3]) < 2)
    assert received[1] > service[2], "the first date of the tear-off is on the right"


def test_english_slip_renders(tmp_path: Path) -> None:
    text = _text(_render(_slip(birth_date=None, birth_year=1995), "en", tmp_path))
    for expected in ["Referral slip", "Counter-referral", CODE, "Birth year", "1995", "Partly served"]:
        assert expected in text, expected


def test_items_not_shared_are_not_printed(tmp_path: Path) -> None:
    only_identity = _text(_render(_slip(shared=["identity"]), "fr", tmp_path))
    assert "Fictivi Awa" in only_identity
    for absent in [PERSON_PHONE, "XX0000000", "Douleurs abdominales", label("level", "high", "fr")]:
        assert absent not in only_identity, absent

    nothing = _text(_render(_slip(shared=[]), "fr", tmp_path))
    assert "Aucune information personnelle n'est partagée" in nothing
    for absent in ["Fictivi", "Awa", "فيكتيفي", "01/07/1995", country_name("SN", "fr"), "Féminin", PERSON_PHONE]:
        assert absent not in nothing, absent
    assert CODE in nothing and "Centre de santé Fictif" in nothing

    with_phone = _text(_render(_slip(shared=["identity", "phone"]), "fr", tmp_path))
    assert PERSON_PHONE in with_phone


def test_shared_only_clears_what_is_not_shared() -> None:
    slip = shared_only(_slip(shared=["phone"]))
    assert (slip.family_name, slip.given_name_ar, slip.sex, slip.birth_date, slip.nationality) == ("", "", "", None, "")
    assert slip.phone == PERSON_PHONE
    assert (slip.documents, slip.reason, slip.vulnerability_level) == ([], "", "")
    assert slip.provider_name == "Centre de santé Fictif"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_both_qr_codes_read_back_as_the_code(tmp_path: Path, lang: str) -> None:
    pdf = _render(_slip(), lang, tmp_path)
    assert _qr_texts(pdf, screenshot=f"referral_slip_{lang}.png") == [CODE, CODE]


def test_a_very_long_slip_still_fits_one_page_with_readable_qr_codes(tmp_path: Path) -> None:
    reason = ("La personne signale des douleurs persistantes et demande un accompagnement. " * 27)[:2000]
    documents = [("passport", "XX0000000"), ("unhcr_card", "000-00C00000"), ("consular_card", "CC-0000")]
    pdf = _render(
        _slip(reason=reason, documents=documents, provider_address="Quartier Imaginaire " * 8), "fr", tmp_path
    )
    text = _text(pdf)
    assert "demande un accompagnement" in text
    assert "Réorientée" in text
    assert _qr_texts(pdf) == [CODE, CODE]


def test_without_a_path_only_the_bytes_are_given(tmp_path: Path) -> None:
    data = render_referral_slip_pdf(_slip(), "ar")
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pdf = tmp_path / "from-bytes.pdf"
    pdf.write_bytes(data)
    assert _pages(pdf) == 1
    assert "الإحالة المضادة" in _text(pdf)


def test_rendering_again_replaces_the_file(tmp_path: Path) -> None:
    out = tmp_path / "fiche.pdf"
    out.write_bytes(b"old")
    render_referral_slip_pdf(_slip(), "fr", out)
    assert out.read_bytes().startswith(b"%PDF-")
    assert [path.name for path in tmp_path.iterdir()] == ["fiche.pdf"]
