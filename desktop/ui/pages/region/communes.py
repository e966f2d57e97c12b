"""Communes: the offices registered with the secretariat, their keys and fingerprints.

« Enregistrer un bureau… » takes the commune (of the region) and the office's public key
file; the key's fingerprint is shown, large, to be compared with the sheet the office
signed and stamped (or read on the phone) *before* the person confirms. A key that
should no longer verify extracts (stolen PC, office reinstalled) is revoked from a date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain.errors import BaomError
from desktop.domain.geography import commune_name, geography, sort_key
from desktop.domain.referrals import office_today
from desktop.domain.users import Role, role_at_least
from desktop.i18n import tr
from desktop.services import region, region_keys, region_status
from desktop.services.extract_keys import OfficePublicKey
from desktop.services.office import OfficeHandle
from desktop.ui.context import AppContext
from desktop.ui.pages.region.common import (
    RegionPage,
    commune_label,
    date_text,
    datetime_text,
    month_text,
    note_label,
    read_only_table,
    region_events,
    text_item,
)
from desktop.ui.pages.statistics.texts import ltr
from desktop.ui.widgets.common import BusyDialog, ErrorLabel, error_message, ok_cancel_buttons

COLUMNS = ("commune", "office", "fingerprint", "created", "registered", "state", "last_extract")
ROLE_KEY = int(Qt.ItemDataRole.UserRole) + 1
"""Column 0 holds (commune code, fingerprint, revoked) of the row's key."""


@dataclass(frozen=True)
class CommunesData:
    region_code: str
    offices: list[region_keys.RegisteredOffice]
    last_extract: dict[str, str]  # commune -> latest month imported


def load_communes(handle: OfficeHandle) -> CommunesData:
    """Runs on the database thread."""
    code = region.region_code(handle)
    latest: dict[str, str] = {}
    for row in region_status.status(handle):
        latest[row.commune_code] = max(latest.get(row.commune_code, ""), row.period)
    return CommunesData(code, region_keys.offices(handle), latest)


def fingerprint_font() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def can_manage(ctx: AppContext) -> bool:
    actor = ctx.actor
    return actor is not None and role_at_least(actor.role, Role.SUPERVISOR)


class CommunesPage(RegionPage):
    title_key = "region_ui.nav.communes"
    heading_key = "region_ui.communes.heading"
    intro_key = "region_ui.communes.intro"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.data: CommunesData | None = None
        self.register_dialog: RegisterOfficeDialog | None = None
        self.revoke_dialog: RevokeKeyDialog | None = None
        self.register_button = QPushButton()
        self.register_button.clicked.connect(self.start_register)
        self.revoke_button = QPushButton()
        self.revoke_button.clicked.connect(self.start_revoke)
        self.count_label = QLabel()
        self.table = read_only_table()
        self.table.setColumnCount(len(COLUMNS))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.empty_label = note_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.register_button)
        buttons.addWidget(self.revoke_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.status_label)
        self.retranslate()

    # -- loading -------------------------------------------------------------------------------
    def load(self) -> None:
        generation = self.started()
        self.ctx.call(
            load_communes,
            on_done=lambda data: self._loaded(generation, data),
            on_error=lambda error: self.failed(generation, error),
        )

    def _loaded(self, generation: int, data: CommunesData) -> None:
        if not self.wanted(generation):
            return
        self.data = data
        self._show()

    def clear(self) -> None:
        super().clear()
        self.data = None
        for dialog in (self.register_dialog, self.revoke_dialog):
            if dialog is not None and shiboken6.isValid(dialog) and dialog.isVisible():
                dialog.reject()
        self._show()

    def _show(self) -> None:
        self.table.setSortingEnabled(False)
        self.table.setRowCount(0)
        data = self.data
        rows = [(office, key) for office in (data.offices if data else []) for key in office.keys]
        self.table.setRowCount(len(rows))
        for row, (office, key) in enumerate(rows):
            commune = text_item(commune_label(office.commune_code))
            commune.setData(ROLE_KEY, (office.commune_code, key.fingerprint, key.revoked_from is not None))
            fingerprint = text_item(ltr(key.fingerprint))
            fingerprint.setFont(fingerprint_font())
            if key.revoked_from is not None:
                state = tr("region_ui.communes.revoked_from", date=date_text(office_today(key.revoked_from)))
            else:
                state = tr("region_ui.communes.valid")
            latest = data.last_extract.get(office.commune_code, "") if data else ""
            cells = (
                commune,
                text_item(office.name),
                fingerprint,
                text_item(date_text(key.created)),
                text_item(datetime_text(key.registered_at)),
                text_item(state),
                text_item(month_text(latest) if latest else tr("region_ui.communes.no_extract")),
            )
            for column, item in enumerate(cells):
                self.table.setItem(row, column, item)
        offices = len(data.offices) if data else 0
        self.count_label.setText(tr("region_ui.communes.count", count=offices) if data else "")
        self.empty_label.setText(tr("region_ui.communes.empty") if data is not None and not offices else "")
        self.empty_label.setVisible(data is not None and not offices)
        self._update_buttons()

    def selected_key(self) -> tuple[str, str, bool] | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        value = item.data(ROLE_KEY) if item is not None else None
        return (str(value[0]), str(value[1]), bool(value[2])) if value else None

    def _update_buttons(self) -> None:
        manage = can_manage(self.ctx) and self.data is not None
        self.register_button.setEnabled(manage)
        selected = self.selected_key()
        self.revoke_button.setEnabled(manage and selected is not None and not selected[2])

    # -- registering and revoking ----------------------------------------------------------------
    def start_register(self) -> None:
        if self.data is None or not can_manage(self.ctx):
            return
        dialog = RegisterOfficeDialog(self.ctx, self.data.region_code, self)
        dialog.sig_registered.connect(self._registered)
        self.register_dialog = dialog
        dialog.open()

    def _registered(self, result: region_keys.AddOfficeResult) -> None:
        key = {
            region_keys.Registration.REGISTERED: "region_ui.communes.registered",
            region_keys.Registration.KEY_ADDED: "region_ui.communes.key_added",
            region_keys.Registration.ALREADY: "region_ui.communes.already",
        }[result.outcome]
        self.messages.set_status(key, commune=commune_name(result.commune_code, i18n.language()))
        region_events().sig_store_changed.emit()

    def start_revoke(self) -> None:
        selected = self.selected_key()
        if selected is None or selected[2] or not can_manage(self.ctx):
            return
        commune, fingerprint, _revoked = selected
        dialog = RevokeKeyDialog(self.ctx, commune, fingerprint, self)
        dialog.sig_revoked.connect(lambda: self._revoked(commune))
        self.revoke_dialog = dialog
        dialog.open()

    def _revoked(self, commune: str) -> None:
        self.messages.set_status("region_ui.communes.revoked", commune=commune_name(commune, i18n.language()))
        region_events().sig_store_changed.emit()

    def retranslate(self) -> None:
        super().retranslate()
        self.register_button.setText(tr("region_ui.communes.register"))
        self.revoke_button.setText(tr("region_ui.communes.revoke"))
        self.table.setHorizontalHeaderLabels([tr(f"region_ui.communes.column.{name}") for name in COLUMNS])
        self._show()


class RegisterOfficeDialog(BusyDialog):
    """The commune, the key file, its fingerprint to compare, then « Enregistrer »."""

    sig_registered = Signal(object)
    """The :class:`region_keys.AddOfficeResult`."""

    def __init__(self, ctx: AppContext, region_code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.region_code = region_code
        self.key: OfficePublicKey | None = None
        self.key_text = ""
        self._error: BaseException | None = None
        self.setMinimumWidth(620)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.commune_label = QLabel()
        self.commune_combo = QComboBox()
        self.commune_combo.setEditable(True)
        self.commune_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.commune_combo.setMaxVisibleItems(15)
        self.commune_label.setBuddy(self.commune_combo)
        self._fill_communes()
        self.file_label = QLabel()
        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.file_label.setBuddy(self.file_edit)
        self.browse_button = QPushButton()
        self.browse_button.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.setContentsMargins(0, 0, 0, 0)
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.commune_label, self.commune_combo)
        form.addRow(self.file_label, file_row)

        self.key_box = QFrame()
        self.key_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.office_name_label, self.office_name_value = QLabel(), QLabel()
        self.key_commune_label, self.key_commune_value = QLabel(), QLabel()
        self.created_label, self.created_value = QLabel(), QLabel()
        self.fingerprint_title = QLabel()
        self.fingerprint_value = QLabel()
        self.fingerprint_value.setObjectName("fingerprint")
        font = fingerprint_font()
        font.setPointSize(max(15, font.pointSize() + 5))
        font.setBold(True)
        self.fingerprint_value.setFont(font)
        self.fingerprint_value.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.fingerprint_value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fingerprint_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint_value.setStyleSheet(
            "QLabel#fingerprint { padding: 10px; background: palette(base); border: 1px solid palette(mid);"
            " border-radius: 4px; }"
        )
        self.compare_note = QLabel()
        self.compare_note.setWordWrap(True)
        self.compared_check = QCheckBox()
        self.compared_check.toggled.connect(self._update_state)
        key_form = QFormLayout()
        key_form.addRow(self.office_name_label, self.office_name_value)
        key_form.addRow(self.key_commune_label, self.key_commune_value)
        key_form.addRow(self.created_label, self.created_value)
        key_layout = QVBoxLayout(self.key_box)
        key_layout.addLayout(key_form)
        key_layout.addWidget(self.fingerprint_title)
        key_layout.addWidget(self.fingerprint_value)
        key_layout.addWidget(self.compare_note)
        key_layout.addWidget(self.compared_check)
        self.key_box.hide()

        self.error_label = ErrorLabel()
        self.buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(self.register, self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.key_box)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.commune_combo.currentIndexChanged.connect(self._commune_changed)
        ctx.languages.sig_language_changed.connect(self._language_changed)
        self.retranslate()
        self._update_state()

    def _fill_communes(self) -> None:
        geo = geography()
        lang = i18n.language()
        chosen = self.commune_code()
        communes = [c for c in geo.communes() if c.region_code == self.region_code]
        communes.sort(key=lambda c: sort_key(geo.name(c, lang)))
        self.commune_combo.blockSignals(True)
        self.commune_combo.clear()
        for commune in communes:
            province = geo.name(geo.province(commune.province_code), lang)
            self.commune_combo.addItem(f"{geo.name(commune, lang)} — {province} ({ltr(commune.code)})", commune.code)
        completer = QCompleter(self.commune_combo.model(), self.commune_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.commune_combo.setCompleter(completer)
        self.commune_combo.setCurrentIndex(self.commune_combo.findData(chosen) if chosen else -1)
        self.commune_combo.blockSignals(False)

    def commune_code(self) -> str | None:
        if self.commune_combo.currentIndex() < 0:
            return None
        data = self.commune_combo.currentData()
        return str(data) if data else None

    def set_commune(self, code: str) -> bool:
        index = self.commune_combo.findData(code)
        if index >= 0:
            self.commune_combo.setCurrentIndex(index)
        return index >= 0

    # -- the key file --------------------------------------------------------------------------
    def ask_key_path(self) -> Path | None:
        """The file dialog (tests replace this method)."""
        chosen, _filter = QFileDialog.getOpenFileName(
            self, tr("region_ui.register.choose_title"), "", tr("region_ui.register.filter")
        )
        return Path(chosen) if chosen else None

    def choose_file(self) -> None:
        path = self.ask_key_path()
        if path is not None:
            self.read_key(path)

    def read_key(self, path: Path) -> None:
        """Read and check the key file here (a few hundred bytes, no database)."""
        self.file_edit.setText(str(path))
        self.compared_check.setChecked(False)
        try:
            text = region_keys.key_file_text(path)
            key = OfficePublicKey.parse(text)
        except BaomError as error:
            self.key, self.key_text = None, ""
            self._show_error(error)
        else:
            self.key, self.key_text = key, text
            self._show_error(None)
            if self.commune_code() is None:
                self.set_commune(key.commune_code)
        self._show_key()
        self._update_state()

    def _show_key(self) -> None:
        key = self.key
        shown = not self.key_box.isHidden()
        self.key_box.setVisible(key is not None)
        if key is not None:
            self.office_name_value.setText(key.office_name)
            self.key_commune_value.setText(commune_label(key.commune_code))
            self.created_value.setText(date_text(key.created))
            self.fingerprint_value.setText(key.fingerprint)
        if shown != (key is not None):
            self.adjustSize()  # room for the key's details (or none)

    def mismatch(self) -> bool:
        """The key file is another commune's than the one chosen."""
        code = self.commune_code()
        return self.key is not None and code is not None and self.key.commune_code != code

    def _commune_changed(self, _index: int) -> None:
        self._update_state()

    def _update_state(self, *_args: object) -> None:
        if self.mismatch() and self.key is not None:
            self.error_label.show_text(
                tr("region.error.commune_mismatch", code=commune_label(self.commune_code() or ""),
                   found=commune_label(self.key.commune_code))
            )  # fmt: skip
        elif self._error is None:
            self.error_label.clear_text()
        ready = self.key is not None and self.commune_code() is not None and not self.mismatch()
        self.compared_check.setEnabled(ready and not self._busy)
        self.ok_button.setEnabled(ready and self.compared_check.isChecked() and not self._busy)

    def _show_error(self, error: BaseException | None) -> None:
        self._error = error
        if error is None:
            self.error_label.clear_text()
        else:
            self.error_label.show_text(error_message(error))

    # -- registering ---------------------------------------------------------------------------
    def register(self) -> None:
        commune = self.commune_code()
        if not self.ok_button.isEnabled() or commune is None or self._busy:
            return
        self._busy = True
        self._update_state()
        self.ctx.call(region_keys.add_office, commune, self.key_text, on_done=self._done, on_error=self._failed)

    def _done(self, result: region_keys.AddOfficeResult) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self.sig_registered.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self._show_error(error)
        self._update_state()

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self._fill_communes()
            self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("region_ui.register.title"))
        self.intro.setText(tr("region_ui.register.intro"))
        self.commune_label.setText(tr("region_ui.register.commune"))
        edit = self.commune_combo.lineEdit()
        if edit is not None:
            edit.setPlaceholderText(tr("region_ui.register.commune_placeholder"))
        self.file_label.setText(tr("region_ui.register.file"))
        self.browse_button.setText(tr("region_ui.register.browse"))
        self.office_name_label.setText(tr("region_ui.register.office_name"))
        self.key_commune_label.setText(tr("region_ui.register.key_commune"))
        self.created_label.setText(tr("region_ui.register.created"))
        self.fingerprint_title.setText(tr("region_ui.register.fingerprint"))
        self.compare_note.setText(tr("region_ui.register.compare"))
        self.compared_check.setText(tr("region_ui.register.compared"))
        self.ok_button.setText(tr("region_ui.register.ok"))
        self.cancel_button.setText(tr("region_ui.cancel"))
        self._show_key()
        if self._error is not None:
            self._show_error(self._error)
        self._update_state()


class RevokeKeyDialog(BusyDialog):
    """From which day a key stops verifying extracts."""

    sig_revoked = Signal()

    def __init__(self, ctx: AppContext, commune: str, fingerprint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.commune = commune
        self.fingerprint = fingerprint
        self.setMinimumWidth(520)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.fingerprint_value = QLabel(fingerprint)
        self.fingerprint_value.setFont(fingerprint_font())
        self.fingerprint_value.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.fingerprint_value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.date_label = QLabel()
        today = office_today()
        self.date_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_label.setBuddy(self.date_edit)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.error_label = ErrorLabel()
        self.buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(self.revoke, self.reject)
        form = QFormLayout()
        form.addRow(self.date_label, self.date_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.fingerprint_value)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        ctx.languages.sig_language_changed.connect(self._language_changed)
        self.retranslate()

    def from_date(self) -> date:
        value = self.date_edit.date()
        return date(value.year(), value.month(), value.day())

    def revoke(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.ok_button.setEnabled(False)
        self.ctx.call(
            region_keys.revoke_key, self.commune, self.fingerprint, self.from_date(),
            on_done=self._done, on_error=self._failed,
        )  # fmt: skip

    def _done(self, _result: object) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self.sig_revoked.emit()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self.ok_button.setEnabled(True)
        self.error_label.show_error(error)

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("region_ui.revoke.title"))
        self.intro.setText(tr("region_ui.revoke.intro", commune=commune_label(self.commune)))
        self.date_label.setText(tr("region_ui.revoke.from"))
        self.note.setText(tr("region_ui.revoke.note"))
        self.ok_button.setText(tr("region_ui.revoke.ok"))
        self.cancel_button.setText(tr("region_ui.cancel"))
