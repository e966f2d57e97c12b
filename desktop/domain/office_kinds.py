"""The two kinds of BAOM database (``Office.kind``): a commune's office, or a regional secretariat.

A regional database is an office database of kind :data:`REGION_KIND` whose ``commune_code``
is the region's code (``09.``); it holds the extracts its communes send instead of persons.
"""

from __future__ import annotations

OFFICE_KIND = "office"
REGION_KIND = "region"
