"""The Statistiques section driven like a person would, on a real encrypted office built with the services.

A small office: three people received in the last complete month (two cases opened
then, one earlier and seen again), contacts, referrals sent and one answered; one
person received the month before. Obviously fictitious people and provider.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QPointF, Qt

from desktop.domain.errors import PermissionDenied
from desktop.domain.indicators import KEY_FIGURES, Audience
from desktop.domain.periods import Period, last_complete_month
from desktop.domain.referrals import office_today
from desktop.i18n import tr, tr_in
from desktop.reports import stats_tables
from desktop.services import audit, cases, demo, directory, office, referrals, statistics
from desktop.services.audit import AuditFilter
from desktop.services.case_types import ContactInput
from desktop.services.referral_types import CounterReferralInput, ProviderInput, ReferralInput
from desktop.services.statistics import Statistics
from desktop.ui.models.case_list_model import NUMBER
from desktop.ui.pages.statistics.charts import BarChart, TrendChart
from desktop.ui.pages.statistics.drill_down import DrillDownDialog
from desktop.ui.pages.statistics.section import StatisticsSection
from desktop.ui.pages.statistics.texts import plain
from tests.fictitious import fictitious

MONTH = last_complete_month(office_today())
BEFORE = MONTH.previous()
DEMO_PASSWORD = "mot-de-passe-demo-stats"


def on_db(ctx: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    return ctx.runner.run_sync(fn, ctx.handle, *args, **kwargs)


def wait_idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=15000)


def wait_for(qtbot: Any, section: StatisticsSection, period: Period) -> Statistics:
    qtbot.waitUntil(
        lambda: not section.computing and section.stats is not None and section.stats.period == period, timeout=15000
    )
    wait_idle(qtbot, section.ctx)
    assert section.stats is not None
    return section.stats


def has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


@pytest.fixture
def small_office(unlocked_ctx) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Who was received when; returns the case ids and numbers by name."""
    ctx = unlocked_ctx
    day = MONTH.start
    provider = on_db(
        ctx,
        directory.save_provider,
        ProviderInput(
            name_fr="Association Fictive d'Entraide",
            name_ar="جمعية وهمية للتضامن",
            kind="associative",
            domains=["housing", "social_aid"],
            commune_code="09.001.01.01.",
            coverage="province",
            phone="0528 00 00 09",
            verified_on=day,
        ),
    )
    consents = ("processing", "statistics", "referral_sharing")
    people = {
        "awa": fictitious(family_name="Fictiva", given_name="Awa", sex="F", category="rpt_asylum_seeker"),
        "omar": fictitious(family_name="Fictivo", given_name="Omar", category="rpt_migrant"),
        "karim": fictitious(family_name="Fictivi", given_name="Karim", category="mre", nationality="MA"),
        "lina": fictitious(family_name="Fictivu", given_name="Lina", sex="F", category="rpt_student"),
    }
    opened = {
        "awa": day + timedelta(days=2),
        "omar": day + timedelta(days=5),
        "karim": BEFORE.start,
        "lina": BEFORE.start,
    }
    ids: dict[str, int] = {}
    for name, person in people.items():
        _person, case_id = on_db(ctx, cases.register, person, opened_on=opened[name], consents=consents)
        ids[name] = case_id
    # Karim, known since the month before, comes back this month; Lina only came the month before.
    for name, on, needs in (
        ("awa", day + timedelta(days=2), ["housing"]),
        ("omar", day + timedelta(days=5), ["housing", "health_physical"]),
        ("karim", day + timedelta(days=9), ["administrative"]),
        ("lina", BEFORE.start + timedelta(days=1), ["housing"]),
    ):
        on_db(ctx, cases.add_contact, ids[name], ContactInput(on, "accueil", needs=needs))
    sent = day + timedelta(days=3)
    first = on_db(
        ctx,
        referrals.create_referral,
        ids["awa"],
        ReferralInput("housing", provider, reason="Fictif."),
        sent,
        send=True,
    )
    on_db(
        ctx,
        referrals.create_referral,
        ids["omar"],
        ReferralInput("social_aid", provider, reason="Fictif."),
        sent,
        send=True,
    )
    on_db(ctx, referrals.record_counter_referral, first, CounterReferralInput(sent + timedelta(days=2), "served"))
    numbers = {name: on_db(ctx, cases.get_case, case_id).number for name, case_id in ids.items()}
    return {"ids": ids, "numbers": numbers, "provider": provider}


@pytest.fixture
def section(unlocked_ctx, small_office, qtbot) -> StatisticsSection:  # type: ignore[no-untyped-def]
    page = StatisticsSection(unlocked_ctx)
    qtbot.addWidget(page)
    page.resize(1166, 678)
    page.show()
    page.reload()
    wait_for(qtbot, page, MONTH)
    return page


def expected_key_figures(ctx: Any, period: Period, lang: str = "fr") -> dict[str, str]:
    stats = on_db(ctx, statistics.compute, period)
    rows = stats_tables.key_figures(stats, lang)
    return {row.key: row.cells[0].text(stats_tables.BY_CODE[row.key].unit, lang) for row in rows}


# -- computing -----------------------------------------------------------------------------


def test_opens_on_the_last_complete_month_with_the_key_figures_of_compute(section, qtbot):
    assert section.picker.mode() == "month"
    assert section.picker.period() == MONTH
    shown = {code: section.figures.value_text(code) for code in KEY_FIGURES}
    assert shown == expected_key_figures(section.ctx, MONTH)
    assert shown["people_received"] == "3"  # Awa, Omar, Karim
    assert shown["referrals_sent"] == "2"
    assert shown["counter_referral_rate"] == "50 %"
    assert section.heading.text() == stats_tables.period_label(section.stats, "fr")
    card = section.figures.cards["people_received"]
    assert stats_tables.BY_CODE["people_received"].define("fr") in card.toolTip()
    assert "(" in plain(card.previous_label.text())  # the month before, and the change


def test_previous_month_and_a_range_recompute(section, qtbot):
    section.picker.previous_button.click()
    stats = wait_for(qtbot, section, BEFORE)
    assert {code: section.figures.value_text(code) for code in KEY_FIGURES} == expected_key_figures(section.ctx, BEFORE)
    assert section.figures.value_text("people_received") == "2"  # Karim and Lina opened then
    assert stats.period == BEFORE
    span = Period(BEFORE.start, MONTH.end)
    section.picker.set_period(span)
    assert section.picker.mode() == "range"
    wait_for(qtbot, section, span)
    assert section.figures.value_text("people_received") == "4"
    section.picker.to_field.set_value(BEFORE.start.year - 1, 1)  # ends before it starts
    section.compute()
    assert section.error_label.isVisible()
    assert section.error_label.text() == tr("stats.error.period_order")


def test_a_period_chosen_while_computing_wins_and_a_busy_bar_shows(section, qtbot, monkeypatch):
    real = statistics.compute
    shown: list[Period] = []

    def slow(handle: Any, period: Period, *args: Any) -> Any:
        if period == MONTH:
            time.sleep(0.6)
        return real(handle, period, *args)

    monkeypatch.setattr(statistics, "compute", slow)
    show = section.figures.show_stats
    monkeypatch.setattr(
        section.figures, "show_stats", lambda stats, lang: (shown.append(stats.period), show(stats, lang))
    )
    section.compute()  # the month again, slowly
    qtbot.waitUntil(section.busy.isVisible, timeout=3000)
    assert not section.results.isEnabled()
    section.picker.step(-1)
    section.compute()
    wait_for(qtbot, section, BEFORE)
    # The month's late answer was never shown; the period before shows twice: alone, then compared.
    assert shown == [BEFORE, BEFORE]
    assert not section.busy.isVisible() and section.results.isEnabled()


# -- the cases behind a figure -----------------------------------------------------------------


def dialog_numbers(dialog: DrillDownDialog) -> list[str]:
    model = dialog.model
    return [str(model.data(model.index(row, NUMBER))) for row in range(model.rowCount())]


def open_drill(section: StatisticsSection, qtbot: Any) -> DrillDownDialog:
    dialog = section.drill_dialog
    assert isinstance(dialog, DrillDownDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0 or dialog.count_label.text() != tr("statistics.drill.loading"))
    qtbot.waitUntil(lambda: all(n != "…" for n in dialog_numbers(dialog)), timeout=5000)
    return dialog


def test_a_key_figure_lists_its_cases_and_opens_one(section, small_office, qtbot):
    section.figures.cards["people_received"].click()
    dialog = open_drill(section, qtbot)
    numbers = small_office["numbers"]
    assert sorted(dialog_numbers(dialog)) == sorted(numbers[name] for name in ("awa", "omar", "karim"))
    assert dialog.count_label.text() == tr("statistics.drill.count", count="3")
    assert not dialog.isModal()
    asked: list[int] = []
    section.sig_open_case.connect(asked.append)
    dialog.table.activated.emit(dialog.model.index(0, NUMBER))
    assert asked == [dialog.model.case_id_at(0)]


def test_a_table_row_and_a_bar_list_the_cases_of_their_cell(section, small_office, qtbot):
    numbers = small_office["numbers"]
    section.tables.choose("people_received", "category")
    row = section.tables.row_of("rpt_asylum_seeker")
    section.tables.table.activated.emit(section.tables.model.index(row, 0))
    dialog = open_drill(section, qtbot)
    assert dialog_numbers(dialog) == [numbers["awa"]]
    assert dialog.request.dimension == "category" and dialog.request.key == "rpt_asylum_seeker"
    # a bar of the referrals chart: sent for social aid is Omar's case
    section.chart_tabs.setCurrentIndex(4)
    panel = section.panels[4]
    chart = panel.chart
    assert isinstance(chart, BarChart)
    qtbot.wait(20)
    row = chart.data.keys.index("social_aid")  # type: ignore[union-attr]
    chart.click_at(chart.scene_pos_of(0, row))
    dialog = open_drill(section, qtbot)
    assert dialog.request.code == "referrals_sent" and dialog.request.key == "social_aid"
    assert dialog_numbers(dialog) == [numbers["omar"]]
    assert section.tables.code() == "referrals_sent"
    chart._moved(chart.scene_pos_of(0, row))
    assert panel.hover_label.text() == tr(
        "statistics.chart.hover_series",
        label=tr("service_domain.social_aid"),
        series=tr("stats.indicator.referrals_sent"),
        value="1",
    )


def test_without_the_right_the_drill_down_says_why(section, qtbot, monkeypatch):
    def denied(*_args: Any) -> list[int]:
        raise PermissionDenied()

    monkeypatch.setattr(statistics, "cases_behind", denied)
    section.figures.cards["contacts"].click()
    dialog = section.drill_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.error_label.isVisible)
    assert dialog.error_label.text() == tr("statistics.drill.denied")
    assert dialog.model.rowCount() == 0


# -- export ------------------------------------------------------------------------------------


def test_png_export_writes_a_picture_and_audits_it(section, qtbot, tmp_path, monkeypatch):
    asked: list[str] = []

    def choose(name: str) -> str:
        asked.append(name)
        return str(tmp_path / "graphique")

    monkeypatch.setattr(section, "ask_png_path", choose)
    panel = section.panels[0]
    panel.export_button.click()
    wait_idle(qtbot, section.ctx)
    out = tmp_path / "graphique.png"
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 2000
    assert asked == [f"statistiques_people_category_{MONTH.key()}.png"]
    assert section.status_label.text() == tr("statistics.export.done", path=str(out))
    flt = AuditFilter(record_type="statistics", action="exported")
    rows = on_db(section.ctx, audit.entries, on_db(section.ctx, audit.entry_ids, flt))
    assert [(row.record_id, row.detail) for row in rows] == [(MONTH.key(), "chart people_category png internal")]
    monkeypatch.setattr(section, "ask_png_path", lambda _name: "")
    panel.export_button.click()  # the person gave up: nothing written, nothing audited
    wait_idle(qtbot, section.ctx)
    assert len(on_db(section.ctx, audit.entry_ids, flt)) == 1


# -- languages, lock, navigation ---------------------------------------------------------------


def test_arabic_reads_right_to_left_and_english_switches_live(section, qtbot):
    ctx = section.ctx
    ctx.languages.apply("ar")
    assert section.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert has_arabic(section.figures.cards["people_received"].name_label.text())
    assert has_arabic(section.heading.text())
    chart = section.panels[0].chart
    assert isinstance(chart, BarChart)
    assert chart.rtl and chart.view.xInverted()
    assert chart.item.getAxis("right").isVisible() and not chart.item.getAxis("left").isVisible()
    assert chart.item.layoutDirection() == Qt.LayoutDirection.LeftToRight  # mirrored on purpose, not by the layout
    ticks = chart.item.getAxis("right")._tickLevels[0]
    assert any(has_arabic(label) for _pos, label in ticks)
    trend = section.panels[-1].chart
    assert isinstance(trend, TrendChart) and trend.item.getViewBox().xInverted()  # like the printed report
    assert trend.item.getAxis("right").isVisible() and not trend.item.getAxis("left").isVisible()
    assert section.figures.value_text("people_received") == "3"
    ctx.languages.apply("en")
    assert section.figures.cards["people_received"].name_label.text() == tr_in("en", "stats.indicator.people_received")
    assert section.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert not section.panels[0].chart.view.xInverted()


def test_lock_clears_the_page_and_closes_the_list_of_cases(section, qtbot):
    section.figures.cards["people_received"].click()
    dialog = open_drill(section, qtbot)
    section.picker.step(-1)
    section.ctx.close_office()
    assert section.stats is None
    assert section.figures.value_text("people_received") == "—"
    assert section.tables.model.rowCount() == 0
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert section.picker.period() == MONTH  # the next session starts on the default month
    assert section.heading.text() == ""


def test_the_section_sits_between_the_directory_and_administration(unlocked_ctx, qtbot):
    from desktop.ui.main_window import MainWindow

    names = [spec.rsplit(":", 1)[1] for spec in MainWindow.PAGE_CLASSES]
    assert names.index("DirectorySection") < names.index("StatisticsSection") < names.index("AdminSection")
    window = MainWindow(unlocked_ctx)
    qtbot.addWidget(window)
    page = window.show_page(StatisticsSection)
    assert window.nav.currentItem().text() == tr("statistics.title")
    assert isinstance(page, StatisticsSection)
    wait_idle(qtbot, unlocked_ctx)


# -- screenshots -------------------------------------------------------------------------------


@pytest.fixture
def demo_ctx(ctx, tmp_path):  # type: ignore[no-untyped-def]
    """A 100-case demo office (fictitious), unlocked."""
    path = tmp_path / "demo.baomdb"
    demo.create_demo_office(path, DEMO_PASSWORD, 100, 7)
    ctx.set_handle(office.unlock(path, "admin", DEMO_PASSWORD))
    return ctx


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_screenshot(demo_ctx, qtbot, screenshot_dir: Path, lang: str) -> None:
    """The section beside the navigation bar of a 1366×768 screen, the trend, a list of cases, a PNG."""
    ctx = demo_ctx
    ctx.languages.apply(lang)
    page = StatisticsSection(ctx)
    qtbot.addWidget(page)
    page.resize(1366 - 200, 768 - 90)
    with qtbot.waitExposed(page):
        page.show()
    wait_for(qtbot, page, MONTH)
    assert page.minimumSizeHint().width() <= 1366 - 200
    qtbot.wait(50)
    page.grab().save(str(screenshot_dir / f"stats_page_{lang}.png"))
    page.chart_tabs.setCurrentIndex(4)
    qtbot.wait(50)
    page.grab().save(str(screenshot_dir / f"stats_referrals_{lang}.png"))
    page.panels[4].save_png(screenshot_dir / f"stats_chart_{lang}.png")
    page.chart_tabs.setCurrentIndex(len(page.panels) - 1)
    trend = page.panels[-1].chart
    assert isinstance(trend, TrendChart)
    qtbot.wait(50)
    trend._moved(trend.item.getViewBox().mapViewToScene(QPointF(11, 1)))
    qtbot.wait(20)
    page.grab().save(str(screenshot_dir / f"stats_trend_{lang}.png"))
    page.figures.cards["people_received"].click()
    dialog = open_drill(page, qtbot)
    dialog.resize(1150, 520)  # the offscreen screen is 800 pixels wide; a real one fits every column
    qtbot.wait(50)
    dialog.grab().save(str(screenshot_dir / f"stats_drill_{lang}.png"))
    dialog.reject()
    assert Audience.INTERNAL is page.stats.audience  # type: ignore[union-attr]
