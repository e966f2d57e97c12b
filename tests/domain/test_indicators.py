"""The indicator catalogue: definitions in three languages, names and labels for every
indicator, dimension and value (resources/i18n)."""

from __future__ import annotations

import json
import re

import pytest

from desktop.domain.indicators import (
    BY_CODE,
    DIMENSION_VALUES,
    INDICATORS,
    KEY_FIGURES,
    LABEL_PREFIX,
    MULTI_VALUED,
    TREND_FIGURES,
    Unit,
    change,
)
from desktop.i18n import messages, resources_dir

LANGS = ("fr", "ar", "en")
ARABIC = re.compile(r"[\u0600-\u06FF]")
STATS = json.loads((resources_dir() / "i18n" / "stats.json").read_text(encoding="utf-8"))


def _labelled(key: str) -> bool:
    texts = messages().get(key, {})
    return all(texts.get(lang, "").strip() for lang in LANGS)


def test_codes_are_unique_and_indexed() -> None:
    codes = [i.code for i in INDICATORS]
    assert len(codes) == len(set(codes)) == len(BY_CODE)
    assert set(KEY_FIGURES) <= set(BY_CODE) and set(TREND_FIGURES) <= set(BY_CODE)
    assert all(BY_CODE[code].is_count for code in TREND_FIGURES)  # the trend holds ints


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.code)
def test_every_indicator_is_defined_in_three_languages(indicator) -> None:  # type: ignore[no-untyped-def]
    for lang in LANGS:
        assert indicator.definition.get(lang, "").strip(), (indicator.code, lang)
        assert indicator.define(lang) == indicator.definition[lang]
    assert ARABIC.search(indicator.definition["ar"])
    assert not ARABIC.search(indicator.definition["fr"]) and not ARABIC.search(indicator.definition["en"])
    assert indicator.define("xx") == indicator.definition["fr"]


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.code)
def test_every_indicator_has_a_name_in_stats_json(indicator) -> None:  # type: ignore[no-untyped-def]
    key = f"stats.indicator.{indicator.code}"
    assert key in STATS
    assert all(STATS[key].get(lang, "").strip() for lang in LANGS), key
    assert _labelled(f"stats.unit.{indicator.unit.value}")


def test_every_breakdown_is_a_known_dimension_with_a_name() -> None:
    used = {dim for indicator in INDICATORS for dim in indicator.breakdowns}
    assert used <= set(DIMENSION_VALUES)
    assert used >= MULTI_VALUED
    for dim in used | set(DIMENSION_VALUES):
        key = f"stats.dimension.{dim}"
        assert key in STATS and all(STATS[key].get(lang, "").strip() for lang in LANGS), key


@pytest.mark.parametrize("dim", sorted(DIMENSION_VALUES))
def test_every_value_of_every_dimension_has_a_label(dim: str) -> None:
    values = DIMENSION_VALUES[dim]
    if dim == "provider":  # provider ids, labelled with the directory's names
        assert values == () and dim not in LABEL_PREFIX
        return
    assert values, dim
    assert len(values) == len(set(values))
    missing = [f"{LABEL_PREFIX[dim]}.{value}" for value in values if not _labelled(f"{LABEL_PREFIX[dim]}.{value}")]
    assert not missing


def test_units_and_rates() -> None:
    for indicator in INDICATORS:
        assert indicator.is_count is (indicator.unit not in (Unit.RATE, Unit.DAYS))
    rated = [i.code for i in INDICATORS if not i.is_count]
    assert sorted(rated) == ["counter_referral_rate", "median_days_to_counter", "provider_answer_rate"]


def test_change() -> None:
    assert change(125, 100) == 0.25
    assert change(50, 100) == -0.5
    assert change(3, 0) is None
    assert change(None, 4) is None and change(4, None) is None
