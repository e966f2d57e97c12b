"""Moroccan administrative divisions: regions, provinces/prefectures, communes.

Reads ``resources/reference/morocco-admin.json`` (built by
``tools/build_reference.py``).  Codes are the ministry's hierarchical ids:
``"09."`` region, ``"09.541."`` province, ``"09.541.01.11."`` commune.

Pure Python, no third-party import.  Use :func:`geography` for the shared,
cached instance, or :meth:`Geography.load` for a specific file.
"""

from __future__ import annotations

import functools
import json
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar, cast

ProvinceKind = Literal["province", "prefecture"]
CommuneKind = Literal["municipal", "rural", "arrondissement"]

PROVINCE_KINDS: tuple[ProvinceKind, ...] = ("province", "prefecture")
COMMUNE_KINDS: tuple[CommuneKind, ...] = ("municipal", "rural", "arrondissement")

RESOURCE = Path("resources") / "reference" / "morocco-admin.json"


class ReferenceDataError(ValueError):
    """The reference file does not have the expected shape."""


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name_fr: str
    name_ar: str


@dataclass(frozen=True, slots=True)
class Province:
    """A province or a prefecture (``kind``)."""

    code: str
    region_code: str
    kind: ProvinceKind
    name_fr: str
    name_ar: str


@dataclass(frozen=True, slots=True)
class Commune:
    """A municipal or rural commune, or an arrondissement of a large city."""

    code: str
    province_code: str
    region_code: str
    circle_code: str | None  # None when not attached to a named cercle (urban communes)
    kind: CommuneKind
    name_fr: str
    name_ar: str


Named = Region | Province | Commune
_T = TypeVar("_T", Region, Province, Commune)


def sort_key(text: str) -> str:
    """Locale-independent sort key: accents removed, case folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def default_path() -> Path:
    """The bundled reference file (PyInstaller's ``sys._MEIPASS`` when frozen)."""
    bundle = getattr(sys, "_MEIPASS", None)
    root = Path(str(bundle)) if bundle is not None else Path(__file__).resolve().parents[2]
    return root / RESOURCE


def _records(data: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    items = data.get(key)
    if not isinstance(items, list):
        raise ReferenceDataError(f"reference file: {key!r} is not a list")
    records: list[Mapping[str, object]] = []
    for item in items:
        if not isinstance(item, dict):
            raise ReferenceDataError(f"reference file: {key!r} holds a non-object")
        records.append(cast(Mapping[str, object], item))
    return records


def _text(record: Mapping[str, object], key: str) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        raise ReferenceDataError(f"reference file: {key!r} missing or not text in {dict(record)!r}")
    return value


def _optional_text(record: Mapping[str, object], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ReferenceDataError(f"reference file: {key!r} not text in {dict(record)!r}")
    return value


def _province_kind(value: str) -> ProvinceKind:
    for kind in PROVINCE_KINDS:
        if value == kind:
            return kind
    raise ReferenceDataError(f"reference file: unknown province kind {value!r}")


def _commune_kind(value: str) -> CommuneKind:
    for kind in COMMUNE_KINDS:
        if value == kind:
            return kind
    raise ReferenceDataError(f"reference file: unknown commune kind {value!r}")


def _sorted(items: Iterable[_T]) -> list[_T]:
    return sorted(items, key=lambda item: (sort_key(item.name_fr), item.code))


class Geography:
    """Read-only view of the administrative divisions, with lookups by code."""

    def __init__(
        self,
        regions: Iterable[Region],
        provinces: Iterable[Province],
        communes: Iterable[Commune],
    ) -> None:
        self._regions = {r.code: r for r in regions}
        self._provinces = {p.code: p for p in provinces}
        self._communes = {c.code: c for c in communes}
        self._sorted_regions = _sorted(self._regions.values())
        self._sorted_provinces = _sorted(self._provinces.values())
        self._sorted_communes = _sorted(self._communes.values())
        self._provinces_by_region: dict[str, list[Province]] = {code: [] for code in self._regions}
        for province in self._sorted_provinces:
            self._provinces_by_region.setdefault(province.region_code, []).append(province)
        self._communes_by_province: dict[str, list[Commune]] = {code: [] for code in self._provinces}
        for commune in self._sorted_communes:
            self._communes_by_province.setdefault(commune.province_code, []).append(commune)

    @classmethod
    def load(cls, path: Path | None = None) -> Geography:
        """Read a reference file (default: the one shipped with the application)."""
        source = default_path() if path is None else path
        with source.open(encoding="utf-8") as handle:
            raw: object = json.load(handle)
        if not isinstance(raw, dict):
            raise ReferenceDataError("reference file: top level is not an object")
        data = cast(Mapping[str, object], raw)
        regions = [
            Region(code=_text(r, "code"), name_fr=_text(r, "name_fr"), name_ar=_text(r, "name_ar"))
            for r in _records(data, "regions")
        ]
        provinces = [
            Province(
                code=_text(p, "code"),
                region_code=_text(p, "region"),
                kind=_province_kind(_text(p, "kind")),
                name_fr=_text(p, "name_fr"),
                name_ar=_text(p, "name_ar"),
            )
            for p in _records(data, "provinces")
        ]
        communes = [
            Commune(
                code=_text(c, "code"),
                province_code=_text(c, "province"),
                region_code=_text(c, "region"),
                circle_code=_optional_text(c, "circle"),
                kind=_commune_kind(_text(c, "kind")),
                name_fr=_text(c, "name_fr"),
                name_ar=_text(c, "name_ar"),
            )
            for c in _records(data, "communes")
        ]
        return cls(regions, provinces, communes)

    def regions(self) -> list[Region]:
        """All regions, sorted by French name."""
        return list(self._sorted_regions)

    def provinces(self, region_code: str | None = None) -> list[Province]:
        """Provinces and prefectures of a region (all if None), sorted by French name.

        Raises KeyError for an unknown region code.
        """
        if region_code is None:
            return list(self._sorted_provinces)
        self.region(region_code)
        return list(self._provinces_by_region[region_code])

    def communes(self, province_code: str | None = None) -> list[Commune]:
        """Communes of a province or prefecture (all if None), sorted by French name.

        Raises KeyError for an unknown province code.
        """
        if province_code is None:
            return list(self._sorted_communes)
        self.province(province_code)
        return list(self._communes_by_province[province_code])

    def region(self, code: str) -> Region:
        try:
            return self._regions[code]
        except KeyError:
            raise KeyError(f"unknown region code {code!r}") from None

    def province(self, code: str) -> Province:
        try:
            return self._provinces[code]
        except KeyError:
            raise KeyError(f"unknown province code {code!r}") from None

    def commune(self, code: str) -> Commune:
        try:
            return self._communes[code]
        except KeyError:
            raise KeyError(f"unknown commune code {code!r}") from None

    @staticmethod
    def name(obj: Named, lang: str) -> str:
        """Arabic name for ``"ar"`` (or ``"ar_MA"``...), French name otherwise."""
        return obj.name_ar if lang == "ar" or lang.startswith(("ar_", "ar-")) else obj.name_fr


@functools.lru_cache(maxsize=1)
def geography() -> Geography:
    """The application's reference data, loaded once."""
    return Geography.load()


def commune_name(code: str, lang: str) -> str:
    """A commune's name in ``lang`` (see :meth:`Geography.name`); its code when unknown, "" for none."""
    if not code:
        return ""
    try:
        geo = geography()
        return geo.name(geo.commune(code), lang)
    except (KeyError, OSError, ValueError):  # unknown, or the reference file unreadable
        return code
