"""Why an extract is refused: the problems its checks find and how each is told.

Shared by the reader (:mod:`desktop.services.extract_reader`) and its checks of the CSV files
(:mod:`desktop.services.extract_csv_checks`) and of their content
(:mod:`desktop.services.extract_consistency`). No database, no files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Container, Iterator, Mapping, Sequence
from dataclasses import dataclass

from desktop.domain.extract_format import SCHEMA_RELEASE
from desktop.i18n import tr

MAX_PROBLEMS = 100  # checks 8–10 stop collecting there
SHOWN_CHARS = 40  # a cell shown in a message is cut there

# extract.text.* are fragments put in a message's parameters and translated with it.
_TEXT = "extract.text."


def fragment(name: str) -> str:
    """A fragment of message (extract.text.<name>), translated when the message is."""
    return _TEXT + name


def shown(value: object) -> str:
    """A value as shown in a message: control characters visible, at most SHOWN_CHARS characters."""
    text = str(value)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def unknown_code(value: str, release: str) -> dict[str, str]:
    """The parameters of schema.unknown_code: a code of a later minor release than this reader's."""
    return {"found": shown(value), "release": shown(release), "known": SCHEMA_RELEASE}


@dataclass(frozen=True)
class Problem:
    """One reason to refuse an extract: a stable code of §11 and where it was found."""

    code: str
    file: str = ""
    line: int = 0  # 1 = the header line; 0 when not about a line
    field: str = ""  # CSV column or manifest field
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def message(self) -> str:
        """The sentence for the secretariat, in the current language."""
        params = {name: tr(value) if value.startswith(_TEXT) else value for name, value in self.params.items()}
        line = str(self.line)
        if self.file and self.line and self.field:
            where = tr("extract.where.cell", file=self.file, line=line, field=self.field)
        elif self.file and self.line:
            where = tr("extract.where.line", file=self.file, line=line)
        elif self.file and self.field and self.file.endswith(".csv"):
            where = tr("extract.where.column", file=self.file, field=self.field)
        elif self.file and self.field:
            where = tr("extract.where.field", file=self.file, field=self.field)
        else:
            where = self.file
        return tr(f"extract.reason.{self.code}", where=where, file=self.file, line=line, field=self.field, **params)


class Stop(Exception):
    """Raised inside the checks; read_extract turns it into ExtractRejected."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("stop")
        self.problems = tuple(problems)


def stop(code: str, file: str = "", line: int = 0, field: str = "", **params: str) -> Stop:
    """The one problem of checks 1–7 (and of a declared k too small), to raise."""
    return Stop([Problem(code, file, line, field, params)])


class Problems:
    """Problems of checks 8–10, up to MAX_PROBLEMS."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    @property
    def full(self) -> bool:
        return len(self.found) >= MAX_PROBLEMS

    def add(self, code: str, file: str = "", line: int = 0, field: str = "", **params: str) -> None:
        if not self.full:
            self.found.append(Problem(code, file, line, field, params))

    def lines_of(self, column: Sequence[str], values: Container[str]) -> Iterator[tuple[int, str]]:
        """Line and value of each cell holding one of ``values``, while there is room for problems."""
        for line, value in enumerate(column, start=2):
            if value in values:
                if self.full:
                    return
                yield line, value

    def raise_any(self) -> None:
        if self.found:
            raise Stop(self.found)
