"""The monthly statistics workbook: real numbers, hidden small cells, Arabic right to left, opens in LibreOffice."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from desktop.domain.indicators import BY_CODE, INDICATORS, Audience
from desktop.domain.periods import Period
from desktop.reports import stats_tables
from desktop.reports.stats_xlsx import SHEET_NAME_MAX, clean_sheet_name, render_statistics_xlsx, sheet_name
from desktop.services import cases, directory, referrals, statistics
from desktop.services import office as office_service
from desktop.services.case_types import ContactInput
from desktop.services.referral_types import CounterReferralInput, ProviderInput, ReferralInput
from desktop.services.statistics import Statistics
from tests.fictitious import fictitious

MONTH = "2025-10"
COMMUNE = "09.001.01.01."
FORBIDDEN = set("[]:*?/\\")


def build_stats_office(path: Path, password: str) -> None:
    """A small fictitious office whose October 2025 is known by heart.

    October 2025: 8 cases opened (6 men, 2 women; one of the men withdrew his consent
    to statistics), one woman first received in September 2025 comes back; three
    contacts; two referrals sent (one answered, one overdue at the end of the month).
    September 2025: one case opened. October 2024: one case opened.
    """
    handle, _ = office_service.create_office(
        path,
        commune_code=COMMUNE,
        office_name="BAOM Statistiques Fictif",
        admin_login="admin",
        admin_name="Admin Fictif",
        admin_password=password,
    )
    with handle:
        provider = directory.save_provider(
            handle,
            ProviderInput(
                name_fr="Association Exemple Fictive",
                name_ar="جمعية مثال وهمية",
                kind="associative",
                domains=["housing", "social_aid"],
                commune_code=COMMUNE,
                coverage="province",
                focal_point="Point focal fictif",
                phone="0528 00 00 01",
                email="contact@exemple.invalid",
                verified_on=date(2025, 9, 1),
            ),
        )
        people = [
            ("Alpha", "M", "rpt_migrant"),
            ("Beta", "M", "rpt_migrant"),
            ("Gamma", "M", "rpt_migrant"),
            ("Delta", "M", "mre"),
            ("Epsilon", "M", "mre"),
            ("Zeta", "F", "rpt_student"),
            ("Eta", "F", "rpt_student"),
        ]
        case_ids = []
        for day, (name, sex, category) in enumerate(people, 1):
            _, case_id = cases.register(
                handle, fictitious(given_name=name, sex=sex, category=category), opened_on=date(2025, 10, day)
            )
            case_ids.append(case_id)
        _, withdrawn_case = cases.register(
            handle,
            fictitious(given_name="Theta", sex="M"),
            opened_on=date(2025, 10, 10),
            consents=("processing", "statistics"),
        )
        (stats_consent,) = [c for c in cases.get_case(handle, withdrawn_case).consents if c.purpose == "statistics"]
        cases.withdraw_consent(handle, stats_consent.id, date(2025, 10, 12))
        _, returning_case = cases.register(
            handle, fictitious(given_name="Iota", sex="F", category="mre"), opened_on=date(2025, 9, 15)
        )
        cases.register(handle, fictitious(given_name="Kappa", sex="M"), opened_on=date(2024, 10, 20))

        cases.add_contact(handle, returning_case, ContactInput(date(2025, 10, 3), "suivi", "phone"))
        cases.add_contact(handle, case_ids[0], ContactInput(date(2025, 10, 1), "accueil", "in_person", ["housing"]))
        cases.add_contact(handle, case_ids[1], ContactInput(date(2025, 10, 2), "ecoute", "in_person"))

        first = case_ids[0]
        person_of_first = cases.get_case(handle, first).person_id
        cases.give_consent(handle, person_of_first, "referral_sharing", date(2025, 10, 1))
        answered = referrals.create_referral(
            handle, first, ReferralInput("housing", provider, urgency="h72"), date(2025, 10, 5), send=True
        )
        referrals.record_counter_referral(handle, answered, CounterReferralInput(date(2025, 10, 9), "served"))
        referrals.create_referral(
            handle, first, ReferralInput("social_aid", provider, urgency="weeks2"), date(2025, 10, 6), send=True
        )


@dataclass(frozen=True)
class Computed:
    internal: Statistics
    outside: Statistics


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Computed]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
        path = tmp_path_factory.mktemp("stats_office") / "office.baomdb"
        build_stats_office(path, "mot-de-passe-stats")
        with office_service.unlock(path, "admin", "mot-de-passe-stats") as handle:
            period = Period.parse_month(MONTH)
            yield Computed(
                statistics.compute(handle, period, Audience.INTERNAL),
                statistics.compute(handle, period, Audience.OUTSIDE),
            )


def _summary_values(book: openpyxl.Workbook) -> dict[str, list[object]]:
    """{indicator code: [the row's cells after the code]} of the "Indicateurs" sheet."""
    sheet = book.worksheets[0]
    found = {}
    for row in sheet.iter_rows(values_only=True):
        if row and row[0] in BY_CODE:
            found[str(row[0])] = list(row[1:])
    return found


def test_the_figures_this_office_is_built_for(computed: Computed) -> None:
    current = computed.internal.current
    assert current.value("cases_opened") == 8
    assert current.value("people_received") == 9
    assert current.value("contacts") == 3
    assert current.value("referrals_sent") == 2
    assert computed.internal.previous is not None and computed.internal.previous.value("cases_opened") == 1
    assert computed.internal.last_year is not None and computed.internal.last_year.value("cases_opened") == 1
    assert computed.outside.current.value("people_received") == 8  # the withdrawn consent leaves the count


def test_summary_holds_real_numbers_and_the_cover(computed: Computed, tmp_path: Path) -> None:
    out = tmp_path / "stats.xlsx"
    render_statistics_xlsx(computed.internal, "fr", out)
    book = openpyxl.load_workbook(out)
    summary = book.worksheets[0]
    assert summary.title == "Indicateurs"
    values = _summary_values(book)
    assert set(values) == {indicator.code for indicator in INDICATORS}
    name, unit, current, previous, last_year, change_previous, change_last_year = values["cases_opened"]
    assert (name, unit) == ("Dossiers ouverts", "dossiers")
    assert (current, previous, last_year) == (8, 1, 1)
    assert all(type(v) is int for v in (current, previous, last_year))
    assert change_previous == pytest.approx(7.0) and change_last_year == pytest.approx(7.0)
    assert values["people_received"][2] == 9
    rate = values["counter_referral_rate"]
    assert rate[2] == pytest.approx(0.5) and isinstance(rate[2], float)
    rate_row = next(r for r in summary.iter_rows() if r[0].value == "counter_referral_rate")
    assert rate_row[3].number_format == "0%"
    assert rate_row[4].value is None  # no referral sent in September: nothing to compute, an empty cell
    text = [str(c.value) for row in summary.iter_rows() for c in row if c.value is not None]
    assert "BAOM Statistiques Fictif" in text and COMMUNE in text
    assert any("octobre 2025" in t for t in text)
    assert "Usage interne du bureau" in text
    assert summary.freeze_panes is not None
    header_row = int(summary.freeze_panes[1:]) - 1
    assert summary.cell(header_row, 2).value == "Indicateur"
    assert summary.column_dimensions["B"].width >= 30
    assert "<5" not in text  # internal: nothing hidden


def test_one_sheet_per_table_with_valid_unique_names(computed: Computed, tmp_path: Path) -> None:
    out = tmp_path / "stats.xlsx"
    render_statistics_xlsx(computed.internal, "fr", out)
    book = openpyxl.load_workbook(out)
    tables = stats_tables.all_tables(computed.internal, "fr")
    names = book.sheetnames
    assert len(names) == len(tables) + 3 and names[-2:] == ["Évolution sur 12 mois", "Définitions"]
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert 1 <= len(name) <= SHEET_NAME_MAX and not FORBIDDEN & set(name), name
    sex = book[sheet_name("people_received", "sex", "fr")]
    assert sex.title == "Personnes - Sexe"
    rows = {r[0]: r[1:] for r in sex.iter_rows(min_row=4, values_only=True) if r[1] is not None}
    assert rows["M"] == ("Masculin", 6, 0, 1)  # 5 opened + the one who withdrew his consent; Kappa a year ago
    assert rows["F"][:2] == ("Féminin", 3)  # 2 opened + the returning one
    total = [r for r in sex.iter_rows(min_row=4, values_only=True) if r[1] == "Total"]
    assert total and total[0][2] == 9
    assert sex.freeze_panes == "A4"
    for sheet in book.worksheets:
        assert sheet.freeze_panes is not None, sheet.title
        assert sheet.column_dimensions["B"].width, sheet.title
        assert not sheet.sheet_view.rightToLeft


def test_trend_sheet_month_by_month(computed: Computed, tmp_path: Path) -> None:
    out = tmp_path / "stats.xlsx"
    render_statistics_xlsx(computed.internal, "fr", out)
    sheet = openpyxl.load_workbook(out)["Évolution sur 12 mois"]
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
    assert next(r[0] for r in rows) == "2024-11" and rows[-1][0] == MONTH and len(rows) == 12
    assert rows[-1][1] == "octobre 2025" and rows[-1][2] == 9  # people received in the month
    assert all(isinstance(v, int) for r in rows for v in r[2:])
    render_statistics_xlsx(computed.outside, "fr", out)
    rows = [r for r in openpyxl.load_workbook(out)["Évolution sur 12 mois"].iter_rows(min_row=4, values_only=True)]
    last = next(r for r in rows if r[0] == MONTH)
    assert last[2] == 8 and "<5" in last[3:]  # 3 contacts, 2 referrals, 1 counter: hidden


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_short_sheet_names_fit_in_every_language(lang: str) -> None:
    seen = set()
    for indicator in INDICATORS:
        for dimension in indicator.breakdowns:
            name = sheet_name(indicator.code, dimension, lang)
            assert "stats_xlsx" not in name  # a short name exists
            assert len(name) <= SHEET_NAME_MAX and not FORBIDDEN & set(name) and name == name.strip()
            seen.add(name.casefold())
    assert len(seen) == sum(len(indicator.breakdowns) for indicator in INDICATORS)


def test_definitions_sheet(computed: Computed, tmp_path: Path) -> None:
    out = tmp_path / "stats.xlsx"
    render_statistics_xlsx(computed.internal, "en", out)
    book = openpyxl.load_workbook(out)
    sheet = book["Definitions"]
    header = [c.value for c in sheet[1]]
    assert header == ["Code", "Indicator", "Unit", "Breakdowns", "Definition"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {indicator.code for indicator in INDICATORS}
    _, name, unit, breakdowns, definition = rows["people_received"]
    assert name == "People received" and unit == "people"
    assert breakdowns is not None and "Sex" in str(breakdowns)
    assert definition == BY_CODE["people_received"].define("en")
    assert sheet.freeze_panes == "A2"


def test_arabic_sheets_read_right_to_left(computed: Computed, tmp_path: Path) -> None:
    out = tmp_path / "stats-ar.xlsx"
    render_statistics_xlsx(computed.internal, "ar", out)
    book = openpyxl.load_workbook(out)
    assert book.worksheets[0].title == "المؤشرات"
    assert all(sheet.sheet_view.rightToLeft for sheet in book.worksheets)
    assert _summary_values(book)["cases_opened"][2] == 8


def test_outside_hides_small_cells_as_text_only_there(computed: Computed, tmp_path: Path) -> None:
    out = tmp_path / "stats-outside.xlsx"
    render_statistics_xlsx(computed.outside, "fr", out)
    book = openpyxl.load_workbook(out)
    values = _summary_values(book)
    assert values["people_received"][2] == 8
    assert values["counter_referrals"][2] == "<5"  # one counter-referral
    assert values["counter_referral_rate"][2] == "<5"  # a rate over two referrals
    assert values["counter_referrals"][5] is None  # no change shown for a hidden cell
    sex = book[sheet_name("people_received", "sex", "fr")]
    cells = {r[0]: r[2] for r in sex.iter_rows(min_row=4, values_only=True) if r[0]}
    assert cells["F"] == "<5"
    assert cells["M"] == "<5"  # secondary suppression: the total would give it away
    text = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert any(isinstance(t, str) and "« <5 »" in t for t in text)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                if c.value == "<5":
                    continue
                # every other cell in a value column is a number or empty
                assert not (isinstance(c.value, str) and c.value.strip().startswith("<")), (sheet.title, c.coordinate)


def test_no_formula_anywhere_even_from_a_provider_name(computed: Computed, tmp_path: Path) -> None:
    from dataclasses import replace

    names = dict(computed.internal.current.provider_names)
    names = {key: ('=HYPERLINK("http://exemple.invalid","x")', "=1+1") for key in names}
    assert names  # the office has a provider with referrals
    stats = replace(computed.internal, current=replace(computed.internal.current, provider_names=names))
    out = tmp_path / "stats.xlsx"
    render_statistics_xlsx(stats, "fr", out)
    book = openpyxl.load_workbook(out)
    seen = False
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate, c.value)
                seen = seen or c.value == '=HYPERLINK("http://exemple.invalid","x")'
    assert seen


def test_written_atomically(computed: Computed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from desktop.domain.errors import DiskFull

    out = tmp_path / "stats.xlsx"
    out.write_bytes(b"old report")

    def disk_full(source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("desktop.db.files.os.replace", disk_full)
    with pytest.raises(DiskFull):
        render_statistics_xlsx(computed.internal, "fr", out)
    assert out.read_bytes() == b"old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stats.xlsx"]


def test_sheet_names_are_cleaned_and_kept_unique() -> None:
    assert clean_sheet_name("  'Taux: [a/b]*?\\x' ") == "Taux a b x"
    assert clean_sheet_name("x" * 40) == "x" * SHEET_NAME_MAX
    assert clean_sheet_name("[]") == "Sheet"


def test_quick_even_with_a_large_directory(computed: Computed, tmp_path: Path) -> None:
    """The size of the workbook grows only with the providers: 400 of them stay far below 2 s."""
    import time
    from dataclasses import replace

    from desktop.domain.indicators import Figure

    stats = computed.outside
    ids = [str(i) for i in range(1, 401)]
    figure = Figure(
        "provider_answer_rate", 0.5, 4000, {"provider": dict.fromkeys(ids, 0.5)}, {"provider": dict.fromkeys(ids, 10)}
    )
    current = replace(
        stats.current,
        figures={**stats.current.figures, "provider_answer_rate": figure},
        provider_names={i: (f"Association fictive {i}", f"جمعية وهمية {i}") for i in ids},
    )
    big = replace(stats, current=current)
    started = time.perf_counter()
    render_statistics_xlsx(big, "ar", tmp_path / "big.xlsx")
    assert time.perf_counter() - started < 2.0
    book = openpyxl.load_workbook(tmp_path / "big.xlsx")
    providers = book[sheet_name("provider_answer_rate", "provider", "ar")]
    assert providers.max_row >= 3 + 400


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def test_libreoffice_opens_and_converts_it(computed: Computed, tmp_path: Path) -> None:
    soffice = _soffice()
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing on CI: scripts/setup.sh test installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice (soffice) is not installed here; scripts/setup.sh test installs it")
    french, arabic = tmp_path / "rapport.xlsx", tmp_path / "rapport-ar.xlsx"
    render_statistics_xlsx(computed.internal, "fr", french)
    render_statistics_xlsx(computed.outside, "ar", arabic)
    converted = tmp_path / "csv"
    profile = tmp_path / "lo-profile"  # a private profile: parallel runs do not share a lock
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "csv",
            "--outdir",
            str(converted),
            str(french),
            str(arabic),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    for name in ("rapport.csv", "rapport-ar.csv"):
        assert (converted / name).exists(), (result.stdout, result.stderr)

    def line(name: str, code: str) -> list[str]:
        rows = csv.reader((converted / name).read_text(encoding="utf-8", errors="replace").splitlines())
        return next(r for r in rows if r and r[0] == code)

    assert line("rapport.csv", "cases_opened")[3] == "8"
    assert line("rapport-ar.csv", "cases_opened")[3] == "7"
    assert line("rapport-ar.csv", "counter_referrals")[3] == "<5"
