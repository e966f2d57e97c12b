"""Each damaged extract the issue lists is rejected for its reason, and the store stays as it was.

The store already holds March 2025 of the example office; every damaged extract is a
*newer* March 2025 (so it would replace it if accepted). Damages to the content are
re-signed, so that the check that catches them is the one about that content.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.domain import extract_format as fmt
from desktop.services import region_import, region_keys, region_status
from desktop.services.extract_keys import sign
from desktop.services.office import OfficeHandle
from desktop.services.region_import import Outcome
from tests.region_fixtures import EXAMPLE, EXAMPLE_NOW, EXAMPLE_SEED, EXAMPLE_ZIP, OTHER_COMMUNE, key_text
from tests.services.test_region_store import LATER, regional, registered, store_checksum  # noqa: F401 - fixtures

Files = dict[str, bytes]


def _example() -> Files:
    return {name: (EXAMPLE / name).read_bytes() for name in fmt.FILES}


def _resigned(files: Files, *, seed: bytes = EXAMPLE_SEED, commune: str | None = None) -> Files:
    """The manifest made to match the files again (newer generation), then signed with ``seed``."""
    manifest = json.loads(files[fmt.MANIFEST])
    manifest["generated_at"] = "2025-05-03T10:00:00Z"
    if commune is not None:
        from desktop.services.extract_keys import fingerprint, public_key_of

        manifest["commune_code"] = commune
        manifest["signing_key"] = fingerprint(public_key_of(seed))
    for name in (fmt.PERSONS, fmt.REFERRALS, fmt.INDICATORS, fmt.DESCRIPTOR):
        manifest["files"][name]["sha256"] = hashlib.sha256(files[name]).hexdigest()
    out = dict(files)
    out[fmt.MANIFEST] = fmt.canonical(manifest)
    out[fmt.SIGNATURE] = base64.b64encode(sign(seed, out[fmt.MANIFEST])) + b"\r\n"
    return out


def _zip(folder: Path, files: Files) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "BAOM-09.001.01.01-2025-03.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in fmt.FILES:
            archive.writestr(name, files[name])
    return target


def _edit(name: str, change: Callable[[bytes], bytes]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        files = _example()
        files[name] = change(files[name])
        return _zip(folder, _resigned(files))

    return build


def _tampered(folder: Path) -> Path:
    files = _resigned(_example())
    files[fmt.PERSONS] = files[fmt.PERSONS].replace(b";M;", b";F;", 1)  # after signing
    return _zip(folder, files)


def _wrong_signature(folder: Path) -> Path:
    files = _resigned(_example())
    other = _resigned(_example(), seed=bytes(32))
    files[fmt.SIGNATURE] = other[fmt.SIGNATURE]
    return _zip(folder, files)


def _unknown_office(folder: Path) -> Path:
    seed = hashlib.sha256(b"unregistered fictitious office").digest()
    return _zip(folder, _resigned(_example(), seed=seed, commune=OTHER_COMMUNE))


def _huge(folder: Path) -> Path:
    """The six files as a folder, persons.csv grown to 200 MB (sparse: nothing is written)."""
    target = folder / "BAOM-09.001.01.01-2025-03"
    target.mkdir(parents=True)
    for name, data in _resigned(_example()).items():
        (target / name).write_bytes(data)
    with open(target / fmt.PERSONS, "r+b") as handle:
        handle.truncate(200 * 1024 * 1024)
    return target


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\r\n")[:-1]


def _joined(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\r\n" for line in lines)


DAMAGES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "tampered file": (_tampered, "checksum.mismatch"),
    "wrong signature": (_wrong_signature, "signature.invalid"),
    "unknown office": (_unknown_office, "office.unknown"),
    "truncated CSV": (_edit(fmt.PERSONS, lambda d: d[: len(d) - 40]), "csv.truncated"),
    "wrong encoding": (
        _edit(fmt.REFERRALS, lambda d: d.replace(b";legal_aid;", ";légal;".encode("latin-1"))),
        "csv.encoding",
    ),
    "no byte-order mark": (_edit(fmt.INDICATORS, lambda d: d[3:]), "csv.bom"),
    "extra column": (_edit(fmt.PERSONS, lambda d: _joined([line + b";x" for line in _lines(d)])), "csv.header"),
    "missing column": (
        _edit(fmt.REFERRALS, lambda d: _joined([line.rsplit(b";", 1)[0] for line in _lines(d)])),
        "csv.header",
    ),
    "duplicate rows": (_edit(fmt.REFERRALS, lambda d: d + _lines(d)[-1] + b"\r\n"), "csv.duplicate"),
    "200 MB file": (_huge, "container.too_large"),
}


@pytest.fixture
def holding(registered: OfficeHandle) -> Iterator[OfficeHandle]:  # noqa: F811 - the store's fixture
    region_import.import_extracts(registered, [EXAMPLE_ZIP], now=EXAMPLE_NOW)
    yield registered


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_extract_is_rejected_and_changes_nothing(holding: OfficeHandle, tmp_path: Path, damage: str) -> None:
    build, code = DAMAGES[damage]
    source = build(tmp_path / "in")
    before = store_checksum(holding)

    summary = region_import.import_extracts(holding, [source], now=LATER)

    (outcome,) = summary.outcomes
    assert outcome.outcome is Outcome.REJECTED
    assert code in [p.code for p in outcome.problems], [p.code for p in outcome.problems]
    assert all(p.message() and "extract.reason" not in p.message() for p in outcome.problems)
    assert store_checksum(holding) == before


def test_the_same_month_sound_and_newer_replaces_it(holding: OfficeHandle, tmp_path: Path) -> None:
    """The control: the very extract the damages start from is accepted, and replaces March."""
    before = store_checksum(holding)
    summary = region_import.import_extracts(holding, [_zip(tmp_path, _resigned(_example()))], now=LATER)
    assert [o.outcome for o in summary.outcomes] == [Outcome.REPLACED]
    assert store_checksum(holding) != before
    assert len(region_status.status(holding)) == 1


def test_the_key_file_of_the_example_is_the_registered_one() -> None:
    assert "24F6 ED6A CBFE 1009 C030 D7CA 567C 33CA" in key_text()


def test_a_full_disk_stops_the_run_keeps_what_was_stored_and_says_so(
    registered: OfficeHandle,  # noqa: F811 - the store's fixture
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop.domain.errors import DiskFull
    from tests.region_fixtures import make_extract

    region_keys.add_office(registered, OTHER_COMMUNE, key_text(OTHER_COMMUNE))
    first = make_extract(tmp_path / "a", name="a-first")
    second = make_extract(tmp_path / "b", commune=OTHER_COMMUNE, name="b-second")
    real = region_import._insert_rows
    calls = []

    def filling_up(*args: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise DiskFull()
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(region_import, "_insert_rows", filling_up)
    summary = region_import.import_extracts(registered, [first, second], now=LATER)

    assert [o.outcome for o in summary.outcomes] == [Outcome.IMPORTED, Outcome.REJECTED]
    (problem,) = summary.outcomes[1].problems
    assert problem.code == "import.failed" and "disque" in problem.message()
    assert [(s.commune_code, s.period) for s in region_status.status(registered)] == [("09.001.01.01.", "2025-03")]
