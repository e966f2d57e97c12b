"""The consent form the person signs: one tick box per purpose, in plain words.

Bilingual by default, as Moroccan administrative forms are: the Latin-script
language (French, or English) on the left and Arabic on the right, side by side
line by line, with one set of tick boxes, because the person may read only
Arabic.  ``bilingual=False`` prints the form in ``lang`` alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from desktop.domain.codelists import CONSENT_PURPOSES
from desktop.i18n import tr_in
from desktop.reports.bidi import keep_together
from desktop.reports.pdf_common import (
    BODY_SIZE,
    CONTENT_WIDTH,
    MUTED,
    RULE,
    SMALL_SIZE,
    CheckBox,
    DocumentInfo,
    Run,
    TextStyle,
    Writer,
    arabic_name,
    build_pdf,
    fmt_date,
    latin_name,
    space,
)
from desktop.services.case_types import PersonInput

# Each purpose of the codelist, in the order the form explains them.
PURPOSE_KEYS: dict[str, tuple[str, str]] = {
    "processing": ("pdf.consent.processing.title", "pdf.consent.processing.text"),
    "referral_sharing": ("pdf.consent.referral_sharing.title", "pdf.consent.referral_sharing.text"),
    "statistics": ("pdf.consent.statistics.title", "pdf.consent.statistics.text"),
}

# (heading key or None, text key, purpose whose tick boxes follow, or None)
Section = tuple[str | None, str, str | None]


def render_consent_form_pdf(
    person: PersonInput,
    case_number: str,
    office_name: str,
    commune: str,
    lang: str,
    out: Path,
    bilingual: bool = True,
) -> None:
    """Prints the consent form for ``person``; ``bilingual`` puts Arabic beside French (or English)."""
    form = _Form(lang, bilingual, office_name)
    w = form.main
    now = datetime.now()
    sections: list[Section] = [(None, "pdf.consent.intro", None)]
    sections.extend((*PURPOSE_KEYS[purpose], purpose) for purpose in CONSENT_PURPOSES)
    sections.append(("pdf.consent.withdraw.title", "pdf.consent.withdraw.text", None))
    sections.append(("pdf.consent.security.title", "pdf.consent.security.text", None))
    facts = [
        ("pdf.name_latin", latin_name(person)),
        ("pdf.name_arabic", arabic_name(person)),
        ("pdf.case_number", keep_together(case_number)),
        ("pdf.printed_on", fmt_date(now)),
    ]

    story: list[Flowable] = [
        w.header_block(office_name, commune, form.title(), []),
        space(2),
        form.facts(facts),
        space(3),
        *form.sections(sections),
        space(3),
        form.signatures(_one_name(person)),
        space(1.5),
        *form.lines("pdf.consent.copy", TextStyle(size=SMALL_SIZE, color=MUTED)),
    ]
    info = DocumentInfo(w.tr("pdf.consent.title"), w.lang, office_name, commune, case_number, now)
    build_pdf(out, story, w, info)


def _one_name(person: PersonInput) -> str:
    return latin_name(person) or arabic_name(person)


class _Form:
    """The languages of one form: ``main`` (page direction), and the columns when bilingual."""

    def __init__(self, lang: str, bilingual: bool, office_name: str) -> None:
        self.main = Writer(lang)
        self.bilingual = bilingual
        self.office_name = office_name
        latin = self.main.lang if self.main.lang != "ar" else "fr"
        self.left, self.right = Writer(latin), Writer("ar")
        self.columns = [self.left, self.right] if bilingual else [self.main]

    def both(self, key: str) -> str:
        """``key`` in the form's language, then (bilingual) in the other one, on one line."""
        text = tr_in(self.main.lang, key)
        if not self.bilingual:
            return text
        other = self.left if self.main.rtl else self.right
        return f"{text} / {other.tr(key)}"

    def title(self) -> str:
        if not self.bilingual:
            return self.main.tr("pdf.consent.title")
        return f"{self.left.tr('pdf.consent.title')}\n{self.right.tr('pdf.consent.title')}"

    def lines(self, key: str, style: TextStyle) -> list[Flowable]:
        """One paragraph per language, each aligned to its own start."""
        return [column.para(column.tr(key, office=self.office_name), style) for column in self.columns]

    def facts(self, facts: Sequence[tuple[str, str]]) -> Table:
        """Label, value (and Arabic label at the right edge when bilingual), one fact a row."""
        label_style = TextStyle(size=SMALL_SIZE + 0.5, color=MUTED)
        if not self.bilingual:
            return self.main.fields([(self.main.tr(key), value) for key, value in facts], columns=2)
        rows = [
            [
                self.left.para(self.left.tr(key), label_style),
                self.main.value(value),
                self.right.para(self.right.tr(key), label_style),
            ]
            for key, value in facts
        ]
        table = Table(rows, colWidths=[CONTENT_WIDTH * 0.3, CONTENT_WIDTH * 0.4, CONTENT_WIDTH * 0.3])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return table

    def _column(self, w: Writer, heading: str | None, text: str) -> list[Flowable]:
        flowables: list[Flowable] = []
        if heading:
            flowables.append(w.para(w.tr(heading), TextStyle(size=10.5, bold=True, space_after=1)))
        flowables.append(w.para(w.tr(text, office=self.office_name), TextStyle(size=BODY_SIZE)))
        return flowables

    def tick_row(self) -> Table:
        w = self.main
        cells: list[Any] = [
            CheckBox(),
            w.para([Run(self.both("pdf.consent.accept"), bold=True)]),
            CheckBox(),
            w.para([Run(self.both("pdf.consent.refuse"), bold=True)]),
        ]
        widths = [6 * mm, 50 * mm, 6 * mm, 50 * mm]
        if w.rtl:
            cells.reverse()
            widths.reverse()
        table = Table([cells], colWidths=widths, hAlign="CENTER")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return table

    def sections(self, sections: Sequence[Section]) -> list[Flowable]:
        read_aloud = TextStyle(size=SMALL_SIZE, color=MUTED)
        if not self.bilingual:
            story: list[Flowable] = []
            for heading, text, purpose in sections:
                story.append(space(2))
                story.extend(self._column(self.main, heading, text))
                if purpose:
                    story.append(space(1))
                    story.append(self.tick_row())
            story.append(space(3))
            story.extend(self.lines("pdf.consent.read_aloud", read_aloud))
            return story
        rows: list[list[Any]] = []
        commands: list[tuple[Any, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        for heading, text, purpose in sections:
            commands.append(("LINEAFTER", (0, len(rows)), (0, len(rows)), 0.4, RULE))
            rows.append([self._column(column, heading, text) for column in self.columns])
            if purpose:
                index = len(rows)
                rows.append([self.tick_row(), ""])
                commands.append(("SPAN", (0, index), (1, index)))
                commands.append(("LINEBELOW", (0, index), (1, index), 0.4, RULE))
                commands.append(("BOTTOMPADDING", (0, index), (1, index), 6))
        rows.append(self.lines("pdf.consent.read_aloud", read_aloud))
        commands.append(("TOPPADDING", (0, len(rows) - 1), (1, len(rows) - 1), 6))
        table = Table(rows, colWidths=[CONTENT_WIDTH / 2] * 2, hAlign="CENTER")
        table.setStyle(TableStyle(commands))
        return [table]

    def signatures(self, person_name: str) -> Table:
        w = self.main
        bold = TextStyle(bold=True)
        small = TextStyle(size=SMALL_SIZE, color=MUTED)
        person: list[Flowable] = [column.para(column.tr("pdf.consent.sign_person"), bold) for column in self.columns]
        person.append(w.value(person_name, small))
        person.extend(self.lines("pdf.consent.date_line", small))
        officer: list[Flowable] = [column.para(column.tr("pdf.consent.sign_officer"), bold) for column in self.columns]
        officer.extend(self.lines("pdf.consent.date_line", small))
        return w.signature_boxes([person, officer], height=(38 if self.bilingual else 30) * mm)
