"""The contract of a section of the main window."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desktop.ui.context import AppContext


class Page(QWidget):
    """A section: translated on language change, loaded on unlock, cleared on lock.

    Subclasses set ``title_key`` (an i18n key for the navigation bar) and
    implement ``retranslate``, ``reload`` and ``clear``.
    """

    title_key = ""
    icon_name = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        ctx.languages.sig_language_changed.connect(self.retranslate)
        ctx.sig_locked.connect(self.clear)
        ctx.sig_unlocked.connect(self._unlocked)

    def disconnect_signals(self) -> None:
        """Stop listening to the application (the section is being taken out for good)."""
        self.ctx.languages.sig_language_changed.disconnect(self.retranslate)
        self.ctx.sig_locked.disconnect(self.clear)
        self.ctx.sig_unlocked.disconnect(self._unlocked)

    def _unlocked(self) -> None:
        if self.is_allowed():
            self.reload()

    def is_allowed(self) -> bool:
        """Whether the current user's role may see this section."""
        return True

    def retranslate(self) -> None:
        raise NotImplementedError

    def reload(self) -> None:
        """Fetch data through ``ctx.call``; called on unlock and when shown."""

    def clear(self) -> None:
        """Forget every personal datum shown (the office locked)."""
