"""The words registers use, read as codes."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from desktop.services.register_values import BadValue, age_of, code_of, codes_of, date_of, nationality_of, phone_of


@pytest.mark.parametrize(
    ("written", "code"),
    [("SN", "SN"), ("sen", "SN"), ("Sénégal", "SN"), ("sénégalaise", "SN"), ("Guinéenne", "GN"),
     ("Côte d'Ivoire", "CI"), ("ivoirien", "CI"), ("Maroc", "MA"), ("RDC", "CD"), ("سوريا", "SY")],
)  # fmt: skip
def test_nationalities(written, code):
    assert nationality_of(written) == code


@pytest.mark.parametrize(
    ("codelist", "written", "code"),
    [("sex", "Femme", "F"), ("sex", "h", "M"), ("sex", "ذكر", "M"),
     ("category", "MRE", "mre"), ("category", "Demandeuse d'asile", "rpt_asylum_seeker"),
     ("category", "Marocain·e de retour — forcé", "returnee_forced"), ("category", "rpt_refugee", "rpt_refugee"),
     ("document_type", "CNIE", "cin"), ("document_type", "Carte de séjour", "residence_card"),
     ("legal_status", "sans papiers", "irregular")],
)  # fmt: skip
def test_codes_from_codes_labels_and_shorthands(codelist, written, code):
    assert code_of(codelist, written, "k") == code


def test_several_codes_and_unknown_ones():
    assert codes_of("domain", "Santé | logement|santé", "k") == ["health_physical", "housing"]
    assert codes_of("language", "darija, français", "k") == ["ary", "fr"]
    with pytest.raises(BadValue) as bad:
        codes_of("domain", "santé|banane", "import.need_unknown")
    assert (bad.value.key, bad.value.params) == ("import.need_unknown", {"value": "banane"})


def test_dates_ages_and_phones():
    assert date_of("03/12/1988") == date(1988, 12, 3)
    assert date_of("3.12.1988") == date(1988, 12, 3)
    assert date_of("1988-12-03") == date(1988, 12, 3)
    assert date_of(datetime(1988, 12, 3, 0, 0)) == date(1988, 12, 3)
    assert date_of("1988", year_alone=True) == 1988
    for bad, key in (("03/12/88", "import.year_two_digits"), ("31/02/1990", "import.date_invalid"),
                     ("1988", "import.date_invalid"), ("hier", "import.date_invalid")):  # fmt: skip
        with pytest.raises(BadValue) as refused:
            date_of(bad)
        assert refused.value.key == key
    assert age_of("34 ans") == 34 and age_of(34.0) == 34 and age_of(None) is None
    with pytest.raises(BadValue):
        age_of(34.5)
    assert phone_of(612345678) == "0612345678"
    assert phone_of("06 12 34 56 78") == "06 12 34 56 78"
    assert phone_of(212600000000) == "+212600000000"
