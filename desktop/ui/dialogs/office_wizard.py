"""Creating a new office: commune, name and file, first administrator, recovery code.

The first page also chooses what is created: a commune's office (« Bureau communal »,
the usual case) or a regional secretariat (« Secrétariat régional »: a region instead
of a commune, then the same steps; :func:`desktop.services.region.create_region`).

The office is created when the person leaves the administrator page (a commit
page: there is no going back once the encrypted file exists). The last page shows
the recovery code once; the wizard cannot be finished before the person confirms
they have written it down. After ``accept()`` the office is open as its admin in
:attr:`OfficeWizard.handle`; if the wizard is cancelled after creation the office
is locked again (the file stays, :attr:`OfficeWizard.db_path` says where).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop import config, i18n
from desktop.domain.errors import BaomError, InputRejected
from desktop.domain.geography import geography, sort_key
from desktop.domain.office_kinds import OFFICE_KIND, REGION_KIND
from desktop.domain.users import MIN_PASSWORD_LENGTH, check_login, check_password
from desktop.i18n import tr
from desktop.services import office as office_service
from desktop.services import region as region_service
from desktop.services.office import OfficeHandle
from desktop.ui.context import AppContext
from desktop.ui.widgets.common import ErrorLabel, busy_bar, confirm, error_message
from desktop.ui.widgets.commune_picker import CommunePicker

OFFICE_SUFFIX = ".baomdb"

PAGE_COMMUNE, PAGE_OFFICE, PAGE_ADMIN, PAGE_RECOVERY = range(4)
KIND_OFFICE, KIND_REGION = OFFICE_KIND, REGION_KIND
REGION_FILE_NAME = "secretariat-regional.baomdb"


def make_parent_folder(path: Path) -> None:
    """The folder that will hold ``path``, made if missing; a refusal names the folder."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputRejected("wizard.error_folder", path=str(path.parent)) from exc


def create_office_in_folder(
    path: Path, commune_code: str, office_name: str, admin_login: str, admin_name: str, admin_password: str
) -> tuple[OfficeHandle, str]:
    """Runs on the database thread: make the folder if needed, then create the office."""
    make_parent_folder(path)
    return office_service.create_office(
        path,
        commune_code=commune_code,
        office_name=office_name,
        admin_login=admin_login,
        admin_name=admin_name,
        admin_password=admin_password,
    )


def create_region_in_folder(
    path: Path, region_code: str, name: str, admin_login: str, admin_name: str, admin_password: str
) -> tuple[OfficeHandle, str]:
    """Runs on the database thread: make the folder if needed, then create the regional database."""
    make_parent_folder(path)
    return region_service.create_region(
        path,
        region_code=region_code,
        name=name,
        admin_login=admin_login,
        admin_name=admin_name,
        admin_password=admin_password,
    )


def office_file_path(text: str) -> Path | None:
    """What the person typed as a file, with the ``.baomdb`` ending added if missing."""
    text = text.strip()
    if not text:
        return None
    path = Path(text).expanduser()
    if path.suffix.lower() != OFFICE_SUFFIX:
        path = path.with_name(path.name + OFFICE_SUFFIX)
    return path


def free_office_path(path: Path) -> Path:
    """``path`` if nothing is there, else ``office-2.baomdb``, ``office-3.baomdb``…"""
    candidate, number = path, 2
    while candidate.exists() or office_service.keys_path(candidate).exists():
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    return candidate


def with_notes(field: QWidget | QLayout, *notes: QLabel) -> QWidget:
    """A form field with its hint and error lines right under it (hidden lines take no room)."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    if isinstance(field, QLayout):
        column.addLayout(field)
    else:
        column.addWidget(field)
    for note in notes:
        column.addWidget(note)
    return box


def isolate_ltr(text: str) -> str:
    """Codes and paths inside an Arabic sentence keep their left-to-right order."""
    return f"\u2066{text}\u2069"


def align_to_ui(label: QLabel) -> None:
    """A label holding a Latin value (path, login) sits on the interface's reading side.

    A QLabel takes its direction from its first letter, so a path would stay on the
    left of an Arabic form; the text itself is left untouched (copying it works).
    """
    side = Qt.AlignmentFlag.AlignRight if i18n.is_rtl() else Qt.AlignmentFlag.AlignLeft
    label.setAlignment(side | Qt.AlignmentFlag.AlignVCenter)


def error_text(error: BaseException) -> str:
    """:func:`error_message`, with a file path kept left to right inside an Arabic sentence."""
    if isinstance(error, BaomError) and "path" in error.params:
        params = {**error.params, "path": isolate_ltr(str(error.params["path"]))}
        return tr(error.key, **params)
    return error_message(error)


def _ltr(widget: QWidget) -> QWidget:
    """Paths, logins, passwords and codes read left to right in every language."""
    widget.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    return widget


class CommunePage(QWizardPage):
    """What is created (an office, or a regional secretariat), then its commune (or its region)."""

    sig_kind_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_label = QLabel(self)
        self.office_radio = QRadioButton(self)
        self.office_radio.setChecked(True)
        self.region_radio = QRadioButton(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.picker = CommunePicker(self)
        self.code_label = QLabel(self)
        self.code_label.setObjectName("hintLabel")
        self.region_label = QLabel(self)
        self.region_combo = QComboBox(self)
        self.region_label.setBuddy(self.region_combo)
        self.region_row = QWidget(self)
        region_form = QFormLayout(self.region_row)
        region_form.setContentsMargins(0, 0, 0, 0)
        region_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        region_form.addRow(self.region_label, self.region_combo)
        self.region_row.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.kind_label)
        layout.addWidget(self.office_radio)
        layout.addWidget(self.region_radio)
        layout.addSpacing(8)
        layout.addWidget(self.intro)
        layout.addSpacing(8)
        layout.addWidget(self.picker)
        layout.addWidget(self.region_row)
        layout.addWidget(self.code_label)
        layout.addStretch(1)
        self.picker.sig_commune_changed.connect(self._on_commune_changed)
        self.region_radio.toggled.connect(self._on_kind_toggled)
        self.region_combo.currentIndexChanged.connect(self._on_region_changed)
        commune = config.machine_commune()
        if commune:
            self.picker.set_commune(commune.strip())

    def kind(self) -> str:
        return KIND_REGION if self.region_radio.isChecked() else KIND_OFFICE

    def region_code(self) -> str | None:
        data = self.region_combo.currentData() if self.region_combo.currentIndex() >= 0 else None
        return str(data) if data else None

    def region_name(self) -> str:
        code = self.region_code()
        return geography().name(geography().region(code), i18n.language()) if code else ""

    def _fill_regions(self) -> None:
        chosen = self.region_code()
        geo = geography()
        regions = sorted(geo.regions(), key=lambda r: sort_key(geo.name(r, i18n.language())))
        self.region_combo.blockSignals(True)
        self.region_combo.clear()
        for region in regions:
            self.region_combo.addItem(f"{geo.name(region, i18n.language())} ({isolate_ltr(region.code)})", region.code)
        self.region_combo.setCurrentIndex(self.region_combo.findData(chosen) if chosen else -1)
        self.region_combo.blockSignals(False)

    def set_region(self, code: str) -> bool:
        index = self.region_combo.findData(code)
        if index >= 0:
            self.region_combo.setCurrentIndex(index)
        return index >= 0

    def retranslate(self) -> None:
        regional = self.kind() == KIND_REGION
        self.kind_label.setText(tr("region_ui.wizard.kind"))
        self.office_radio.setText(tr("region_ui.wizard.kind_office"))
        self.region_radio.setText(tr("region_ui.wizard.kind_region"))
        self.region_label.setText(tr("region_ui.wizard.region"))
        self.region_combo.setPlaceholderText(tr("commune_picker.choose_region"))
        self._fill_regions()
        self.setTitle(tr("region_ui.wizard.region_title" if regional else "wizard.commune_title"))
        self.setSubTitle(tr("region_ui.wizard.region_subtitle" if regional else "wizard.commune_subtitle"))
        self.intro.setText(tr("region_ui.wizard.region_intro" if regional else "wizard.commune_intro"))
        self.picker.retranslate()
        self._show_choice()

    def _on_kind_toggled(self, _checked: bool) -> None:
        regional = self.kind() == KIND_REGION
        commune = self.picker.commune_code()
        if regional and self.region_code() is None and commune:  # the commune's region, proposed
            self.set_region(geography().commune(commune).region_code)
        self.picker.setVisible(not regional)
        self.region_row.setVisible(regional)
        self.retranslate()
        self.sig_kind_changed.emit(self.kind())
        self.completeChanged.emit()

    def _on_commune_changed(self, code: str) -> None:
        self._show_choice()
        self.completeChanged.emit()

    def _on_region_changed(self, _index: int) -> None:
        self._show_choice()
        self.completeChanged.emit()

    def _show_choice(self) -> None:
        if self.kind() == KIND_REGION:
            code = self.region_code()
            name = self.region_name()
            self.code_label.setText(
                tr("region_ui.wizard.region_chosen", name=name, code=isolate_ltr(code)) if code else ""
            )
            return
        code = self.picker.commune_code() or ""
        name = self.picker.commune_name()
        self.code_label.setText(tr("wizard.commune_chosen", name=name, code=isolate_ltr(code)) if code else "")

    def isComplete(self) -> bool:
        if self.kind() == KIND_REGION:
            return self.region_code() is not None
        return self.picker.commune_code() is not None


class OfficePage(QWizardPage):
    def __init__(self, default_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._auto_name = ""
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.name_edit = QLineEdit(self)
        self.name_edit.setMaxLength(120)
        self.name_error = ErrorLabel(self)
        self.path_edit = QLineEdit(str(default_path), self)
        _ltr(self.path_edit)
        self.browse_button = QPushButton(self)
        self.browse_button.clicked.connect(self._browse)
        self.path_hint = QLabel(self)
        self.path_hint.setWordWrap(True)
        self.path_hint.setObjectName("hintLabel")
        self.path_error = ErrorLabel(self)

        path_row = QHBoxLayout()
        path_row.setContentsMargins(0, 0, 0, 0)
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_label = QLabel(self)
        self.name_label.setBuddy(self.name_edit)
        self.path_label = QLabel(self)
        self.path_label.setBuddy(self.path_edit)
        self.form.addRow(self.name_label, with_notes(self.name_edit, self.name_error))
        self.form.addRow(self.path_label, with_notes(path_row, self.path_hint, self.path_error))
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addSpacing(8)
        layout.addLayout(self.form)
        layout.addStretch(1)

        self.name_edit.textChanged.connect(self._on_changed)
        self.path_edit.textChanged.connect(self._on_changed)

    def _regional(self) -> bool:
        wizard = self.wizard()
        return isinstance(wizard, OfficeWizard) and wizard.commune_page.kind() == KIND_REGION

    def retranslate(self) -> None:
        regional = self._regional()
        self.setTitle(tr("region_ui.wizard.office_title" if regional else "wizard.office_title"))
        self.setSubTitle(tr("wizard.office_subtitle"))
        self.intro.setText(tr("region_ui.wizard.office_intro" if regional else "wizard.office_intro"))
        self.name_label.setText(tr("wizard.office_name"))
        self.path_label.setText(tr("wizard.office_file"))
        self.browse_button.setText(tr("wizard.browse"))
        self.path_hint.setText(tr("wizard.office_file_hint"))
        self.name_edit.setPlaceholderText(tr("wizard.office_name_placeholder"))
        self.update_default_name()

    def default_name(self) -> str:
        wizard = self.wizard()
        if not isinstance(wizard, OfficeWizard):
            return ""
        if wizard.commune_page.kind() == KIND_REGION:
            region = wizard.commune_page.region_name()
            return tr("region.default_name", region=region) if region else ""
        commune = wizard.commune_page.picker.commune_name()
        return tr("wizard.default_office_name", commune=commune) if commune else ""

    def update_default_name(self) -> None:
        """Propose "BAOM de <commune>" unless the person has written their own name."""
        current = self.name_edit.text().strip()
        if current and current != self._auto_name:
            return
        self._auto_name = self.default_name()
        self.name_edit.setText(self._auto_name)

    def initializePage(self) -> None:
        self.update_default_name()

    def _on_changed(self) -> None:
        self.name_error.clear_text()
        self.path_error.clear_text()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return bool(self.name_edit.text().strip() and self.path_edit.text().strip())

    def office_path(self) -> Path | None:
        return office_file_path(self.path_edit.text())

    def ask_save_path(self) -> Path | None:
        """The file dialog (tests replace this method)."""
        chosen, _filter = QFileDialog.getSaveFileName(
            self, tr("wizard.browse_title"), self.path_edit.text(), tr("wizard.file_filter")
        )
        return Path(chosen) if chosen else None

    def _browse(self) -> None:
        chosen = self.ask_save_path()
        if chosen is not None:
            self.path_edit.setText(str(office_file_path(str(chosen))))

    def validatePage(self) -> bool:
        if not self.name_edit.text().strip():
            self.name_error.show_text(tr("error.office_name_required"))
            return False
        path = self.office_path()
        if path is None:
            self.path_error.show_text(tr("wizard.error_path_required"))
            return False
        if path.exists() or office_service.keys_path(path).exists():
            self.path_error.show_text(tr("error.db_exists", path=isolate_ltr(str(path))))
            return False
        if path.parent.exists() and not path.parent.is_dir():
            self.path_error.show_text(tr("error.folder_missing", path=isolate_ltr(str(path.parent))))
            return False
        self.path_edit.setText(str(path))
        return True


class AdminPage(QWizardPage):
    """The first administrator; leaving this page creates the office."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCommitPage(True)
        self._busy = False
        self._creation_error: BaseException | None = None
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.login_edit = QLineEdit("admin", self)
        self.login_edit.setMaxLength(32)
        _ltr(self.login_edit)
        self.name_edit = QLineEdit(self)
        self.name_edit.setMaxLength(120)
        self.password_edit = QLineEdit(self)
        self.confirm_edit = QLineEdit(self)
        for edit in (self.password_edit, self.confirm_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            _ltr(edit)
        self.login_error = ErrorLabel(self)
        self.name_error = ErrorLabel(self)
        self.password_error = ErrorLabel(self)
        self.confirm_error = ErrorLabel(self)
        self.create_error = ErrorLabel(self)
        self.password_hint = QLabel(self)
        self.password_hint.setWordWrap(True)
        self.password_hint.setObjectName("hintLabel")
        self.busy_label = QLabel(self)
        self.busy_label.setWordWrap(True)
        self.busy_bar = busy_bar(self)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy_label, 1)
        busy_row.addWidget(self.busy_bar, 1)
        self.busy_label.hide()

        self.login_label, self.name_label = QLabel(self), QLabel(self)
        self.password_label, self.confirm_label = QLabel(self), QLabel(self)
        self.login_label.setBuddy(self.login_edit)
        self.name_label.setBuddy(self.name_edit)
        self.password_label.setBuddy(self.password_edit)
        self.confirm_label.setBuddy(self.confirm_edit)
        self.form_widget = QWidget(self)
        form = QFormLayout(self.form_widget)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.login_label, with_notes(self.login_edit, self.login_error))
        form.addRow(self.name_label, with_notes(self.name_edit, self.name_error))
        form.addRow(self.password_label, with_notes(self.password_edit, self.password_hint, self.password_error))
        form.addRow(self.confirm_label, with_notes(self.confirm_edit, self.confirm_error))
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addSpacing(8)
        layout.addWidget(self.form_widget)
        layout.addWidget(self.create_error)
        layout.addStretch(1)
        layout.addLayout(busy_row)

        for edit in (self.login_edit, self.name_edit, self.password_edit, self.confirm_edit):
            edit.textChanged.connect(self._on_changed)

    def retranslate(self) -> None:
        self.setTitle(tr("wizard.admin_title"))
        self.setSubTitle(tr("wizard.admin_subtitle"))
        self.intro.setText(tr("wizard.admin_intro"))
        self.login_label.setText(tr("wizard.login"))
        self.name_label.setText(tr("wizard.display_name"))
        self.password_label.setText(tr("wizard.password"))
        self.confirm_label.setText(tr("wizard.password_confirm"))
        self.name_edit.setPlaceholderText(tr("wizard.display_name_placeholder"))
        self.password_hint.setText(tr("wizard.password_hint", minimum=MIN_PASSWORD_LENGTH))
        self.busy_label.setText(tr("wizard.creating"))
        self._revalidate_shown_errors()

    def _revalidate_shown_errors(self) -> None:
        """Errors already shown are re-said in the new language."""
        shown = (self.login_error, self.name_error, self.password_error, self.confirm_error)
        if any(not label.isHidden() for label in shown):
            self.check_fields()
        if self._creation_error is not None and not self.create_error.isHidden():
            self.create_error.show_text(error_text(self._creation_error))

    def show_creation_error(self, error: BaseException | None) -> None:
        self._creation_error = error
        if error is None:
            self.create_error.clear_text()
        else:
            self.create_error.show_text(error_text(error))

    def _on_changed(self) -> None:
        """A field was edited: its own error and the creation error go away."""
        pairs = (
            (self.login_edit, self.login_error),
            (self.name_edit, self.name_error),
            (self.password_edit, self.password_error),
            (self.confirm_edit, self.confirm_error),
        )
        for edit, error in pairs:
            if edit is self.sender():
                error.clear_text()
        self.show_creation_error(None)

    @property
    def busy(self) -> bool:
        return self._busy

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.form_widget.setEnabled(not busy)
        self.busy_label.setVisible(busy)
        self.busy_bar.setVisible(busy)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self._busy

    def check_fields(self) -> bool:
        """Show every problem at once, each under its field; True when all is right."""
        ok = True
        try:
            check_login(self.login_edit.text())
            self.login_error.clear_text()
        except BaomError as exc:
            self.login_error.show_error(exc)
            ok = False
        if self.name_edit.text().strip():
            self.name_error.clear_text()
        else:
            self.name_error.show_text(tr("error.display_name_required"))
            ok = False
        try:
            check_password(self.password_edit.text())
            self.password_error.clear_text()
        except BaomError as exc:
            self.password_error.show_error(exc)
            ok = False
        if self.confirm_edit.text() != self.password_edit.text():
            self.confirm_error.show_text(tr("wizard.password_mismatch"))
            ok = False
        else:
            self.confirm_error.clear_text()
        return ok

    def clear_passwords(self) -> None:
        self.password_edit.clear()
        self.confirm_edit.clear()

    def validatePage(self) -> bool:
        wizard = self.wizard()
        assert isinstance(wizard, OfficeWizard)
        if wizard.handle is not None:
            return True
        if self._busy or not self.check_fields():
            return False
        wizard.start_creation()
        return False


class RecoveryPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.code_label = QLabel(self)
        self.code_label.setObjectName("recoveryCode")
        self.code_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setStyleSheet(
            "QLabel#recoveryCode { padding: 14px; background: palette(base); border: 1px solid palette(mid);"
            " border-radius: 4px; }"
        )
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(max(18, font.pointSize() + 8))
        font.setBold(True)
        self.code_label.setFont(font)
        _ltr(self.code_label)
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("font-weight: 600;")
        self.noted_check = QCheckBox(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addSpacing(6)
        layout.addWidget(self.code_label)
        layout.addSpacing(6)
        layout.addWidget(self.explanation)
        layout.addSpacing(6)
        layout.addWidget(self.warning)
        layout.addSpacing(12)
        layout.addWidget(self.noted_check)
        layout.addStretch(1)
        self.noted_check.toggled.connect(self._on_noted_toggled)

    def _on_noted_toggled(self, _checked: bool) -> None:
        self.completeChanged.emit()

    def retranslate(self) -> None:
        self.setTitle(tr("wizard.recovery_title"))
        self.setSubTitle(tr("wizard.recovery_subtitle"))
        self.intro.setText(tr("wizard.recovery_intro"))
        self.explanation.setText(tr("wizard.recovery_explanation"))
        self.warning.setText(tr("wizard.recovery_warning"))
        self.noted_check.setText(tr("wizard.recovery_noted"))

    def show_code(self, code: str) -> None:
        self.code_label.setText(code)

    def isComplete(self) -> bool:
        return self.noted_check.isChecked()


class OfficeWizard(QWizard):
    """The new-office wizard. ``handle`` and ``db_path`` are set once the office exists."""

    sig_office_created = Signal(object)
    """The new office's database path (emitted when the file exists, before the last page)."""

    def __init__(self, ctx: AppContext, default_path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.handle: OfficeHandle | None = None
        self.db_path: Path | None = None
        self._recovery_code = ""
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setMinimumSize(760, 580)

        self.commune_page = CommunePage(self)
        self._office_path = free_office_path(default_path or config.default_office_path())
        self._region_path = free_office_path(self._office_path.with_name(REGION_FILE_NAME))
        self.office_page = OfficePage(self._office_path, self)
        self.admin_page = AdminPage(self)
        self.recovery_page = RecoveryPage(self)
        self.setPage(PAGE_COMMUNE, self.commune_page)
        self.setPage(PAGE_OFFICE, self.office_page)
        self.setPage(PAGE_ADMIN, self.admin_page)
        self.setPage(PAGE_RECOVERY, self.recovery_page)
        self.setStartId(PAGE_COMMUNE)

        self.currentIdChanged.connect(self._on_page_changed)
        self.commune_page.picker.sig_commune_changed.connect(self._on_commune_changed)
        self.commune_page.region_combo.currentIndexChanged.connect(self._on_commune_changed)
        self.commune_page.sig_kind_changed.connect(self._on_kind_changed)
        ctx.languages.sig_language_changed.connect(self._on_language_changed)
        self.retranslate()

    def _on_commune_changed(self, *_args: object) -> None:
        self.office_page.update_default_name()

    def _on_kind_changed(self, kind: str) -> None:
        """The proposed file follows the choice, unless the person typed their own."""
        edit = self.office_page.path_edit
        regional = kind == KIND_REGION
        if edit.text() == str(self._region_path if not regional else self._office_path):
            edit.setText(str(self._region_path if regional else self._office_path))
        self.office_page.update_default_name()
        self.retranslate()

    # -- language -------------------------------------------------------------------
    def _on_language_changed(self, _lang: str) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        regional = self.commune_page.kind() == KIND_REGION
        self.setWindowTitle(tr("region_ui.wizard.window_title" if regional else "wizard.window_title"))
        self.setButtonText(QWizard.WizardButton.BackButton, tr("wizard.back"))
        self.setButtonText(QWizard.WizardButton.NextButton, tr("wizard.next"))
        self.setButtonText(QWizard.WizardButton.CommitButton, tr("wizard.create"))
        self.setButtonText(QWizard.WizardButton.FinishButton, tr("wizard.finish"))
        self.setButtonText(QWizard.WizardButton.CancelButton, tr("wizard.cancel"))
        for page in (self.commune_page, self.office_page, self.admin_page, self.recovery_page):
            page.retranslate()

    # -- creation -------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.admin_page.busy

    def start_creation(self) -> None:
        """Create the office on the database thread; the page waits, buttons disabled."""
        path = self.office_page.office_path()
        regional = self.commune_page.kind() == KIND_REGION
        commune = self.commune_page.region_code() if regional else self.commune_page.picker.commune_code()
        assert path is not None and commune is not None
        self.admin_page.show_creation_error(None)
        self.admin_page.set_busy(True)
        self._set_buttons_enabled(False)
        self.ctx.run(
            create_region_in_folder if regional else create_office_in_folder,
            path,
            commune,
            self.office_page.name_edit.text().strip(),
            self.admin_page.login_edit.text().strip().lower(),
            self.admin_page.name_edit.text().strip(),
            self.admin_page.password_edit.text(),
            on_done=self._on_created,
            on_error=self._on_creation_failed,
        )

    def _set_buttons_enabled(self, enabled: bool) -> None:
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(enabled)

    def _on_created(self, result: tuple[OfficeHandle, str]) -> None:
        self.handle, self._recovery_code = result
        self.db_path = path = self.handle.path
        self.admin_page.set_busy(False)
        self._set_buttons_enabled(True)
        self.admin_page.clear_passwords()
        self.recovery_page.show_code(self._recovery_code)
        self.sig_office_created.emit(path)
        self.next()

    def _on_creation_failed(self, error: BaseException) -> None:
        self.admin_page.set_busy(False)
        self._set_buttons_enabled(True)
        self.admin_page.show_creation_error(error)

    # -- pages and buttons ----------------------------------------------------------
    def _on_page_changed(self, page_id: int) -> None:
        if page_id == PAGE_RECOVERY:
            self.setButtonLayout([QWizard.WizardButton.Stretch, QWizard.WizardButton.FinishButton])
        else:
            self.setButtonLayout(
                [
                    QWizard.WizardButton.Stretch,
                    QWizard.WizardButton.BackButton,
                    QWizard.WizardButton.NextButton,
                    QWizard.WizardButton.CommitButton,
                    QWizard.WizardButton.FinishButton,
                    QWizard.WizardButton.CancelButton,
                ]
            )
        if page_id == PAGE_OFFICE:
            self.office_page.update_default_name()

    def confirm_leave_without_code(self) -> bool:
        """Closing before ticking "I wrote it down" loses the code: ask (tests replace this)."""
        return confirm(self, tr("wizard.recovery_leave_confirm"))

    def reject(self) -> None:
        if self.busy:
            return
        if (
            self.handle is not None
            and not self.recovery_page.noted_check.isChecked()
            and not self.confirm_leave_without_code()
        ):
            return
        super().reject()

    def done(self, result: int) -> None:
        if self.busy:
            return
        if result != QDialog.DialogCode.Accepted and self.handle is not None:
            handle, self.handle = self.handle, None
            self.ctx.runner.run_sync(office_service.lock, handle)
        self._recovery_code = ""
        self.recovery_page.show_code("")
        self.admin_page.clear_passwords()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)
