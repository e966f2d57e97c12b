"""The bilan social and the whole case file, as printable A4 PDFs.

Both print in the interface language: French, English, or Arabic (shaped,
right to left, tables mirrored).  They take the :class:`CaseDetail` the case
window shows; nothing here touches the database or Qt.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from reportlab.platypus import Flowable, KeepTogether

from desktop.domain.codelists import ASSESSMENT_DOMAINS
from desktop.reports.bidi import keep_together
from desktop.reports.pdf_common import (
    SMALL_SIZE,
    DocumentInfo,
    Run,
    Writer,
    age_text,
    arabic_name,
    build_pdf,
    commune_name,
    country_name,
    fmt_date,
    label,
    labels,
    latin_name,
    list_join,
    space,
    yes_no,
)
from desktop.services.case_types import AssessmentRow, CaseDetail, PersonInput


def render_assessment_pdf(
    detail: CaseDetail, assessment_id: int, office_name: str, commune: str, lang: str, out: Path
) -> None:
    """Prints one bilan social: who, each domain's situation / need / priority, the action plan, signatures."""
    assessment = next((row for row in detail.assessments if row.id == assessment_id), None)
    if assessment is None:
        raise KeyError(f"assessment {assessment_id} is not in case {detail.number}")
    w = Writer(lang)
    now = datetime.now()
    title = w.tr("pdf.assessment.title")
    story: list[Flowable] = [
        w.header_block(
            office_name,
            commune,
            title,
            [
                (w.tr("pdf.case_number"), detail.number),
                (w.tr("pdf.assessment.date"), fmt_date(assessment.assessed_on)),
                (w.tr("pdf.printed_on"), fmt_date(now)),
            ],
        ),
        space(3),
        w.heading(w.tr("pdf.identity")),
        w.fields(_minimum_identity(w, detail.person, now.date())),
    ]
    story.extend(_assessment_body(w, assessment, with_heading=False))
    story.append(space(8))
    story.append(
        w.signature_boxes(
            [
                [w.para([Run(w.tr("pdf.sign.officer"), bold=True)]), w.value(assessment.officer), _caption(w)],
                [w.para([Run(w.tr("pdf.sign.person"), bold=True)]), w.value(_one_name(detail.person)), _caption(w)],
            ]
        )
    )
    info = DocumentInfo(title, w.lang, office_name, commune, detail.number, now)
    build_pdf(out, story, w, info)


def render_case_file_pdf(detail: CaseDetail, office_name: str, commune: str, lang: str, out: Path) -> None:
    """Prints everything the case holds, for the person's right of access."""
    w = Writer(lang)
    now = datetime.now()
    today = now.date()
    person = detail.person
    title = w.tr("pdf.case_file.title")
    story: list[Flowable] = [
        w.header_block(
            office_name,
            commune,
            title,
            [(w.tr("pdf.case_number"), detail.number), (w.tr("pdf.printed_on"), fmt_date(now))],
        ),
        space(2),
        w.body(w.tr("pdf.case_file.intro", office=office_name), space_after=2),
        w.heading(w.tr("pdf.case_file.case")),
        w.fields(_case_facts(w, detail)),
        w.heading(w.tr("pdf.identity")),
        w.fields(_full_identity(w, person, today)),
        w.heading(w.tr("pdf.documents")),
        w.table(
            [w.tr("pdf.col.document_type"), w.tr("pdf.col.document_number")],
            [[label("document_type", doc.kind, w.lang), keep_together(doc.number)] for doc in person.documents],
            [1, 1],
        )
        if person.documents
        else _nothing(w),
        w.heading(w.tr("pdf.household")),
    ]
    if person.household:
        story.append(
            w.table(
                [
                    w.tr("pdf.col.relation"),
                    w.tr("pdf.col.name"),
                    w.tr("pdf.col.sex"),
                    w.tr("pdf.col.birth_year"),
                    w.tr("pdf.col.schooling"),
                    w.tr("pdf.col.birth_registration"),
                    w.tr("pdf.col.lives_with"),
                ],
                [
                    [
                        label("relation", member.relation, w.lang),
                        member.name,
                        label("sex", member.sex, w.lang),
                        str(member.birth_year) if member.birth_year else "",
                        label("schooling", member.schooling, w.lang),
                        label("birth_registration", member.birth_registration, w.lang),
                        yes_no(member.lives_with, w.lang),
                    ]
                    for member in person.household
                ],
                [1.1, 1.6, 0.7, 0.9, 1.1, 1.3, 0.9],
                size=SMALL_SIZE + 0.5,
            )
        )
    else:
        story.append(_nothing(w))

    story.append(w.heading(w.tr("pdf.consents")))
    if detail.consents:
        consents = sorted(detail.consents, key=lambda row: (row.given_on, row.id))
        story.append(
            w.table(
                [
                    w.tr("pdf.col.purpose"),
                    w.tr("pdf.col.given_on"),
                    w.tr("pdf.col.withdrawn_on"),
                    w.tr("pdf.col.form_signed"),
                    w.tr("pdf.col.status"),
                ],
                [
                    [
                        label("consent_purpose", row.purpose, w.lang),
                        fmt_date(row.given_on),
                        fmt_date(row.withdrawn_on),
                        yes_no(row.form_signed, w.lang),
                        w.tr("pdf.consent_active") if row.active else w.tr("pdf.consent_withdrawn"),
                    ]
                    for row in consents
                ],
                [2.2, 1, 1, 1, 1],
            )
        )
    else:
        story.append(_nothing(w))

    story.append(w.heading(w.tr("pdf.assessments")))
    if detail.assessments:
        for assessment in sorted(detail.assessments, key=lambda row: (row.assessed_on, row.id)):
            body = _assessment_body(w, assessment, with_heading=True)
            story.append(KeepTogether(body[:4]))  # heading, author, domains heading and table
            story.extend(body[4:])
    else:
        story.append(_nothing(w))

    story.append(w.heading(w.tr("pdf.vulnerabilities")))
    if detail.vulnerabilities:
        story.append(
            w.table(
                [
                    w.tr("pdf.col.date"),
                    w.tr("pdf.col.level"),
                    w.tr("pdf.col.criteria"),
                    w.tr("pdf.col.note"),
                    w.tr("pdf.col.officer"),
                ],
                [
                    [
                        fmt_date(row.assessed_on),
                        label("level", row.level, w.lang),
                        labels("criterion", row.criteria, w.lang),
                        row.note,
                        row.officer,
                    ]
                    for row in sorted(detail.vulnerabilities, key=lambda row: (row.assessed_on, row.id))
                ],
                [0.9, 0.8, 2.2, 2.2, 1.1],
            )
        )
    else:
        story.append(_nothing(w))

    story.append(w.heading(w.tr("pdf.contacts")))
    if detail.contacts:
        story.append(
            w.table(
                [
                    w.tr("pdf.col.date"),
                    w.tr("pdf.col.kind"),
                    w.tr("pdf.col.channel"),
                    w.tr("pdf.col.needs"),
                    w.tr("pdf.col.note"),
                    w.tr("pdf.col.officer"),
                ],
                [
                    [
                        fmt_date(row.on_date),
                        label("contact_kind", row.kind, w.lang),
                        label("contact_channel", row.channel, w.lang),
                        labels("domain", row.needs, w.lang),
                        row.note,
                        row.officer,
                    ]
                    for row in sorted(detail.contacts, key=lambda row: (row.on_date, row.id))
                ],
                [0.9, 1, 0.9, 1.5, 2.3, 1],
                size=SMALL_SIZE + 0.5,
            )
        )
    else:
        story.append(_nothing(w))

    story.append(w.heading(w.tr("pdf.parcours")))
    if detail.stages:
        story.append(
            w.table(
                [w.tr("pdf.col.date"), w.tr("pdf.col.stage"), w.tr("pdf.col.reason"), w.tr("pdf.col.officer")],
                [
                    [fmt_date(row.on_date), label("stage", row.stage, w.lang), _reason(row.reason, w.lang), row.officer]
                    for row in detail.stages
                ],
                [1, 1.4, 2.4, 1.2],
            )
        )
    else:
        story.append(_nothing(w))

    info = DocumentInfo(title, w.lang, office_name, commune, detail.number, now)
    build_pdf(out, story, w, info)


# ---------------------------------------------------------------- pieces


def _caption(w: Writer) -> Flowable:
    return w.small(w.tr("pdf.sign.caption"))


def _one_name(person: PersonInput) -> str:
    return latin_name(person) or arabic_name(person)


def _minimum_identity(w: Writer, person: PersonInput, today: date) -> list[tuple[str, str]]:
    return [
        (w.tr("pdf.name_latin"), latin_name(person)),
        (w.tr("pdf.name_arabic"), arabic_name(person)),
        (w.tr("pdf.sex"), label("sex", person.sex, w.lang)),
        (w.tr("pdf.age"), age_text(person, today, w.lang)),
        (w.tr("pdf.nationality"), country_name(person.nationality, w.lang)),
    ]


def _full_identity(w: Writer, person: PersonInput, today: date) -> list[tuple[str, str]]:
    address = list_join([commune_name(person.commune_code, w.lang), person.douar], w.lang)
    return [
        (w.tr("pdf.name_latin"), latin_name(person)),
        (w.tr("pdf.name_arabic"), arabic_name(person)),
        (w.tr("pdf.sex"), label("sex", person.sex, w.lang)),
        (w.tr("pdf.birth_date"), fmt_date(person.birth_date)),
        (w.tr("pdf.age"), age_text(person, today, w.lang)),
        (w.tr("pdf.nationality"), country_name(person.nationality, w.lang)),
        (w.tr("pdf.category"), label("category", person.category, w.lang)),
        (w.tr("pdf.languages"), labels("language", person.languages, w.lang)),
        (w.tr("pdf.phone"), keep_together(person.phone)),
        (w.tr("pdf.address"), address),
        (w.tr("pdf.legal_status"), label("legal_status", person.legal_status, w.lang)),
        (w.tr("pdf.arrival_date"), fmt_date(person.arrival_date)),
    ]


def _case_facts(w: Writer, detail: CaseDetail) -> list[tuple[str, str]]:
    facts = [
        (w.tr("pdf.case_number"), keep_together(detail.number)),
        (w.tr("pdf.opened_on"), fmt_date(detail.opened_on)),
        (w.tr("pdf.stage"), label("stage", detail.stage, w.lang)),
        (w.tr("pdf.officer"), detail.officer),
        (w.tr("pdf.vulnerability_level"), label("level", detail.vulnerability_level, w.lang)),
        (w.tr("pdf.next_follow_up"), fmt_date(detail.next_follow_up)),
    ]
    if detail.closed_on:
        facts.append((w.tr("pdf.closed_on"), fmt_date(detail.closed_on)))
        facts.append((w.tr("pdf.closure_reason"), _reason(detail.closure_reason, w.lang)))
    if detail.other_cases:
        facts.append((w.tr("pdf.other_cases"), list_join([number for _, number in detail.other_cases], w.lang)))
    return facts


def _reason(reason: str, lang: str) -> str:
    """Stage changes carry a closure reason code, or free text typed by the officer."""
    return label("closure_reason", reason, lang) if reason else ""


def _nothing(w: Writer) -> Flowable:
    return w.small(w.tr("pdf.nothing_recorded"))


def _domain_order(domain: str) -> int:
    return ASSESSMENT_DOMAINS.index(domain) if domain in ASSESSMENT_DOMAINS else len(ASSESSMENT_DOMAINS)


def _assessment_body(w: Writer, assessment: AssessmentRow, *, with_heading: bool) -> list[Flowable]:
    story: list[Flowable] = []

    def section(text: str) -> Flowable:
        return w.minor_heading(text) if with_heading else w.heading(text)

    if with_heading:
        story.append(w.subheading(w.tr("pdf.assessment.heading", date=fmt_date(assessment.assessed_on))))
    made_by = w.tr("pdf.assessment.made_by", date=fmt_date(assessment.assessed_on), officer=assessment.officer)
    story.append(w.small(made_by, space_before=3))
    story.append(section(w.tr("pdf.assessment.domains")))
    items = sorted(assessment.items, key=lambda item: _domain_order(item.domain))
    if items:
        story.append(
            w.table(
                [w.tr("pdf.col.domain"), w.tr("pdf.col.situation"), w.tr("pdf.col.need"), w.tr("pdf.col.priority")],
                [
                    [
                        [Run(label("domain", item.domain, w.lang), bold=True)],
                        item.situation,
                        item.need,
                        label("priority", item.priority, w.lang) if item.priority else w.tr("pdf.no_need"),
                    ]
                    for item in items
                ],
                [1.3, 2.3, 2.3, 0.8],
            )
        )
    else:
        story.append(w.small(w.tr("pdf.assessment.no_items")))
    if assessment.summary:
        story.append(section(w.tr("pdf.assessment.summary")))
        story.append(w.value(assessment.summary))
    story.append(section(w.tr("pdf.assessment.action_plan")))
    if assessment.actions:
        story.append(
            w.table(
                [w.tr("pdf.col.action"), w.tr("pdf.col.responsible"), w.tr("pdf.col.due"), w.tr("pdf.col.done")],
                [
                    [
                        _action_text(w, action.action, action.domain),
                        action.responsible,
                        fmt_date(action.due_on),
                        w.tr("pdf.done_on", date=fmt_date(action.done_on)) if action.done_on else w.tr("pdf.no"),
                    ]
                    for action in assessment.actions
                ],
                [3.0, 1.4, 1, 1.35],
            )
        )
    else:
        story.append(w.small(w.tr("pdf.assessment.no_actions")))
    if assessment.reviewed_by and assessment.reviewed_at:
        reviewed = w.tr("pdf.assessment.reviewed", name=assessment.reviewed_by, date=fmt_date(assessment.reviewed_at))
    else:
        reviewed = w.tr("pdf.assessment.not_reviewed")
    story.append(w.body([Run(reviewed, bold=True)], space_before=4))
    return story


def _action_text(w: Writer, action: str, domain: str) -> list[Run]:
    runs = [Run(action)]
    if domain:
        runs.append(Run("\n" + label("domain", domain, w.lang)))
    return runs
