"""The fiche de référence (referral slip) and its contre-référence tear-off, on one A4 page.

The person carries the slip to the provider.  The top part says who sends
whom where, for which need, how urgently, and whom to call back; it shows only
the personal data the referral shares (:class:`ReferralSlip` holds nothing
else, and :func:`shared_only` makes sure) and says which items were shared
with the person's consent.  Below a cut
line, the tear-off repeats the reference code and leaves blanks for the
provider to fill by hand (date the person came, outcome, date of service,
remarks, signature and stamp) before sending it back to the BAOM, where the
officer keys it in as the counter-referral.

The reference code is printed large, as given (two groups of four characters
from an alphabet without I, L, O or U: nothing to mistake for 1, 0 or V), and as QR codes (one at the
top, a small one on the tear-off) that hold exactly that code and nothing
else, so that any phone scanner shows the code ready to type.

Printed in the interface language: French, English, or Arabic (shaped, the
whole page right to left, the QR codes on the left).  Nothing here touches the
database or Qt.  :func:`render_referral_slip_pdf` returns the PDF's bytes and,
given a path, also writes them there atomically as the other reports do.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    KeepInFrame,
    PageTemplate,
    Table,
    TableStyle,
)

from desktop.domain.codelists import REFERRAL_OUTCOMES
from desktop.reports import fonts
from desktop.reports.bidi import keep_together
from desktop.reports.pdf_common import (
    ACCENT,
    CONTENT_WIDTH,
    INK,
    MARGIN,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    SMALL_SIZE,
    CheckBox,
    RichText,
    Run,
    TextStyle,
    Writer,
    commune_name,
    country_name,
    fmt_date,
    label,
    labels,
    list_join,
    space,
    write_atomically,
)
from desktop.services.referral_types import ReferralSlip

TOP_MARGIN = 10 * mm
BOTTOM_MARGIN = 10 * mm
TEAR_OFF_HEIGHT = 104 * mm  # the contre-référence, below the cut line
CUT_GAP = 4 * mm  # between the cut line and the text on either side
CUT_Y = BOTTOM_MARGIN + TEAR_OFF_HEIGHT + CUT_GAP
MAIN_BOTTOM = CUT_Y + CUT_GAP
MAIN_HEIGHT = PAGE_HEIGHT - TOP_MARGIN - MAIN_BOTTOM

QR_SIZE = 27 * mm
SMALL_QR_SIZE = 20 * mm
CODE_SIZE = 22.0
_NO_PADDING: list[tuple[Any, ...]] = [
    (f"{side}PADDING", (0, 0), (-1, -1), 0) for side in ("LEFT", "RIGHT", "TOP", "BOTTOM")
]
BLANK_DATE = "............ / ............ / ......................"  # day / month / year


def render_referral_slip_pdf(slip: ReferralSlip, lang: str, out: Path | None = None) -> bytes:
    """The fiche de référence of ``slip`` with its contre-référence tear-off: one A4 page, as PDF bytes.

    Given ``out``, also writes them there atomically (like the other reports); the
    previous file, if any, stays whole until the new one replaces it.
    """
    w = Writer(lang)
    slip = shared_only(slip)
    commune = commune_name(slip.office_commune, w.lang)
    main: list[Flowable] = [
        _header(w, slip, commune),
        space(2.5),
        w.fields(_dates(w, slip)),
        *_need(w, slip),
        *_provider(w, slip),
        *_person(w, slip),
    ]
    tear_off = _tear_off(w, slip)
    story: list[Flowable] = [_fit(main, MAIN_HEIGHT), FrameBreak(), _fit(tear_off, TEAR_OFF_HEIGHT)]
    title = f"{w.tr('pdf.referral.title')} {slip.code}"

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        author=slip.office_name,
        subject=slip.code,
        creator="BAOM",
        lang={"fr": "fr-MA", "ar": "ar-MA", "en": "en"}.get(w.lang, w.lang),
    )
    frames = [_frame("main", MAIN_BOTTOM, MAIN_HEIGHT), _frame("tear_off", BOTTOM_MARGIN, TEAR_OFF_HEIGHT)]

    def cut_line(canvas: Canvas, _doc: Any) -> None:
        _draw_cut_line(canvas, w)

    doc.addPageTemplates([PageTemplate(id="slip", frames=frames, onPage=cut_line)])
    doc.build(story)
    data = buffer.getvalue()
    if out is not None:

        def produce(path: str) -> None:
            Path(path).write_bytes(data)

        write_atomically(Path(out), produce)
    return data


def _fit(flowables: list[Flowable], height: float) -> KeepInFrame:
    """The flowables on the page width, scaled down as a whole if they are taller than ``height``.

    Only an unusually long text (a 2,000-character reason, a long address) needs it.  They
    go in one fixed-width column first: the tables already have fixed widths, and the
    paragraphs between them would otherwise spread over the room that scaling frees.
    """
    column = Table([[flowables]], colWidths=[CONTENT_WIDTH], hAlign="CENTER")
    column.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_NO_PADDING]))
    return KeepInFrame(CONTENT_WIDTH, height, [column], mode="shrink", hAlign="CENTER", vAlign="TOP")


def _frame(name: str, bottom: float, height: float) -> Frame:
    return Frame(
        MARGIN, bottom, CONTENT_WIDTH, height, id=name, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0
    )


# ---------------------------------------------------------------- pieces


def shared_only(slip: ReferralSlip) -> ReferralSlip:
    """``slip`` without any personal item its ``shared`` list leaves out.

    ``referrals.slip`` fills only those already; a slip built elsewhere cannot print more.
    """
    shared = set(slip.shared)
    cleared: dict[str, Any] = {}
    if "identity" not in shared:
        cleared.update(
            family_name="",
            given_name="",
            family_name_ar="",
            given_name_ar="",
            sex="",
            nationality="",
            birth_date=None,
            birth_year=None,
        )
    if "phone" not in shared:
        cleared["phone"] = ""
    if "documents" not in shared:
        cleared["documents"] = []
    if "need_summary" not in shared:
        cleared["reason"] = ""
    if "vulnerability" not in shared:
        cleared["vulnerability_level"] = ""
    return replace(slip, **cleared)


def qr_code(value: str, size: float) -> Drawing:
    """A QR code of exactly ``value`` (with its quiet zone), ``size`` points square."""
    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def provider_name(slip: ReferralSlip, lang: str) -> str:
    """The provider's name in the language, else in the other script."""
    if lang == "ar":
        return slip.provider_name_ar or slip.provider_name
    return slip.provider_name or slip.provider_name_ar


def _heading(w: Writer, text: str) -> Flowable:
    heading = w.para(text, TextStyle(size=10.5, bold=True, color=ACCENT, space_before=5, space_after=1.5))
    heading.keepWithNext = 1
    return heading


def _row(w: Writer, cells: Sequence[Any], widths: Sequence[float], commands: Sequence[tuple[Any, ...]] = ()) -> Table:
    """One table row, the first cell on the start side (the right in Arabic)."""
    cells, widths = list(cells), list(widths)
    if w.rtl:
        cells.reverse()
        widths.reverse()
    table = Table([cells], colWidths=widths, hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                *_NO_PADDING,
                *commands,
            ]
        )
    )
    return table


def _code_block(w: Writer, code: str, size: float, hint: bool) -> list[Flowable]:
    block: list[Flowable] = [
        w.para(w.tr("pdf.referral.code"), TextStyle(size=SMALL_SIZE + 0.5, color=MUTED, align="end")),
        w.para([Run(code, bold=True)], TextStyle(size=size, color=INK, align="end", leading=round(size * 1.3, 1))),
    ]
    if hint:
        block.append(w.para(w.tr("pdf.referral.code_hint"), TextStyle(size=SMALL_SIZE - 0.5, color=MUTED, align="end")))
    return block


def _header(w: Writer, slip: ReferralSlip, commune: str) -> Table:
    """Office, commune and whom to call on the start side; the title, the code and its QR code on the end side."""
    office: list[Flowable] = [
        w.para(slip.office_name, TextStyle(size=12, bold=True)),
        w.para(commune, TextStyle(color=MUTED, space_after=2.5)),
        *_contact(w, slip),
    ]
    title = [
        w.para(w.tr("pdf.referral.title"), TextStyle(size=16, bold=True, color=ACCENT, align="end", space_after=3)),
        *_code_block(w, slip.code, CODE_SIZE, hint=True),
    ]
    gap = 4 * mm
    widths = [CONTENT_WIDTH * 0.36, CONTENT_WIDTH * 0.64 - QR_SIZE - gap, gap, QR_SIZE]
    return _row(
        w,
        [office, title, "", qr_code(slip.code, QR_SIZE)],
        widths,
        [("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)],
    )


def _wide_field(w: Writer, name: str, value: RichText) -> Table:
    """A label and a long value on the whole width, the value lined up with those of ``Writer.fields``."""
    cells: list[Flowable] = [w.para(name, TextStyle(size=SMALL_SIZE + 0.5, color=MUTED)), w.cell(value)]
    widths = [CONTENT_WIDTH * 0.18, CONTENT_WIDTH * 0.82]
    if w.rtl:
        cells.reverse()
        widths.reverse()
    table = Table([cells], colWidths=widths, hAlign="CENTER")
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


def _dates(w: Writer, slip: ReferralSlip) -> list[tuple[str, RichText]]:
    pairs: list[tuple[str, RichText]] = [(w.tr("pdf.referral.created_on"), fmt_date(slip.created_on))]
    if slip.sent_on:
        pairs.append((w.tr("pdf.referral.sent_on"), fmt_date(slip.sent_on)))
    if slip.due_on:
        pairs.append((w.tr("pdf.referral.due_on"), [Run(fmt_date(slip.due_on), bold=True)]))
    pairs.append((w.tr("pdf.referral.urgency"), [Run(label("urgency", slip.urgency, w.lang), bold=True)]))
    return pairs


def _need(w: Writer, slip: ReferralSlip) -> list[Flowable]:
    pairs: list[tuple[str, RichText]] = [
        (w.tr("pdf.referral.need"), [Run(label("service_domain", slip.domain, w.lang), bold=True)])
    ]
    if slip.service_name:
        pairs.append((w.tr("pdf.referral.service"), slip.service_name))
    story: list[Flowable] = [_heading(w, w.tr("pdf.referral.need_heading")), w.fields(pairs)]
    if slip.reason:
        story.append(_wide_field(w, w.tr("pdf.referral.reason"), slip.reason))
    return story


def _provider(w: Writer, slip: ReferralSlip) -> list[Flowable]:
    pairs: list[tuple[str, RichText]] = [(w.tr("pdf.referral.provider"), [Run(provider_name(slip, w.lang), bold=True)])]
    for key, value in (
        ("pdf.referral.focal_point", slip.provider_focal_point),
        ("pdf.phone", keep_together(slip.provider_phone)),
        ("pdf.address", slip.provider_address),
    ):
        if value:
            pairs.append((w.tr(key), value))
    return [_heading(w, w.tr("pdf.referral.provider_heading")), w.fields(pairs)]


def _person(w: Writer, slip: ReferralSlip) -> list[Flowable]:
    """The person as far as the referral shares: a field left empty is not printed."""
    pairs: list[tuple[str, RichText]] = []
    latin = " ".join(part for part in (slip.family_name, slip.given_name) if part)
    arabic = " ".join(part for part in (slip.given_name_ar, slip.family_name_ar) if part)
    if latin:
        pairs.append((w.tr("pdf.name_latin"), [Run(latin, bold=True)]))
    if arabic:
        pairs.append((w.tr("pdf.name_arabic"), [Run(arabic, bold=True)]))
    if slip.sex:
        pairs.append((w.tr("pdf.sex"), label("sex", slip.sex, w.lang)))
    if slip.birth_date:
        pairs.append((w.tr("pdf.birth_date"), fmt_date(slip.birth_date)))
    elif slip.birth_year:
        pairs.append((w.tr("pdf.col.birth_year"), str(slip.birth_year)))
    if slip.nationality:
        pairs.append((w.tr("pdf.nationality"), country_name(slip.nationality, w.lang)))
    if slip.phone:
        pairs.append((w.tr("pdf.phone"), keep_together(slip.phone)))
    if slip.vulnerability_level:
        pairs.append((w.tr("pdf.vulnerability_level"), label("level", slip.vulnerability_level, w.lang)))
    story: list[Flowable] = [_heading(w, w.tr("pdf.referral.person_heading"))]
    if pairs:
        story.append(w.fields(pairs))
    if slip.documents:
        documents = "\n".join(
            w.tr("pdf.referral.document", type=label("document_type", kind, w.lang), number=keep_together(number))
            for kind, number in slip.documents
        )
        story.append(_wide_field(w, w.tr("pdf.documents"), documents))
    shared = labels("shared_item", slip.shared, w.lang)
    text = w.tr("pdf.referral.shared", items=shared) if shared else w.tr("pdf.referral.nothing_shared")
    story.append(w.para(text, TextStyle(size=SMALL_SIZE + 0.5, color=MUTED, space_before=2)))
    return story


def _labelled(w: Writer, key: str, value: str) -> list[Run]:
    """The label, a colon as the language writes it ("Label :" in French), and the value in bold."""
    return [Run(w.tr("pdf.referral.colon", label=w.tr(key)) + " "), Run(value, bold=True)]


def _contact(w: Writer, slip: ReferralSlip) -> list[Flowable]:
    """The officer who made the referral and how to reach the office."""
    style = TextStyle(size=SMALL_SIZE + 0.5)
    lines = [
        (key, value)
        for key, value in (
            ("pdf.officer", slip.officer),
            ("pdf.phone", keep_together(slip.office_phone)),
            ("pdf.referral.email", slip.office_email),
        )
        if value
    ]
    story: list[Flowable] = [w.para(w.tr("pdf.referral.contact_heading"), TextStyle(size=SMALL_SIZE, color=MUTED))]
    story.extend(w.para(_labelled(w, key, value), style) for key, value in lines)
    return story


# ---------------------------------------------------------------- the tear-off


def _tear_off(w: Writer, slip: ReferralSlip) -> list[Flowable]:
    return [
        _tear_off_header(w, slip),
        space(2),
        _blank_dates(w),
        space(1.5),
        w.para([Run(w.tr("pdf.referral.counter.outcome"), bold=True)], TextStyle(space_after=1)),
        _outcomes(w),
        space(1.5),
        w.para([Run(w.tr("pdf.referral.counter.observations"), bold=True)]),
        _Lines(3, 6 * mm),
        space(2.5),
        w.signature_boxes(
            [
                [w.para([Run(w.tr("pdf.referral.counter.signature"), bold=True)])],
                [w.para([Run(w.tr("pdf.referral.counter.stamp"), bold=True)])],
            ],
            height=17 * mm,
        ),
        space(1.5),
        w.para([Run(w.tr("pdf.referral.counter.return_to", contact=_office_contact(w, slip)), bold=True)]),
    ]


def _tear_off_header(w: Writer, slip: ReferralSlip) -> Table:
    start = [
        w.para(w.tr("pdf.referral.counter.title"), TextStyle(size=13, bold=True, color=ACCENT)),
        w.para(w.tr("pdf.referral.counter.instructions"), TextStyle(size=SMALL_SIZE + 0.5, color=MUTED)),
        w.para(_labelled(w, "pdf.referral.provider", provider_name(slip, w.lang)), TextStyle(space_before=2)),
    ]
    gap = 3 * mm
    widths = [CONTENT_WIDTH * 0.58, CONTENT_WIDTH * 0.42 - SMALL_QR_SIZE - gap, gap, SMALL_QR_SIZE]
    return _row(
        w,
        [start, _code_block(w, slip.code, 16, hint=False), "", qr_code(slip.code, SMALL_QR_SIZE)],
        widths,
    )


def _blank_dates(w: Writer) -> Table:
    """The two dates to write by hand, each label followed by its blank (day / month / year, left to right)."""
    cells = [
        w.para([Run(w.tr(key) + " ", bold=True), Run(keep_together(BLANK_DATE))])
        for key in ("pdf.referral.counter.received_on", "pdf.referral.counter.service_date")
    ]
    return _row(w, cells, [CONTENT_WIDTH * 0.56, CONTENT_WIDTH * 0.44])


def _outcomes(w: Writer) -> Table:
    """One tick box per outcome, three a row."""
    per_row = 3
    width = CONTENT_WIDTH / per_row
    box = 6 * mm
    rows: list[list[Flowable]] = []
    for start in range(0, len(REFERRAL_OUTCOMES), per_row):
        row: list[Flowable] = []
        for code in REFERRAL_OUTCOMES[start : start + per_row]:
            row.extend([CheckBox(), w.para(label("outcome", code, w.lang))])
        while len(row) < 2 * per_row:
            row.extend([w.para(""), w.para("")])
        rows.append(list(reversed(row)) if w.rtl else row)
    widths = [box, width - box] * per_row
    if w.rtl:
        widths.reverse()
    table = Table(rows, colWidths=widths, hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _office_contact(w: Writer, slip: ReferralSlip) -> str:
    return list_join([slip.office_name, keep_together(slip.office_phone), slip.office_email], w.lang)


class _Lines(Flowable):
    """Ruled lines to write on by hand."""

    def __init__(self, count: int, spacing: float) -> None:
        super().__init__()
        self.count = count
        self.spacing = spacing

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        self.width, self.height = aW, self.count * self.spacing
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.setDash(1, 2)
        for line in range(self.count):
            canvas.line(0, line * self.spacing + 0.5, self.width, line * self.spacing + 0.5)


def _draw_cut_line(canvas: Canvas, w: Writer) -> None:
    """A dashed line across the page, scissors on the start side, what to do with the tear-off beside them."""
    size = SMALL_SIZE
    text = w.tr("pdf.referral.cut")
    words = text.split()
    text_width = sum(fonts.word_width(word, size) for word in words) + fonts.space_width(size) * (len(words) - 1)
    box = text_width + 3
    paragraph = w.para(text, TextStyle(size=size, color=MUTED, leading=size * 1.6, align="center"))
    _, height = paragraph.wrapOn(canvas, box, 20 * mm)
    left, right = MARGIN - 6 * mm, PAGE_WIDTH - MARGIN + 6 * mm
    scissors, gap = 13.0, 2 * mm
    canvas.saveState()
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.7)
    canvas.setDash(4, 3)
    if w.rtl:  # the scissors on the right, blades to the left
        _draw_scissors(canvas, right, CUT_Y, -1)
        text_x = right - scissors - gap - box
        canvas.line(left, CUT_Y, text_x - gap, CUT_Y)
    else:
        _draw_scissors(canvas, left, CUT_Y, 1)
        text_x = left + scissors + gap
        canvas.line(text_x + box + gap, CUT_Y, right, CUT_Y)
    canvas.restoreState()
    paragraph.drawOn(canvas, text_x, CUT_Y - height / 2 + 1.2)


def _draw_scissors(canvas: Canvas, x: float, y: float, direction: int) -> None:
    """Open scissors 13 points long, handles at ``x``, blades pointing along ``direction`` (1: right, -1: left).

    Drawn, not typed: the PDF standard ZapfDingbats font is not embedded, and not every viewer has one.
    """
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(direction, 1)
    canvas.setDash()
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.9)
    for side in (1, -1):
        canvas.circle(2.2, 2.4 * side, 1.9, stroke=1, fill=0)
        canvas.line(3.9, 1.6 * side, 13.0, -2.0 * side)
    canvas.restoreState()
