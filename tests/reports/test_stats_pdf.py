"""The monthly statistics report: cover, key figures, tables, vector charts, annex; FR and AR.

A small fictitious office is filled through the services (people received, contacts
with needs, referrals and counter-referrals in October 2025), its statistics are
computed for the office (INTERNAL) and for the commune (OUTSIDE), and the PDFs are
read back with poppler: ``pdftotext`` (default mode: Arabic in logical order inside
bidi marks, removed here; ``-layout`` keeps a table's row on one line; ``-bbox``
gives each word's position, Arabic words with their characters in visual order),
``pdfinfo`` (A4, metadata) and ``pdfimages`` (no raster image: the charts are
vector drawings).  The pages are also rendered at 60 dpi into build/screenshots
for a developer to look at.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics

from desktop.domain.indicators import INDICATORS, Audience
from desktop.domain.periods import Period
from desktop.i18n import tr_in
from desktop.reports import fonts, stats_tables
from desktop.reports.stats_charts import nice_scale
from desktop.reports.stats_pdf import _bars, render_statistics_pdf
from desktop.services import cases, directory, referrals, statistics
from desktop.services import office as office_service
from desktop.services.case_types import ContactInput
from desktop.services.referral_types import CounterReferralInput, ProviderInput, ReferralInput
from desktop.services.statistics import Statistics
from tests.conftest import ADMIN_LOGIN, ADMIN_NAME, ADMIN_PASSWORD, OFFICE_COMMUNE, OFFICE_NAME
from tests.fictitious import fictitious

ROOT = Path(__file__).resolve().parents[2]
PERIOD = Period.month(2025, 10)
BIDI_MARKS = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# (given name, sex, category, day of October 2025, needs expressed at the visit)
PEOPLE = [
    ("Awa", "F", "rpt_migrant", 2, ["housing", "health_physical"]),
    ("Fatou", "F", "rpt_asylum_seeker", 3, ["housing"]),
    ("Moussa", "M", "rpt_migrant", 6, ["administrative"]),
    ("Ibrahima", "M", "rpt_migrant", 7, ["housing"]),
    ("Karim", "M", "returnee_voluntary", 8, []),
    ("Youssef", "M", "returnee_voluntary", 9, ["income_employment"]),
    ("Omar", "M", "mre", 13, ["civil_status"]),
    ("Samuel", "M", "rpt_migrant", 14, ["housing"]),
]
PEOPLE_RECEIVED = len(PEOPLE)  # 8: 2 women and 6 men

if shutil.which("pdftotext") is None or shutil.which("pdfimages") is None:  # pragma: no cover
    if os.environ.get("CI"):
        raise RuntimeError("pdftotext and pdfimages (poppler-utils) are required by the PDF tests")
    pytest.skip("poppler-utils is not installed", allow_module_level=True)


@dataclass
class Reports:
    internal: Statistics
    outside: Statistics
    folder: Path

    def pdf(self, audience: str, lang: str) -> Path:
        return self.folder / f"stats-{audience}-{lang}.pdf"


def _fill(handle: office_service.OfficeHandle) -> None:
    provider = directory.save_provider(
        handle,
        ProviderInput(
            name_fr="Association Exemple Fictive",
            name_ar="جمعية مثال وهمية",
            kind="associative",
            domains=["housing", "health_physical"],
            commune_code="09.001.01.01.",
            coverage="province",
            verified_on=date(2025, 1, 2),
        ),
    )
    case_ids = []
    for given, sex, category, day, needs in PEOPLE:
        on = date(2025, 10, day)
        person = fictitious(given_name=given, sex=sex, category=category, phone="")
        _, case_id = cases.register(handle, person, opened_on=on)
        cases.add_contact(handle, case_id, ContactInput(on, "accueil", "in_person", needs))
        case_ids.append(case_id)
    cases.add_contact(handle, case_ids[0], ContactInput(date(2025, 10, 20), "suivi", "phone"))
    sent = [(case_ids[0], "housing", 2), (case_ids[1], "housing", 3), (case_ids[2], "health_physical", 6)]
    for case_id, domain, day in sent:
        referral = referrals.create_referral(
            handle, case_id, ReferralInput(domain, provider, shared=[]), on=date(2025, 10, day), send=True
        )
        if day < 5:
            received = date(2025, 10, day + 4)
            referrals.record_counter_referral(handle, referral, CounterReferralInput(received, "served", received))


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reports]:
    """The office, its two sets of statistics, and the PDFs rendered once for the whole module."""
    folder = tmp_path_factory.mktemp("stats-pdf")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
        handle, _ = office_service.create_office(
            folder / "office.baomdb",
            commune_code=OFFICE_COMMUNE,
            office_name=OFFICE_NAME,
            admin_login=ADMIN_LOGIN,
            admin_name=ADMIN_NAME,
            admin_password=ADMIN_PASSWORD,
        )
        try:
            _fill(handle)
            internal = statistics.compute(handle, PERIOD, Audience.INTERNAL)
            outside = statistics.compute(handle, PERIOD, Audience.OUTSIDE)
        finally:
            handle.close()
    found = Reports(internal, outside, folder)
    for audience, stats in (("internal", internal), ("outside", outside)):
        for lang in ("fr", "ar", "en"):
            out = found.pdf(audience, lang)
            data = render_statistics_pdf(stats, lang, out)
            assert data.startswith(b"%PDF-") and out.read_bytes() == data
    yield found


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


class _Text(str):
    """pdftotext's logical-order text; ``in`` ignores white space (cells wrap, poppler moves spaces)."""

    def __contains__(self, phrase: object) -> bool:
        return isinstance(phrase, str) and _flat(phrase) in _flat(str(self))

    def count_of(self, phrase: str) -> int:
        return _flat(str(self)).count(_flat(phrase))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _text(pdf: Path) -> _Text:
    return _Text(BIDI_MARKS.sub("", _run("pdftotext", "-enc", "UTF-8", str(pdf), "-")))


def _layout_lines(pdf: Path) -> list[str]:
    out = _run("pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-")
    return [BIDI_MARKS.sub("", line) for line in out.splitlines()]


def _words(pdf: Path, page: int) -> list[tuple[str, float, float, float]]:
    """(text in logical order, x min, x max, y min) of each word of ``page``, from ``pdftotext -bbox``."""
    out = _run("pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-")
    words = []
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>'
    for x_min, y_min, x_max, text in re.findall(pattern, out):
        text = html.unescape(BIDI_MARKS.sub("", text))
        if re.search("[\u0600-\u06ff]", text):
            text = text[::-1]
        words.append((text, float(x_min), float(x_max), float(y_min)))
    return words


def _info(pdf: Path) -> dict[str, str]:
    found = {}
    for line in _run("pdfinfo", str(pdf)).splitlines():
        name, _, value = line.partition(":")
        found[name.strip()] = value.strip()
    return found


def _screenshots(pdf: Path, name: str) -> None:
    folder = ROOT / "build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(folder / name)], check=True)


def _row(lines: list[str], label: str) -> list[str]:
    """The ``-layout`` lines that start with ``label`` (a table row, or a chart's category and its bar)."""
    return [line.strip() for line in lines if line.strip().startswith(label + " ")]


def test_french_report_for_the_office(reports: Reports) -> None:
    pdf = reports.pdf("internal", "fr")
    info = _info(pdf)
    assert info["Page size"].startswith("595.276 x 841.89") and "A4" in info["Page size"]
    assert info["Title"] == "Rapport mensuel des statistiques — octobre 2025"
    assert info["Author"] == OFFICE_NAME
    pages = int(info["Pages"])
    assert pages >= 5
    text = _text(pdf)
    for expected in [
        OFFICE_NAME,
        "Taliouine",
        "Rapport mensuel des statistiques",
        "octobre 2025",
        "Usage interne du bureau",
        "Usage interne — ne pas diffuser",
        "Chiffres clés",
        "Évolution sur 12 mois",
        "Annexe — définitions des indicateurs",
        f"page 1 / {pages}",
        f"page {pages} / {pages}",
    ]:
        assert expected in text, expected
    assert "Petits effectifs masqués" not in text
    for indicator in INDICATORS:
        name = stats_tables.indicator_name(indicator.code, "fr")
        assert text.count_of(name) >= 2, name  # its section and its definition
        assert indicator.define("fr") in text, indicator.code
    lines = _layout_lines(pdf)
    (key_row,) = [line for line in _row(lines, "Personnes reçues") if line.split()[2:3] == [str(PEOPLE_RECEIVED)]]
    assert key_row.split()[2:5] == [str(PEOPLE_RECEIVED), "0", "0"]  # nobody before October 2025
    assert _row(lines, "Féminin")[0].split()[1] == "2"  # the office sees small counts
    # the trend's last month: people received, contacts, referrals sent, counter-referrals, cases opened
    assert any(line.split()[2:] == ["8", "9", "3", "2", "8"] for line in _row(lines, "octobre 2025"))
    _screenshots(pdf, "stats-report-fr")


def test_arabic_report_is_shaped_and_right_to_left(reports: Reports) -> None:
    pdf = reports.pdf("internal", "ar")
    info = _info(pdf)
    pages = int(info["Pages"])
    assert info["Title"] == "التقرير الشهري للإحصائيات — أكتوبر 2025"
    text = _text(pdf)
    for expected in [
        "التقرير الشهري للإحصائيات",
        "أكتوبر 2025",
        "تاليوين",
        "للاستعمال الداخلي — يُمنع النشر",
        "الأرقام الرئيسية",
        "ملحق — تعاريف المؤشرات",
        f"صفحة 1 من {pages}",
        f"صفحة {pages} من {pages}",
    ]:
        assert expected in text, expected
    for indicator in INDICATORS:
        assert stats_tables.indicator_name(indicator.code, "ar") in text, indicator.code
        opening = " ".join(re.split(r"[:(«]", indicator.define("ar"))[0].split()[:6])
        assert opening in text, indicator.code  # (poppler gives mirrored brackets back as drawn)
    # Chart labels are real, shaped, ordered text: each category is in its table and beside its bar.
    for label in [tr_in("ar", "sex.M"), tr_in("ar", "stats.age_band.25-59"), tr_in("ar", "domain.housing")]:
        assert text.count_of(label) >= 2, label
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", str(text)), "no presentation forms: text reads as typed"

    words = _words(pdf, 2)  # the key figures
    title = next(word for word in words if word[0] == "الأرقام")
    drawn = title[2] - title[1]
    assert abs(drawn - fonts.word_width("الأرقام", 16, bold=True)) < 0.5, "joined letters (HarfBuzz's width)"
    assert pdfmetrics.stringWidth("الأرقام", fonts.BOLD, 16) - drawn > 3
    label = next(word for word in words if word[0] == "المستقبَلون")
    count = next(word for word in words if word[0] == str(PEOPLE_RECEIVED) and abs(word[3] - label[3]) < 2)
    assert label[1] > count[2], "the indicator's name is on the right of its figures"
    header = next(word for word in words if word[0] == "المؤشر")
    assert header[1] > count[2] and header[2] > 400, "the label column is the rightmost one"
    _screenshots(pdf, "stats-report-ar")


def test_report_for_outside_hides_small_cells(reports: Reports) -> None:
    pdf = reports.pdf("outside", "fr")
    text = _text(pdf)
    for expected in ["Diffusion hors du bureau", "Petits effectifs masqués", "masquage secondaire", "<5"]:
        assert expected in text, expected
    assert "Usage interne — ne pas diffuser" not in text
    lines = _layout_lines(pdf)
    women, men = _row(lines, "Féminin"), _row(lines, "Masculin")
    assert women and men
    for line in women + men:  # 2 women: hidden; 6 men: hidden too, or 8 − 6 would give them away
        cells = line.split()[1:]
        assert cells[0] == "<5", line
        assert "2" not in cells and "6" not in cells, line
    (total,) = [line for line in _row(lines, "Total") if line.split()[1:2] == [str(PEOPLE_RECEIVED)]][:1]
    assert total
    october = [line.split()[2:] for line in _row(lines, "octobre 2025") if "<5" in line]
    assert october == [["8", "9", "<5", "<5", "8"]], "the trend hides the month's 3 referrals and 2 counter-referrals"
    _screenshots(pdf, "stats-report-outside-fr")


def test_arabic_report_for_outside(reports: Reports) -> None:
    pdf = reports.pdf("outside", "ar")
    text = _text(pdf)
    assert "إخفاء الأعداد الصغيرة" in text and "<5" in text
    male = tr_in("ar", "sex.M")
    rows = [line.split() for line in _layout_lines(pdf) if male in line.split()]
    assert ["0", "0", "<5", male] in rows, rows  # the table's row, right to left: 6 men, hidden
    assert all("6" not in row for row in rows), rows
    _screenshots(pdf, "stats-report-outside-ar")


def test_hidden_cells_are_not_drawn_as_bars(reports: Reports) -> None:
    table = stats_tables.breakdown_table(reports.outside, "people_received", "sex", "fr")
    bars = {bar.label: bar for bar in _bars([table], "fr")}
    assert bars["Féminin"].values == (0.0,) and bars["Féminin"].texts == ("<5",)
    assert bars["Masculin"].values == (0.0,) and bars["Masculin"].texts == ("<5",)
    inside = stats_tables.breakdown_table(reports.internal, "people_received", "sex", "fr")
    visible = {bar.label: bar for bar in _bars([inside], "fr")}
    assert visible["Féminin"].values == (2.0,) and visible["Masculin"].values == (6.0,)
    paired = [
        stats_tables.breakdown_table(reports.internal, code, "referral_domain", "fr")
        for code in ("referrals_sent", "counter_referrals")
    ]
    housing = next(bar for bar in _bars(paired, "fr") if bar.label == tr_in("fr", "service_domain.housing"))
    assert housing.values == (2.0, 2.0)
    assert all(any(bar.values) for bar in _bars(paired, "fr")), "empty categories are left out of the charts"


def test_charts_are_vector_drawings(reports: Reports) -> None:
    for audience in ("internal", "outside"):
        for lang in ("fr", "ar"):
            pdf = reports.pdf(audience, lang)
            listing = _run("pdfimages", "-list", str(pdf)).splitlines()
            assert len(listing) == 2, listing  # the header lines only: no raster image anywhere
            text = _text(pdf)
            assert "10/2025" in text and "11/2024" in text, "the trend's months are drawn as text"


def test_english_report(reports: Reports) -> None:
    text = _text(reports.pdf("internal", "en"))
    assert "Monthly statistics report" in text and "October 2025" in text and "Annex — indicator definitions" in text


def test_without_a_path_only_the_bytes_are_given(reports: Reports, tmp_path: Path) -> None:
    data = render_statistics_pdf(reports.internal, "fr")
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    out = tmp_path / "rapport.pdf"
    out.write_bytes(b"old")
    render_statistics_pdf(reports.internal, "fr", out)
    assert out.read_bytes().startswith(b"%PDF-")
    assert [path.name for path in tmp_path.iterdir()] == ["rapport.pdf"]  # no temporary file left


def test_without_comparisons_or_trend(reports: Reports, tmp_path: Path) -> None:
    alone = replace(reports.outside, previous=None, last_year=None, trend=None)
    out = tmp_path / "seul.pdf"
    render_statistics_pdf(alone, "ar", out)
    text = _text(out)
    assert "الأرقام الرئيسية" in text and "أكتوبر 2025" in text
    assert "التطور" not in text, "neither the change column nor the trend"
    assert text.count_of(tr_in("ar", "stats.column.previous")) == 1, "only in the annex's explanation"


def test_axis_scales_are_whole_numbers() -> None:
    assert nice_scale(0) == (5.0, 1.0)
    assert nice_scale(3) == (3.0, 1.0)
    assert nice_scale(8) == (8.0, 2.0)
    assert nice_scale(12372) == (12500.0, 2500.0)
    for largest in (1, 7, 13, 99, 1234):
        top, step = nice_scale(largest)
        assert top >= largest and step >= 1 and step == int(step) and top / step <= 6


def test_a_full_disk_leaves_the_old_report_and_says_so(
    reports: Reports, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from desktop.domain.errors import DiskFull

    stats = reports.internal
    out = tmp_path / "rapport.pdf"
    out.write_bytes(b"old report")

    def disk_full(source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("desktop.reports.pdf_common.os.replace", disk_full)
    with pytest.raises(DiskFull):
        render_statistics_pdf(stats, "fr", out=out)
    assert out.read_bytes() == b"old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rapport.pdf"]
