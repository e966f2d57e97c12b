#!/usr/bin/env python3
"""Build BAOM's cleaned administrative reference file.

Reads the raw Moroccan administrative division CSV files (region, province,
circle, commune) taken from the public repository aldukhn/Tayssir (2020) and
writes ``resources/reference/morocco-admin.json``.

Usage (from the repository root)::

    python3 tools/build_reference.py [SOURCE_DIR] [--output PATH]

SOURCE_DIR defaults to ``../shared/reference/morocco-admin`` relative to the
repository root; PATH defaults to ``resources/reference/morocco-admin.json``.

Standard library only.  The output is deterministic (no timestamps, records
sorted by code) so that re-running the script reproduces the file byte for byte.
Warnings about anomalies go to stderr; they do not stop the build.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "reference" / "morocco-admin"
DEFAULT_OUTPUT = REPO_ROOT / "resources" / "reference" / "morocco-admin.json"

SOURCE_DESCRIPTION = (
    "Morocco administrative divisions (2015 regional division): public repository "
    "aldukhn/Tayssir, resources/Data/location/CSV/ (2020), cleaned by "
    "tools/build_reference.py"
)

# Official names of the 12 regions of the 2015 division, by ministry code.
OFFICIAL_REGIONS: dict[str, tuple[str, str]] = {
    "01.": ("Tanger-Tétouan-Al Hoceïma", "طنجة-تطوان-الحسيمة"),
    "02.": ("L'Oriental", "الشرق"),
    "03.": ("Fès-Meknès", "فاس-مكناس"),
    "04.": ("Rabat-Salé-Kénitra", "الرباط-سلا-القنيطرة"),
    "05.": ("Béni Mellal-Khénifra", "بني ملال-خنيفرة"),
    "06.": ("Casablanca-Settat", "الدار البيضاء-سطات"),
    "07.": ("Marrakech-Safi", "مراكش-آسفي"),
    "08.": ("Drâa-Tafilalet", "درعة-تافيلالت"),
    "09.": ("Souss-Massa", "سوس-ماسة"),
    "10.": ("Guelmim-Oued Noun", "كلميم-واد نون"),
    "11.": ("Laâyoune-Sakia El Hamra", "العيون-الساقية الحمراء"),
    "12.": ("Dakhla-Oued Ed-Dahab", "الداخلة-وادي الذهب"),
}

# Names (or distinctive parts) of the 16 regions of the 1997-2015 division.
OLD_REGION_NAMES = (
    "Grand Casablanca",
    "Chaouia-Ouardigha",
    "Doukkala-Abda",
    "Tadla-Azilal",
    "Gharb-Chrarda",
    "Meknès-Tafilalet",
    "Fès-Boulemane",
    "Taza-Al Hoceima-Taounate",
    "Tanger-Tétouan",
    "Marrakech-Tensift",
    "Guelmim-Es Semara",
    "Laâyoune-Boujdour",
    "Oued Ed-Dahab-Lagouira",
    "Rabat-Salé-Zemmour",
    "Souss-Massa-Drâa",
)

# Explicit corrections of individual names, applied after the generic cleaning.
# Key: (table, code, field) -> (expected cleaned raw value, corrected value).
# A correction whose expected value no longer matches is skipped with a warning.
CORRECTIONS: dict[tuple[str, str, str], tuple[str, str]] = {
    # Provinces / prefectures.
    ("province", "09.001.", "name_fr"): ("Agadir-Ida-Ou-Tanane", "Agadir Ida-Ou-Tanane"),
    # Words in reversed order (bidi accident) and a stray prefix.
    ("province", "09.273.", "name_ar"): ("أيت ملول-إنزكان", "إنزكان-آيت ملول"),
    # First letter lost ("Jeddah" instead of Oujda).
    ("province", "02.411.", "name_ar"): ("جدة-أنجاد", "وجدة-أنجاد"),
    # "الصافي" is a mistranslation of Safi; the city is آسفي.
    ("province", "07.431.", "name_ar"): ("الصافي", "آسفي"),
    # Circles.
    ("circle", "06.181.05.", "name_ar"): ("بالجديدة", "الجديدة"),
    ("circle", "04.491.05.", "name_fr"): ("Sidi slimane", "Sidi Slimane"),
    # Communes: machine-translation accidents in the Arabic names
    # ("شركة" = company, "السائدة" = prevailing, "كراء" = rent).
    ("commune", "04.421.01.03.", "name_ar"): ("شركة اليوسفية", "اليوسفية"),
    ("commune", "06.141.01.03.", "name_ar"): ("شركة معارف", "المعاريف"),
    ("commune", "09.541.01.03.", "name_ar"): ("شركة قردان", "الكردان"),
    ("commune", "06.141.01.13.", "name_ar"): ("السائدة السلطان", "مرس السلطان"),
    ("commune", "04.501.05.03.", "name_ar"): ("السائدة الخير", "مرس الخير"),
    ("commune", "07.351.01.05.", "name_ar"): ("كراء", "جليز"),
    ("commune", "07.431.01.03.", "name_ar"): ("الصافي", "آسفي"),
    # Communes: French spelling accidents.
    ("commune", "06.141.01.21.", "name_fr"): ("Aîn-Sebaâ", "Aïn-Sebaâ"),
    ("commune", "06.141.01.41.", "name_fr"): ("Aîn-Chock", "Aïn-Chock"),
    ("commune", "01.511.81.05.", "name_fr"): ("HJAR ENNHAL", "Hjar Ennhal"),
    ("centre", "04.281.03.13.3.", "name_fr"): ("Sidi Taîbi", "Sidi Taïbi"),
}

# Prefixes naming the kind of unit rather than the unit itself.
# Matched case-insensitively at the start of the (already whitespace-cleaned)
# name, with any spaces around the colon.
PROVINCE_PREFIXES_FR = {"province": "province", "préfecture": "prefecture"}
PROVINCE_PREFIXES_AR = ("المحافظة", "محافظة", "عمالة", "العمالة", "إقليم", "الإقليم")
CIRCLE_PREFIXES_FR = ("cercle",)
CIRCLE_PREFIXES_AR = ("دائرة",)  # with or without a colon ("دائرة أمزميز")
CENTRE_PREFIXES_FR = ("centre",)
CENTRE_PREFIXES_AR = ("مركز الذي", "مركز")  # colon required

COMMUNE_SUFFIXES = {"(Mun.)": "municipal", "(Arrond.)": "arrondissement"}

# Characters removed outright: zero-width and bidirectional controls, BOM.
INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff\u00ad",
    )
)
TATWEEL = "\u0640"
ARABIC_DIACRITICS = re.compile("[\u064b-\u0652\u0670]")
# Persian/variant letters typed on non-Arabic keyboards -> Arabic letters.
ARABIC_LETTER_MAP = str.maketrans(
    {
        "\u06a9": "\u0643",  # KEHEH -> KAF
        "\u0763": "\u06ad",  # KEHEH WITH THREE DOTS ABOVE -> NG (Moroccan gaf)
    }
)

warnings_emitted = 0


def warn(message: str) -> None:
    global warnings_emitted
    warnings_emitted += 1
    print(f"warning: {message}", file=sys.stderr)


def info(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def clean_text(value: str, arabic: bool) -> str:
    """Generic cleaning shared by all names."""
    text = value.translate(INVISIBLE)
    # Arabic presentation forms (e.g. U+FBD5) -> base letters.
    text = "".join(
        unicodedata.normalize("NFKC", ch) if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufefe" else ch
        for ch in text
    )
    text = unicodedata.normalize("NFC", text)
    # Any kind of space (NBSP, newline, tab...) -> plain space.
    text = "".join(" " if ch.isspace() else ch for ch in text)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    if arabic:
        text = text.replace(TATWEEL, "")
        text = ARABIC_DIACRITICS.sub("", text)
        text = text.translate(ARABIC_LETTER_MAP)
        # FARSI YEH looks like alef maksura at the end of a word, like yeh elsewhere.
        text = re.sub("\u06cc(?=$|[ -])", "\u0649", text)
        text = text.replace("\u06cc", "\u064a")
    text = re.sub(r" +", " ", text).strip()
    return text


def finish(text: str) -> str:
    """Final normalisation after prefixes are gone."""
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r" +", " ", text).strip()
    text = text.strip("،,;: ").strip()
    return text


def strip_prefix(text: str, prefixes: tuple[str, ...], colon_required: bool) -> tuple[str, str | None]:
    """Remove a leading 'Prefix :' (or 'Prefix ' if colon_required is False)."""
    for prefix in prefixes:
        pattern = re.escape(prefix) + (r"\s*:\s*" if colon_required else r"(?:\s*:\s*|\s+)")
        match = re.match(pattern, text, flags=re.IGNORECASE)
        if match:
            return text[match.end() :], prefix
    return text, None


def read_csv(source: Path, name: str) -> list[dict[str, str]]:
    path = source / f"{name}.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [dict(row) for row in csv.DictReader(handle)]
    for row in rows:
        for key, value in row.items():
            if value is None:
                warn(f"{name}.csv: short row {row}")
                row[key] = ""
    return rows


def apply_correction(table: str, code: str, field: str, value: str) -> str:
    correction = CORRECTIONS.get((table, code, field))
    if correction is None:
        return value
    expected, corrected = correction
    if value != expected:
        if value != corrected:
            warn(f"{table} {code} {field}: correction skipped, found {value!r}, expected {expected!r}")
        return value
    info(f"{table} {code} {field}: {value!r} -> {corrected!r}")
    return corrected


def check_duplicates(table: str, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[str] = set()
    kept: list[dict[str, str]] = []
    for row in rows:
        if row["id"] in seen:
            warn(f"{table}: duplicate id {row['id']} ({row.get('name', '')!r}), later row dropped")
            continue
        seen.add(row["id"])
        kept.append(row)
    return kept


def build(source: Path) -> dict[str, object]:
    raw_regions = check_duplicates("region", read_csv(source, "region"))
    raw_provinces = check_duplicates("province", read_csv(source, "province"))
    raw_circles = check_duplicates("circle", read_csv(source, "circle"))
    raw_communes = check_duplicates("commune", read_csv(source, "commune"))

    # Regions: the 12 official 2015 names replace the raw ones.
    regions: list[dict[str, str]] = []
    for row in raw_regions:
        code = row["id"].strip()
        if code not in OFFICIAL_REGIONS:
            warn(f"region {code} ({row['name']!r}) is not one of the 12 regions of 2015; dropped")
            continue
        name_fr, name_ar = OFFICIAL_REGIONS[code]
        raw_fr = finish(clean_text(row["name"], arabic=False))
        raw_ar = finish(clean_text(row["name_ar"], arabic=True))
        if (raw_fr, raw_ar) != (name_fr, name_ar):
            info(f"region {code}: {raw_fr!r} / {raw_ar!r} -> official {name_fr!r} / {name_ar!r}")
        for old in OLD_REGION_NAMES:
            if old.casefold() in raw_fr.casefold() and old.casefold() not in name_fr.casefold():
                info(f"region {code}: 1997-2015 name {old!r} in {raw_fr!r} replaced")
        regions.append({"code": code, "name_fr": name_fr, "name_ar": name_ar})
    missing = sorted(set(OFFICIAL_REGIONS) - {r["code"] for r in regions})
    for code in missing:
        warn(f"region {code} missing from region.csv; added with its official name")
        name_fr, name_ar = OFFICIAL_REGIONS[code]
        regions.append({"code": code, "name_fr": name_fr, "name_ar": name_ar})
    region_codes = {r["code"] for r in regions}

    # Provinces and prefectures.
    provinces: list[dict[str, str]] = []
    for row in raw_provinces:
        code = row["id"].strip()
        region = row["region_id"].strip()
        if not code.startswith(region) or code != f"{region}{row['code'].strip()}.":
            warn(f"province {code}: inconsistent region_id {region!r} / code {row['code']!r}")
        if code[:3] not in region_codes:
            warn(f"province {code}: unknown region {code[:3]}; dropped")
            continue
        region = code[:3]
        name_fr, prefix_fr = strip_prefix(
            clean_text(row["name"], arabic=False), tuple(PROVINCE_PREFIXES_FR), colon_required=True
        )
        name_ar, _ = strip_prefix(clean_text(row["name_ar"], arabic=True), PROVINCE_PREFIXES_AR, True)
        if prefix_fr is None:
            warn(f"province {code}: no Province/Préfecture prefix in {row['name']!r}; kind set to province")
            kind = "province"
        else:
            kind = PROVINCE_PREFIXES_FR[prefix_fr.lower()]
        name_fr = apply_correction("province", code, "name_fr", finish(name_fr))
        name_ar = apply_correction("province", code, "name_ar", finish(name_ar))
        provinces.append({"code": code, "region": region, "kind": kind, "name_fr": name_fr, "name_ar": name_ar})
    province_codes = {p["code"] for p in provinces}

    # Cercles.  Rows that are not cercles are left out (see README).
    circles: list[dict[str, str]] = []
    for row in raw_circles:
        code = row["id"].strip()
        province = row["province_id"].strip()
        if not re.fullmatch(r"\d\d\.\d\d\d\.\d\d\.", code):
            warn(
                f"circle {code} ({clean_text(row['name'], False)!r}): not a cercle "
                "(malformed code, no commune refers to it); left out"
            )
            continue
        if code[:7] != province or not province.startswith(row["region_id"].strip()):
            warn(f"circle {code}: inconsistent province_id/region_id {province!r}/{row['region_id']!r}")
        province = code[:7]
        if province not in province_codes:
            warn(f"circle {code}: unknown province {province}; dropped")
            continue
        name_fr, prefix = strip_prefix(clean_text(row["name"], False), CIRCLE_PREFIXES_FR, True)
        if prefix is None:
            warn(f"circle {code}: no 'Cercle :' prefix in {row['name']!r}")
        name_ar, _ = strip_prefix(clean_text(row["name_ar"], True), CIRCLE_PREFIXES_AR, False)
        name_fr, name_ar = finish(name_fr), finish(name_ar)
        if name_fr in {"", "-"} and name_ar in {"", "-"}:
            info(f"circle {code}: unnamed placeholder; left out, its communes get circle null")
            continue
        if not name_fr or not name_ar:
            warn(f"circle {code}: empty name ({name_fr!r} / {name_ar!r})")
        name_fr = apply_correction("circle", code, "name_fr", name_fr)
        name_ar = apply_correction("circle", code, "name_ar", name_ar)
        circles.append({"code": code, "province": province, "name_fr": name_fr, "name_ar": name_ar})
    circle_codes = {c["code"] for c in circles}

    # Communes, arrondissements, and centres (the centres are not communes).
    communes: list[dict[str, str | None]] = []
    centres: list[dict[str, str]] = []
    null_circle = 0
    for row in raw_communes:
        code = row["id"].strip()
        region = row["region_id"].strip()
        province = row["province_id"].strip()
        circle = row["circle_id"].strip()
        is_centre = row["is_centre"].strip() == "1"
        expected = f"{circle}{row['code'].strip()}."
        if not (code == expected or (is_centre and re.fullmatch(re.escape(expected) + r"\d\.", code))):
            warn(f"commune {code}: id does not match circle_id + code ({expected})")
        if not (circle.startswith(province) and province.startswith(region) and code.startswith(circle)):
            warn(f"commune {code}: region/province/circle ids {region}/{province}/{circle} inconsistent")
        region, province, circle = code[:3], code[:7], code[:10]
        if region not in region_codes or province not in province_codes:
            warn(f"commune {code}: unknown region or province ({region}, {province}); dropped")
            continue
        name_fr = clean_text(row["name"], arabic=False)
        name_ar = clean_text(row["name_ar"], arabic=True)

        if is_centre:
            name_fr, prefix = strip_prefix(name_fr, CENTRE_PREFIXES_FR, True)
            if prefix is None:
                warn(f"centre {code}: no 'Centre:' prefix in {row['name']!r}")
            name_ar, _ = strip_prefix(name_ar, CENTRE_PREFIXES_AR, True)
            parent = code[:13]
            name_fr = apply_correction("centre", code, "name_fr", finish(name_fr))
            name_ar = apply_correction("centre", code, "name_ar", finish(name_ar))
            if not name_fr or not name_ar:
                warn(f"centre {code}: empty name ({name_fr!r} / {name_ar!r})")
            centres.append({"code": code, "commune": parent, "name_fr": name_fr, "name_ar": name_ar})
            continue

        municipal = row["is_municipal"].strip() == "1"
        arrondissement = row["is_arrondissment"].strip() == "1"
        if municipal and arrondissement:
            warn(f"commune {code}: flagged both municipal and arrondissement; taken as arrondissement")
        kind = "arrondissement" if arrondissement else "municipal" if municipal else "rural"
        for suffix, suffix_kind in COMMUNE_SUFFIXES.items():
            if name_fr.endswith(suffix):
                name_fr = name_fr[: -len(suffix)]
                if suffix_kind != kind:
                    warn(f"commune {code}: name says {suffix} but flags say {kind}")
        name_fr = apply_correction("commune", code, "name_fr", finish(name_fr))
        name_ar = apply_correction("commune", code, "name_ar", finish(name_ar))
        if not name_fr or not name_ar:
            warn(f"commune {code}: empty name ({name_fr!r} / {name_ar!r})")
        if circle not in circle_codes:
            null_circle += 1
        communes.append(
            {
                "code": code,
                "province": province,
                "circle": circle if circle in circle_codes else None,
                "region": region,
                "kind": kind,
                "name_fr": name_fr,
                "name_ar": name_ar,
            }
        )
    if null_circle:
        info(
            f"{null_circle} communes are attached to no named cercle (urban pseudo-cercle "
            "'.01.' absent from circle.csv, or unnamed placeholder); their circle is null"
        )
    commune_codes = {c["code"] for c in communes}
    for centre in centres:
        if centre["commune"] not in commune_codes:
            warn(f"centre {centre['code']}: parent commune {centre['commune']} unknown")

    # Sanity checks on the whole result.
    if len(regions) != 12:
        warn(f"{len(regions)} regions instead of 12")
    if len(provinces) != 75:
        warn(f"{len(provinces)} provinces and prefectures instead of 75")
    for table, items in (("region", regions), ("province", provinces), ("circle", circles)):
        for item in items:
            for field in ("name_fr", "name_ar"):
                name = item[field] or ""
                if ":" in name:
                    warn(f"{table} {item['code']} {field}: colon left in {name!r}")
    for commune in communes:
        for field in ("name_fr", "name_ar"):
            if ":" in (commune[field] or ""):
                warn(f"commune {commune['code']} {field}: colon left in {commune[field]!r}")
    seen_names: dict[tuple[str, str], str] = {}
    for commune in communes:
        key = (str(commune["province"]), str(commune["name_fr"]).casefold())
        if key in seen_names:
            warn(f"communes {seen_names[key]} and {commune['code']} share the name {commune['name_fr']!r}")
        seen_names[key] = str(commune["code"])

    def by_code(item: dict[str, str] | dict[str, str | None]) -> str:
        return str(item["code"])

    return {
        "source": SOURCE_DESCRIPTION,
        "regions": sorted(regions, key=by_code),
        "provinces": sorted(provinces, key=by_code),
        "circles": sorted(circles, key=by_code),
        "communes": sorted(communes, key=by_code),
        "centres": sorted(centres, key=by_code),
    }


def dumps(data: dict[str, object]) -> str:
    """Compact JSON with one record per line."""

    def one(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    parts = []
    for key, value in data.items():
        if isinstance(value, list):
            body = ",\n".join(one(item) for item in value)
            parts.append(f"{one(key)}:[\n{body}\n]")
        else:
            parts.append(f"{one(key)}:{one(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    source: Path = args.source
    if not (source / "commune.csv").is_file():
        print(f"error: {source} does not contain the reference CSV files", file=sys.stderr)
        return 2
    data = build(source)
    output: Path = args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(dumps(data).encode("utf-8"))
    counts = ", ".join(f"{len(v)} {k}" for k, v in data.items() if isinstance(v, list))
    print(f"wrote {output} ({counts}; {warnings_emitted} warnings)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
