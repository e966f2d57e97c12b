"""The case list driven like an officer would, on a real encrypted office (fictitious people)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from desktop.i18n import tr_in
from desktop.services import case_list, cases, office, users
from desktop.services.case_types import CaseFilter, CaseListRow, DocumentInput, PersonInput
from desktop.ui.models import case_list_model
from desktop.ui.models.case_list_model import (
    AGE,
    NAME,
    NAME_AR,
    NATIONALITY,
    NEXT_FOLLOW_UP,
    NUMBER,
    OFFICER,
    OPENED_ON,
    PLACEHOLDER,
    SEX,
    VULNERABILITY,
    CaseListModel,
    country_name,
)
from desktop.ui.pages.cases import section as section_module
from desktop.ui.pages.cases.list_page import CaseListPage
from desktop.ui.pages.cases.section import CasesSection
from tests.fictitious import fictitious as shared_fictitious

TODAY = date.today()
PASSWORD = "une-phrase-de-passe"


def fictitious(**changes: object) -> PersonInput:
    """The shared fictitious person, without household (the list shows none)."""
    return shared_fictitious(**{"household": [], **changes})


PEOPLE: list[tuple[PersonInput, int]] = [
    # (person, opened how many days ago)
    (fictitious(), 40),
    (
        fictitious(
            family_name="Exemplaire",
            given_name="Aminata",
            family_name_ar="",
            given_name_ar="",
            sex="F",
            nationality="CI",
            category="rpt_asylum_seeker",
            phone="0611 22 33 44",
            documents=[DocumentInput("passport", "QQ-777 001")],
        ),
        10,
    ),
    (
        fictitious(
            family_name="",
            given_name="",
            family_name_ar="الخيالي",
            given_name_ar="فاطمة",
            sex="F",
            birth_date=None,
            estimated_age=34,
            nationality="MA",
            category="returnee_voluntary",
            phone="0622 98 76 54",
            documents=[DocumentInput("cin", "ZX 99999")],
        ),
        25,
    ),
    (
        fictitious(
            family_name="Modele",
            given_name="Ibrahima",
            family_name_ar="",
            given_name_ar="",
            nationality="ML",
            category="rpt_migrant",
            phone="0633 55 55 55",
            documents=[DocumentInput("passport", "PP-000 321")],
        ),
        5,
    ),
]


def on_db(ctx: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    return ctx.runner.run_sync(lambda: fn(ctx.handle, *args, **kwargs))


def wait_idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=15000)


def fill(ctx: Any) -> list[int]:
    """The fictitious people, one case each; returns the case ids in PEOPLE order."""
    ids = []
    for person, days_ago in PEOPLE:
        _person_id, case_id = on_db(ctx, cases.register, person, opened_on=TODAY - timedelta(days=days_ago))
        ids.append(case_id)
    return ids


def load_all_rows(qtbot: Any, ctx: Any, model: CaseListModel) -> None:
    for row in range(model.rowCount()):
        model.index(row, NAME).data()
    wait_idle(qtbot, ctx)
    assert all(model.row_at(row) is not None for row in range(model.rowCount()))


def shown_names(model: CaseListModel) -> list[str]:
    return [str(model.index(row, NAME).data()) for row in range(model.rowCount())]


def wait_for_search(qtbot: Any, page: CaseListPage, text: str) -> None:
    qtbot.waitUntil(lambda: page.model.current_filter.search == text and not page.model.loading, timeout=5000)
    wait_idle(qtbot, page.ctx)
    load_all_rows(qtbot, page.ctx, page.model)


@pytest.fixture
def case_ids(unlocked_ctx) -> list[int]:
    return fill(unlocked_ctx)


@pytest.fixture
def page(unlocked_ctx, case_ids, qtbot) -> CaseListPage:
    widget = CaseListPage(unlocked_ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.reload()
    wait_idle(qtbot, unlocked_ctx)
    load_all_rows(qtbot, unlocked_ctx, widget.model)
    return widget


# -- the model -------------------------------------------------------------------


def test_model_with_real_rows(unlocked_ctx, case_ids, qtbot, qtmodeltester):
    ctx = unlocked_ctx
    model = CaseListModel(ctx)
    assert model.rowCount() == 0
    model.set_filter(CaseFilter())
    wait_idle(qtbot, ctx)
    assert model.rowCount() == len(PEOPLE)
    # Newest first by default; a new list comes with its first page of rows (painted once).
    assert [model.case_id_at(row) for row in range(4)] == [case_ids[3], case_ids[1], case_ids[2], case_ids[0]]
    assert model.cached_rows == len(PEOPLE)
    # The same list again (a refresh): the ids only, rows fetched when a cell is read.
    model.refresh()
    wait_idle(qtbot, ctx)
    assert model.cached_rows == 0
    assert model.index(0, NAME).data() == PLACEHOLDER
    with qtbot.waitSignal(model.dataChanged, timeout=5000):
        pass
    assert model.cached_rows == len(PEOPLE)
    qtmodeltester.check(model, force_py=True)

    assert model.headerData(NUMBER, Qt.Orientation.Horizontal) == "N° dossier"
    first = model.row_of(case_ids[0])
    assert model.index(first, NAME).data() == "FICTIVI Mohamed"
    assert model.index(first, NAME_AR).data() == "فيكتيفي محمد"
    assert model.index(first, NATIONALITY).data() == "Sénégal"
    assert model.index(first, SEX).data() == "M"
    assert model.index(first, AGE).data() == str(TODAY.year - 1990 - ((TODAY.month, TODAY.day) < (4, 12)))
    assert model.index(first, OPENED_ON).data() == (TODAY - timedelta(days=40)).strftime("%d/%m/%Y")
    assert model.index(first, OFFICER).data() == "Admin Fictif"
    assert model.index(first, NUMBER).data().startswith("B-")
    arabic_only = model.row_of(case_ids[2])
    assert model.index(arabic_only, NAME).data() == "الخيالي فاطمة"  # no Latin name: the Arabic one
    assert model.index(arabic_only, AGE).data() == "34"
    assert model.index(arabic_only, NATIONALITY).data() == "Maroc"

    ctx.languages.apply("ar")
    assert model.headerData(NUMBER, Qt.Orientation.Horizontal) == tr_in("ar", "case_list.column.number")
    assert model.index(first, NATIONALITY).data() == "السّنغال"
    assert model.index(first, SEX).data() == "ذكر"
    ctx.languages.apply("en")
    assert model.index(first, NATIONALITY).data() == "Senegal"


def test_overdue_follow_up_and_urgent_level_stand_out(unlocked_ctx, case_ids, qtbot):
    ctx = unlocked_ctx
    on_db(ctx, cases.set_follow_up, case_ids[0], TODAY - timedelta(days=3))
    on_db(ctx, cases.set_follow_up, case_ids[1], TODAY + timedelta(days=3))
    model = CaseListModel(ctx)
    model.set_filter(CaseFilter())
    wait_idle(qtbot, ctx)
    load_all_rows(qtbot, ctx, model)
    late, soon = model.row_of(case_ids[0]), model.row_of(case_ids[1])
    late_brush = model.index(late, NEXT_FOLLOW_UP).data(Qt.ItemDataRole.ForegroundRole)
    assert late_brush is not None and late_brush.color().red() > late_brush.color().green()
    assert model.index(late, NEXT_FOLLOW_UP).data(Qt.ItemDataRole.ToolTipRole) == tr_in("fr", "case_list.overdue_tip")
    assert model.index(soon, NEXT_FOLLOW_UP).data(Qt.ItemDataRole.ForegroundRole) is None
    # The tints are translucent, so they read on light and dark palettes alike.
    urgent = case_list_model.level_background("urgent")
    assert urgent is not None and 0 < urgent.color().alpha() < 255
    assert case_list_model.level_background("low") is None
    assert model.index(late, VULNERABILITY).data(Qt.ItemDataRole.BackgroundRole) is None  # no sheet yet


def test_country_names_follow_the_language():
    assert country_name("sy", "fr") == "Syrie"
    assert country_name("SY", "ar") == "الجمهوريّة العربيّة السّوريّة"  # no short Arabic name: the long one
    assert country_name("", "fr") == ""
    assert country_name("XX", "fr") == "XX"


class FakeCaseList:
    """Stands in for the service: 10,000 ids, rows made up; records what was asked."""

    def __init__(self, total: int = 10_000) -> None:
        self.total = total
        self.first_queries: list[CaseFilter] = []
        self.id_queries: list[CaseFilter] = []
        self.row_queries: list[list[int]] = []
        self.calls: list[str] = []
        """Every call in the order the database thread ran them: "first", "ids", "rows"."""
        self.removed: set[int] = set()

    def _all(self, flt: CaseFilter) -> list[int]:
        offset = 100_000 if flt.search else 0
        return [offset + i for i in range(1, self.total + 1) if offset + i not in self.removed]

    def first_case_ids(self, _handle: object, flt: CaseFilter, sort: str, descending: bool, limit: int) -> list[int]:
        self.first_queries.append(flt)
        self.calls.append("first")
        return self._all(flt)[:limit]

    def case_ids(self, _handle: object, flt: CaseFilter, sort: str, descending: bool) -> list[int]:
        self.id_queries.append(flt)
        self.calls.append("ids")
        return self._all(flt)

    def case_rows(self, _handle: object, ids: list[int]) -> list[CaseListRow]:
        self.row_queries.append(list(ids))
        self.calls.append("rows")
        return [
            CaseListRow(
                i, f"B-2025-{i:05d}", f"NOM{i}", "", "F", 30, "SN", "rpt_migrant", "accueil", "", TODAY, None, "", False
            )
            for i in ids
        ]


def test_rows_come_by_page_and_the_cache_stays_bounded(unlocked_ctx, qtbot, monkeypatch):
    ctx = unlocked_ctx
    fake = FakeCaseList()
    monkeypatch.setattr(case_list_model, "case_list", fake)
    monkeypatch.setattr(case_list_model, "MAX_CACHED_ROWS", 500)
    model = CaseListModel(ctx)
    model.set_filter(CaseFilter())
    wait_idle(qtbot, ctx)
    assert model.rowCount() == 10_000
    # The first screen's rows come with the first ids, before the rest of the ids.
    assert fake.calls == ["first", "rows", "ids"]
    assert fake.row_queries == [list(range(1, 101))]
    for row in (100, 105, 199):
        assert model.index(row, NAME).data() == PLACEHOLDER
    wait_idle(qtbot, ctx)
    assert fake.row_queries[1:] == [list(range(101, 201))]  # one page for three rows
    assert model.index(199, NAME).data() == "NOM200"
    for page in range(0, 100, 3):  # scroll down the whole list
        model.index(page * 100 + 1, NAME).data()
        wait_idle(qtbot, ctx)
    assert model.cached_rows <= 500
    assert model.index(9901, NAME).data() == "NOM9902"  # the page just read is kept
    asked = len(fake.row_queries)
    assert model.index(0, NAME).data() == PLACEHOLDER  # the far pages were forgotten, fetched again
    wait_idle(qtbot, ctx)
    assert len(fake.row_queries) == asked + 1 and model.index(0, NAME).data() == "NOM1"


def test_stale_answers_are_dropped(unlocked_ctx, qtbot, monkeypatch):
    ctx = unlocked_ctx
    fake = FakeCaseList(total=300)
    monkeypatch.setattr(case_list_model, "case_list", fake)
    model = CaseListModel(ctx)
    ctx.runner.run(time.sleep, 0.2)  # the database thread is busy
    model.set_filter(CaseFilter(search="abc"))
    model.set_filter(CaseFilter(search="abcd"))
    model.set_filter(CaseFilter(search="abcde"))
    wait_idle(qtbot, ctx)
    # The first query ran, the middle one was never asked, the last one is shown (then whole).
    assert [f.search for f in fake.first_queries] == ["abc", "abcde"]
    assert [f.search for f in fake.id_queries] == ["abcde"]
    assert model.current_filter.search == "abcde"
    assert model.case_id_at(0) == 100_001
    assert model.rowCount() == 300

    # A page asked for the old list does not land in the new one.
    model.index(250, NAME).data()
    model.set_filter(CaseFilter())
    wait_idle(qtbot, ctx)
    assert model.case_id_at(0) == 1
    assert model.row_at(250) is None
    assert model.cached_rows == case_list_model.PAGE_SIZE  # the new first screen only
    assert model.index(0, NAME).data() == "NOM1"
    assert model.index(250, NAME).data() == PLACEHOLDER
    wait_idle(qtbot, ctx)
    assert model.index(250, NAME).data() == "NOM251"


class HeldCaseList(FakeCaseList):
    """The whole id list waits until the test lets it go (to look at the first screen alone)."""

    def __init__(self, total: int) -> None:
        super().__init__(total)
        self.go = threading.Event()

    def case_ids(self, _handle: object, flt: CaseFilter, sort: str, descending: bool) -> list[int]:
        assert self.go.wait(10)
        return super().case_ids(_handle, flt, sort, descending)


def test_a_new_list_shows_its_first_screen_then_grows(unlocked_ctx, qtbot, monkeypatch):
    """First the first ids (shown at once), then the rest appended: no reset, the selection stays."""
    ctx = unlocked_ctx
    fake = HeldCaseList(total=1_000)
    monkeypatch.setattr(case_list_model, "case_list", fake)
    model = CaseListModel(ctx)
    resets: list[int] = []
    inserted: list[tuple[int, int]] = []
    counts: list[int] = []
    model.modelReset.connect(lambda: resets.append(model.rowCount()))
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.sig_count_changed.connect(counts.append)
    selection = QItemSelectionModel(model)

    model.set_filter(CaseFilter(search="abc"))
    qtbot.waitUntil(lambda: model.rowCount() == case_list_model.FIRST_IDS, timeout=5000)
    assert model.loading and counts == []  # the count comes with the whole list
    assert model.case_id_at(0) == 100_001
    selection.select(model.index(3, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    fake.go.set()
    wait_idle(qtbot, ctx)
    assert not model.loading
    assert model.rowCount() == 1_000 and model.case_id_at(999) == 101_000
    assert resets == [case_list_model.FIRST_IDS]
    assert inserted == [(case_list_model.FIRST_IDS, 999)]
    assert counts == [1_000]
    assert [i.row() for i in selection.selectedIndexes()] == [3]
    assert fake.calls == ["first", "rows", "ids"]
    assert model.index(0, NAME).data() == "NOM100001"  # the first screen's rows are there already

    # The same list again (a case was saved): one step, the whole list at once.
    fake.calls.clear()
    model.refresh()
    wait_idle(qtbot, ctx)
    assert fake.calls == ["ids"]
    assert counts == [1_000, 1_000]

    # A case gone between the two steps: the whole list replaces the first screen.
    fake.go.clear()
    model.set_filter(CaseFilter())
    qtbot.waitUntil(lambda: model.case_id_at(0) == 1, timeout=5000)
    fake.removed.add(5)
    fake.go.set()
    wait_idle(qtbot, ctx)
    assert model.rowCount() == 999 and model.row_of(5) == -1 and model.case_id_at(4) == 6
    assert counts[-1] == 999


def test_one_or_two_characters_cost_no_query(unlocked_ctx, qtbot, monkeypatch):
    """Trigram search needs three characters: typing the first two changes nothing."""
    ctx = unlocked_ctx
    fake = FakeCaseList(total=300)
    monkeypatch.setattr(case_list_model, "case_list", fake)
    model = CaseListModel(ctx)
    model.set_filter(CaseFilter())
    wait_idle(qtbot, ctx)
    for text in ("f", "fi", "fi x", "fic"):
        model.set_filter(CaseFilter(search=text))
        wait_idle(qtbot, ctx)
    assert [f.search for f in fake.first_queries] == ["", "fic"]
    assert [f.search for f in fake.id_queries] == ["", "fic"]


def test_an_answer_from_before_the_lock_is_dropped(unlocked_ctx, case_ids, qtbot):
    ctx = unlocked_ctx
    model = CaseListModel(ctx)
    model.set_filter(CaseFilter())
    ctx.close_office()  # the query ran before the lock; its answer arrives after
    qtbot.wait(100)
    wait_idle(qtbot, ctx)
    assert model.rowCount() == 0
    assert not model.loading


# -- the page --------------------------------------------------------------------


def test_search_in_latin_and_arabic_narrows_the_list(page, case_ids, qtbot):
    assert page.model.rowCount() == 4
    assert page.count_label.text() == "4 dossiers"
    assert page.search_edit.placeholderText() == "Nom, téléphone, n° de document, n° de dossier…"
    qtbot.keyClicks(page.search_edit, "fictiv")
    wait_for_search(qtbot, page, "fictiv")
    assert shown_names(page.model) == ["FICTIVI Mohamed"]
    assert page.count_label.text() == "1 dossier"

    page.search_edit.clear()
    for letter in "فاطمة":  # typed letter by letter (QTest only types Latin-1 keys)
        page.search_edit.insert(letter)
    wait_for_search(qtbot, page, "فاطمة")
    assert shown_names(page.model) == ["الخيالي فاطمة"]

    page.search_edit.setText("محمد")  # the Arabic spelling of a person also written in Latin
    wait_for_search(qtbot, page, "محمد")
    assert [page.model.case_id_at(r) for r in range(page.model.rowCount())] == [case_ids[0]]

    page.search_edit.setText("QQ-777")  # a document number
    wait_for_search(qtbot, page, "QQ-777")
    assert shown_names(page.model) == ["EXEMPLAIRE Aminata"]

    page.search_edit.setText("personne inconnue")
    wait_for_search(qtbot, page, "personne inconnue")
    assert page.model.rowCount() == 0
    assert page.count_label.text() == "0 dossiers"

    qtbot.keyClick(page.search_edit, Qt.Key.Key_Escape)  # Escape clears the search
    wait_for_search(qtbot, page, "")
    assert page.model.rowCount() == 4


def test_typing_fast_runs_one_query(page, qtbot, monkeypatch):
    asked: list[tuple[str, str]] = []

    def spy(name: str) -> Any:
        real = getattr(case_list, name)

        def call(handle: Any, flt: CaseFilter, *args: Any) -> list[int]:
            asked.append((name, flt.search))
            return real(handle, flt, *args)

        return call

    for name in ("first_case_ids", "case_ids"):
        monkeypatch.setattr(case_list_model.case_list, name, spy(name))
    qtbot.keyClicks(page.search_edit, "Exemplaire")
    wait_for_search(qtbot, page, "Exemplaire")
    assert asked == [("first_case_ids", "Exemplaire")]  # one match: the first screen is the whole list


def test_filter_then_sort_by_clicking_a_header(page, case_ids, qtbot):
    ctx = page.ctx
    with qtbot.waitExposed(page):
        page.show()
    combo = page.category_combo
    combo.setCurrentIndex(combo.findData("rpt_migrant"))
    qtbot.waitUntil(lambda: page.model.current_filter.category == "rpt_migrant" and not page.model.loading)
    wait_idle(qtbot, ctx)
    load_all_rows(qtbot, ctx, page.model)
    assert sorted(shown_names(page.model)) == ["FICTIVI Mohamed", "MODELE Ibrahima"]
    assert shown_names(page.model)[0] == "MODELE Ibrahima"  # newest first

    header = page.table.horizontalHeader()

    def click_header(column: int) -> None:
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
        wait_idle(qtbot, ctx)
        load_all_rows(qtbot, ctx, page.model)

    click_header(NAME)
    assert header.sortIndicatorSection() == NAME
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    assert shown_names(page.model) == ["FICTIVI Mohamed", "MODELE Ibrahima"]
    click_header(NAME)
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert shown_names(page.model)[0] == "MODELE Ibrahima"
    click_header(NUMBER)  # registered in PEOPLE order: Fictivi has the smaller number
    assert shown_names(page.model)[0] == "FICTIVI Mohamed"

    click_header(AGE)  # no SQL sort for the age: nothing moves, the indicator stays
    assert header.sortIndicatorSection() == NUMBER
    assert page.model.sort_column == NUMBER
    assert shown_names(page.model)[0] == "FICTIVI Mohamed"

    page.status_combo.setCurrentIndex(page.status_combo.findData("closed"))
    qtbot.waitUntil(lambda: page.model.current_filter.status == "closed" and not page.model.loading)
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == 0
    page.reset_button.click()
    qtbot.waitUntil(lambda: page.model.current_filter == CaseFilter() and not page.model.loading)
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == 4


def test_officer_filter_lists_the_colleagues(page, case_ids, qtbot):
    ctx = page.ctx
    on_db(ctx, users.add_user, "karima.b", "Karima Fictive", "officer", PASSWORD)
    page.reload()
    wait_idle(qtbot, ctx)
    names = [page.officer_combo.itemText(i) for i in range(page.officer_combo.count())]
    assert names[0] == tr_in("fr", "case_list.all_officers")
    assert set(names[1:]) == {"Admin Fictif", "Karima Fictive"}
    page.officer_combo.setCurrentIndex(names.index("Karima Fictive"))
    qtbot.waitUntil(lambda: page.model.current_filter.officer_id is not None and not page.model.loading)
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == 0  # every case here was registered by the admin


def test_enter_and_double_click_open_the_selected_case(page, case_ids, qtbot):
    with qtbot.waitExposed(page):
        page.show()
    row = page.model.row_of(case_ids[2])
    page.table.setFocus()
    page.table.select_row(row)
    assert page.open_button.isEnabled()
    with qtbot.waitSignal(page.sig_open_case, timeout=2000) as blocker:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert blocker.args == [case_ids[2]]

    other = page.model.row_of(case_ids[1])
    rect = page.table.visualRect(page.model.index(other, NAME))
    with qtbot.waitSignal(page.sig_open_case, timeout=2000) as blocker:
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [case_ids[1]]

    with qtbot.waitSignal(page.sig_open_case, timeout=2000) as blocker:
        page.open_button.click()
    assert blocker.args == [case_ids[1]]


def test_keyboard_ctrl_f_ctrl_n_and_enter_from_the_search(page, case_ids, qtbot):
    with qtbot.waitActive(page):
        page.show()
        page.activateWindow()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(page.search_edit.hasFocus)
    with qtbot.waitSignal(page.sig_new_case, timeout=2000):
        qtbot.keyClick(page.search_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)

    qtbot.keyClicks(page.search_edit, "Exemplaire")
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)  # runs the search now, goes to the results
    qtbot.waitUntil(page.table.hasFocus)
    assert page.model.rowCount() == 1
    assert page.selected_case_id() == case_ids[1]
    with qtbot.waitSignal(page.sig_open_case, timeout=2000) as blocker:
        qtbot.keyClick(page.table, Qt.Key.Key_Enter)
    assert blocker.args == [case_ids[1]]


# -- the section -----------------------------------------------------------------


class FakeCaseWindow(QWidget):
    """What the section needs of the case window (being written elsewhere)."""

    sig_changed = Signal()
    sig_closed = Signal()
    made: ClassVar[list[int]] = []

    def __init__(self, ctx: Any, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case_id = case_id
        self.name = f"Dossier {case_id}"
        QVBoxLayout(self).addWidget(QLabel(self.name))
        FakeCaseWindow.made.append(case_id)

    def title(self) -> str:
        return self.name


class FakeRegistrationDialog(QDialog):
    sig_registered = Signal(int)
    opened = 0

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def open(self) -> None:
        FakeRegistrationDialog.opened += 1
        super().open()


@pytest.fixture
def section(unlocked_ctx, case_ids, qtbot, monkeypatch) -> CasesSection:
    FakeCaseWindow.made = []
    FakeRegistrationDialog.opened = 0
    monkeypatch.setattr(section_module, "case_window_factory", FakeCaseWindow)
    monkeypatch.setattr(section_module, "registration_dialog_factory", FakeRegistrationDialog)
    widget = CasesSection(unlocked_ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 650)
    widget.reload()
    wait_idle(qtbot, unlocked_ctx)
    return widget


def test_section_opens_each_case_once_in_a_tab(section, case_ids, qtbot):
    ctx = section.ctx
    assert section.tabs.count() == 1
    assert section.tabs.tabText(0) == "Liste des dossiers"
    section.list_page.sig_open_case.emit(case_ids[0])
    section.open_case(case_ids[1])
    section.open_case(case_ids[0])  # already open: focused, not opened twice
    assert FakeCaseWindow.made == [case_ids[0], case_ids[1]]
    assert section.open_case_ids() == [case_ids[0], case_ids[1]]
    assert section.tabs.currentWidget() is section.case_window(case_ids[0])
    assert section.tabs.tabText(1) == f"Dossier {case_ids[0]}"

    # A saved case: its title follows and the list re-queries.
    window = section.case_window(case_ids[0])
    window.name = "FICTIVI Mohamed"
    queries = section.list_page.model._generation
    window.sig_changed.emit()
    assert section.tabs.tabText(1) == "FICTIVI Mohamed"
    assert section.list_page.model._generation > queries
    wait_idle(qtbot, ctx)

    section.tabs.tabCloseRequested.emit(2)
    assert section.open_case_ids() == [case_ids[0]]
    section.open_case(case_ids[3])
    section.close_tab_action.trigger()  # Ctrl+W closes the case shown
    assert section.open_case_ids() == [case_ids[0]]
    assert "Ctrl+W" in [key.toString() for key in section.close_tab_action.shortcuts()]
    section.case_window(case_ids[0]).sig_closed.emit()
    assert section.open_case_ids() == [] and section.tabs.count() == 1
    section.tabs.tabCloseRequested.emit(0)  # the list tab does not close
    assert section.tabs.count() == 1


def test_lock_closes_the_case_tabs_and_empties_the_list(section, case_ids, qtbot):
    ctx = section.ctx
    load_all_rows(qtbot, ctx, section.list_page.model)
    section.list_page.search_edit.setText("Fictivi")
    section.open_case(case_ids[0])
    section.open_case(case_ids[2])
    section.new_case()
    assert section.registration_dialog is not None
    ctx.close_office()
    assert section.tabs.count() == 1
    assert section.tabs.currentWidget() is section.list_page
    assert section.registration_dialog is None
    assert section.list_page.model.rowCount() == 0
    assert section.list_page.model.cached_rows == 0
    assert section.list_page.search_edit.text() == ""
    assert section.list_page.count_label.text() == ""
    section.open_case(case_ids[0])  # locked: nothing opens
    assert section.tabs.count() == 1


def test_new_case_then_registered_opens_it_and_selects_it_in_the_list(section, case_ids, qtbot):
    ctx = section.ctx
    page = section.list_page
    with qtbot.waitSignal(page.sig_new_case):
        page.new_button.click()
    dialog = section.registration_dialog
    assert isinstance(dialog, FakeRegistrationDialog) and FakeRegistrationDialog.opened == 1
    section.new_case()  # a second Ctrl+N brings back the same dialog
    assert FakeRegistrationDialog.opened == 1
    person = fictitious(family_name="Nouvelle", given_name="Awa", family_name_ar="", given_name_ar="", sex="F")
    _pid, new_id = on_db(ctx, cases.register, person)
    dialog.sig_registered.emit(new_id)
    dialog.accept()
    assert section.registration_dialog is None
    assert section.open_case_ids() == [new_id]
    assert section.tabs.currentWidget() is section.case_window(new_id)
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == 5
    assert page.selected_case_id() == new_id


# -- screenshots -----------------------------------------------------------------


def _demo_context(ctx: Any, tmp_path: Path) -> None:
    """A demo office of 300 cases (or, while the demo is being rewritten, 60 registered ones)."""
    from desktop.services import demo

    path = tmp_path / "demo.baomdb"
    try:
        demo.create_demo_office(path, PASSWORD, 300, seed=1)
    except Exception:  # noqa: BLE001 - the demo module is being rewritten; fall back
        handle, _code = office.create_office(
            path, commune_code="09.001.01.01.", office_name="BAOM Démo", admin_login="admin",
            admin_name="Admin Démo (fictif)", admin_password=PASSWORD,
        )  # fmt: skip
        try:
            base = [p for p, _days in PEOPLE]
            for i in range(60):
                person = replace(base[i % len(base)], documents=[DocumentInput("passport", f"ZZ-{i:03d} 000")])
                cases.register(handle, person, opened_on=TODAY - timedelta(days=i * 7))
        finally:
            handle.close()
    ctx.set_handle(office.unlock(path, "admin", PASSWORD))


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_screenshot(ctx, tmp_path, qtbot, screenshot_dir, monkeypatch, lang):
    """The section as it sits beside the navigation bar (900 px) and on a wide screen."""
    monkeypatch.setattr(section_module, "case_window_factory", FakeCaseWindow)
    _demo_context(ctx, tmp_path)
    ctx.languages.apply(lang)
    widget = CasesSection(ctx)
    qtbot.addWidget(widget)
    widget.resize(900, 640)
    with qtbot.waitExposed(widget):
        widget.show()
    widget.reload()
    wait_idle(qtbot, ctx)
    qtbot.wait(50)
    wait_idle(qtbot, ctx)
    page = widget.list_page
    assert page.model.rowCount() > 0
    page.table.select_row(1)
    assert page.selected_case_id() == page.model.case_id_at(1)
    rtl = Qt.LayoutDirection.RightToLeft if lang == "ar" else Qt.LayoutDirection.LeftToRight
    assert widget.layoutDirection() == rtl
    assert widget.minimumSizeHint().width() <= 900
    widget.grab().save(str(screenshot_dir / f"cases_list_{lang}.png"))
    widget.resize(1366 - 200, 640)
    qtbot.wait(50)
    wait_idle(qtbot, ctx)
    widget.grab().save(str(screenshot_dir / f"cases_list_{lang}_wide.png"))
    first = page.model.case_id_at(0)
    assert first is not None
    widget.open_case(first)
    assert widget.tabs.count() == 2


def test_columns_can_be_hidden_from_the_header_menu(page, qtbot):
    menu = page.table.column_menu()
    texts = [action.text() for action in menu.actions()]
    assert "N° dossier" not in texts and "Nom" not in texts  # always shown
    assert "Nom arabe" in texts and "Agent" in texts
    officer = next(a for a in menu.actions() if a.text() == "Agent")
    officer.trigger()  # unchecks
    assert page.table.isColumnHidden(OFFICER)
    menu.deleteLater()
    menu = page.table.column_menu()
    officer = next(a for a in menu.actions() if a.text() == "Agent")
    assert not officer.isChecked()
    officer.trigger()
    assert not page.table.isColumnHidden(OFFICER)
    menu.deleteLater()


def test_the_real_case_window_opens_in_a_tab(unlocked_ctx, case_ids, qtbot):
    """With the case window the section ships with (skipped while it is not importable)."""
    pytest.importorskip("desktop.ui.pages.cases.case_window")
    ctx = unlocked_ctx
    widget = CasesSection(ctx)
    qtbot.addWidget(widget)
    widget.reload()
    wait_idle(qtbot, ctx)
    widget.open_case(case_ids[0])
    wait_idle(qtbot, ctx)
    window = widget.case_window(case_ids[0])
    assert window is not None and widget.tabs.currentWidget() is window
    qtbot.waitUntil(lambda: "FICTIVI" in widget.tabs.tabText(1).upper())
    ctx.close_office()
    assert widget.tabs.count() == 1


def has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def test_switching_to_arabic_retranslates_everything(section, qtbot):
    ctx = section.ctx
    page = section.list_page
    ctx.languages.apply("ar")
    assert section.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert has_arabic(section.tabs.tabText(0))
    assert has_arabic(page.count_label.text()) and "4" in page.count_label.text()
    assert has_arabic(page.search_edit.placeholderText())
    texts = [label.text() for label in page.findChildren(QLabel) if label.text()]
    texts += [button.text() for button in (page.new_button, page.open_button, page.reset_button)]
    texts += [box.text() for box in (page.overdue_check, page.from_check, page.to_check)]
    for combo in (page.category_combo, page.status_combo, page.stage_combo, page.level_combo):
        texts += [combo.itemText(i) for i in range(combo.count())]
    texts.append(page.officer_combo.itemText(0))
    model = page.model
    texts += [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    untranslated = [text for text in texts if not has_arabic(text)]
    assert untranslated == []
