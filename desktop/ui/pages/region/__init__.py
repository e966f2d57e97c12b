"""The regional secretariat's sections: communes and keys, extracts, completeness, indicators, barometer.

Shown instead of the office's sections when the database unlocked is a regional one
(``office_info(...).kind == "region"``, see :class:`desktop.ui.main_window.MainWindow`).
The figures on these screens are exact: they are the secretariat's internal view, like
an office's own dashboard; only the published regional report suppresses small cells.
"""
