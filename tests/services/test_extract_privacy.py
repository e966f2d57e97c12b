"""What leaves the office in an extract, byte by byte (docs/extract-format.md §2–§5, §8; EXTRACT.md "Must").

One office is built once for the module: a demo office, plus persons registered through
the services with *canary* values — distinctive, obviously fictitious names (Latin and
Arabic), document numbers, phones, dates of birth and arrival, free-text notes, referral
reasons and feedback, a directory entry, internal ids. They live in a region where no
demo person lives (01., the demo is in 09.), so their classes are known exactly:

* A0–A5: six persons with the same seven quasi-identifiers, received in month M → one
  class of six, WRITTEN at the finest level (so canaries are checked on written rows);
  A5 withdrew her statistics consent and gave it again → present.
* W1, W2: the same quasi-identifiers as A, statistics consent withdrawn after a first
  extract → absent from every file and every count; W2 has an outgoing and an incoming
  referral.
* S1, S2: alone in their class even at the top of the ladder → SUPPRESSED; S1's referral
  stays, with an empty person_key.

Month M is the month before the last complete one, so that "a month later" (N) is also
over. The extract is written as a ZIP and as a folder, and once more by the ``baom
extract`` command in a subprocess; the log files of both runs, the audit trail's details
and every byte written are scanned for every canary.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import logging
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop import logs
from desktop.db.models import AuditEntry, Person
from desktop.domain import extract_format as fmt
from desktop.domain.periods import Period, last_complete_month
from desktop.domain.referrals import office_today
from desktop.services import cases, demo, directory, extract, extract_keys, referrals
from desktop.services import office as office_service
from desktop.services.case_types import (
    ActionInput,
    AssessmentInput,
    AssessmentItemInput,
    ContactInput,
    DocumentInput,
    HouseholdInput,
    PersonInput,
    VulnerabilityInput,
)
from desktop.services.office import OfficeHandle
from desktop.services.referral_types import CounterReferralInput, ProviderInput, ReferralInput
from tests.extract_offices import (
    ISO_DATE,
    MANIFEST_FIELDS,
    SIX_FILES,
    SPEC_COLUMNS,
    Month,
    bad_cells,
    check_consistency,
    excluded_persons,
    expected_month,
    parse_csv,
    person_key,
    qi_of,
    referral_key,
    smallest_projection,
)

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "zzcanarylogin"
ADMIN_NAME = "Zzcanaryadmin Fictif"
PASSWORD = "mot-de-passe-zzcanary"
REGION_COMMUNE = "01.051.01.01."  # Al Hoceima: no demo person lives in region 01.
OTHER_COMMUNE = "01.051.01.03."
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")
ARABIC_FAMILY = ("كناريتجريبي", "عصفورتجريبي", "حسونتجريبي", "بلبلتجريبي", "هدهدتجريبي", "نورستجريبي",
                 "زرزورتجريبي", "يمامتجريبي")  # fmt: skip
ARABIC_GIVEN = "سلمىتجريبية"
CSV_NAMES = ("persons.csv", "referrals.csv", "indicators.csv")


N = last_complete_month(office_today())  # "a month later"
M = N.previous()  # the month extracted


def _day(n: int) -> date:
    return M.start + timedelta(days=n)


def _date_forms(day: date) -> list[str]:
    return [day.isoformat(), f"{day:%d/%m/%Y}", f"{day:%Y%m%d}", f"{day:%d-%m-%Y}", f"{day:%d.%m.%Y}"]


@dataclass
class Canaries:
    texts: list[str] = field(default_factory=list)  # searched case-insensitively, as UTF-8
    ids: list[bytes] = field(default_factory=list)  # regexes: "person:<id>" and the like

    def add(self, *values: str) -> None:
        self.texts += [v for v in values if v]

    def hits(self, blob: bytes, with_ids: bool = True) -> list[str]:
        lower = blob.lower()
        found = [t for t in self.texts if t.encode("utf-8").lower() in lower]
        if with_ids:
            found += [p.decode() for p in self.ids if re.search(p, blob, re.IGNORECASE)]
        return found


@dataclass
class Built:
    path: Path
    tmp: Path
    secret: bytes
    public_key: bytes
    canaries: Canaries
    ids: dict[str, int]  # "A0" -> person id
    case_ids: dict[str, int]
    referral_ids: dict[str, int]
    before: extract.Extract  # M, before W1 and W2 withdrew
    month: extract.Extract  # M
    again: extract.Extract  # M, built a second time
    later: extract.Extract  # N
    zip_path: Path
    folder: Path
    cli_zip: Path
    cli_output: str
    log_files: list[Path]
    audit_details: list[str]
    excluded: set[int]
    month_check: Month  # M, computed from the records
    demo_canaries: list[str]
    sources: dict[str, list[tuple[str, bytes]]] = field(default_factory=dict)


def _person(i: int, **changes: Any) -> PersonInput:
    word = WORDS[i]
    born = date(1980 + i, 3 + i, 10 + i)
    person = PersonInput(
        family_name=f"Zzcanary{word}",
        given_name=f"Zzgiven{word}",
        family_name_ar=ARABIC_FAMILY[i],
        given_name_ar=ARABIC_GIVEN,
        sex="F",
        birth_date=born,
        nationality="SN",
        category="rpt_migrant",
        languages=["wo", "fr"],
        phone=f"0699 12 34 5{i}",
        commune_code=REGION_COMMUNE,
        douar=f"Douar Zzcanarydouar{word}",
        legal_status="irregular",
        arrival_date=date(2020, 1 + i, 20 - i),
        documents=[DocumentInput("passport", f"ZZ987654{i}"), DocumentInput("unhcr_card", f"ZZU{i}445566")],
        household=[HouseholdInput("child", f"Zzcanarychild{word}", "F", 2015, "enrolled", "registered")],
    )
    for key, value in changes.items():
        setattr(person, key, value)
    return person


def _remember(canaries: Canaries, p: PersonInput) -> None:
    canaries.add(p.family_name, p.given_name, p.family_name_ar, p.given_name_ar, p.phone, p.douar)
    canaries.add(p.phone.replace(" ", ""), f"{p.family_name} {p.given_name}", f"{p.given_name} {p.family_name}")
    for doc in p.documents:
        canaries.add(doc.number, doc.number.replace(" ", ""))
    for member in p.household:
        canaries.add(member.name)
    for day in (p.birth_date, p.arrival_date):
        if day is not None:
            canaries.add(*_date_forms(day))


def _statistics_consent(handle: OfficeHandle, case_id: int) -> int:
    (consent,) = [c for c in cases.get_case(handle, case_id).consents if c.purpose == "statistics" and c.active]
    return consent.id


Ids = dict[str, int]


def _register_canaries(handle: OfficeHandle, canaries: Canaries) -> tuple[Ids, Ids, Ids]:
    ids: dict[str, int] = {}
    case_ids: dict[str, int] = {}
    refs: dict[str, int] = {}
    stats = ("processing", "referral_sharing", "statistics")
    provider_input = ProviderInput(
        name_fr="Zzcanaryprovider", kind="associative", name_ar="مزودتجريبي",
        domains=["housing", "legal_aid", "protection_gbv", "health_physical"], address="Zzcanaryaddress 12",
        commune_code=REGION_COMMUNE, coverage="region", focal_point="Zzcanaryfocal", phone="0528 99 88 77",
        email="zzcanary@example.invalid", notes="Zzcanaryprovidernote", verified_on=M.start,
    )  # fmt: skip
    provider = directory.save_provider(handle, provider_input)
    canaries.add("Zzcanaryprovider", "مزودتجريبي", "Zzcanaryaddress", "Zzcanaryfocal", "0528 99 88 77", "0528998877")
    canaries.add("zzcanary@example.invalid", "Zzcanaryprovidernote")

    names = [f"A{i}" for i in range(6)] + ["W1", "W2"]
    for i, name in enumerate(names):
        word = WORDS[i]
        data = _person(i)
        _remember(canaries, data)
        ids[name], case_ids[name] = cases.register(handle, data, opened_on=_day(i), consents=stats)
        note = f"Zzcanarycontactnote{word}: a raconté son parcours"
        cases.add_contact(handle, case_ids[name], ContactInput(_day(i + 1), "ecoute", "in_person", ["housing"], note))
        sheet = f"Zzcanarysheetnote{word} (violences)"
        cases.add_vulnerability_sheet(
            handle, case_ids[name], VulnerabilityInput(_day(i + 1), "high", ["no_shelter", "violence_survivor"], sheet)
        )
        item = AssessmentItemInput("housing", f"Zzcanarysituation{word}", f"Zzcanaryneed{word}", "high")
        action = ActionInput(f"Zzcanaryaction{word}", "housing", f"Zzcanaryresponsible{word}")
        assessment = AssessmentInput(_day(i + 2), [item], [action], f"Zzcanarysummary{word}")
        cases.save_assessment(handle, case_ids[name], assessment)
        cases.set_stage(handle, case_ids[name], "evaluation", _day(i + 2))
        canaries.add(note, sheet, *(f"Zzcanary{w}{word}" for w in ("situation", "need", "action", "responsible")))
        canaries.add(f"Zzcanarysummary{word}")

    # A0: an outgoing referral followed to its counter-referral, every free text filled.
    a0 = case_ids["A0"]
    reason = ReferralInput("housing", provider, urgency="h72", reason="Zzcanaryreason A0 sans abri", shared=["phone"])
    refs["A0"] = referrals.create_referral(handle, a0, reason, on=_day(3), send=True)
    referrals.acknowledge(handle, refs["A0"], _day(4), note="Zzcanaryacknote")
    referrals.record_follow_up(handle, refs["A0"], _day(5), note="Zzcanaryfollowupnote")
    answer = CounterReferralInput(_day(6), "served", service_date=_day(5), feedback="Zzcanaryfeedback hébergée")
    referrals.record_counter_referral(handle, refs["A0"], answer)
    # A1: a draft (never travels); A2: sent then cancelled with a reason.
    draft = ReferralInput("legal_aid", provider, reason="Zzcanarydraftreason", shared=["identity"])
    refs["A1"] = referrals.create_referral(handle, case_ids["A1"], draft, on=_day(4))
    cancelled = ReferralInput("legal_aid", provider, urgency="h24", reason="Zzcanarycancelreason", shared=[])
    refs["A2"] = referrals.create_referral(handle, case_ids["A2"], cancelled, on=_day(4), send=True)
    referrals.cancel(handle, refs["A2"], _day(6), reason="Zzcanarycancelnote")
    # W2: an outgoing and an incoming referral.
    out = ReferralInput("legal_aid", provider, urgency="weeks2", reason="Zzcanaryreason W2", shared=["identity"])
    refs["W2"] = referrals.create_referral(handle, case_ids["W2"], out, on=_day(9), send=True)
    incoming = ReferralInput("protection_gbv", provider, direction="incoming", reason="Zzcanaryincoming", shared=[])
    refs["W2in"] = referrals.create_referral(handle, case_ids["W2"], incoming, on=_day(10))
    canaries.add("Zzcanaryreason", "Zzcanaryacknote", "Zzcanaryfollowupnote", "Zzcanaryfeedback", "Zzcanarydraftreason")
    canaries.add("Zzcanarycancelreason", "Zzcanarycancelnote", "Zzcanaryincoming")

    # S1, S2: alone even at the top of the ladder.
    s1 = _person(0, family_name="Zzcanarysierra", given_name="Zzgivensierra", family_name_ar="صقرتجريبي", sex="M",
                 birth_date=date(1950, 6, 1), nationality="US", category="returnee_forced", phone="0699 77 66 55",
                 commune_code=OTHER_COMMUNE, douar="Douar Zzcanarydouarsierra", arrival_date=date(2019, 2, 3),
                 documents=[DocumentInput("cin", "ZZ5551234")],
                 household=[HouseholdInput("spouse", "Zzcanaryspouse", "F", 1955)])  # fmt: skip
    s2 = _person(1, family_name="Zzcanarytango", given_name="Zzgiventango", family_name_ar="غرابتجريبي",
                 birth_date=None, estimated_age=8, nationality="FR", phone="0699 88 99 00", commune_code=OTHER_COMMUNE,
                 douar="Douar Zzcanarydouartango", arrival_date=None,
                 documents=[DocumentInput("birth_certificate", "ZZ4443322")], household=[])  # fmt: skip
    for name, data in (("S1", s1), ("S2", s2)):
        _remember(canaries, data)
        ids[name], case_ids[name] = cases.register(handle, data, opened_on=_day(12), consents=stats)
        cases.add_contact(handle, case_ids[name], ContactInput(_day(13), "accueil", note=f"Zzcanarynote{name}"))
        canaries.add(f"Zzcanarynote{name}")
    s1_out = ReferralInput("health_physical", provider, urgency="weeks2", reason="Zzcanaryreason S1", shared=[])
    refs["S1"] = referrals.create_referral(handle, case_ids["S1"], s1_out, on=_day(14), send=True)

    for name, case_id in case_ids.items():
        detail = cases.get_case(handle, case_id)
        canaries.add(detail.number)
        canaries.ids += [rf"person:{ids[name]}(?!\d)".encode(), rf"case:{case_id}(?!\d)".encode()]
    for rid in refs.values():
        canaries.add(referrals.get_referral(handle, rid).row.code)
        canaries.ids.append(rf"referral:{rid}(?!\d)".encode())
    return ids, case_ids, refs


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=120, encoding="utf-8",
    )  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    tmp = tmp_path_factory.mktemp("extract_privacy")
    path = tmp / "office.baomdb"
    canaries = Canaries()
    canaries.add(ADMIN_NAME, LOGIN, PASSWORD)
    root = logging.getLogger()
    level = root.level
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
        mp.setenv("BAOM_LOGDIR", str(tmp / "logs"))
        mp.setattr(logs, "_configured", {})
        log_path = logs.setup_logging(logging.DEBUG)
        assert log_path is not None and log_path.parent == tmp / "logs"
        try:
            handle, recovery = office_service.create_office(
                path, commune_code=demo.DEMO_COMMUNE, office_name="BAOM Fictif Canari", admin_login=LOGIN,
                admin_name=ADMIN_NAME, admin_password=PASSWORD, is_demo=True,
            )  # fmt: skip
            canaries.add(recovery, recovery.replace("-", ""))
            with handle:
                demo.fill_demo(handle, cases=160, seed=61)
                ids, case_ids, refs = _register_canaries(handle, canaries)
                before = extract.build_extract(handle, M)
                for name in ("W1", "W2"):
                    cases.withdraw_consent(handle, _statistics_consent(handle, case_ids[name]), N.start)
                cases.withdraw_consent(handle, _statistics_consent(handle, case_ids["A5"]), _day(20))
                cases.give_consent(handle, ids["A5"], "statistics", _day(25))
                month = extract.build_extract(handle, M)
                again = extract.build_extract(handle, M)
                later = extract.build_extract(handle, N)
                (tmp / "out").mkdir()
                zip_path = extract.write_extract(handle, month, tmp / "out" / f"{month.stem}.zip")
                folder = extract.write_extract(handle, month, tmp / "out")
                public_key = extract_keys.office_public_key(handle).public_key
                with handle.transaction() as session:
                    secret = extract_keys.secret_in(session, extract_keys.PSEUDONYM).value
                    seed = extract_keys.secret_in(session, extract_keys.SIGNING).value
                    month_check = expected_month(session, M)
                    demo_people = list(session.scalars(select(Person).where(Person.commune_code.like("09.%"))))
        finally:
            for handler in [h for h in root.handlers if getattr(h, "baseFilename", "") == str(log_path)]:
                root.removeHandler(handler)
                handler.close()
            root.setLevel(level)

    for value in (secret, seed):
        canaries.add(value.hex(), base64.b64encode(value).decode(), base64.b64encode(value).decode().rstrip("="))
    demo_canaries: list[str] = []
    for p in demo_people:
        demo_canaries += [p.family_name_ar, p.given_name_ar, p.phone, p.phone.replace(" ", "")]
        if p.birth_date is not None:
            demo_canaries += [p.birth_date.isoformat(), f"{p.birth_date:%d/%m/%Y}"]
    demo_canaries = sorted({c for c in demo_canaries if len(c) >= 4})

    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOM_")}
    env.update(
        BAOM_INSECURE_FAST_KDF_FOR_TESTS="1", BAOM_PASSWORD=PASSWORD, BAOM_LOGDIR=str(tmp / "cli-logs"),
        BAOM_SETTINGS=str(tmp / "settings.json"), BAOM_DATADIR=str(tmp / "data"), PYTHONPATH=str(ROOT),
    )  # fmt: skip
    (tmp / "cli").mkdir()
    cli_zip = tmp / "cli" / "extrait.zip"
    done = _cli(env, "extract", "--db", str(path), "--user", LOGIN, "--month", M.key(), "--out", str(cli_zip))
    assert done.returncode == 0, done.stderr
    this_month = Period.month(office_today().year, office_today().month).key()
    refused = _cli(env, "extract", "--db", str(path), "--user", LOGIN, "--month", this_month, "--out", str(tmp / "cli"))
    assert refused.returncode == 4 and "Traceback" not in refused.stderr
    handle = office_service.unlock(path, LOGIN, PASSWORD)
    with handle, handle.transaction() as session:
        audit_details = list(session.scalars(select(AuditEntry.detail)))
        excluded = excluded_persons(session)

    log_files = sorted(p for p in tmp.rglob("*.log*") if p.is_file())
    b = Built(
        path, tmp, secret, public_key, canaries, ids, case_ids, refs, before, month, again, later, zip_path, folder,
        cli_zip, done.stdout + done.stderr + refused.stdout + refused.stderr, log_files, audit_details, excluded,
        month_check, demo_canaries,
    )  # fmt: skip
    b.sources = _sources(b)
    yield b


def _entries(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def _preview(e: extract.Extract) -> bytes:
    rows = [*e.persons, *e.referrals, *e.indicators]
    return "\n".join(";".join(r) for r in rows).encode("utf-8")


def _sources(b: Built) -> dict[str, list[tuple[str, bytes]]]:
    """Every byte to scan, by where it comes from."""
    written = [b.zip_path, b.cli_zip, *sorted(p for p in b.folder.iterdir())]
    return {
        "zip files": [(str(p), p.read_bytes()) for p in (b.zip_path, b.cli_zip)],
        "zip entries": [(f"{p.name}!{n}", data) for p in (b.zip_path, b.cli_zip) for n, data in _entries(p)]
        + [(f"{p.name} entry names", "\n".join(n for n, _ in _entries(p)).encode()) for p in (b.zip_path, b.cli_zip)],
        "folder": [(str(p), p.read_bytes()) for p in written[2:]],
        "file names": [("names", "\n".join(str(p) for p in written).encode())],
        "extract objects": [
            (f"{name} {e.period.key()} {file}", data)
            for name, e in (("month", b.month), ("later", b.later), ("before", b.before))
            for file, data in e.files.items()
        ]
        + [(f"{name} preview", _preview(e)) for name, e in (("month", b.month), ("later", b.later))],
        "command output": [("baom extract stdout+stderr", b.cli_output.encode("utf-8"))],
        "log files": [(str(p), p.read_bytes()) for p in b.log_files],
    }


# ---- the canaries are meaningful


def test_the_canary_classes_are_written_suppressed_and_withdrawn_as_designed(built: Built) -> None:
    written = {r[0]: r for r in built.month.persons}
    key = {name: person_key(built.secret, pid) for name, pid in built.ids.items()}
    finest = ("1", M.key(), "rpt_migrant", "F", "25-59", "west_africa", REGION_COMMUNE)
    for name in ("A0", "A1", "A2", "A3", "A4", "A5"):
        assert qi_of(written[key[name]]) == finest, name  # written, at the finest level
        assert written[key[name]][8:10] == ["evaluation", "high"]
    assert sum(qi_of(r) == finest for r in built.month.persons) == 6
    for name in ("S1", "S2", "W1", "W2"):
        assert key[name] not in written, name
    # before the withdrawal, W1 and W2 were in the same class (8 rows): what changed is consent only
    assert {key["W1"], key["W2"]} <= {r[0] for r in built.before.persons}
    assert sum(qi_of(r) == finest for r in built.before.persons) == 8
    # enough demo rows around them for the scan to mean something
    assert built.month.count("persons", "written") > 40 and built.month.count("persons", "suppressed") >= 2
    assert built.month.count("referrals", "written") > 10
    assert {p.parent.name for p in built.log_files if p.stat().st_size} == {"logs", "cli-logs"}
    assert len(built.audit_details) > 100 and len(built.canaries.texts) > 150 and len(built.canaries.ids) > 20


# ---- no canary anywhere


@pytest.mark.parametrize(
    "source", ["zip files", "zip entries", "folder", "file names", "extract objects", "command output", "log files"]
)
def test_no_canary_in_any_byte_written_shown_or_logged(built: Built, source: str) -> None:
    items = built.sources[source]
    assert items and all(isinstance(data, bytes) for _, data in items)
    found = {label: hits for label, data in items if (hits := built.canaries.hits(data))}
    assert found == {}


def test_no_personal_data_in_the_audit_trail_details(built: Built) -> None:
    details = "\n".join(built.audit_details).encode("utf-8")
    assert b"extract preview" in details and f"extract {built.month.manifest_sha256}".encode() in details
    assert built.canaries.hits(details, with_ids=False) == []


def test_no_demo_person_identifier_in_the_extract(built: Built) -> None:
    assert len(built.demo_canaries) > 100
    for name in (*CSV_NAMES, "datapackage.json"):  # the manifest's own fields are checked one by one
        data = built.month.files[name]
        lower = data.lower()
        assert [c for c in built.demo_canaries if c.encode("utf-8").lower() in lower] == [], name


def test_no_internal_id_nor_exact_date_in_the_files(built: Built) -> None:
    for e in (built.month, built.later, built.before):
        for name, data in e.files.items():
            assert re.search(rb"(person|referral|case):\d", data) is None, name
            if name in CSV_NAMES:
                assert ISO_DATE.search(data) is None, name
                assert re.search(rb"\d{1,2}/\d{1,2}/\d{2,4}", data) is None, name
                assert re.search(rb"\d{4}-\d{2}-\d{2}", _preview(e)) is None


# ---- only what the specification lists


def test_only_the_specified_files_columns_and_values(built: Built) -> None:
    for e in (built.month, built.later, built.before):
        assert tuple(e.files) == SIX_FILES
        assert set(e.manifest) == MANIFEST_FIELDS
        assert set(e.manifest["persons"]) == {"population", "written", "suppressed", "generalised"}
        assert set(e.manifest["referrals"]) == {"written", "person_key_blanked"}
        assert e.manifest["k"] == 5 and e.manifest["commune_code"] == demo.DEMO_COMMUNE
        for name in CSV_NAMES:
            header, rows = parse_csv(e.files[name])
            assert tuple(header) == SPEC_COLUMNS[name]
            assert bad_cells(name, header, rows) == []
    descriptor = json.loads(built.month.files["datapackage.json"])
    fields = {r["name"] + ".csv": tuple(f["name"] for f in r["schema"]["fields"]) for r in descriptor["resources"]}
    assert fields == SPEC_COLUMNS


def test_the_zip_and_the_folder_hold_exactly_the_six_files_and_nothing_else(built: Built) -> None:
    for path in (built.zip_path, built.cli_zip):
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            assert archive.comment == b""
            assert [i.filename for i in infos] == list(SIX_FILES)
            for info in infos:
                assert info.date_time == (1980, 1, 1, 0, 0, 0)  # no time of writing inside
                assert info.extra == b"" and info.comment == b"" and not info.is_dir()
                assert info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) and not info.flag_bits & 1
    assert dict(_entries(built.zip_path)) == dict(built.month.files)
    assert built.folder == built.zip_path.parent / built.month.stem
    assert sorted(p.name for p in built.zip_path.parent.iterdir()) == sorted([built.zip_path.name, built.month.stem])
    assert {p.name: p.read_bytes() for p in built.folder.iterdir()} == dict(built.month.files)
    cli = dict(_entries(built.cli_zip))
    for name in CSV_NAMES:
        assert cli[name] == built.month.files[name]  # the command writes the same rows


# ---- suppressed and withdrawn persons leave no key


def test_no_key_of_a_suppressed_or_withdrawn_person(built: Built) -> None:
    assert {built.ids["W1"], built.ids["W2"]} <= built.excluded and built.ids["A5"] not in built.excluded
    gone = [person_key(built.secret, pid) for pid in built.excluded]
    gone += [person_key(built.secret, built.ids[n]) for n in ("S1", "S2")]
    gone_referrals = [referral_key(built.secret, built.referral_ids[n]) for n in ("W2", "W2in", "A1")]
    assert len(gone) > 4
    for e in (built.month, built.later):
        blob = b"".join(e.files[n] for n in CSV_NAMES) + _preview(e)
        assert [k for k in gone + gone_referrals if k.encode() in blob] == []
    # the referral of suppressed S1 stays, without its person
    s1 = referral_key(built.secret, built.referral_ids["S1"])
    (row,) = [r for r in built.month.referrals if r[0] == s1]
    assert row[1] == "" and row[2:5] == ["outgoing", M.key(), "health_physical"]
    # every key written is the key of a person of the office who did not withdraw
    with_keys = {person_key(built.secret, pid) for pid in built.month_check.persons}
    assert {r[0] for r in built.month.persons} <= with_keys


def test_withdrawn_persons_are_not_counted_anywhere(built: Built) -> None:
    before, after = built.before, built.month

    def total(e: extract.Extract, code: str) -> int:
        (row,) = [r for r in e.indicators if r[0] == code and r[2] == "total"]
        return int(row[4])

    assert total(before, "people_received") - total(after, "people_received") == 2
    assert total(before, "vulnerable_people") - total(after, "vulnerable_people") == 2
    assert total(before, "referrals_sent") - total(after, "referrals_sent") == 1
    assert total(before, "referrals_incoming") - total(after, "referrals_incoming") == 1
    assert total(before, "cases_opened") - total(after, "cases_opened") == 2
    assert before.count("persons", "population") - after.count("persons", "population") == 2
    assert len(before.persons) - len(after.persons) == 2
    assert len(before.referrals) - len(after.referrals) == 2
    w2 = {referral_key(built.secret, built.referral_ids[n]) for n in ("W2", "W2in")}
    assert w2 <= {r[0] for r in before.referrals} and not w2 & {r[0] for r in after.referrals}


def test_a_person_who_consented_again_is_present(built: Built) -> None:
    a5 = person_key(built.secret, built.ids["A5"])
    assert a5 in {r[0] for r in built.month.persons} and a5 in {r[0] for r in built.later.persons}


# ---- k-anonymity on every combination of quasi-identifiers


@pytest.mark.parametrize("which", ["month", "later", "before"])
def test_every_combination_of_quasi_identifiers_occurs_at_least_five_times(built: Built, which: str) -> None:
    e: extract.Extract = getattr(built, which)
    assert e.persons
    smallest, subset = smallest_projection(e.persons)
    assert smallest >= 5, subset
    assert e.smallest_class == min(sum(qi_of(r) == qi_of(other) for r in e.persons) for other in e.persons)


# ---- stable keys, same bytes


def test_the_same_month_twice_gives_the_same_files(built: Built) -> None:
    for name in (*CSV_NAMES, "datapackage.json"):
        assert built.month.files[name] == built.again.files[name], name
    same = {k: v for k, v in built.month.manifest.items() if k != "generated_at"}
    assert same == {k: v for k, v in built.again.manifest.items() if k != "generated_at"}


def test_a_month_later_the_same_persons_and_referrals_keep_their_keys(built: Built) -> None:
    assert built.later.period == N and built.later.manifest["key_series"] == built.month.manifest["key_series"]
    keys_m = {r[0] for r in built.month.persons}
    keys_n = {r[0] for r in built.later.persons}
    for name in ("A0", "A1", "A2", "A3", "A4", "A5"):
        key = person_key(built.secret, built.ids[name])
        assert key in keys_m and key in keys_n, name
        (row,) = [r for r in built.later.persons if r[0] == key]
        assert row[1] == "0"  # still open in N, not received again
    s1 = referral_key(built.secret, built.referral_ids["S1"])
    assert s1 in {r[0] for r in built.later.referrals}  # still waiting for its answer
    assert len(keys_m & keys_n) > 20  # the demo's ongoing cases too


def test_rows_are_those_the_records_give(built: Built) -> None:
    persons, referral_rows, reference = built.month_check.expected(built.secret)
    assert [list(r) for r in built.month.persons] == persons
    assert [list(r) for r in built.month.referrals] == referral_rows
    assert built.month.count("persons", "suppressed") == len(reference.suppressed)
    assert built.month.count("persons", "generalised") == reference.generalised


@pytest.mark.parametrize("which", ["month", "later", "before"])
def test_the_files_agree_with_each_other(built: Built, which: str) -> None:
    e: extract.Extract = getattr(built, which)
    assert check_consistency(e.manifest, e.persons, e.referrals, e.indicators) == []


# ---- what spreadsheets and Python read


@pytest.mark.parametrize(
    "cell", ["=cmd|' /C calc'!A0", "+33 1", "-2+3", "@SUM(A1:A9)", "\tx", "\rx", "\nx", "'quoted", "=1;2", '="a"']
)
def test_the_formula_guard_keeps_a_cell_from_being_a_formula(cell: str) -> None:
    data = fmt.csv_bytes(["a", "b"], [[cell, "ok"]])
    header, row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert header == ["a", "b"]
    assert row == ["'" + cell, "ok"]
    assert fmt.unguard(row[0]) == cell
    for safe in ("ok", "09.", "2025-03", "a=b", "x'"):
        assert fmt.guard(safe) == safe and fmt.unguard(safe) == safe
    assert fmt.unguard(fmt.guard("'")) == "'"  # a lone quote starts like a guarded cell: guarded too


def test_no_written_cell_begins_like_a_formula(built: Built) -> None:
    for e in (built.month, built.later):
        for name in CSV_NAMES:
            _, rows = parse_csv(e.files[name])
            assert [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r", "\n", "'")] == []


def test_the_written_csv_opens_with_python_csv(built: Built) -> None:
    rows_of = {"persons.csv": built.month.persons, "referrals.csv": built.month.referrals,
               "indicators.csv": built.month.indicators}  # fmt: skip
    for name, expected in rows_of.items():
        with open(built.folder / name, encoding="utf-8-sig", newline="") as handle:
            header, *rows = list(csv.reader(handle, delimiter=";"))
        assert tuple(header) == SPEC_COLUMNS[name]
        assert rows == [list(r) for r in expected]
        assert all(len(r) == len(header) for r in rows)


# ---- the regional reader takes it back


def _read(built: Built, source: Path) -> Any:
    reader = pytest.importorskip("desktop.services.extract_reader")
    keys = {demo.DEMO_COMMUNE: [reader.RegisteredKey(built.public_key)]}
    return reader.read_extract(source, keys, datetime.now(UTC))


@pytest.mark.parametrize("which", ["zip", "folder", "cli zip"])
def test_the_reader_reads_back_exactly_what_was_written(built: Built, which: str) -> None:
    source = {"zip": built.zip_path, "folder": built.folder, "cli zip": built.cli_zip}[which]
    read = _read(built, source)
    assert read.commune_code == demo.DEMO_COMMUNE and read.period == M.key()
    assert read.persons == [tuple(r) for r in built.month.persons]
    assert read.referrals == [tuple(r) for r in built.month.referrals]
    assert read.indicators == [tuple(r) for r in built.month.indicators]
    if which != "cli zip":
        assert read.manifest_sha256 == built.month.manifest_sha256
        assert dict(read.manifest) == dict(built.month.manifest)
    assert read.key_series == built.month.manifest["key_series"]
