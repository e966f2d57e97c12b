"""Writes the worked example of docs/extract-format.md into tests/fixtures/extract_example (fixed keys)."""

import base64
import codecs
import csv
import hashlib
import hmac
import io
import json
import sys
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from desktop.domain import codelists as cl
from desktop.domain.indicators import DIMENSION_VALUES, INDICATORS, MULTI_VALUED

OUT = str(Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "extract_example") + "/"
SECRET = bytes(range(32))
SEED = bytes(range(32, 64))
K = 5
PERIOD = "2025-03"
S, E = "2025-03-01", "2025-03-31"


def key(kind, ident):
    return hmac.new(SECRET, f"{kind}:{ident}".encode(), hashlib.sha256).hexdigest()


# ---- persons of the population (after consent filter); P9 withdrew and is absent
# id, received, first, category, sex, age, nat, residence, stage, level, criteria
PERSONS = [
    (11, 1, "2025-03", "rpt_migrant", "M", "18-24", "west_africa", "09.001.01.01.", "accueil", "", ""),
    (
        12,
        1,
        "2025-03",
        "rpt_migrant",
        "M",
        "25-59",
        "west_africa",
        "09.001.01.01.",
        "orientation",
        "high",
        "no_resources|no_documents",
    ),
    (
        13,
        1,
        "2025-02",
        "rpt_migrant",
        "M",
        "25-59",
        "west_africa",
        "09.001.01.01.",
        "accompagnement",
        "medium",
        "no_shelter",
    ),
    (14, 1, "2025-01", "rpt_migrant", "M", "18-24", "west_africa", "09.001.01.01.", "suivi", "", ""),
    (15, 1, "2025-01", "rpt_migrant", "M", "25-59", "west_africa", "09.001.01.01.", "evaluation", "", ""),
    (16, 0, "2019-07", "mre", "F", "60+", "morocco", "09.001.05.01.", "suivi", "medium", "elderly"),
    (17, 1, "2025-02", "returnee_avrr", "M", "25-59", "morocco", "unknown", "evaluation", "", ""),
    (
        18,
        0,
        "2024-11",
        "rpt_asylum_seeker",
        "F",
        "25-59",
        "central_africa",
        "09.001.01.01.",
        "cloture",
        "low",
        "single_parent",
    ),
]
QI = ["received_in_month", "first_reception", "category", "sex", "age_band", "nationality_group", "residence"]
COLS = ["person_key", *QI, "stage", "vulnerability_level", *[f"vuln_{c}" for c in cl.VULNERABILITY_CRITERIA]]


def quarter(m):
    return f"{m[:4]}-Q{(int(m[5:7]) - 1) // 3 + 1}"


BROAD = {"0-4": "0-17", "5-11": "0-17", "12-17": "0-17", "18-24": "18-59", "25-59": "18-59"}


def family(c):
    return "returnee" if c.startswith("returnee_") else "rpt" if c.startswith("rpt_") else c


def nat(g):
    return g if g in ("morocco", "unknown", "foreign") else "foreign"


def prov(r):
    return r[:7] if len(r) == 13 else r


def region(r):
    return r[:3] if len(r) == 7 else r


LADDER = [
    ("first_reception", lambda v: quarter(v) if len(v) == 7 else v),
    ("age_band", lambda v: BROAD.get(v, v)),
    ("nationality_group", nat),
    ("first_reception", lambda v: v[:4] if len(v) == 7 and "Q" in v else v),
    ("residence", prov),
    ("category", family),
    ("residence", region),
]
rows = []
for pid, rec, first, cat, sex, age, natg, res, stage, level, crit in PERSONS:
    r = dict(
        person_key=key("person", pid),
        received_in_month=str(rec),
        first_reception=first,
        category=cat,
        sex=sex,
        age_band=age,
        nationality_group=natg,
        residence=res,
        stage=stage,
        vulnerability_level=level,
    )
    ticks = set(crit.split("|")) - {""}
    for c in cl.VULNERABILITY_CRITERIA:
        r[f"vuln_{c}"] = "1" if c in ticks else "0"
    r["_id"] = pid
    rows.append(r)
orig = {r["_id"]: {q: r[q] for q in QI} for r in rows}


def small(rows):
    n = Counter(tuple(r[q] for q in QI) for r in rows)
    return [r for r in rows if n[tuple(r[q] for q in QI)] < K]


for i, (field, fn) in enumerate(LADDER, 1):
    sm = small(rows)
    if not sm:
        break
    for r in sm:
        r[field] = fn(r[field])
    print("step", i, field, "small before:", [r["_id"] for r in sm])
suppressed = {r["_id"] for r in small(rows)}
written = [r for r in rows if r["_id"] not in suppressed]
generalised = sum(1 for r in written if any(r[q] != orig[r["_id"]][q] for q in QI))
written.sort(key=lambda r: r["person_key"])
print("suppressed", sorted(suppressed), "generalised", generalised)

# ---- referrals
# id, person, direction, sent, domain, provider kind, urgency, ack, closed, counter, outcome, due
REFERRALS = [
    (
        31,
        12,
        "outgoing",
        "2025-03-04",
        "health_physical",
        "public",
        "h72",
        None,
        "2025-03-10",
        "2025-03-10",
        "served",
        "2025-03-07",
    ),
    (32, 13, "outgoing", "2025-03-12", "housing", "associative", "weeks2", "2025-03-13", None, None, "", "2025-03-26"),
    (
        33,
        16,
        "outgoing",
        "2025-02-20",
        "pension_rights",
        "public",
        "weeks2",
        None,
        "2025-03-05",
        "2025-03-05",
        "partly_served",
        "2025-03-06",
    ),
    (34, 11, "incoming", "2025-03-18", "legal_aid", "associative", "weeks2", None, None, None, "", None),
]


def d(x):
    return date.fromisoformat(x)


ref_rows = []
blanked = 0
for rid, pid, dirn, sent, dom, pk, urg, ack, closed, counter, outcome, due in REFERRALS:
    if closed and closed <= E:
        state = "closed" if counter else "cancelled"
    elif ack and ack <= E:
        state = "acknowledged"
    else:
        state = "sent"
    got = counter is not None and counter <= E
    overdue = dirn == "outgoing" and state in ("sent", "acknowledged") and due is not None and due < E
    pkey = "" if pid in suppressed else key("person", pid)
    blanked += pkey == ""
    ref_rows.append(
        dict(
            referral_key=key("referral", rid),
            person_key=pkey,
            direction=dirn,
            month_sent=sent[:7],
            domain=dom,
            provider_kind=pk,
            urgency=urg,
            state_at_end=state,
            overdue_at_end="1" if overdue else "0",
            outcome=outcome if got else "",
            counter_month=counter[:7] if got else "",
            days_to_counter=str((d(counter) - d(sent)).days) if got else "",
        )
    )
ref_rows.sort(key=lambda r: r["referral_key"])
RCOLS = list(ref_rows[0])

# ---- indicators (hand-computed from the scenario of the doc)
UID_H = "5f1d2c9e-0b7a-4e61-9a53-2f8c4d7e1b20"  # hospital (public), R31
UID_A = "a93e7b10-4c2d-4f8e-b6a1-0d5e9c3f7a42"  # association (associative), R32
# per indicator: total (value, base) and {dim: {key: (value, base)}}
def C(**kw):
    return {k: (v, None) for k, v in kw.items()}
IND = {
    "people_received": (
        (6, None),
        {
            "status": C(new=2, returning=4),
            "category": C(rpt_migrant=5, returnee_avrr=1),
            "sex": C(M=6),
            "age_band": {"18-24": (2, None), "25-59": (4, None)},
            "nationality_group": C(morocco=1, west_africa=5),
        },
    ),
    "contacts": (
        (7, None),
        {
            "contact_kind": C(accueil=1, ecoute=1, information=1, orientation=1, accompagnement=1, suivi=2),
            "channel": C(in_person=5, phone=2),
        },
    ),
    "needs": ((3, None), {"need_domain": C(administrative=1, health_physical=1, housing=1, income_employment=1)}),
    "vulnerable_people": (
        (2, None),
        {"level": C(medium=1, high=1), "criterion": C(no_shelter=1, no_resources=1, no_documents=1)},
    ),
    "referrals_sent": (
        (2, None),
        {
            "referral_domain": C(health_physical=1, housing=1),
            "provider_kind": C(public=1, associative=1),
            "urgency": C(h72=1, weeks2=1),
        },
    ),
    "referrals_incoming": ((1, None), {"referral_domain": C(legal_aid=1)}),
    "counter_referrals": (
        (2, None),
        {"outcome": C(served=1, partly_served=1), "referral_domain": C(health_physical=1, pension_rights=1)},
    ),
    "counter_referral_rate": ((1, 2), {"referral_domain": {"health_physical": (1, 1), "housing": (0, 1)}}),
    "median_days_to_counter": ((9.5, 2), {"referral_domain": {"health_physical": (6, 1), "pension_rights": (13, 1)}}),
    "overdue_at_end": ((1, None), {"referral_domain": C(housing=1), "provider_kind": C(associative=1)}),
    "cases_opened": ((2, None), {"category": C(rpt_migrant=2)}),
    "cases_active_end": ((7, None), {"stage": C(accueil=1, evaluation=2, orientation=1, accompagnement=1, suivi=2)}),
    "cases_closed": ((1, None), {"closure_reason": C(moved_away=1)}),
    "provider_answer_rate": ((1, 2), {"provider": {UID_H: (1, 1), UID_A: (0, 1)}}),
}


def num(v):
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


ind_rows = []
for ind in INDICATORS:
    total, dims = IND[ind.code]
    ind_rows.append([ind.code, ind.unit.value, "total", "total", num(total[0]), num(total[1])])
    for dim in ind.breakdowns:
        cells = dims.get(dim, {})
        order = list(DIMENSION_VALUES[dim]) if dim != "provider" else [*sorted(k for k in cells if k != "none"), "none"]
        assert set(cells) <= set(order), (dim, cells)
        for k in order:
            if k in cells:
                v, b = cells[k]
                if v == 0 and not b:
                    continue
                ind_rows.append([ind.code, ind.unit.value, dim, k, num(v), num(b)])
        if ind.is_count and dim not in MULTI_VALUED:
            assert sum(v for v, _ in cells.values()) == total[0], (ind.code, dim)
ICOLS = ["indicator", "unit", "dimension", "key", "value", "base"]

FORMULA = set("=+-@\t\r\n'")


def cell(v):
    return "'" + v if v[:1] in FORMULA else v


def csv_bytes(header, rows):
    out = io.StringIO(newline="")
    w = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in rows:
        w.writerow([cell(x) for x in r])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


files = {
    "persons.csv": csv_bytes(COLS, [[r[c] for c in COLS] for r in written]),
    "referrals.csv": csv_bytes(RCOLS, [[r[c] for c in RCOLS] for r in ref_rows]),
    "indicators.csv": csv_bytes(ICOLS, ind_rows),
    "datapackage.json": Path(OUT + "datapackage.json").read_bytes(),
}
for n, b in files.items():
    Path(OUT + n).write_bytes(b)

sk = Ed25519PrivateKey.from_private_bytes(SEED)
pub = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
fp = hashlib.sha256(pub).hexdigest()[:32].upper()
fingerprint = " ".join(fp[i : i + 4] for i in range(0, 32, 4))
manifest = {
    "format": "baom-extract",
    "schema_version": 1,
    "schema_release": "1.0.0",
    "commune_code": "09.001.01.01.",
    "period": PERIOD,
    "generated_at": "2025-04-02T08:30:00Z",
    "app_version": "0.1.0",
    "signing_key": fingerprint,
    "key_series": hmac.new(SECRET, b"series", hashlib.sha256).hexdigest()[:16],
    "k": K,
    "persons": {
        "population": len(rows),
        "written": len(written),
        "suppressed": len(suppressed),
        "generalised": generalised,
    },
    "referrals": {"written": len(ref_rows), "person_key_blanked": blanked},
    "files": {
        n: (
            {"sha256": hashlib.sha256(b).hexdigest()}
            if n.endswith(".json")
            else {"rows": b.count(b"\r\n") - 1, "sha256": hashlib.sha256(b).hexdigest()}
        )
        for n, b in files.items()
    },
}
mbytes = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
TAG = b"BAOM-EXTRACT-MANIFEST\n"
sig = sk.sign(TAG + mbytes)
Path(OUT + "manifest.json").write_bytes(mbytes)
Path(OUT + "manifest.sig").write_bytes(base64.b64encode(sig) + b"\r\n")
sk.public_key().verify(sig, TAG + mbytes)
print("pub", base64.b64encode(pub).decode(), fingerprint)
print("sig", base64.b64encode(sig).decode())
print("series", manifest["key_series"])
for pid in (1, 11, 12):
    print("person", pid, key("person", pid))
print("referral 31", key("referral", 31))
print(json.dumps(manifest, indent=1, sort_keys=True))
with zipfile.ZipFile(OUT + "BAOM-09.001.01.01-2025-03.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for n in ["manifest.json", "manifest.sig", "datapackage.json", "persons.csv", "referrals.csv", "indicators.csv"]:
        z.write(OUT + n, n)
