"""Checks on the cleaned administrative reference file and its loader."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.domain.geography import (
    Commune,
    Geography,
    Province,
    Region,
    commune_name,
    default_path,
    geography,
    sort_key,
)

ROOT = Path(__file__).resolve().parents[2]
RESOURCE = ROOT / "resources" / "reference" / "morocco-admin.json"
BUILD_SCRIPT = ROOT / "tools" / "build_reference.py"
SHARED = ROOT.parent / "shared" / "reference" / "morocco-admin"

OFFICIAL_REGIONS = {
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

FORBIDDEN_PREFIXES = (
    "Province",
    "Préfecture",
    "Cercle",
    "Centre:",
    "المحافظة",
    "محافظة",
    "عمالة",
    "إقليم",
    "دائرة",
)
INVISIBLE = ("\u200e", "\u200f", "\u200b", "\ufeff", "\u202b", "\u202c", "\u00a0", "\u0640")


@pytest.fixture(scope="module")
def geo() -> Geography:
    return Geography.load(RESOURCE)


@pytest.fixture(scope="module")
def raw_json() -> dict[str, list[dict[str, str | None]]]:
    with RESOURCE.open(encoding="utf-8") as handle:
        data: dict[str, list[dict[str, str | None]]] = json.load(handle)
    return data


def all_named(geo: Geography) -> list[Region | Province | Commune]:
    return [*geo.regions(), *geo.provinces(), *geo.communes()]


def test_default_path_is_the_repository_resource() -> None:
    assert default_path() == RESOURCE
    assert RESOURCE.is_file()


def test_twelve_official_regions(geo: Geography) -> None:
    regions = {r.code: (r.name_fr, r.name_ar) for r in geo.regions()}
    assert regions == OFFICIAL_REGIONS


def test_province_and_commune_counts(geo: Geography) -> None:
    provinces = geo.provinces()
    assert len(provinces) == 75
    assert sum(p.kind == "prefecture" for p in provinces) == 13
    assert len(geo.communes()) == 1538
    kinds = {k: sum(c.kind == k for c in geo.communes()) for k in ("municipal", "rural", "arrondissement")}
    assert kinds == {"municipal": 215, "rural": 1282, "arrondissement": 41}


def test_commune_count_matches_raw(geo: Geography) -> None:
    if not (SHARED / "commune.csv").is_file():
        pytest.skip("shared raw reference data not available")
    with (SHARED / "commune.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Rows flagged is_centre are localities inside a commune, not communes.
    communes = [r for r in rows if r["is_centre"] != "1"]
    assert len(geo.communes()) == len(communes)
    assert {c.code for c in geo.communes()} == {r["id"] for r in communes}
    with (SHARED / "province.csv").open(encoding="utf-8", newline="") as handle:
        assert {p.code for p in geo.provinces()} == {r["id"] for r in csv.DictReader(handle)}


def test_names_are_clean(raw_json: dict[str, list[dict[str, str | None]]]) -> None:
    for table in ("regions", "provinces", "circles", "communes", "centres"):
        for record in raw_json[table]:
            for field in ("name_fr", "name_ar"):
                name = record[field]
                assert name, (table, record)
                assert not name.startswith(FORBIDDEN_PREFIXES), (table, record)
                assert name == name.strip(), (table, record)
                assert "  " not in name, (table, record)
                assert not any(mark in name for mark in INVISIBLE), (table, record)
                assert ":" not in name, (table, record)
                assert "(Mun.)" not in name and "(Arrond.)" not in name, (table, record)


def test_hierarchy_is_consistent(geo: Geography) -> None:
    for province in geo.provinces():
        assert province.code.startswith(province.region_code)
        assert geo.region(province.region_code)
    for commune in geo.communes():
        province = geo.province(commune.province_code)
        region = geo.region(commune.region_code)
        assert province.region_code == region.code
        assert commune.code.startswith(province.code)
        assert commune.code[:3] == region.code
        assert commune.code[:7] == province.code
        if commune.circle_code is not None:
            assert commune.code.startswith(commune.circle_code)
        assert commune in geo.communes(province.code)
        assert province in geo.provinces(region.code)


def test_circles_and_centres_refer_to_known_units(
    raw_json: dict[str, list[dict[str, str | None]]],
) -> None:
    provinces = {p["code"] for p in raw_json["provinces"]}
    circles = {c["code"] for c in raw_json["circles"]}
    communes = {c["code"] for c in raw_json["communes"]}
    assert all(c["province"] in provinces for c in raw_json["circles"])
    assert all(c["circle"] is None or c["circle"] in circles for c in raw_json["communes"])
    assert all(c["commune"] in communes for c in raw_json["centres"])
    for table in ("regions", "provinces", "circles", "communes", "centres"):
        codes = [r["code"] for r in raw_json[table]]
        assert len(codes) == len(set(codes)), table


def test_souss_massa(geo: Geography) -> None:
    provinces = {p.name_fr: p for p in geo.provinces("09.")}
    agadir_province = provinces["Agadir Ida-Ou-Tanane"]
    assert agadir_province.kind == "prefecture"
    communes = {c.name_fr: c for c in geo.communes(agadir_province.code)}
    agadir = communes["Agadir"]
    assert agadir.kind == "municipal"
    assert agadir.name_ar == "أكادير"
    assert agadir.region_code == "09."
    assert geo.commune(agadir.code) is agadir
    assert geo.commune("09.541.01.13.").name_fr == "Taroudannt"


def test_known_fixes() -> None:
    geo = Geography.load(RESOURCE)
    assert geo.province("02.411.").name_ar == "وجدة-أنجاد"
    assert geo.province("07.431.").name_ar == "آسفي"
    assert geo.commune("06.141.01.03.").name_ar == "المعاريف"
    assert geo.commune("07.351.01.05.").name_ar == "جليز"
    assert geo.commune("06.141.01.41.").name_fr == "Aïn-Chock"
    assert geo.commune("06.141.01.41.").kind == "arrondissement"
    assert geo.commune("01.051.01.01.").circle_code is None
    assert geo.commune("09.541.03.01.").circle_code == "09.541.03."


def test_unknown_codes_raise_key_error(geo: Geography) -> None:
    with pytest.raises(KeyError):
        geo.region("13.")
    with pytest.raises(KeyError):
        geo.province("09.999.")
    with pytest.raises(KeyError):
        geo.commune("09.541.01.99.")
    with pytest.raises(KeyError):
        geo.provinces("99.")
    with pytest.raises(KeyError):
        geo.communes("09.999.")


def test_lists_sorted_by_french_name_ignoring_accents(geo: Geography) -> None:
    for items in (geo.regions(), geo.provinces(), geo.provinces("06."), geo.communes("06.141.")):
        keys = [sort_key(item.name_fr) for item in items]
        assert keys == sorted(keys)
    names = [r.name_fr for r in geo.regions()]
    # "Drâa" sorts as "Draa", before "Fès"; "Béni" among the Bs.
    assert names.index("Drâa-Tafilalet") < names.index("Fès-Meknès")
    assert names.index("Béni Mellal-Khénifra") < names.index("Casablanca-Settat")
    assert sort_key("Échirolles") == "echirolles"


def test_name_helper(geo: Geography) -> None:
    souss = geo.region("09.")
    assert geo.name(souss, "ar") == "سوس-ماسة"
    assert geo.name(souss, "fr") == "Souss-Massa"
    assert geo.name(souss, "en") == "Souss-Massa"


def test_objects_are_frozen(geo: Geography) -> None:
    region = geo.region("09.")
    with pytest.raises(AttributeError):
        region.name_fr = "x"  # type: ignore[misc]


def test_geography_is_cached() -> None:
    assert geography() is geography()
    assert len(geography().regions()) == 12


def test_lists_are_copies(geo: Geography) -> None:
    geo.regions().clear()
    geo.communes("09.001.").clear()
    assert len(geo.regions()) == 12
    assert geo.communes("09.001.")


def test_build_reproduces_committed_file(tmp_path: Path) -> None:
    if not (SHARED / "commune.csv").is_file():
        pytest.skip("shared raw reference data not available")
    output = tmp_path / "morocco-admin.json"
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), str(SHARED), "--output", str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert output.read_bytes() == RESOURCE.read_bytes()


def test_commune_name_in_a_language_or_its_code() -> None:
    assert commune_name("09.001.01.01.", "fr") == "Agadir"
    assert commune_name("09.001.01.01.", "ar") == geography().commune("09.001.01.01.").name_ar != "Agadir"
    assert commune_name("99.999.99.99.", "fr") == "99.999.99.99."  # unknown: the code itself
    assert commune_name("", "fr") == ""
