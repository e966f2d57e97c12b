"""What every printed form shares: text that wraps in both directions, tables that
mirror in Arabic, labels, dates, the page footer and the atomic write.

Nothing here imports Qt.  All text goes through :class:`BidiParagraph`, which
breaks lines itself (in logical order), then hands ReportLab each line with its
words in visual order (see ``bidi.py``); ReportLab and HarfBuzz shape the words.
"""

from __future__ import annotations

import contextlib
import errno
import gettext
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from desktop.domain.errors import DiskFull
from desktop.domain.geography import commune_name as commune_name  # the forms name communes from here
from desktop.i18n import is_rtl, normalise_language, tr_in
from desktop.reports import fonts
from desktop.reports.bidi import Piece, first_strong_is_rtl, keep_together, visual_words
from desktop.services.case_types import PersonInput

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
FOOTER_HEIGHT = 12 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

BODY_SIZE = 9.5
SMALL_SIZE = 8.0
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#9aa5b1")
HEADER_FILL = colors.HexColor("#e4e7eb")
ACCENT = colors.HexColor("#1d4e89")
DASH = "—"
_SPACES = re.compile(r"[ \t\f\v\u2000-\u200a\u3000]+")  # not the no-break space: keep_together() words stay whole


# ---------------------------------------------------------------- text helpers


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph, bold or not."""

    text: str
    bold: bool = False


RichText = str | Sequence[Run]


def fmt_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy with Western digits, in every language (as Moroccan forms do)."""
    return value.strftime("%d/%m/%Y") if value else ""


def fmt_datetime(value: datetime) -> str:
    return value.strftime("%d/%m/%Y %H:%M")


def label(codelist: str, code: str, lang: str) -> str:
    """The label of a codelist entry (``category.mre``…), or the raw code when none is defined."""
    if not code:
        return ""
    key = f"{codelist}.{code}"
    text = tr_in(lang, key)
    return code if text == key else text


def labels(codelist: str, codes: Iterable[str], lang: str) -> str:
    return list_join([label(codelist, code, lang) for code in codes], lang)


def list_join(items: Iterable[str], lang: str) -> str:
    return ("، " if lang == "ar" else ", ").join(item for item in items if item)


def yes_no(value: bool, lang: str) -> str:
    return tr_in(lang, "pdf.yes") if value else tr_in(lang, "pdf.no")


@cache
def _country_translation(lang: str) -> gettext.NullTranslations:
    import pycountry

    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_name(code: str, lang: str) -> str:
    """Country name in the language (pycountry and its gettext catalogues), else the code."""
    if not code:
        return ""
    import pycountry

    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    name = str(country.name)
    if lang == "en":
        return str(getattr(country, "common_name", name))
    return _country_translation(lang).gettext(name)


def age_years(person: PersonInput, on: date) -> int | None:
    born = person.birth_date
    if born is None:
        return person.estimated_age
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_text(person: PersonInput, on: date, lang: str) -> str:
    years = age_years(person, on)
    if years is None:
        return ""
    key = "pdf.age_years_few" if lang == "ar" and 3 <= years <= 10 else "pdf.age_years"
    text = tr_in(lang, key, years=years)
    if person.birth_date is None:
        text = tr_in(lang, "pdf.age_estimated", age=text)
    return text


def latin_name(person: PersonInput) -> str:
    return " ".join(part for part in (person.family_name, person.given_name) if part)


def arabic_name(person: PersonInput) -> str:
    return " ".join(part for part in (person.given_name_ar, person.family_name_ar) if part)


# ---------------------------------------------------------------- paragraphs


@dataclass
class TextStyle:
    size: float = BODY_SIZE
    bold: bool = False
    color: colors.Color = INK
    align: str = "start"  # start | end | center (start is the right edge in Arabic)
    leading: float | None = None
    space_before: float = 0.0
    space_after: float = 0.0

    def line_height(self) -> float:
        return self.leading if self.leading is not None else round(self.size * 1.55, 1)


class BidiParagraph(Flowable):
    """A paragraph that wraps in logical order and draws each line in visual order.

    ``rtl`` is the document's direction: it decides which edge "start" aligns to.
    The base direction of each line is the document's, or, with ``auto``, that of
    the first letter of its hard line (rule P2), so that a note typed in Arabic
    reads right to left in a French file and the other way round.
    """

    def __init__(self, text: RichText, rtl: bool, style: TextStyle | None = None, auto: bool = False) -> None:
        super().__init__()
        self.style = style or TextStyle()
        self.rtl = rtl
        runs = [Run(text, self.style.bold)] if isinstance(text, str) else list(text)
        self._hard_lines = _hard_lines(runs)
        self.auto = auto
        self._markup: list[str] | None = None
        self._markup_width = -1.0
        self.spaceBefore = self.style.space_before
        self.spaceAfter = self.style.space_after

    def __repr__(self) -> str:
        return f"BidiParagraph({self.text()!r})"

    def text(self) -> str:
        return "\n".join(" ".join(word.text for word in line) for line in self._hard_lines)

    def _alignment(self) -> Literal[0, 1, 2]:  # reportlab.lib.enums TA_LEFT, TA_CENTER, TA_RIGHT
        align = self.style.align
        if align == "center":
            return 1
        right = (align == "start") == self.rtl
        return 2 if right else 0

    def _lines(self, width: float) -> list[str]:
        """The paragraph's lines at ``width``, each as ReportLab markup with its words in visual order."""
        if self._markup is not None and abs(width - self._markup_width) < 0.01:
            return self._markup
        size = self.style.size
        markup = []
        for words in self._hard_lines:
            found = first_strong_is_rtl(" ".join(word.text for word in words)) if self.auto else None
            base_rtl = self.rtl if found is None else found
            for line in _break(words, width - 1.0, size):
                drawn = visual_words(line, base_rtl)
                for word in drawn:
                    fonts.word_width(word.text, size, word.bold)  # learns the glyphs for the ToUnicode map
                markup.append(" ".join(_word_markup(word) for word in drawn))
        self._markup, self._markup_width = markup or ["&nbsp;"], width
        return self._markup

    def _block(self, lines: list[str]) -> _LineBlock:
        return _LineBlock(lines, self.style, self._alignment())

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        self.width, self.height = aW, len(self._lines(aW)) * self.style.line_height()
        return self.width, self.height

    def split(self, aW: float, aH: float) -> list[Flowable]:
        lines = self._lines(aW)
        fit = int((aH + 0.001) // self.style.line_height())
        if fit <= 0:
            return []
        if fit >= len(lines):
            return [self]
        first, rest = self._block(lines[:fit]), self._block(lines[fit:])
        first.spaceBefore, rest.spaceAfter = self.spaceBefore, self.spaceAfter
        return [first, rest]

    def draw(self) -> None:
        block = self._block(self._lines(self.width))
        block.wrap(self.width, self.height)
        block.drawOn(self.canv, 0, 0)

    def minWidth(self) -> float:
        size = self.style.size
        widths = [fonts.word_width(word.text, size, word.bold) for line in self._hard_lines for word in line]
        return max(widths, default=0.0)


class _LineBlock(Flowable):
    """Lines already broken and ordered: one ReportLab paragraph with a ``<br/>`` between lines."""

    def __init__(self, lines: list[str], style: TextStyle, alignment: Literal[0, 1, 2]) -> None:
        super().__init__()
        self.lines = lines
        self.style = style
        self.alignment = alignment
        self._paragraph = Paragraph(
            "<br/>".join(lines),
            ParagraphStyle(
                "bidi",
                fontName=fonts.REGULAR,
                fontSize=style.size,
                leading=style.line_height(),
                alignment=alignment,
                textColor=style.color,
                shaping=1,
                splitLongWords=0,
            ),
        )

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        self.width, self.height = aW, len(self.lines) * self.style.line_height()
        return self.width, self.height

    def split(self, aW: float, aH: float) -> list[Flowable]:
        fit = int((aH + 0.001) // self.style.line_height())
        if fit <= 0:
            return []
        if fit >= len(self.lines):
            return [self]
        return [
            _LineBlock(self.lines[:fit], self.style, self.alignment),
            _LineBlock(self.lines[fit:], self.style, self.alignment),
        ]

    def draw(self) -> None:
        self._paragraph.wrap(self.width, self.height + 1000)
        self._paragraph.drawOn(self.canv, 0, 0)


def _hard_lines(runs: Sequence[Run]) -> list[list[Piece]]:
    lines: list[list[Piece]] = [[]]
    for run in runs:
        pieces = run.text.replace("\r\n", "\n").split("\n")
        for number, piece in enumerate(pieces):
            if number:
                lines.append([])
            lines[-1].extend(Piece(word, run.bold) for word in _SPACES.split(piece) if word)
    return [line for line in lines if line] or [[]]


def _break(words: list[Piece], width: float, size: float) -> list[list[Piece]]:
    lines: list[list[Piece]] = []
    current: list[Piece] = []
    used = 0.0
    for word in words:
        advance = fonts.word_width(word.text, size, word.bold)
        gap = fonts.space_width(size) if current else 0.0
        if current and used + gap + advance > width:
            lines.append(current)
            current, used, gap = [], 0.0, 0.0
        current.append(word)
        used += gap + advance
    if current:
        lines.append(current)
    return lines


def _word_markup(word: Piece) -> str:
    text = escape(word.text)
    return f"<b>{text}</b>" if word.bold else text


# ---------------------------------------------------------------- page furniture


class Writer:
    """Builds flowables for one language (direction, styles, tables)."""

    def __init__(self, lang: str) -> None:
        fonts.register_fonts()
        self.lang = normalise_language(lang)
        self.rtl = is_rtl(self.lang)

    def tr(self, key: str, **params: Any) -> str:
        return tr_in(self.lang, key, **params)

    def para(self, text: RichText, style: TextStyle | None = None) -> BidiParagraph:
        return BidiParagraph(text, self.rtl, style)

    def body(self, text: RichText, **style: Any) -> BidiParagraph:
        return self.para(text, TextStyle(**style))

    def small(self, text: RichText, **style: Any) -> BidiParagraph:
        return self.para(text, TextStyle(size=SMALL_SIZE, color=MUTED, **style))

    def title(self, text: str) -> BidiParagraph:
        return self.para(text, TextStyle(size=16, bold=True, color=ACCENT, space_after=2))

    def heading(self, text: str) -> Flowable:
        heading = self.para(text, TextStyle(size=12, bold=True, color=ACCENT, space_before=9, space_after=3))
        heading.keepWithNext = 1
        return heading

    def subheading(self, text: str) -> Flowable:
        heading = self.para(text, TextStyle(size=10.5, bold=True, space_before=6, space_after=2))
        heading.keepWithNext = 1
        return heading

    def minor_heading(self, text: str) -> Flowable:
        heading = self.para(text, TextStyle(size=BODY_SIZE, bold=True, color=MUTED, space_before=4, space_after=1))
        heading.keepWithNext = 1
        return heading

    def value(self, text: RichText, style: TextStyle | None = None) -> BidiParagraph:
        """Data (names, notes typed by an officer): its own direction, aligned like the document."""
        return BidiParagraph(text, self.rtl, style, auto=True)

    def cell(self, value: Flowable | RichText, bold: bool = False, size: float = BODY_SIZE) -> Flowable:
        if isinstance(value, Flowable):
            return value
        if isinstance(value, str) and not value.strip():
            value = DASH
        return self.value(value, TextStyle(size=size, bold=bold))

    def table(
        self,
        header: Sequence[str] | None,
        rows: Sequence[Sequence[Flowable | RichText]],
        widths: Sequence[float],
        *,
        size: float = BODY_SIZE,
        zebra: bool = True,
    ) -> Table:
        """A ruled table; in Arabic the first column is the rightmost one."""
        scale = CONTENT_WIDTH / sum(widths)
        col_widths = [width * scale for width in widths]
        data: list[list[Flowable]] = []
        if header:
            data.append([self.cell(text, bold=True, size=size) for text in header])
        for row in rows:
            data.append([self.cell(value, size=size) for value in row])
        if not data:
            data.append([self.cell(DASH, size=size) for _ in widths])
        if self.rtl:
            data = [list(reversed(row)) for row in data]
            col_widths.reverse()
        commands: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
        if header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
        if zebra:
            first = 1 if header else 0
            for index in range(first + 1, len(data), 2):
                commands.append(("BACKGROUND", (0, index), (-1, index), colors.HexColor("#f5f7fa")))
        table = Table(data, colWidths=col_widths, repeatRows=1 if header else 0, hAlign="CENTER")
        table.setStyle(TableStyle(commands))
        return table

    def fields(self, pairs: Sequence[tuple[str, RichText]], columns: int = 2) -> Table:
        """Label / value pairs, ``columns`` pairs a row, labels muted."""
        cells: list[list[Flowable]] = []
        row: list[Flowable] = []
        for name, value in pairs:
            row.append(self.para(name, TextStyle(size=SMALL_SIZE + 0.5, color=MUTED)))
            row.append(self.cell(value))
            if len(row) == 2 * columns:
                cells.append(row)
                row = []
        if row:
            row.extend(self.para("", TextStyle()) for _ in range(2 * columns - len(row)))
            cells.append(row)
        pair_width = CONTENT_WIDTH / columns
        widths = [pair_width * 0.36, pair_width * 0.64] * columns
        if self.rtl:
            cells = [list(reversed(line)) for line in cells]
            widths.reverse()
        table = Table(cells or [[self.cell(DASH)]], colWidths=widths if cells else [CONTENT_WIDTH], hAlign="CENTER")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d9dee4")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return table

    def header_block(self, office_name: str, commune: str, title: str, facts: Sequence[tuple[str, str]]) -> Table:
        """Office and commune on the start side, the document's title and facts on the end side."""
        office = [
            self.para(office_name, TextStyle(size=12, bold=True)),
            self.para(commune, TextStyle(color=MUTED)),
        ]
        end_style = TextStyle(align="end", size=BODY_SIZE)
        right: list[Flowable] = [self.para(title, TextStyle(size=15, bold=True, color=ACCENT, align="end"))]
        right.extend(self.para([Run(name + " ", True), Run(keep_together(value))], end_style) for name, value in facts)
        cells: list[list[Any]] = [[office, right]]
        widths = [CONTENT_WIDTH * 0.45, CONTENT_WIDTH * 0.55]
        if self.rtl:
            cells = [[right, office]]
            widths.reverse()
        table = Table(cells, colWidths=widths)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return table

    def signature_boxes(self, boxes: Sequence[Sequence[Flowable]], height: float = 26 * mm) -> Table:
        """Framed boxes side by side (the first one on the start side), each with captions and room to sign."""
        cells: list[list[Flowable]] = [list(captions) for captions in boxes]
        if self.rtl:
            cells.reverse()
        width = CONTENT_WIDTH / max(len(cells), 1)
        table = Table([cells], colWidths=[width] * len(cells), rowHeights=[height])
        table.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.6, INK),
                    ("INNERGRID", (0, 0), (-1, -1), 0.6, INK),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 5),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        return table


class CheckBox(Flowable):
    """An empty square to tick by hand."""

    def __init__(self, size: float = 3.6 * mm) -> None:
        super().__init__()
        self.size = size
        self.width = self.height = size

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        return self.size, self.size + 2

    def draw(self) -> None:
        self.canv.setStrokeColor(INK)
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 1, self.size, self.size, stroke=1, fill=0)


def space(height_mm: float) -> Spacer:
    return Spacer(1, height_mm * mm)


# ---------------------------------------------------------------- document


@dataclass
class DocumentInfo:
    """What the footer of every page says, and the PDF's metadata."""

    title: str
    lang: str
    office_name: str
    commune: str
    case_number: str = ""
    generated_at: datetime = field(default_factory=datetime.now)


def _numbered_canvas(writer: Writer, info: DocumentInfo) -> type[Canvas]:
    class NumberedCanvas(Canvas):
        """Keeps each page until the end, then stamps "page X / Y" on all of them."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            cast(Any, self)._startPage()  # what Canvas.showPage does after drawing: a fresh page

        def save(self) -> None:
            total = len(self._pages)
            for page in self._pages:
                self.__dict__.update(page)
                _draw_footer(self, writer, info, self.getPageNumber(), total)
                super().showPage()
            super().save()

    return NumberedCanvas


def _draw_footer(canvas: Canvas, writer: Writer, info: DocumentInfo, page: int, total: int) -> None:
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    top = MARGIN - 2 * mm
    canvas.line(MARGIN, top, PAGE_WIDTH - MARGIN, top)
    style = TextStyle(size=7.5, color=MUTED, leading=10)
    start_parts = [info.office_name, info.commune, info.title]
    if info.case_number:
        start_parts.append(writer.tr("pdf.case_number_short", number=keep_together(info.case_number)))
    start_text = " · ".join(part for part in start_parts if part)
    end_text = writer.tr("pdf.footer_page", generated=fmt_datetime(info.generated_at), page=page, total=total)
    half = CONTENT_WIDTH * 0.62
    start = writer.para(start_text, style)
    end = writer.para(end_text, TextStyle(size=7.5, color=MUTED, leading=10, align="end"))
    _, start_height = start.wrapOn(canvas, half, FOOTER_HEIGHT)
    _, end_height = end.wrapOn(canvas, CONTENT_WIDTH - half, FOOTER_HEIGHT)
    start_x, end_x = (PAGE_WIDTH - MARGIN - half, MARGIN) if writer.rtl else (MARGIN, MARGIN + half)
    start.drawOn(canvas, start_x, top - 1.5 * mm - start_height)
    end.drawOn(canvas, end_x, top - 1.5 * mm - end_height)
    canvas.restoreState()


def write_atomically(out: Path, produce: Callable[[str], None]) -> None:
    """Writes ``out`` through a temporary file beside it: a reader sees the old file or the whole new one."""
    out = Path(out)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(handle)
    try:
        produce(temporary)
        with open(temporary, "rb+") as written:
            head = written.read(5)
            if head != b"%PDF-":
                raise OSError(f"not a PDF: {temporary}")
            os.fsync(written.fileno())
        os.replace(temporary, out)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise DiskFull() from exc  # told in the user's language, like every other file we write
        raise


def build_pdf(out: Path, story: list[Flowable], writer: Writer, info: DocumentInfo) -> None:
    """Lays ``story`` out on A4 pages with the footer, and writes ``out`` atomically."""

    def produce(path: str) -> None:
        doc = BaseDocTemplate(
            path,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + FOOTER_HEIGHT,
            title=info.title,
            author=info.office_name,
            subject=info.case_number,
            creator="BAOM",
            lang={"fr": "fr-MA", "ar": "ar-MA", "en": "en"}.get(writer.lang, writer.lang),
        )
        frame = Frame(
            MARGIN,
            MARGIN + FOOTER_HEIGHT,
            CONTENT_WIDTH,
            PAGE_HEIGHT - 2 * MARGIN - FOOTER_HEIGHT,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        doc.build(story, canvasmaker=_numbered_canvas(writer, info))

    write_atomically(out, produce)


def pdf_bytes(story: list[Flowable], writer: Writer, info: DocumentInfo, out: Path | None = None) -> bytes:
    """The laid-out PDF as bytes (built in a private temporary folder); given ``out``, also written there atomically."""
    with tempfile.TemporaryDirectory(prefix="baom-pdf-") as folder:
        path = Path(folder) / "report.pdf"
        build_pdf(path, story, writer, info)
        data = path.read_bytes()
    if out is not None:

        def produce(temporary: str) -> None:
            Path(temporary).write_bytes(data)

        write_atomically(Path(out), produce)
    return data
