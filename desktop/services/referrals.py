"""The referral log: refer, send, acknowledge, record the counter-referral, follow up, cancel.

Every change is one transaction, dated, kept as a :class:`ReferralEvent` and audited.
An outgoing referral that shares anything needs the person's consent to referral
sharing; without it the referral is refused, unless a supervisor records an override
with a reason (an event and an audit entry of its own).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, select, text
from sqlalchemy.orm import Session

from desktop.db.models import Case, Person, Provider, ProviderService, Referral, ReferralEvent, User, utcnow
from desktop.domain import codelists
from desktop.domain import referrals as rules
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.errors import InputRejected, PermissionDenied
from desktop.domain.users import Role, role_at_least
from desktop.services.cases import has_consent
from desktop.services.directory import split
from desktop.services.office import OfficeHandle
from desktop.services.referral_types import (
    CounterReferralInput,
    ProviderStats,
    ReferralDetail,
    ReferralEventRow,
    ReferralFilter,
    ReferralInput,
    ReferralRow,
    ReferralSlip,
)

SHARING_CONSENT = "referral_sharing"
# Written into the SQL as literals, not parameters: SQLite uses the partial index
# ix_referral_waiting only when the query repeats its condition word for word.
_WAITING_STATES = Referral.state.in_(
    bindparam("waiting_states", (rules.SENT, rules.ACKNOWLEDGED), expanding=True, literal_execute=True)
)
MAX_TEXT = 2000


# -- creating ----------------------------------------------------------------------------
def check_referral(data: ReferralInput) -> None:
    if data.direction not in codelists.REFERRAL_DIRECTIONS:
        raise InputRejected("referral.error.direction")
    if data.domain not in codelists.SERVICE_DOMAINS:
        raise InputRejected("referral.error.domain")
    if data.urgency not in codelists.URGENCIES:
        raise InputRejected("referral.error.urgency")
    if any(item not in codelists.SHARED_ITEMS for item in data.shared):
        raise InputRejected("referral.error.shared")
    if data.direction == "outgoing" and data.provider_id is None:
        raise InputRejected("referral.error.provider_required")
    if len(data.reason) > MAX_TEXT:
        raise InputRejected("referral.error.too_long", limit=MAX_TEXT)


def create_referral(
    handle: OfficeHandle,
    case_id: int,
    data: ReferralInput,
    on: date | None = None,
    *,
    send: bool = False,
    override_reason: str = "",
) -> int:
    """A new referral (a draft, or sent at once with ``send``); returns its id."""
    on = on or rules.office_today()
    check_referral(data)
    _not_future(on)
    with handle.transaction() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise InputRejected("error.case_unknown")
        _check_provider(session, data)
        referral = Referral(
            code=_unique_code(session),
            case_id=case_id,
            direction=data.direction,
            domain=data.domain,
            provider_id=data.provider_id,
            service_id=data.service_id,
            urgency=data.urgency,
            reason=data.reason.strip(),
            shared=split_join(data.shared),
            state=rules.DRAFT,
            created_on=on,
            officer_id=handle.actor.user_id,
            updated_at=utcnow(),
        )
        session.add(referral)
        session.flush()
        if data.direction == "outgoing":
            _gate_sharing(session, handle, referral, case.person_id, on, override_reason)
        _event(session, handle, referral, on, rules.DRAFT)
        handle.audit(session, AuditAction.CREATED, RecordType.REFERRAL, referral.id, f"case {case_id}")
        if send or data.direction == "incoming":  # an incoming one arrived: the BAOM answers it
            _move(session, handle, referral, rules.SENT, on)
        return referral.id


def split_join(items: list[str]) -> str:
    return "|".join(dict.fromkeys(items))


def _check_provider(session: Session, data: ReferralInput) -> None:
    if data.provider_id is not None:
        provider = session.get(Provider, data.provider_id)
        if provider is None:
            raise InputRejected("directory.error.unknown")
        if not provider.active and data.direction == "outgoing":
            raise InputRejected("referral.error.provider_inactive")
    if data.service_id is not None:
        service = session.get(ProviderService, data.service_id)
        if service is None or service.provider_id != data.provider_id:
            raise InputRejected("referral.error.service")


def _unique_code(session: Session) -> str:
    for _ in range(20):
        code = rules.new_code()
        if session.scalar(select(Referral.id).where(Referral.code == code)) is None:
            return code
    raise RuntimeError("no free referral code")  # 20 collisions in 34 billion: never


def _gate_sharing(
    session: Session, handle: OfficeHandle, referral: Referral, person_id: int, on: date, override_reason: str
) -> None:
    if not referral.shared or has_consent(session, person_id, SHARING_CONSENT):
        return
    if not override_reason.strip():
        raise InputRejected("referral.error.consent_missing")
    if not role_at_least(handle.actor.role, Role.SUPERVISOR):
        raise PermissionDenied()
    referral.consent_override = override_reason.strip()[:500]
    _event(session, handle, referral, on, "override", referral.consent_override)
    handle.audit(session, AuditAction.CHANGED, RecordType.REFERRAL, referral.id, "consent override")


# -- moving ------------------------------------------------------------------------------
def _not_future(on: date) -> None:
    if on > rules.office_today():
        raise InputRejected("error.date_future", field="on")


def _event(session: Session, handle: OfficeHandle, referral: Referral, on: date, kind: str, note: str = "") -> None:
    session.add(
        ReferralEvent(
            referral_id=referral.id,
            on_date=on,
            kind=kind,
            note=note[:500],
            officer_id=handle.actor.user_id,
            recorded_at=utcnow(),
        )
    )


def _move(session: Session, handle: OfficeHandle, referral: Referral, to: str, on: date, note: str = "") -> None:
    if not rules.can_move(referral.state, to):
        raise InputRejected(
            "referral.error.transition",
            state=f"referral_state.{referral.state}",
            to=f"referral_state.{to}",
        )
    earliest = referral.sent_on or referral.created_on
    if on < earliest:
        raise InputRejected("referral.error.date_before", field="on")
    if to == rules.SENT:
        referral.sent_on = on
        referral.due_on = rules.due_on(on, referral.urgency) if referral.direction == "outgoing" else None
    elif to == rules.ACKNOWLEDGED:
        referral.acknowledged_on = on
    elif to in (rules.CLOSED, rules.CANCELLED):
        referral.closed_on = on
    referral.state = to
    referral.updated_at = utcnow()
    _event(session, handle, referral, on, to, note)
    handle.audit(session, AuditAction.CHANGED, RecordType.REFERRAL, referral.id, to)


def _referral(session: Session, referral_id: int) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise InputRejected("referral.error.unknown")
    return referral


def send(handle: OfficeHandle, referral_id: int, on: date | None = None) -> None:
    """Draft → sent: the slip went out; the due date starts from ``on``."""
    on = on or rules.office_today()
    _not_future(on)
    with handle.transaction() as session:
        referral = _referral(session, referral_id)
        if referral.direction == "outgoing" and referral.shared:
            case = session.get(Case, referral.case_id)
            assert case is not None
            if not referral.consent_override and not has_consent(session, case.person_id, SHARING_CONSENT):
                raise InputRejected("referral.error.consent_missing")  # withdrawn since the draft
        _move(session, handle, referral, rules.SENT, on)


def acknowledge(handle: OfficeHandle, referral_id: int, on: date | None = None, note: str = "") -> None:
    on = on or rules.office_today()
    _not_future(on)
    with handle.transaction() as session:
        _move(session, handle, _referral(session, referral_id), rules.ACKNOWLEDGED, on, note)


def cancel(handle: OfficeHandle, referral_id: int, on: date | None = None, reason: str = "") -> None:
    on = on or rules.office_today()
    _not_future(on)
    with handle.transaction() as session:
        _move(session, handle, _referral(session, referral_id), rules.CANCELLED, on, reason)


def record_counter_referral(handle: OfficeHandle, referral_id: int, data: CounterReferralInput) -> None:
    """The returned slip (or the call, the e-mail): received on, outcome, date of service, feedback."""
    if data.outcome not in codelists.REFERRAL_OUTCOMES:
        raise InputRejected("referral.error.outcome")
    _not_future(data.received_on)
    if data.service_date is not None:
        _not_future(data.service_date)
    if len(data.feedback) > MAX_TEXT:
        raise InputRejected("referral.error.too_long", limit=MAX_TEXT)
    with handle.transaction() as session:
        referral = _referral(session, referral_id)
        if data.service_date is not None and referral.sent_on and data.service_date < referral.sent_on:
            raise InputRejected("referral.error.date_before", field="service_date")
        referral.counter_received_on = data.received_on
        referral.outcome = data.outcome
        referral.service_date = data.service_date
        referral.feedback = data.feedback.strip()
        _event(session, handle, referral, data.received_on, "counter", data.outcome)
        _move(session, handle, referral, rules.CLOSED, data.received_on)


def record_follow_up(handle: OfficeHandle, referral_id: int, on: date | None = None, note: str = "") -> None:
    """One call or message to the provider about a late answer."""
    on = on or rules.office_today()
    _not_future(on)
    with handle.transaction() as session:
        referral = _referral(session, referral_id)
        if referral.state not in rules.OPEN_STATES:
            raise InputRejected("referral.error.not_waiting")
        referral.last_follow_up_on = on
        referral.follow_ups += 1
        referral.updated_at = utcnow()
        _event(session, handle, referral, on, "follow_up", note)
        handle.audit(session, AuditAction.CHANGED, RecordType.REFERRAL, referral.id, "follow-up")


# -- finding -----------------------------------------------------------------------------
def find_by_code(handle: OfficeHandle, typed: str) -> int:
    """The referral whose slip carries this code, typed as people type."""
    code = rules.normalise_code(typed)
    if not rules.is_valid_code(code):
        raise InputRejected("referral.error.code_invalid")
    with handle.transaction() as session:
        found = session.scalar(select(Referral.id).where(Referral.code == code))
    if found is None:
        raise InputRejected("referral.error.code_unknown", code=rules.display_code(code))
    return int(found)


def _rows_query() -> Any:  # Select of (Referral, Case, Person, Provider | None)
    return (
        select(Referral, Case, Person, Provider)
        .join(Case, Case.id == Referral.case_id)
        .join(Person, Person.id == Case.person_id)
        .outerjoin(Provider, Provider.id == Referral.provider_id)
    )


def _row(r: Referral, c: Case, p: Person, provider: Provider | None, today: date) -> ReferralRow:
    latin = " ".join(part for part in (p.family_name.upper(), p.given_name) if part)
    arabic = " ".join(part for part in (p.family_name_ar, p.given_name_ar) if part)
    overdue = r.direction == "outgoing" and rules.is_overdue(r.state, r.due_on, r.counter_received_on, today)
    return ReferralRow(
        id=r.id,
        code=r.code,
        case_id=c.id,
        case_number=c.number,
        person_name=latin or arabic,
        direction=r.direction,
        domain=r.domain,
        provider_id=r.provider_id,
        provider_name=provider.name_fr if provider else "",
        provider_name_ar=provider.name_ar if provider else "",
        provider_phone=provider.phone if provider else "",
        provider_focal_point=provider.focal_point if provider else "",
        urgency=r.urgency,
        state=r.state,
        created_on=r.created_on,
        sent_on=r.sent_on,
        due_on=r.due_on,
        outcome=r.outcome,
        counter_received_on=r.counter_received_on,
        last_follow_up_on=r.last_follow_up_on,
        follow_ups=r.follow_ups,
        overdue=overdue,
        days_late=rules.days_late(r.due_on, today) if overdue and r.due_on else 0,
    )


def case_referrals(handle: OfficeHandle, case_id: int, today: date | None = None) -> list[ReferralRow]:
    today = today or rules.office_today()
    with handle.transaction() as session:
        query = (
            _rows_query().where(Referral.case_id == case_id).order_by(Referral.created_on.desc(), Referral.id.desc())
        )
        return [_row(r, c, p, pr, today) for r, c, p, pr in session.execute(query)]


def referral_rows(
    handle: OfficeHandle, flt: ReferralFilter, today: date | None = None, limit: int = 1000
) -> list[ReferralRow]:
    """The referral log, newest first (the first ``limit``)."""
    today = today or rules.office_today()
    query = _rows_query()
    if flt.state:
        query = query.where(Referral.state == flt.state)
    if flt.direction:
        query = query.where(Referral.direction == flt.direction)
    if flt.domain:
        query = query.where(Referral.domain == flt.domain)
    if flt.provider_id is not None:
        query = query.where(Referral.provider_id == flt.provider_id)
    if flt.sent_from is not None:
        query = query.where(Referral.sent_on >= flt.sent_from)
    if flt.sent_to is not None:
        query = query.where(Referral.sent_on <= flt.sent_to)
    if flt.overdue_only:
        query = _waiting(query, today)
    if flt.overdue_only:  # few rows: take them by the partial index and sort them ("+" keeps SQLite
        query = query.order_by(text("+referral.created_on DESC, referral.id DESC"))  # off the date index)
    else:  # newest first along ix_referral_created_on, stopping at the limit
        query = query.order_by(Referral.created_on.desc(), Referral.id.desc())
    query = query.limit(limit)
    with handle.transaction() as session:
        return [_row(r, c, p, pr, today) for r, c, p, pr in session.execute(query)]


def _waiting(query: Select[Any], today: date) -> Select[Any]:
    # the very condition of the partial index ix_referral_waiting, so SQLite uses it
    return query.where(
        _WAITING_STATES,
        Referral.counter_received_on.is_(None),
        Referral.due_on < today,
        Referral.direction == "outgoing",
    )


def overdue(handle: OfficeHandle, today: date | None = None) -> list[ReferralRow]:
    """Referrals to follow up ("à relancer"): the latest first, each with the provider's contact."""
    today = today or rules.office_today()
    query = _waiting(_rows_query(), today).order_by(Referral.due_on, Referral.id)
    with handle.transaction() as session:
        return [_row(r, c, p, pr, today) for r, c, p, pr in session.execute(query)]


def overdue_count(handle: OfficeHandle, today: date | None = None) -> dict[str, int]:
    """For the home screen: how many are late, by urgency."""
    from sqlalchemy import func

    today = today or rules.office_today()
    query = (
        select(Referral.urgency, func.count())
        .where(
            _WAITING_STATES,
            Referral.counter_received_on.is_(None),
            Referral.due_on < today,
            Referral.direction == "outgoing",
        )
        .group_by(Referral.urgency)
    )
    with handle.transaction() as session:
        counts = {urgency: int(n) for urgency, n in session.execute(query)}
    counts["total"] = sum(counts.values())
    return counts


def get_referral(handle: OfficeHandle, referral_id: int, today: date | None = None) -> ReferralDetail:
    """One referral with its history; the read is audited (it shows a person's data)."""
    today = today or rules.office_today()
    with handle.transaction() as session:
        found = session.execute(_rows_query().where(Referral.id == referral_id)).first()
        if found is None:
            raise InputRejected("referral.error.unknown")
        r, c, p, provider = found
        users = {uid: name for uid, name in session.execute(select(User.id, User.display_name))}
        service = session.get(ProviderService, r.service_id) if r.service_id else None
        events = session.scalars(
            select(ReferralEvent).where(ReferralEvent.referral_id == r.id).order_by(ReferralEvent.id)
        )
        detail = ReferralDetail(
            row=_row(r, c, p, provider, today),
            service_name=(service.name_fr or service.name_ar) if service else "",
            reason=r.reason,
            shared=split(r.shared),
            acknowledged_on=r.acknowledged_on,
            closed_on=r.closed_on,
            service_date=r.service_date,
            feedback=r.feedback,
            consent_override=r.consent_override,
            officer=users.get(r.officer_id or 0, ""),
            events=[ReferralEventRow(e.on_date, e.kind, e.note, users.get(e.officer_id or 0, "")) for e in events],
        )
        handle.audit(session, AuditAction.VIEWED, RecordType.REFERRAL, r.id, f"case {c.id}")
        return detail


def slip(handle: OfficeHandle, referral_id: int) -> ReferralSlip:
    """The fiche de référence's content: the minimum necessary, as the referral shares it. Audited."""
    from desktop.db.models import IdentityDocument, Office

    with handle.transaction() as session:
        r = _referral(session, referral_id)
        case = session.get(Case, r.case_id)
        office = session.get(Office, 1)
        assert case is not None and office is not None
        person = session.get(Person, case.person_id)
        assert person is not None
        provider = session.get(Provider, r.provider_id) if r.provider_id else None
        service = session.get(ProviderService, r.service_id) if r.service_id else None
        officer = session.get(User, r.officer_id) if r.officer_id else None
        shared = split(r.shared)
        data = ReferralSlip(
            code=rules.display_code(r.code),
            office_name=office.name,
            office_commune=office.commune_code,
            office_phone=office.phone,
            office_email=office.email,
            officer=officer.display_name if officer else "",
            created_on=r.created_on,
            sent_on=r.sent_on,
            due_on=r.due_on,
            urgency=r.urgency,
            direction=r.direction,
            domain=r.domain,
            provider_name=provider.name_fr if provider else "",
            provider_name_ar=provider.name_ar if provider else "",
            provider_address=provider.address if provider else "",
            provider_phone=provider.phone if provider else "",
            provider_focal_point=provider.focal_point if provider else "",
            service_name=(service.name_fr or service.name_ar) if service else "",
            case_number=case.number,
            shared=shared,
        )
        if "identity" in shared:
            data.family_name, data.given_name = person.family_name, person.given_name
            data.family_name_ar, data.given_name_ar = person.family_name_ar, person.given_name_ar
            data.sex, data.birth_date, data.birth_year = person.sex, person.birth_date, person.birth_year
            data.nationality = person.nationality
        if "phone" in shared:
            data.phone = person.phone
        if "documents" in shared:
            data.documents = [
                (d.kind, d.number)
                for d in session.scalars(select(IdentityDocument).where(IdentityDocument.person_id == person.id))
            ]
        if "need_summary" in shared:
            data.reason = r.reason
        if "vulnerability" in shared:
            data.vulnerability_level = case.vulnerability_level
        handle.audit(session, AuditAction.EXPORTED, RecordType.REFERRAL, r.id, "referral slip")
        return data


def provider_stats(handle: OfficeHandle, since: date | None = None, until: date | None = None) -> list[ProviderStats]:
    """Per provider, outgoing referrals sent in the period: how many, answered, median days, outcomes."""
    import statistics

    query = (
        select(Referral.provider_id, Referral.sent_on, Referral.counter_received_on, Referral.outcome)
        .where(Referral.direction == "outgoing", Referral.sent_on.is_not(None), Referral.provider_id.is_not(None))
        .order_by(Referral.provider_id)
    )
    if since is not None:
        query = query.where(Referral.sent_on >= since)
    if until is not None:
        query = query.where(Referral.sent_on <= until)
    with handle.transaction() as session:
        names = {p.id: (p.name_fr, p.name_ar) for p in session.scalars(select(Provider))}
        stats: dict[int, ProviderStats] = {}
        delays: dict[int, list[int]] = {}
        for provider_id, sent_on, received_on, outcome in session.execute(query):
            if provider_id is None or sent_on is None:  # excluded by the query; says so to the type checker
                continue
            name_fr, name_ar = names.get(provider_id, ("", ""))
            row = stats.setdefault(provider_id, ProviderStats(provider_id, name_fr, name_ar, 0, 0, None, {}))
            row.sent += 1
            if received_on is not None:
                row.answered += 1
                delays.setdefault(provider_id, []).append((received_on - sent_on).days)
            if outcome:
                row.outcomes[outcome] = row.outcomes.get(outcome, 0) + 1
    for provider_id, row in stats.items():
        if delays.get(provider_id):
            row.median_days_to_answer = float(statistics.median(delays[provider_id]))
    return sorted(stats.values(), key=lambda s: (-s.sent, s.name_fr))
