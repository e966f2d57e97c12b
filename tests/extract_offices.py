"""Shared by the extract's privacy and property tests (docs/extract-format.md).

Everything here is written again from the specification, not taken from the writer, so
that the tests compare two readings of the contract:

* the columns and the values each one may hold (§4, §6, §7), as the spec's tables say;
* the k-anonymity procedure of §5 (``reference_anonymise``) and the generalisations each
  quasi-identifier may take (``generalisations``);
* ``expected_month``: the month's rows at their finest level computed in Python from the
  office's records (§2, §4, §6), to compare with what the writer's SQL produced;
* ``check_consistency``: the cross-file rules of §11 check 9.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import hmac
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db.models import Case, CaseStageEvent, Consent, Contact, Person, Provider, Referral, VulnerabilitySheet
from desktop.domain.indicators import BY_CODE, DIMENSION_VALUES, MULTI_VALUED, Unit
from desktop.domain.nationality_groups import nationality_group
from desktop.domain.periods import Period

K = 5

# ---- columns and values, as written in the specification's tables

VULN = (
    "unaccompanied_child", "pregnant_lactating", "single_parent", "elderly", "disability", "serious_illness",
    "mental_health", "violence_survivor", "trafficking_victim", "torture_survivor", "no_shelter", "no_resources",
    "no_documents", "other",
)  # fmt: skip
QIS = ("received_in_month", "first_reception", "category", "sex", "age_band", "nationality_group", "residence")
PERSON_COLUMNS = ("person_key", *QIS, "stage", "vulnerability_level", *(f"vuln_{c}" for c in VULN))
REFERRAL_COLUMNS = (
    "referral_key", "person_key", "direction", "month_sent", "domain", "provider_kind", "urgency", "state_at_end",
    "overdue_at_end", "outcome", "counter_month", "days_to_counter",
)  # fmt: skip
INDICATOR_COLUMNS = ("indicator", "unit", "dimension", "key", "value", "base")
SPEC_COLUMNS = {"persons.csv": PERSON_COLUMNS, "referrals.csv": REFERRAL_COLUMNS, "indicators.csv": INDICATOR_COLUMNS}
SIX_FILES = ("manifest.json", "manifest.sig", "datapackage.json", "persons.csv", "referrals.csv", "indicators.csv")
MANIFEST_FIELDS = {
    "format", "schema_version", "schema_release", "commune_code", "period", "generated_at", "app_version",
    "signing_key", "key_series", "k", "persons", "referrals", "files",
}  # fmt: skip

CATEGORIES = (
    "mre", "returnee_voluntary", "returnee_forced", "returnee_avrr", "rpt_migrant", "rpt_student", "rpt_worker",
    "rpt_asylum_seeker", "rpt_refugee", "rpt_transit",
)  # fmt: skip
AGE_BANDS = ("0-4", "5-11", "12-17", "18-24", "25-59", "60+", "unknown")
NATIONALITY_GROUPS = (
    "morocco", "west_africa", "central_africa", "east_southern_africa", "north_africa_middle_east", "europe",
    "americas", "asia_oceania", "unknown",
)  # fmt: skip
STAGES = ("accueil", "evaluation", "orientation", "accompagnement", "suivi", "autonomie", "cloture")
DOMAINS = (
    "administrative", "civil_status", "health_physical", "health_mental", "health_srh", "psychosocial", "legal_aid",
    "employment_training", "income_generating", "social_aid", "housing", "education", "protection_gbv",
    "pension_rights", "other",
)  # fmt: skip
OUTCOMES = ("served", "partly_served", "refused", "not_eligible", "did_not_come", "redirected")

HEX64 = re.compile(r"[0-9a-f]{64}")
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
INTEGER = re.compile(r"0|[1-9][0-9]*")
MEDIAN = re.compile(r"(0|[1-9][0-9]*)(\.5)?")
ISO_DATE = re.compile(rb"\d{4}-\d{2}-\d{2}")


def _one_of(*values: str) -> Callable[[str], bool]:
    allowed = frozenset(values)
    return lambda v: v in allowed


def _pattern(regex: str) -> Callable[[str], bool]:
    compiled = re.compile(regex)
    return lambda v: compiled.fullmatch(v) is not None


BOOLEAN = _one_of("1", "0")
PERSON_VALUES: dict[str, Callable[[str], bool]] = {
    "person_key": lambda v: HEX64.fullmatch(v) is not None,
    "received_in_month": BOOLEAN,
    "first_reception": _pattern(r"\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?"),
    "category": _one_of(*CATEGORIES, "returnee", "rpt"),
    "sex": _one_of("F", "M"),
    "age_band": _one_of(*AGE_BANDS, "0-17", "18-59"),
    "nationality_group": _one_of(*NATIONALITY_GROUPS, "foreign"),
    "residence": _pattern(r"\d{2}\.(\d{3}\.(\d{2}\.\d{2}\.)?)?|unknown"),
    "stage": _one_of(*STAGES),
    "vulnerability_level": _one_of("low", "medium", "high", "urgent", ""),
    **{f"vuln_{c}": BOOLEAN for c in VULN},
}
REFERRAL_VALUES: dict[str, Callable[[str], bool]] = {
    "referral_key": lambda v: HEX64.fullmatch(v) is not None,
    "person_key": lambda v: v == "" or HEX64.fullmatch(v) is not None,
    "direction": _one_of("outgoing", "incoming"),
    "month_sent": lambda v: MONTH.fullmatch(v) is not None,
    "domain": _one_of(*DOMAINS),
    "provider_kind": _one_of("public", "associative", "international", "private", "none"),
    "urgency": _one_of("h24", "h72", "weeks2"),
    "state_at_end": _one_of("sent", "acknowledged", "closed", "cancelled"),
    "overdue_at_end": BOOLEAN,
    "outcome": _one_of(*OUTCOMES, ""),
    "counter_month": lambda v: v == "" or MONTH.fullmatch(v) is not None,
    "days_to_counter": lambda v: v == "" or INTEGER.fullmatch(v) is not None,
}


def bad_cells(name: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Every cell of a CSV that is not one of the values the specification allows there."""
    problems: list[str] = []
    if name == "indicators.csv":
        for line, row in enumerate(rows, start=2):
            problems += [f"{name}:{line}: {p}" for p in _indicator_problems(row)]
        return problems
    rules = PERSON_VALUES if name == "persons.csv" else REFERRAL_VALUES
    for line, row in enumerate(rows, start=2):
        if len(row) != len(header):
            problems.append(f"{name}:{line}: {len(row)} cells")
            continue
        cells = zip(header, row, strict=True)
        problems += [f"{name}:{line}:{col}={cell!r}" for col, cell in cells if not rules[col](cell)]
    return problems


def _indicator_problems(row: Sequence[str]) -> list[str]:
    if len(row) != len(INDICATOR_COLUMNS):
        return [f"{len(row)} cells"]
    code, unit, dimension, key, value, base = row
    indicator = BY_CODE.get(code)
    if indicator is None:
        return [f"indicator {code!r}"]
    problems = [] if unit == indicator.unit.value else [f"unit {unit!r}"]
    if dimension == "total":
        problems += [] if key == "total" else [f"key {key!r}"]
    elif dimension not in indicator.breakdowns:
        problems.append(f"dimension {dimension!r}")
    elif dimension == "provider":
        problems += [] if key == "none" or UID.fullmatch(key) else [f"provider key {key!r}"]
    elif key not in DIMENSION_VALUES[dimension]:
        problems.append(f"key {key!r}")
    if indicator.unit is Unit.DAYS:
        ok = INTEGER.fullmatch(base) and (MEDIAN.fullmatch(value) if base != "0" else value == "")
    elif indicator.unit is Unit.RATE:
        ok = INTEGER.fullmatch(base) and INTEGER.fullmatch(value)
    else:
        ok = INTEGER.fullmatch(value) and base == ""
    return problems if ok else [*problems, f"value/base {value!r}/{base!r}"]


def parse_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    """A CSV of the extract as Excel-minded tools read it: UTF-8 with BOM, ``;``, CRLF."""
    assert data.startswith(codecs.BOM_UTF8)
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")  # CRLF only, the last line too
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")
    header, *rows = list(reader)
    return header, rows


# ---- the ladder of §5, from the table

_AGE_BROAD = {"0-4": "0-17", "5-11": "0-17", "12-17": "0-17", "18-24": "18-59", "25-59": "18-59"}


def _quarter(v: str) -> str:
    found = re.fullmatch(r"(\d{4})-(\d{2})", v)
    return f"{found[1]}-Q{(int(found[2]) + 2) // 3}" if found else v


def _year(v: str) -> str:
    found = re.fullmatch(r"(\d{4})-Q[1-4]", v)
    return found[1] if found else v


def _foreign(v: str) -> str:
    return v if v in ("morocco", "unknown", "foreign") else "foreign"


def _province(v: str) -> str:
    found = re.fullmatch(r"(\d{2}\.\d{3}\.)\d{2}\.\d{2}\.", v)
    return found[1] if found else v


def _family(v: str) -> str:
    return "returnee" if v.startswith("returnee_") else "rpt" if v.startswith("rpt_") else v


def _region(v: str) -> str:
    found = re.fullmatch(r"(\d{2}\.)\d{3}\.", v)
    return found[1] if found else v


SPEC_LADDER: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("first_reception", _quarter),
    ("age_band", lambda v: _AGE_BROAD.get(v, v)),
    ("nationality_group", _foreign),
    ("first_reception", _year),
    ("residence", _province),
    ("category", _family),
    ("residence", _region),
)
_QI_AT = {q: PERSON_COLUMNS.index(q) for q in QIS}


def qi_of(row: Sequence[str]) -> tuple[str, ...]:
    return tuple(row[_QI_AT[q]] for q in QIS)


def generalisations(column: str, value: str) -> set[str]:
    """The value and every coarser value the ladder may turn it into."""
    found = {value}
    for step_column, mapping in SPEC_LADDER:
        if step_column == column:
            found |= {mapping(v) for v in found}
    return found


def ladder_prefixes(row: Sequence[str]) -> list[tuple[str, ...]]:
    """The row's QIs after 0, 1, … 7 steps of the ladder."""
    work = list(row)
    out = [qi_of(work)]
    for column, mapping in SPEC_LADDER:
        work[_QI_AT[column]] = mapping(work[_QI_AT[column]])
        out.append(qi_of(work))
    return out


@dataclass(frozen=True)
class Reference:
    written: list[list[str]]  # input order, suppressed rows left out
    suppressed: frozenset[int]
    generalised: int


def reference_anonymise(rows: Sequence[Sequence[str]], k: int = K) -> Reference:
    """§5 read literally: step by step, every row of a small class takes the step's mapping."""
    work = [list(r) for r in rows]

    def small() -> set[int]:
        sizes = Counter(qi_of(r) for r in work)
        return {i for i, r in enumerate(work) if sizes[qi_of(r)] < k}

    for column, mapping in SPEC_LADDER:
        now_small = small()
        if not now_small:
            break
        for i in now_small:
            work[i][_QI_AT[column]] = mapping(work[i][_QI_AT[column]])
    gone = frozenset(small())
    kept = [i for i in range(len(work)) if i not in gone]
    changed = sum(1 for i in kept if qi_of(work[i]) != qi_of(rows[i]))
    return Reference([work[i] for i in kept], gone, changed)


def smallest_projection(rows: Sequence[Sequence[str]]) -> tuple[int, tuple[str, ...]]:
    """The smallest class over every non-empty subset of the QIs (and which subset)."""
    smallest: tuple[int, tuple[str, ...]] = (len(rows) + 1, ())
    for size in range(1, len(QIS) + 1):
        for subset in combinations(QIS, size):
            positions = [_QI_AT[q] for q in subset]
            counts = Counter(tuple(r[p] for p in positions) for r in rows)
            if counts and min(counts.values()) < smallest[0]:
                smallest = (min(counts.values()), subset)
    return smallest


def person_key(secret: bytes, person_id: int) -> str:
    return hmac.new(secret, f"person:{person_id}".encode("ascii"), hashlib.sha256).hexdigest()


def referral_key(secret: bytes, referral_id: int) -> str:
    return hmac.new(secret, f"referral:{referral_id}".encode("ascii"), hashlib.sha256).hexdigest()


# ---- the month computed in Python from the records (§2, §4, §6)


@dataclass
class Month:
    """What the month's extract holds before §5, keyed by internal id."""

    excluded: set[int]  # persons whose latest word on statistics is a withdrawal
    persons: dict[int, list[str]] = field(default_factory=dict)  # id -> finest row without its key
    referrals: dict[int, list[str]] = field(default_factory=dict)  # id -> row without its two keys
    referral_person: dict[int, int] = field(default_factory=dict)
    received: set[int] = field(default_factory=set)

    def person_rows(self, secret: bytes) -> tuple[list[list[str]], list[int]]:
        ids = sorted(self.persons)
        return [[person_key(secret, i), *self.persons[i]] for i in ids], ids

    def expected(self, secret: bytes) -> tuple[list[list[str]], list[list[str]], Reference]:
        """persons.csv and referrals.csv rows (sorted by key) the specification asks for."""
        finest, ids = self.person_rows(secret)
        result = reference_anonymise(finest)
        written_ids = {pid for n, pid in enumerate(ids) if n not in result.suppressed}
        persons = sorted(result.written, key=lambda r: r[0])
        referrals = sorted(
            [
                [referral_key(secret, rid), person_key(secret, pid) if pid in written_ids else "", *row]
                for rid, row in self.referrals.items()
                for pid in [self.referral_person[rid]]
            ],
            key=lambda r: r[0],
        )
        return persons, referrals, result


def excluded_persons(session: Session) -> set[int]:
    withdrawn: set[int] = set()
    active: set[int] = set()
    for consent in session.scalars(select(Consent).where(Consent.purpose == "statistics")):
        (active if consent.withdrawn_on is None else withdrawn).add(consent.person_id)
    return withdrawn - active


def _age_band(person: Person, e: date) -> str:
    if person.birth_date is not None:
        born = person.birth_date
        age: int | None = e.year - born.year - ((e.month, e.day) < (born.month, born.day))
    elif person.birth_year_estimated is not None:
        age = e.year - person.birth_year_estimated
    else:
        age = None
    for band, low, high in (("0-4", 0, 4), ("5-11", 5, 11), ("12-17", 12, 17), ("18-24", 18, 24), ("25-59", 25, 59)):
        if age is not None and low <= age <= high:
            return band
    return "60+" if age is not None and age >= 60 else "unknown"


def expected_month(session: Session, period: Period) -> Month:
    """The population, its finest rows and the month's referrals, from the ORM (not the writer's SQL)."""
    s, e = period.start, period.end
    month = Month(excluded_persons(session))
    people = {p.id: p for p in session.scalars(select(Person))}
    cases = list(session.scalars(select(Case)))
    person_of = {c.id: c.person_id for c in cases}
    events: dict[int, list[CaseStageEvent]] = defaultdict(list)
    for ev in session.scalars(select(CaseStageEvent).order_by(CaseStageEvent.on_date, CaseStageEvent.id)):
        events[ev.case_id].append(ev)
    contacts = list(session.scalars(select(Contact)))

    def stage_on(case: Case, day: date, strictly_before: bool = False) -> str | None:
        found = [ev.stage for ev in events[case.id] if (ev.on_date < day if strictly_before else ev.on_date <= day)]
        return found[-1] if found else None

    def open_in_month(case: Case) -> bool:
        if case.opened_on > e:
            return False
        before = stage_on(case, s, strictly_before=True)
        return before != "cloture" or any(s <= ev.on_date <= e and ev.stage != "cloture" for ev in events[case.id])

    received = {person_of[c.case_id] for c in contacts if s <= c.on_date <= e}
    received |= {c.person_id for c in cases if s <= c.opened_on <= e}
    open_persons = {c.person_id for c in cases if open_in_month(c)}

    kinds: dict[int | None, str] = {pid: kind for pid, kind in session.execute(select(Provider.id, Provider.kind))}
    for r in session.scalars(select(Referral)):
        pid = person_of[r.case_id]
        if r.sent_on is None or pid in month.excluded:
            continue
        if r.direction == "outgoing":
            active = r.sent_on <= e and (r.closed_on is None or r.closed_on >= s)
        else:
            active = s <= r.sent_on <= e
        if not active:
            continue
        if r.closed_on is not None and r.closed_on <= e:
            state = "closed" if r.counter_received_on is not None else "cancelled"
        elif r.acknowledged_on is not None and r.acknowledged_on <= e:
            state = "acknowledged"
        else:
            state = "sent"
        answered = r.counter_received_on is not None and r.counter_received_on <= e
        overdue = (
            r.direction == "outgoing" and state in ("sent", "acknowledged") and r.due_on is not None and r.due_on < e
        )
        month.referrals[r.id] = [
            r.direction, f"{r.sent_on:%Y-%m}", r.domain,
            kinds.get(r.provider_id, "none"), r.urgency, state,
            "1" if overdue else "0", r.outcome if answered else "",
            f"{r.counter_received_on:%Y-%m}" if answered and r.counter_received_on else "",
            str((r.counter_received_on - r.sent_on).days) if answered and r.counter_received_on else "",
        ]  # fmt: skip
        month.referral_person[r.id] = pid

    population = (received | open_persons | set(month.referral_person.values())) - month.excluded
    month.received = received - month.excluded
    first_seen: dict[int, date] = {}
    for c in cases:
        first_seen[c.person_id] = min(first_seen.get(c.person_id, c.opened_on), c.opened_on)
    for ct in contacts:
        pid = person_of[ct.case_id]
        first_seen[pid] = min(first_seen.get(pid, ct.on_date), ct.on_date)
    sheets: dict[int, VulnerabilitySheet] = {}
    for sheet in session.scalars(select(VulnerabilitySheet).where(VulnerabilitySheet.assessed_on <= e)):
        pid = person_of[sheet.case_id]
        best = sheets.get(pid)
        if best is None or (sheet.assessed_on, sheet.id) > (best.assessed_on, best.id):
            sheets[pid] = sheet
    stage_case: dict[int, tuple[date, int, str]] = {}
    for c in cases:
        at_end = stage_on(c, e)
        if c.opened_on <= e and at_end is not None and at_end != "cloture":
            best_case = stage_case.get(c.person_id)
            if best_case is None or (c.opened_on, c.id) > best_case[:2]:
                stage_case[c.person_id] = (c.opened_on, c.id, at_end)

    for pid in population:
        p = people[pid]
        sheet = sheets.get(pid)
        ticked = set(sheet.criteria.split("|")) if sheet is not None else set()
        month.persons[pid] = [
            "1" if pid in received else "0", f"{first_seen[pid]:%Y-%m}", p.category, p.sex, _age_band(p, e),
            nationality_group(p.nationality), p.commune_code or "unknown",
            stage_case[pid][2] if pid in stage_case else "cloture", sheet.level if sheet is not None else "",
            *("1" if c in ticked else "0" for c in VULN),
        ]  # fmt: skip
    return month


# ---- §11 check 9


def earliest_month(first_reception: str) -> str:
    """The first month a (possibly generalised) ``first_reception`` may stand for."""
    if len(first_reception) == 4:
        return f"{first_reception}-01"
    if first_reception[5:6] == "Q":
        return f"{first_reception[:4]}-{3 * int(first_reception[6]) - 2:02d}"
    return first_reception


def _sum_rows(rows: Sequence[Sequence[str]]) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
    by: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for code, _unit, dimension, key, value, base in rows:
        by[(code, dimension)].append((key, value, base))
    return by


def check_consistency(
    manifest: Mapping[str, Any],
    persons: Sequence[Sequence[str]],
    referrals: Sequence[Sequence[str]],
    indicators: Sequence[Sequence[str]],
) -> list[str]:
    """The cross-file rules every extract must keep; returns what is broken (empty when nothing)."""
    problems: list[str] = []

    def expect(what: str, expected: object, found: object) -> None:
        if expected != found:
            problems.append(f"{what}: expected {expected!r}, found {found!r}")

    period = manifest["period"]
    counts, files = manifest["persons"], manifest["files"]
    expect("persons.written", len(persons), counts["written"])
    expect("population - suppressed", counts["written"], counts["population"] - counts["suppressed"])
    expect("persons.csv rows", len(persons), files["persons.csv"]["rows"])
    expect("referrals.written", len(referrals), manifest["referrals"]["written"])
    expect("referrals.csv rows", len(referrals), files["referrals.csv"]["rows"])
    expect("indicators.csv rows", len(indicators), files["indicators.csv"]["rows"])
    expect("person_key_blanked", sum(r[1] == "" for r in referrals), manifest["referrals"]["person_key_blanked"])
    if counts["generalised"] > counts["written"]:
        problems.append("generalised > written")
    keys = [r[0] for r in persons]
    expect("persons sorted by key, unique", sorted(set(keys)), keys)
    referral_keys = [r[0] for r in referrals]
    expect("referrals sorted by key, unique", sorted(set(referral_keys)), referral_keys)
    unknown = {r[1] for r in referrals if r[1]} - set(keys)
    expect("referral person keys not in persons.csv", set(), unknown)
    late = [r[0] for r in persons if earliest_month(r[2]) > period]
    expect("first_reception after the period", [], late)

    totals: dict[str, tuple[str, str]] = {}
    seen: Counter[tuple[str, str, str]] = Counter()
    for code, _unit, dimension, key, value, base in indicators:
        seen[(code, dimension, key)] += 1
        if dimension == "total":
            totals[code] = (value, base)
    expect("duplicate indicator rows", [], [k for k, n in seen.items() if n > 1])
    expect("totals present", set(BY_CODE), set(totals))
    for (code, dimension), keyed in _sum_rows(indicators).items():
        indicator = BY_CODE[code]
        if dimension == "total" or dimension in MULTI_VALUED or indicator.unit is Unit.DAYS:
            continue
        value, base = totals[code]
        expect(f"{code} by {dimension}: sum of values", int(value), sum(int(v) for _, v, _ in keyed))
        if indicator.unit is Unit.RATE:
            expect(f"{code} by {dimension}: sum of bases", int(base), sum(int(b) for _, _, b in keyed))

    outgoing = [r for r in referrals if r[2] == "outgoing"]
    sent = sum(r[3] == period for r in outgoing)
    expect("referrals_sent total = outgoing rows sent in the month", str(sent), totals["referrals_sent"][0])
    expect("counter_referral_rate base = referrals_sent", str(sent), totals["counter_referral_rate"][1])
    expect("referrals_incoming total = incoming rows", str(sum(r[2] == "incoming" for r in referrals)),
           totals["referrals_incoming"][0])  # fmt: skip
    expect("counter_referrals total = outgoing rows answered in the month",
           str(sum(r[10] == period for r in outgoing)), totals["counter_referrals"][0])  # fmt: skip
    expect("overdue_at_end total = rows overdue", str(sum(r[8] == "1" for r in referrals)), totals["overdue_at_end"][0])
    received_rows = sum(r[1] == "1" for r in persons)
    people = int(totals["people_received"][0])
    if not received_rows <= people <= received_rows + counts["suppressed"]:
        problems.append(f"people_received {people} outside [{received_rows}, {received_rows} + suppressed]")
    return problems
