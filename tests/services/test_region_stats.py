"""Regional figures end to end: two demo offices extract two months, the region imports them,
and every regional figure is what the offices' own outside statistics add up to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from desktop.domain.errors import InputRejected
from desktop.domain.indicators import INDICATORS, MULTI_VALUED, Audience, Unit
from desktop.domain.periods import Period, last_complete_month
from desktop.domain.regional import BAROMETER_SERVICES, Access, Combine, combine_rule
from desktop.services import demo, extract, extract_keys, region, region_import, region_keys, region_stats, statistics
from desktop.services import office as office_service
from desktop.services.office import OfficeHandle

COMMUNES = ("09.001.01.01.", "09.001.05.01.")
PASSWORD = "mot-de-passe-admin"


@dataclass
class World:
    region: OfficeHandle
    offices: dict[str, OfficeHandle]
    months: tuple[Period, Period]


def _office(folder: Path, commune: str, seed: int) -> OfficeHandle:
    handle, _ = office_service.create_office(
        folder / f"office-{seed}.baomdb", commune_code=commune, office_name=f"BAOM Fictif {seed}",
        admin_login="admin", admin_name="Admin Fictif", admin_password=PASSWORD, is_demo=True,
    )  # fmt: skip
    demo.fill_demo(handle, cases=160, seed=seed)
    return handle


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("region_stats")
    last = last_complete_month(date.today())
    months = (last.previous(), last)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
        offices = {commune: _office(folder, commune, seed) for seed, commune in enumerate(COMMUNES, 1)}
        handle, _ = region.create_region(
            folder / "region.baomdb", region_code="09.", name="Secrétariat fictif", admin_login="admin",
            admin_name="Admin Fictif", admin_password=PASSWORD,
        )  # fmt: skip
        for commune, office in offices.items():
            region_keys.add_office(handle, commune, extract_keys.office_public_key(office).text())
            for month in months:
                built = extract.build_extract(office, month)
                extract.write_extract(office, built, folder / f"{built.stem}.zip")
        summary = region_import.import_extracts(handle, [folder])
        assert [o.outcome.value for o in summary.outcomes] == ["imported"] * 4
        try:
            yield World(handle, offices, months)
        finally:
            for h in (handle, *offices.values()):
                h.close()


def _outside(world: World, commune: str, month: Period) -> statistics.Snapshot:
    stats = statistics.compute(world.offices[commune], month, Audience.OUTSIDE, compare=False, trend_months=0)
    return stats.current


def _keys(world: World) -> tuple[str, str]:
    return world.months[0].key(), world.months[1].key()


def test_every_total_is_the_offices_outside_figures_combined(world: World) -> None:
    first, last = _keys(world)
    stats = region_stats.regional_statistics(world.region, first, last)
    assert stats.months == (first, last) and stats.communes == COMMUNES
    assert stats.reported == {first: frozenset(COMMUNES), last: frozenset(COMMUNES)}
    snap = {(c, m.key()): _outside(world, c, m) for c in COMMUNES for m in world.months}
    for indicator in INDICATORS:
        code, rule = indicator.code, combine_rule(indicator.code)
        for commune in COMMUNES:
            for month in (first, last):
                figure = snap[commune, month].figures[code]
                value, base = stats.figure(code, commune=commune, month=month)
                if indicator.unit is Unit.RATE:
                    assert (value, base) == (round((figure.value or 0) * (figure.base or 0)), figure.base), code
                elif indicator.unit is Unit.DAYS:
                    assert (value, base) == (figure.value, figure.base), code
                else:
                    assert value == figure.value, (code, commune, month)
        region_value, _ = stats.figure(code)
        if rule in (Combine.SUM, Combine.PERSON_MONTHS):
            assert region_value == sum(snap[k].figures[code].value or 0 for k in snap), code
        elif rule is Combine.LAST_MONTH:
            assert region_value == sum(snap[c, last].figures[code].value or 0 for c in COMMUNES), code


def test_breakdowns_add_up_to_the_region(world: World) -> None:
    stats = region_stats.regional_statistics(world.region, *_keys(world))
    for indicator in INDICATORS:
        if not indicator.is_count:
            continue
        total, _ = stats.figure(indicator.code)
        for dimension in indicator.breakdowns:
            if dimension in MULTI_VALUED:
                continue
            keys = stats.keys(indicator.code, dimension)
            cells = [stats.figure(indicator.code, dimension, key)[0] or 0 for key in keys]
            assert sum(cells) == total, (indicator.code, dimension)


def test_the_median_delay_is_recomputed_from_the_referrals_not_averaged(world: World) -> None:
    import statistics as py

    first, last = _keys(world)
    stats = region_stats.regional_statistics(world.region, first, last)
    delays = []  # every counter-referral of both offices in both months, from the files they sent
    for office in world.offices.values():
        for month in world.months:
            built = extract.build_extract(office, month)
            delays += [int(r[11]) for r in built.referrals if r[2] == "outgoing" and r[10] == month.key()]
    assert delays, "the demo offices received counter-referrals"
    assert stats.figure("median_days_to_counter") == (py.median(delays), len(delays))


def test_the_barometer_counts_each_referral_once_under_its_service(world: World) -> None:
    first, last = _keys(world)
    stats = region_stats.regional_statistics(world.region, first, last)
    everything = Access()
    for service in BAROMETER_SERVICES:
        for commune in COMMUNES:
            cell = stats.access(service, commune)
            assert cell.answered <= cell.sent and cell.served + cell.partly_served <= cell.counters
            everything.add(cell)
    sent_all, _ = stats.figure("referrals_sent")
    other = stats.figure("referrals_sent", "referral_domain", "other")[0] or 0
    assert everything.sent == sent_all - other
    rate_value, rate_base = stats.figure("counter_referral_rate")
    other_rate = stats.figure("counter_referral_rate", "referral_domain", "other")
    assert everything.answered == (rate_value or 0) - (other_rate[0] or 0)
    assert everything.sent == (rate_base or 0) - (other_rate[1] or 0)


def test_a_month_nobody_sent_is_unknown_not_zero(world: World) -> None:
    first, _ = _keys(world)
    before = Period.parse_month(first).previous().key()
    stats = region_stats.regional_statistics(world.region, before, before)
    assert stats.figure("contacts") == (None, None)
    assert stats.reported == {}


def test_refusals(world: World) -> None:
    with pytest.raises(InputRejected):
        region_stats.regional_statistics(world.region, "2026-05", "2026-01")
    with pytest.raises(InputRejected):
        region_stats.regional_statistics(world.region, "2026-5", "2026-06")
    office = next(iter(world.offices.values()))
    with pytest.raises(InputRejected) as not_regional:
        region_stats.regional_statistics(office, "2026-01", "2026-02")
    assert not_regional.value.key == "region.error.not_regional"
