"""The regional secretariat's database: creating it, and telling it from a commune's office.

A regional database is an office database of kind ``region``
(:data:`desktop.domain.office_kinds.REGION_KIND`) whose ``commune_code`` is the region's
code (``09.``). What it holds and does is in the modules beside this one:

- :mod:`desktop.services.region_keys`: the offices it registers and their public keys;
- :mod:`desktop.services.region_import`: the monthly extracts it imports;
- :mod:`desktop.services.region_status`: what is stored, and the completeness grid;
- :mod:`desktop.services.region_stats`: the region's figures.
"""

from __future__ import annotations

from pathlib import Path

from desktop.domain.errors import InputRejected
from desktop.domain.geography import geography
from desktop.domain.office_kinds import REGION_KIND
from desktop.i18n import tr
from desktop.services.office import OfficeHandle, create_office, office_info


def create_region(
    path: Path, *, region_code: str, name: str, admin_login: str, admin_name: str, admin_password: str
) -> tuple[OfficeHandle, str]:
    """Create an encrypted regional database and its first admin; return it and the recovery code."""
    code = normalise_region_code(region_code)
    try:
        region = geography().region(code)
    except KeyError:
        raise InputRejected("region.error.region_unknown", code=region_code[:20]) from None
    return create_office(
        path,
        commune_code=region.code,
        office_name=name.strip() or tr("region.default_name", region=region.name_fr),
        admin_login=admin_login,
        admin_name=admin_name,
        admin_password=admin_password,
        kind=REGION_KIND,
    )


def normalise_region_code(text: str) -> str:
    """``09`` as typed is the region ``09.``."""
    code = text.strip()
    return code if code.endswith(".") else code + "."


def region_code(handle: OfficeHandle) -> str:
    """The region of a regional database; any other database is refused."""
    info = office_info(handle)
    if info.kind != REGION_KIND:
        raise InputRejected("region.error.not_regional")
    return info.commune_code
