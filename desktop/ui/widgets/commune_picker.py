"""Choosing a Moroccan commune: region → province or prefecture → commune, or by name.

Names are shown in the interface language (Arabic names in Arabic) and sorted in
it. The search field matches French and Arabic spellings, ignoring accents, case,
hyphens and the Arabic letter variants people type interchangeably (أ/إ/ا, ة/ه,
ى/ي), so "inezg", "Aït Melloul" and "انزكان" all find their commune.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QSizePolicy, QWidget

from desktop import i18n
from desktop.domain.geography import Commune, Geography, Province, Region, geography
from desktop.i18n import tr

MAX_MATCHES = 300
"""More matches than this are not listed: the person keeps typing."""

_ARABIC_FOLDS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ـ": None}
)
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Search and sort form of a name: no accents, no case, Arabic variants unified."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = unicodedata.normalize("NFC", stripped).casefold().translate(_ARABIC_FOLDS)
    return _SEPARATORS.sub(" ", folded).strip()


@functools.cache
def _folded_names(commune: Commune) -> tuple[str, str]:
    return fold(commune.name_fr), fold(commune.name_ar)


def matches(query: str, commune: Commune) -> bool:
    """Every word typed appears in the French or the Arabic name."""
    words = fold(query).split()
    if not words:
        return True
    return any(all(word in name for word in words) for name in _folded_names(commune))


class CommunePicker(QWidget):
    """Three linked lists (region, province, commune) and a search field by name."""

    sig_commune_changed = Signal(str)
    """The chosen commune's code, or "" when no commune is chosen."""

    def __init__(self, parent: QWidget | None = None, geo: Geography | None = None) -> None:
        super().__init__(parent)
        self._geo = geo or geography()
        self._code: str | None = None
        self._syncing = False

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setClearButtonEnabled(True)
        self.region_combo = QComboBox(self)
        self.province_combo = QComboBox(self)
        self.commune_combo = QComboBox(self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("hintLabel")
        for combo in (self.region_combo, self.province_combo, self.commune_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(24)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            combo.setMaxVisibleItems(20)

        self._form = QFormLayout(self)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._search_label = QLabel(self)
        self._region_label = QLabel(self)
        self._province_label = QLabel(self)
        self._commune_label = QLabel(self)
        self._search_label.setBuddy(self.filter_edit)
        self._region_label.setBuddy(self.region_combo)
        self._province_label.setBuddy(self.province_combo)
        self._commune_label.setBuddy(self.commune_combo)
        self._form.addRow(self._search_label, self.filter_edit)
        self._form.addRow("", self.count_label)
        self._form.addRow(self._region_label, self.region_combo)
        self._form.addRow(self._province_label, self.province_combo)
        self._form.addRow(self._commune_label, self.commune_combo)

        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.region_combo.currentIndexChanged.connect(self._on_region_chosen)
        self.province_combo.currentIndexChanged.connect(self._on_province_chosen)
        self.commune_combo.currentIndexChanged.connect(self._on_commune_index_changed)

        self.retranslate()

    # -- public -------------------------------------------------------------------
    def commune_code(self) -> str | None:
        return self._code

    def set_commune(self, code: str | None) -> bool:
        """Select a commune by code (the search is cleared); False if the code is unknown."""
        if not code:
            self._clear_selection()
            return True
        try:
            commune = self._geo.commune(code)
        except KeyError:
            return False
        self._syncing = True
        try:
            self.filter_edit.clear()
            self._fill_regions(commune.region_code)
            self._fill_provinces(commune.region_code, commune.province_code)
            self._fill_communes(self._geo.communes(commune.province_code), commune.code, with_province=False)
        finally:
            self._syncing = False
        self._update_count_label()
        self._set_code(commune.code)
        return True

    def commune_name(self, lang: str | None = None) -> str:
        """The chosen commune's name in ``lang`` (default: the interface language)."""
        if self._code is None:
            return ""
        return self._geo.name(self._geo.commune(self._code), lang or i18n.language())

    def retranslate(self) -> None:
        self._search_label.setText(tr("commune_picker.search"))
        self._region_label.setText(tr("commune_picker.region"))
        self._province_label.setText(tr("commune_picker.province"))
        self._commune_label.setText(tr("commune_picker.commune"))
        self.filter_edit.setPlaceholderText(tr("commune_picker.search_placeholder"))
        self.region_combo.setPlaceholderText(tr("commune_picker.choose_region"))
        self.province_combo.setPlaceholderText(tr("commune_picker.choose_province"))
        self.commune_combo.setPlaceholderText(tr("commune_picker.choose_commune"))
        # The lists are rebuilt in the new language, keeping what is chosen.
        code, query = self._code, self.filter_edit.text()
        region, province = self._current(self.region_combo), self._current(self.province_combo)
        self._syncing = True
        try:
            self._fill_regions(region)
            self._fill_provinces(region, province)
            if query.strip():
                self._fill_communes(self._search(query), code, with_province=True)
            elif province:
                self._fill_communes(self._geo.communes(province), code, with_province=False)
            else:
                self._fill_communes([], None, with_province=False)
        finally:
            self._syncing = False
        self._update_count_label()

    # -- filling the lists ----------------------------------------------------------
    @staticmethod
    def _current(combo: QComboBox) -> str | None:
        data = combo.currentData()
        return str(data) if data else None

    def _sorted(self, items: Iterable[Region | Province | Commune]) -> list[Region | Province | Commune]:
        lang = i18n.language()
        return sorted(items, key=lambda item: (fold(self._geo.name(item, lang)), item.code))

    def _fill_regions(self, selected: str | None) -> None:
        lang = i18n.language()
        self.region_combo.clear()
        for region in self._sorted(self._geo.regions()):
            self.region_combo.addItem(self._geo.name(region, lang), region.code)
        self.region_combo.setCurrentIndex(self.region_combo.findData(selected) if selected else -1)

    def _fill_provinces(self, region_code: str | None, selected: str | None) -> None:
        lang = i18n.language()
        self.province_combo.clear()
        if region_code:
            for province in self._sorted(self._geo.provinces(region_code)):
                self.province_combo.addItem(self._geo.name(province, lang), province.code)
        self.province_combo.setEnabled(bool(region_code))
        self.province_combo.setCurrentIndex(self.province_combo.findData(selected) if selected else -1)

    def _fill_communes(self, communes: Iterable[Commune], selected: str | None, *, with_province: bool) -> None:
        lang = i18n.language()
        self.commune_combo.clear()
        for commune in self._sorted(communes):
            label = self._geo.name(commune, lang)
            if with_province:
                province = self._geo.name(self._geo.province(commune.province_code), lang)
                label = tr("commune_picker.commune_in_province", commune=label, province=province)
            self.commune_combo.addItem(label, commune.code)
        self.commune_combo.setEnabled(self.commune_combo.count() > 0)
        self.commune_combo.setCurrentIndex(self.commune_combo.findData(selected) if selected else -1)

    def _search(self, query: str) -> list[Commune]:
        return [c for c in self._geo.communes() if matches(query, c)][:MAX_MATCHES]

    def _best_match(self, query: str, found: list[Commune]) -> str | None:
        """Keep the chosen commune if it still matches; else choose only when unambiguous."""
        if self._code in {c.code for c in found}:
            return self._code
        if len(found) == 1:
            return found[0].code
        wanted = fold(query)
        exact = [c for c in found if wanted in _folded_names(c)]
        return exact[0].code if len(exact) == 1 else None

    def _update_count_label(self) -> None:
        query = self.filter_edit.text()
        if not query.strip():
            self._form.setRowVisible(self.count_label, False)
            return
        count = self.commune_combo.count()
        if count == 0:
            text = tr("commune_picker.no_match")
        elif count >= MAX_MATCHES:
            text = tr("commune_picker.too_many", count=count)
        else:
            text = tr("commune_picker.matches", count=count)
        self.count_label.setText(text)
        self._form.setRowVisible(self.count_label, True)

    # -- reactions ------------------------------------------------------------------
    def _on_filter_changed(self, query: str) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            if query.strip():
                found = self._search(query)
                selected = self._best_match(query, found)
                self._fill_communes(found, selected, with_province=True)
            else:
                province = self._current(self.province_combo)
                communes = self._geo.communes(province) if province else []
                self._fill_communes(communes, self._code, with_province=False)
                selected = self._current(self.commune_combo)
            if selected:
                self._follow(selected)
        finally:
            self._syncing = False
        self._update_count_label()
        self._set_code(selected)

    def _on_region_chosen(self, _index: int) -> None:
        if self._syncing:
            return
        region = self._current(self.region_combo)
        self._syncing = True
        try:
            self.filter_edit.clear()
            self._fill_provinces(region, None)
            self._fill_communes([], None, with_province=False)
        finally:
            self._syncing = False
        self._update_count_label()
        self._set_code(None)

    def _on_province_chosen(self, _index: int) -> None:
        if self._syncing:
            return
        province = self._current(self.province_combo)
        self._syncing = True
        try:
            self.filter_edit.clear()
            self._fill_communes(self._geo.communes(province) if province else [], None, with_province=False)
        finally:
            self._syncing = False
        self._update_count_label()
        self._set_code(None)

    def _on_commune_index_changed(self, _index: int) -> None:
        if self._syncing:
            return
        code = self._current(self.commune_combo)
        if code:
            self._syncing = True
            try:
                self._follow(code)
            finally:
                self._syncing = False
        self._set_code(code)

    def _follow(self, code: str) -> None:
        """Region and province lists show where the chosen commune is."""
        commune = self._geo.commune(code)
        if self._current(self.region_combo) != commune.region_code:
            self.region_combo.setCurrentIndex(self.region_combo.findData(commune.region_code))
            self._fill_provinces(commune.region_code, commune.province_code)
        elif self._current(self.province_combo) != commune.province_code:
            self.province_combo.setCurrentIndex(self.province_combo.findData(commune.province_code))

    def _clear_selection(self) -> None:
        self._syncing = True
        try:
            self.filter_edit.clear()
            self.region_combo.setCurrentIndex(-1)
            self._fill_provinces(None, None)
            self._fill_communes([], None, with_province=False)
        finally:
            self._syncing = False
        self._update_count_label()
        self._set_code(None)

    def _set_code(self, code: str | None) -> None:
        if code == self._code:
            return
        self._code = code
        self.sig_commune_changed.emit(code or "")
