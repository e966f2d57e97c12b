"""Nationality groups: ISO 3166-1 alpha-2 codes folded into nine regions for statistics.

Follows the UN M49 geoscheme, adapted to a Moroccan reception office:

* ``morocco``: MA alone.
* ``west_africa``: UN "Western Africa" (with Mauritania, Cabo Verde, Saint Helena).
* ``central_africa``: UN "Middle Africa".
* ``east_southern_africa``: UN "Eastern Africa" and "Southern Africa", with the Indian
  Ocean islands the UN files there (Comoros, Madagascar, Mauritius, Mayotte, Réunion,
  Seychelles, British Indian Ocean Territory, French Southern Territories), but not Sudan.
* ``north_africa_middle_east``: UN "Northern Africa" (Sudan and Western Sahara included;
  Morocco has its own group) and the Arab states of "Western Asia", plus Iran (UN:
  Southern Asia), Israel, Palestine and Türkiye.
* ``europe``: UN "Europe", plus Cyprus, Armenia, Georgia and Azerbaijan (UN: Western
  Asia).  Choice: all four sit in the Council of Europe and in UNHCR's Europe bureau,
  and their nationals reach Morocco on European rather than Middle-Eastern routes.
* ``americas``: UN "Americas" (Bouvet Island and South Georgia included, as the UN does).
* ``asia_oceania``: everything else: the rest of Asia, Oceania (US Minor Outlying
  Islands and Heard Island included) and Antarctica (no UN region).
* ``unknown``: empty, unrecognised or stateless.

Pure Python, no third-party import: the code lists below cover all 249 codes of
pycountry (checked by the tests).
"""

from __future__ import annotations

NATIONALITY_GROUPS: tuple[str, ...] = (
    "morocco",
    "west_africa",
    "central_africa",
    "east_southern_africa",
    "north_africa_middle_east",
    "europe",
    "americas",
    "asia_oceania",
    "unknown",
)

# Codes of each group, sorted; "unknown" has none.
_CODES: dict[str, str] = {
    "morocco": "MA",
    "west_africa": "BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TG",
    "central_africa": "AO CD CF CG CM GA GQ ST TD",
    "east_southern_africa": "BI BW DJ ER ET IO KE KM LS MG MU MW MZ NA RE RW SC SO SS SZ TF TZ UG YT ZA ZM ZW",
    "north_africa_middle_east": "AE BH DZ EG EH IL IQ IR JO KW LB LY OM PS QA SA SD SY TN TR YE",
    "europe": (
        "AD AL AM AT AX AZ BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GE GG GI GR HR HU IE IM IS IT JE LI LT LU"
        " LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA"
    ),
    "americas": (
        "AG AI AR AW BB BL BM BO BQ BR BS BV BZ CA CL CO CR CU CW DM DO EC FK GD GF GL GP GS GT GY HN HT JM KN KY"
        " LC MF MQ MS MX NI PA PE PM PR PY SR SV SX TC TT US UY VC VE VG VI"
    ),
    "asia_oceania": (
        "AF AQ AS AU BD BN BT CC CK CN CX FJ FM GU HK HM ID IN JP KG KH KI KP KR KZ LA LK MH MM MN MO MP MV MY NC"
        " NF NP NR NU NZ PF PG PH PK PN PW SB SG TH TJ TK TL TM TO TV TW UM UZ VN VU WF WS"
    ),
}

GROUP_OF: dict[str, str] = {code: group for group, codes in _CODES.items() for code in codes.split()}


def nationality_group(code: str) -> str:
    """The group of an alpha-2 code, any case; ``"unknown"`` when empty or not a country."""
    return GROUP_OF.get(code.upper(), "unknown")


def group_case_sql(column: str) -> str:
    """A SQLite ``CASE`` expression mapping ``column`` (upper-case alpha-2) to its group.

    NULL and unlisted codes give ``'unknown'``.  Pass ``upper(col)`` for mixed case.
    The quoted codes come from this module's own table, never from user input, so
    building the text by hand is safe; ``column`` must be a trusted SQL expression.
    """
    whens: list[str] = []
    for group in NATIONALITY_GROUPS:
        codes = sorted(code for code, g in GROUP_OF.items() if g == group)
        if not codes:
            continue
        if len(codes) == 1:
            whens.append(f"WHEN {column} = '{codes[0]}' THEN '{group}'")
        else:
            listed = ",".join(f"'{code}'" for code in codes)
            whens.append(f"WHEN {column} IN ({listed}) THEN '{group}'")
    return f"CASE {' '.join(whens)} ELSE 'unknown' END"
