"""Registering people and keeping their case: identity, consent, bilan social,
vulnerability, contacts and the parcours. One transaction per call, audited.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from desktop.db.models import (
    ActionPlanItem,
    AssessmentItem,
    Case,
    CaseStageEvent,
    Consent,
    Contact,
    HouseholdMember,
    IdentityDocument,
    Person,
    SocialAssessment,
    User,
    VulnerabilitySheet,
    utcnow,
)
from desktop.domain import names
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.errors import InputRejected, PermissionDenied
from desktop.domain.users import Role
from desktop.services import search_index
from desktop.services.case_types import (
    ActionInput,
    AssessmentInput,
    AssessmentItemInput,
    AssessmentRow,
    CaseDetail,
    ConsentRow,
    ContactInput,
    ContactRow,
    DocumentInput,
    HouseholdInput,
    PersonInput,
    StageRow,
    VulnerabilityInput,
    VulnerabilityRow,
)
from desktop.services.office import OfficeHandle
from desktop.services.validation import check_person, raise_if_errors

CASE_PREFIX = "B"


def _birth_year(person: PersonInput, today: date) -> tuple[int | None, int | None]:
    """(birth_year, birth_year_estimated)."""
    if person.birth_date is not None:
        return person.birth_date.year, None
    if person.estimated_age is not None:
        year = today.year - person.estimated_age
        return year, year
    return None, None


def _apply_person(session: Session, row: Person, data: PersonInput, today: date) -> None:
    row.family_name = data.family_name.strip()
    row.given_name = data.given_name.strip()
    row.family_name_ar = data.family_name_ar.strip()
    row.given_name_ar = data.given_name_ar.strip()
    row.sex = data.sex
    row.birth_date = data.birth_date
    row.birth_year, row.birth_year_estimated = _birth_year(data, today)
    row.nationality = data.nationality.upper()
    row.category = data.category
    row.languages = "|".join(data.languages)
    row.phone = data.phone.strip()
    row.commune_code = data.commune_code
    row.douar = data.douar.strip()
    row.legal_status = data.legal_status or "unknown"
    row.arrival_date = data.arrival_date
    row.name_key = names.name_key(row.family_name, row.given_name, row.family_name_ar, row.given_name_ar)
    session.flush()
    session.execute(delete(IdentityDocument).where(IdentityDocument.person_id == row.id))
    session.execute(delete(HouseholdMember).where(HouseholdMember.person_id == row.id))
    for doc in data.documents:
        if doc.number.strip():
            session.add(
                IdentityDocument(
                    person_id=row.id,
                    kind=doc.kind,
                    number=doc.number.strip(),
                    number_key=names.document_key(doc.number),
                )
            )
    for member in data.household:
        session.add(
            HouseholdMember(
                person_id=row.id,
                relation=member.relation,
                name=member.name.strip(),
                sex=member.sex,
                birth_year=member.birth_year,
                schooling=member.schooling,
                birth_registration=member.birth_registration,
                lives_with=member.lives_with,
            )
        )


def next_case_number(session: Session, year: int) -> str:
    prefix = f"{CASE_PREFIX}-{year}-"
    # a range, not LIKE: SQLite's LIKE ignores case and so cannot use the index on number
    last = session.scalar(select(func.max(Case.number)).where(Case.number >= prefix, Case.number < prefix + "~"))
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def register(
    handle: OfficeHandle,
    person: PersonInput,
    *,
    opened_on: date | None = None,
    consents: tuple[str, ...] = ("processing",),
    existing_person_id: int | None = None,
) -> tuple[int, int]:
    """A new case: for a new person, or for a person already known (``existing_person_id``).

    Returns (person id, case id). Validation errors come back all at once.
    """
    today = date.today()
    opened_on = opened_on or today
    raise_if_errors(check_person(person, today))
    with handle.transaction() as session:
        return register_in(session, handle, person, opened_on, consents, existing_person_id, today)


def register_in(
    session: Session,
    handle: OfficeHandle,
    person: PersonInput,
    opened_on: date,
    consents: tuple[str, ...],
    existing_person_id: int | None,
    today: date,
    audit_detail: str = "",
    keep_identity: bool = False,
) -> tuple[int, int]:
    """:func:`register` inside the caller's transaction (the register import: many at once).

    ``keep_identity``: a known person's identity is left as it is (a register line
    linked to them says less than their record).
    """
    if existing_person_id is None:
        row = Person(created_at=utcnow(), sex=person.sex, nationality="", category="")
        session.add(row)
        session.flush()
        _apply_person(session, row, person, today)
        handle.audit(session, AuditAction.CREATED, RecordType.PERSON, row.id, audit_detail)
    else:
        found = session.get(Person, existing_person_id)
        if found is None:
            raise InputRejected("error.person_unknown")
        row = found
        if not keep_identity:
            _apply_person(session, row, person, today)
            row.updated_at = utcnow()
            handle.audit(session, AuditAction.CHANGED, RecordType.PERSON, row.id, "returning")
    case = Case(
        number=next_case_number(session, opened_on.year),
        person_id=row.id,
        officer_id=handle.actor.user_id,
        opened_on=opened_on,
        stage="accueil",
    )
    session.add(case)
    session.flush()
    session.add(
        CaseStageEvent(
            case_id=case.id,
            on_date=opened_on,
            stage="accueil",
            officer_id=handle.actor.user_id,
            recorded_at=utcnow(),
        )
    )
    for purpose in consents:
        session.add(
            Consent(
                person_id=row.id,
                purpose=purpose,
                given_on=opened_on,
                recorded_by=handle.actor.user_id,
                recorded_at=utcnow(),
            )
        )
    handle.audit(session, AuditAction.CREATED, RecordType.CASE, case.id, audit_detail)
    search_index.index_person_cases(session, row.id)
    return row.id, case.id


def update_person(handle: OfficeHandle, person_id: int, person: PersonInput) -> None:
    raise_if_errors(check_person(person, date.today()))
    with handle.transaction() as session:
        row = session.get(Person, person_id)
        if row is None:
            raise InputRejected("error.person_unknown")
        _apply_person(session, row, person, date.today())
        row.updated_at = utcnow()
        handle.audit(session, AuditAction.CHANGED, RecordType.PERSON, person_id)
        search_index.index_person_cases(session, person_id)


def _user_names(session: Session) -> dict[int, str]:
    return {uid: name for uid, name in session.execute(select(User.id, User.display_name))}


def _person_input(session: Session, row: Person) -> PersonInput:
    today = date.today()
    estimated = today.year - row.birth_year_estimated if row.birth_year_estimated else None
    docs = session.scalars(select(IdentityDocument).where(IdentityDocument.person_id == row.id)).all()
    members = session.scalars(select(HouseholdMember).where(HouseholdMember.person_id == row.id)).all()
    return PersonInput(
        family_name=row.family_name,
        given_name=row.given_name,
        family_name_ar=row.family_name_ar,
        given_name_ar=row.given_name_ar,
        sex=row.sex,
        birth_date=row.birth_date,
        estimated_age=estimated,
        nationality=row.nationality,
        category=row.category,
        languages=[code for code in row.languages.split("|") if code],
        phone=row.phone,
        commune_code=row.commune_code,
        douar=row.douar,
        legal_status=row.legal_status,
        arrival_date=row.arrival_date,
        documents=[DocumentInput(d.kind, d.number) for d in docs],
        household=[
            HouseholdInput(m.relation, m.name, m.sex, m.birth_year, m.schooling, m.birth_registration, m.lives_with)
            for m in members
        ],
    )


def get_case(handle: OfficeHandle, case_id: int) -> CaseDetail:
    """The whole case; the read itself is audited (every access to a person's record)."""
    with handle.transaction() as session:
        case = _case(session, case_id)
        person = session.get(Person, case.person_id)
        assert person is not None
        users = _user_names(session)
        detail = CaseDetail(
            case_id=case.id,
            number=case.number,
            person_id=person.id,
            person=_person_input(session, person),
            opened_on=case.opened_on,
            stage=case.stage,
            closed_on=case.closed_on,
            closure_reason=case.closure_reason,
            officer=users.get(case.officer_id or 0, ""),
            officer_id=case.officer_id,
            vulnerability_level=case.vulnerability_level,
            next_follow_up=case.next_follow_up,
            consents=_consents(session, person.id),
            assessments=_assessments(session, case.id, users),
            vulnerabilities=[
                VulnerabilityRow(
                    v.id, v.assessed_on, v.level, _split(v.criteria), v.note, users.get(v.officer_id or 0, "")
                )
                for v in session.scalars(
                    select(VulnerabilitySheet)
                    .where(VulnerabilitySheet.case_id == case.id)
                    .order_by(VulnerabilitySheet.assessed_on.desc(), VulnerabilitySheet.id.desc())
                )
            ],
            contacts=[
                ContactRow(
                    c.id, c.on_date, c.kind, c.channel, _split(c.needs), c.note, users.get(c.officer_id or 0, "")
                )
                for c in session.scalars(
                    select(Contact)
                    .where(Contact.case_id == case.id)
                    .order_by(Contact.on_date.desc(), Contact.id.desc())
                )
            ],
            stages=[
                StageRow(s.on_date, s.stage, s.reason, users.get(s.officer_id or 0, ""))
                for s in session.scalars(
                    select(CaseStageEvent).where(CaseStageEvent.case_id == case.id).order_by(CaseStageEvent.id)
                )
            ],
            other_cases=[
                (cid, number)
                for cid, number in session.execute(
                    select(Case.id, Case.number).where(Case.person_id == person.id, Case.id != case.id)
                )
            ],
        )
        handle.audit(session, AuditAction.VIEWED, RecordType.CASE, case.id)
        return detail


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise InputRejected("error.case_unknown")
    return case


def _split(joined: str) -> list[str]:
    return [code for code in joined.split("|") if code]


def _consents(session: Session, person_id: int) -> list[ConsentRow]:
    rows = session.scalars(select(Consent).where(Consent.person_id == person_id).order_by(Consent.id))
    return [ConsentRow(c.id, c.purpose, c.given_on, c.withdrawn_on, c.form_signed) for c in rows]


def _assessments(session: Session, case_id: int, users: dict[int, str]) -> list[AssessmentRow]:
    result = []
    query = (
        select(SocialAssessment)
        .where(SocialAssessment.case_id == case_id)
        .order_by(SocialAssessment.assessed_on.desc(), SocialAssessment.id.desc())
    )
    for a in session.scalars(query):
        items = session.scalars(
            select(AssessmentItem).where(AssessmentItem.assessment_id == a.id).order_by(AssessmentItem.id)
        )
        actions = session.scalars(
            select(ActionPlanItem).where(ActionPlanItem.assessment_id == a.id).order_by(ActionPlanItem.id)
        )
        result.append(
            AssessmentRow(
                id=a.id,
                assessed_on=a.assessed_on,
                officer=users.get(a.officer_id or 0, ""),
                summary=a.summary,
                items=[AssessmentItemInput(i.domain, i.situation, i.need, i.priority) for i in items],
                actions=[ActionInput(p.action, p.domain, p.responsible, p.due_on, p.done_on) for p in actions],
                reviewed_by=users.get(a.reviewed_by or 0, ""),
                reviewed_at=a.reviewed_at,
            )
        )
    return result


# -- consent -----------------------------------------------------------------------------
def has_consent(session: Session, person_id: int, purpose: str) -> bool:
    """Is there a consent for ``purpose`` that was not withdrawn?"""
    found = session.scalar(
        select(Consent.id).where(
            Consent.person_id == person_id, Consent.purpose == purpose, Consent.withdrawn_on.is_(None)
        )
    )
    return found is not None


def give_consent(handle: OfficeHandle, person_id: int, purpose: str, given_on: date, form_signed: bool = False) -> int:
    from desktop.domain.codelists import CONSENT_PURPOSES

    if purpose not in CONSENT_PURPOSES:
        raise InputRejected("error.consent_purpose")
    with handle.transaction() as session:
        if has_consent(session, person_id, purpose):
            raise InputRejected("error.consent_already")
        consent = Consent(
            person_id=person_id,
            purpose=purpose,
            given_on=given_on,
            form_signed=form_signed,
            recorded_by=handle.actor.user_id,
            recorded_at=utcnow(),
        )
        session.add(consent)
        session.flush()
        handle.audit(session, AuditAction.CHANGED, RecordType.PERSON, person_id, f"consent given: {purpose}")
        return consent.id


def withdraw_consent(handle: OfficeHandle, consent_id: int, on: date) -> None:
    with handle.transaction() as session:
        consent = session.get(Consent, consent_id)
        if consent is None or consent.withdrawn_on is not None:
            raise InputRejected("error.consent_not_active")
        if on < consent.given_on:
            raise InputRejected("error.date_before", field="withdrawn_on")
        consent.withdrawn_on = on
        handle.audit(
            session, AuditAction.CHANGED, RecordType.PERSON, consent.person_id, f"consent withdrawn: {consent.purpose}"
        )


# -- bilan social ------------------------------------------------------------------------
def save_assessment(handle: OfficeHandle, case_id: int, data: AssessmentInput) -> int:
    from desktop.domain.codelists import ASSESSMENT_DOMAINS, PRIORITIES

    for item in data.items:
        if item.domain not in ASSESSMENT_DOMAINS or (item.priority and item.priority not in PRIORITIES):
            raise InputRejected("error.assessment_invalid")
    if data.assessed_on > date.today():
        raise InputRejected("error.date_future", field="assessed_on")
    with handle.transaction() as session:
        if session.get(Case, case_id) is None:
            raise InputRejected("error.case_unknown")
        if data.id is None:
            row = SocialAssessment(
                case_id=case_id, assessed_on=data.assessed_on, officer_id=handle.actor.user_id, updated_at=utcnow()
            )
            session.add(row)
            session.flush()
            action = AuditAction.CREATED
        else:
            found = session.get(SocialAssessment, data.id)
            if found is None or found.case_id != case_id:
                raise InputRejected("error.assessment_unknown")
            row = found
            row.assessed_on = data.assessed_on
            row.updated_at = utcnow()
            row.reviewed_by = None  # a changed assessment needs a new review
            row.reviewed_at = None
            session.execute(delete(AssessmentItem).where(AssessmentItem.assessment_id == row.id))
            session.execute(delete(ActionPlanItem).where(ActionPlanItem.assessment_id == row.id))
            action = AuditAction.CHANGED
        row.summary = data.summary.strip()
        for item in data.items:
            session.add(
                AssessmentItem(
                    assessment_id=row.id,
                    domain=item.domain,
                    situation=item.situation.strip(),
                    need=item.need.strip(),
                    priority=item.priority,
                )
            )
        for plan in data.actions:
            if plan.action.strip():
                session.add(
                    ActionPlanItem(
                        assessment_id=row.id,
                        domain=plan.domain,
                        action=plan.action.strip(),
                        responsible=plan.responsible.strip(),
                        due_on=plan.due_on,
                        done_on=plan.done_on,
                    )
                )
        _touch_follow_up(session, case_id, [p.due_on for p in data.actions if p.done_on is None])
        handle.audit(session, action, RecordType.CASE, case_id, f"assessment {row.id}")
        return row.id


def review_assessment(handle: OfficeHandle, assessment_id: int) -> None:
    """A supervisor marks a bilan social reviewed."""
    handle.require(Role.SUPERVISOR)
    with handle.transaction() as session:
        row = session.get(SocialAssessment, assessment_id)
        if row is None:
            raise InputRejected("error.assessment_unknown")
        if row.officer_id is not None and row.officer_id == handle.actor.user_id and handle.actor.role != Role.ADMIN:
            raise PermissionDenied()  # nobody reviews their own assessment
        row.reviewed_by = handle.actor.user_id
        row.reviewed_at = utcnow()
        handle.audit(session, AuditAction.CHANGED, RecordType.CASE, row.case_id, f"assessment {row.id} reviewed")


# -- vulnerability -----------------------------------------------------------------------
def add_vulnerability_sheet(handle: OfficeHandle, case_id: int, data: VulnerabilityInput) -> int:
    from desktop.domain.codelists import VULNERABILITY_CRITERIA, VULNERABILITY_LEVELS

    if data.level not in VULNERABILITY_LEVELS or any(c not in VULNERABILITY_CRITERIA for c in data.criteria):
        raise InputRejected("error.vulnerability_invalid")
    if data.assessed_on > date.today():
        raise InputRejected("error.date_future", field="assessed_on")
    with handle.transaction() as session:
        case = _case(session, case_id)
        sheet = VulnerabilitySheet(
            case_id=case_id,
            assessed_on=data.assessed_on,
            level=data.level,
            criteria="|".join(sorted(set(data.criteria), key=VULNERABILITY_CRITERIA.index)),
            note=data.note.strip(),
            officer_id=handle.actor.user_id,
            recorded_at=utcnow(),
        )
        session.add(sheet)
        session.flush()
        latest = session.scalar(
            select(VulnerabilitySheet.level)
            .where(VulnerabilitySheet.case_id == case_id)
            .order_by(VulnerabilitySheet.assessed_on.desc(), VulnerabilitySheet.id.desc())
            .limit(1)
        )
        case.vulnerability_level = latest or ""
        case.updated_at = utcnow()
        handle.audit(session, AuditAction.CREATED, RecordType.CASE, case_id, f"vulnerability {sheet.id}")
        return sheet.id


# -- contacts and follow-up --------------------------------------------------------------
def _touch_follow_up(session: Session, case_id: int, candidates: list[date | None]) -> None:
    case = session.get(Case, case_id)
    if case is None:
        return
    dates = [d for d in candidates if d is not None and d >= date.today()]
    if dates:
        soonest = min(dates)
        if case.next_follow_up is None or case.next_follow_up < date.today() or soonest < case.next_follow_up:
            case.next_follow_up = soonest
    case.updated_at = utcnow()


def add_contact(handle: OfficeHandle, case_id: int, data: ContactInput) -> int:
    check_contact(data, date.today())
    with handle.transaction() as session:
        return add_contact_in(session, handle, _case(session, case_id), data)


def check_contact(data: ContactInput, today: date) -> None:
    from desktop.domain.codelists import ASSESSMENT_DOMAINS, CONTACT_CHANNELS, CONTACT_KINDS

    if data.kind not in CONTACT_KINDS or data.channel not in CONTACT_CHANNELS:
        raise InputRejected("error.contact_invalid")
    if any(n not in ASSESSMENT_DOMAINS for n in data.needs):
        raise InputRejected("error.contact_invalid")
    if data.on_date > today:
        raise InputRejected("error.date_future", field="on_date")


def add_contact_in(session: Session, handle: OfficeHandle, case: Case, data: ContactInput) -> int:
    """:func:`add_contact` inside the caller's transaction (checked by :func:`check_contact`)."""
    contact = Contact(
        case_id=case.id,
        on_date=data.on_date,
        kind=data.kind,
        channel=data.channel,
        needs="|".join(data.needs),
        note=data.note.strip(),
        officer_id=handle.actor.user_id,
    )
    session.add(contact)
    session.flush()
    if case.last_contact_on is None or data.on_date > case.last_contact_on:
        case.last_contact_on = data.on_date
    if data.next_follow_up is not None:
        case.next_follow_up = data.next_follow_up
    case.updated_at = utcnow()
    handle.audit(session, AuditAction.CREATED, RecordType.CASE, case.id, f"contact {contact.id}")
    return contact.id


def set_follow_up(handle: OfficeHandle, case_id: int, on: date | None) -> None:
    with handle.transaction() as session:
        case = _case(session, case_id)
        case.next_follow_up = on
        handle.audit(session, AuditAction.CHANGED, RecordType.CASE, case_id, "follow-up date")


# -- parcours ----------------------------------------------------------------------------
def _stage_event(session: Session, handle: OfficeHandle, case: Case, stage: str, on: date, reason: str) -> None:
    session.add(
        CaseStageEvent(
            case_id=case.id,
            on_date=on,
            stage=stage,
            reason=reason,
            officer_id=handle.actor.user_id,
            recorded_at=utcnow(),
        )
    )
    case.updated_at = utcnow()


def set_stage(handle: OfficeHandle, case_id: int, stage: str, on: date) -> None:
    from desktop.domain.codelists import STAGES

    if stage not in STAGES or stage == "cloture":
        raise InputRejected("error.stage_invalid")
    with handle.transaction() as session:
        case = _case(session, case_id)
        if case.closed_on is not None:
            raise InputRejected("error.case_closed")
        case.stage = stage
        _stage_event(session, handle, case, stage, on, "")
        handle.audit(session, AuditAction.CHANGED, RecordType.CASE, case_id, f"stage {stage}")


def close_case(handle: OfficeHandle, case_id: int, reason: str, on: date) -> None:
    from desktop.domain.codelists import CLOSURE_REASONS

    if reason not in CLOSURE_REASONS:
        raise InputRejected("error.closure_reason")
    with handle.transaction() as session:
        case = _case(session, case_id)
        if case.closed_on is not None:
            raise InputRejected("error.case_closed")
        if on < case.opened_on:
            raise InputRejected("error.date_before", field="closed_on")
        case.stage = "cloture"
        case.closed_on = on
        case.closure_reason = reason
        case.next_follow_up = None
        _stage_event(session, handle, case, "cloture", on, reason)
        handle.audit(session, AuditAction.CHANGED, RecordType.CASE, case_id, f"closed {reason}")


def reopen_case(handle: OfficeHandle, case_id: int, on: date) -> None:
    """Reopening keeps the history: the closure stays in the parcours."""
    with handle.transaction() as session:
        case = _case(session, case_id)
        if case.closed_on is None:
            raise InputRejected("error.case_open")
        case.stage = "suivi"
        case.closed_on = None
        case.closure_reason = ""
        _stage_event(session, handle, case, "suivi", on, "reopened")
        handle.audit(session, AuditAction.CHANGED, RecordType.CASE, case_id, "reopened")
