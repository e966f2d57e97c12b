"""Signed extracts for the regional tests, rebuilt from the worked example (tests/fixtures/extract_example).

``make_extract`` keeps the example's rows and re-signs a manifest for another commune, month,
generation time or key series; rows that name a month follow the month asked for, so every
extract passes the reader's checks. Each commune other than the example's signs with its
own fictitious seed (the example's seed is bytes 0x20..0x3f).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import shutil
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

from desktop.domain.extract_format import (
    DESCRIPTOR,
    FILES,
    INDICATORS,
    MANIFEST,
    PERSONS,
    REFERRALS,
    SIGNATURE,
    canonical,
    csv_bytes,
)
from desktop.domain.periods import add_months
from desktop.services.extract_keys import OfficePublicKey, public_key_of, sign

EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "extract_example"
EXAMPLE_ZIP = EXAMPLE / "BAOM-09.001.01.01-2025-03.zip"
EXAMPLE_SEED = bytes(range(32, 64))
EXAMPLE_COMMUNE = "09.001.01.01."
EXAMPLE_PERIOD = "2025-03"
EXAMPLE_GENERATED = "2025-04-02T08:30:00Z"
EXAMPLE_NAME = "BAOM Exemple (fictif)"
EXAMPLE_CREATED = date(2025, 1, 15)
REGION = "09."
OTHER_COMMUNE = "09.001.05.01."  # also in Souss-Massa
OUTSIDE_COMMUNE = "06.111.03.01."  # Casablanca-Settat
# A clock at which the example is a plausible, recent extract.
EXAMPLE_NOW = datetime(2025, 4, 5, 9, 0, tzinfo=UTC)


def seed_for(commune: str) -> bytes:
    return (
        EXAMPLE_SEED if commune == EXAMPLE_COMMUNE else hashlib.sha256(b"fictitious seed " + commune.encode()).digest()
    )


def public_key(commune: str = EXAMPLE_COMMUNE, seed: bytes | None = None) -> OfficePublicKey:
    name = EXAMPLE_NAME if commune == EXAMPLE_COMMUNE else f"BAOM Fictif {commune}"
    return OfficePublicKey(commune, name, public_key_of(seed or seed_for(commune)), EXAMPLE_CREATED)


def key_text(commune: str = EXAMPLE_COMMUNE, seed: bytes | None = None) -> str:
    """The office's public key file, as ``baom office-key`` writes it."""
    return public_key(commune, seed).text()


def month_shift(period: str, delta: int) -> str:
    year, month = add_months(int(period[:4]), int(period[5:]), delta)
    return f"{year:04d}-{month:02d}"


def months_before(today: date, count: int) -> str:
    return month_shift(f"{today.year:04d}-{today.month:02d}", -count)


def _rows(name: str) -> tuple[list[str], list[list[str]]]:
    text = (EXAMPLE / name).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return rows[0], rows[1:]


def example_rows(name: str) -> list[list[str]]:
    return _rows(name)[1]


def make_extract(
    out_dir: Path,
    *,
    commune: str = EXAMPLE_COMMUNE,
    period: str = EXAMPLE_PERIOD,
    generated_at: str | None = None,
    key_series: str | None = None,
    seed: bytes | None = None,
    stages: dict[int, str] | None = None,
    as_zip: bool = True,
    name: str | None = None,
) -> Path:
    """A signed extract in ``out_dir`` (a .zip, or a folder of the six files); returns its path.

    ``stages``: person row index -> another stage (content that differs, for replacements).
    """
    files: dict[str, bytes] = {DESCRIPTOR: (EXAMPLE / DESCRIPTOR).read_bytes()}
    person_header, persons = _rows(PERSONS)
    referral_header, referrals = _rows(REFERRALS)
    moved = period != EXAMPLE_PERIOD
    stage_at = person_header.index("stage")
    for index, row in enumerate(persons):
        if moved:
            row[person_header.index("first_reception")] = str(int(period[:4]) - 1)
        if stages and index in stages:
            row[stage_at] = stages[index]
    if moved:
        months = {EXAMPLE_PERIOD: period, month_shift(EXAMPLE_PERIOD, -1): month_shift(period, -1)}
        for row in referrals:
            for column in ("month_sent", "counter_month"):
                at = referral_header.index(column)
                row[at] = months.get(row[at], row[at])
    files[PERSONS] = csv_bytes(person_header, persons)
    files[REFERRALS] = csv_bytes(referral_header, referrals)
    files[INDICATORS] = (EXAMPLE / INDICATORS).read_bytes()
    manifest = json.loads((EXAMPLE / MANIFEST).read_bytes())
    seed = seed or seed_for(commune)
    manifest.update(
        commune_code=commune,
        period=period,
        generated_at=generated_at or f"{month_shift(period, 1)}-02T08:30:00Z",
        signing_key=public_key(commune, seed).fingerprint,
    )
    if key_series is not None:
        manifest["key_series"] = key_series
    for file_name in (PERSONS, REFERRALS, INDICATORS, DESCRIPTOR):
        manifest["files"][file_name]["sha256"] = hashlib.sha256(files[file_name]).hexdigest()
    files[MANIFEST] = canonical(manifest)
    files[SIGNATURE] = base64.b64encode(sign(seed, files[MANIFEST])) + b"\r\n"
    stem = name or f"BAOM-{commune.rstrip('.')}-{period}"
    out_dir.mkdir(parents=True, exist_ok=True)
    if as_zip:
        target = out_dir / f"{stem}.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            for file_name in FILES:
                z.writestr(file_name, files[file_name])
        return target
    target = out_dir / stem
    target.mkdir()
    for file_name in FILES:
        (target / file_name).write_bytes(files[file_name])
    return target


def tampered(source: Path, out_dir: Path, *, file_name: str = PERSONS) -> Path:
    """A copy of a zipped extract with one byte of ``file_name`` changed (its checksum no longer matches)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"tampered-{source.name}"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == file_name:
                data = data.replace(b";M;", b";F;", 1)
                assert data != src.read(info.filename)
            dst.writestr(info.filename, data)
    return target


def copy_example(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(EXAMPLE_ZIP, out_dir / EXAMPLE_ZIP.name))
