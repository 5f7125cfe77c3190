"""The generator's vocabulary: sector, state and outcome weights, places, gateways, reasons."""

from __future__ import annotations

from registry.domain.vocabulary import DATA_CATEGORIES, PURPOSES

SECTOR_WEIGHTS = {
    "education": 40,
    "voluntary": 14,
    "health": 10,
    "housing": 8,
    "children_social_care": 6,
    "adult_social_care": 6,
    "other": 6,
    "police": 4,
    "probation": 3,
    "youth_justice": 3,
}
SECTOR_PREFIX = {
    "children_social_care": "CSC",
    "adult_social_care": "ASC",
    "police": "POL",
    "health": "NHS",
    "education": "EDU",
    "housing": "HOU",
    "probation": "PRB",
    "youth_justice": "YOT",
    "voluntary": "VOL",
    "other": "OTH",
}
PLACES = (
    "Northshire",
    "Riverside",
    "Eastmoor",
    "Westbury",
    "Southdale",
    "Kingsford",
    "Ashton",
    "Brackley",
    "Carrow",
    "Dunmore",
)
#: Share of agreements per lifecycle state; "awaiting" is a draft with some signatures,
#: "amending" an agreement in force with a newer version awaiting signatures.
STATE_WEIGHTS = {
    "draft": 6,
    "awaiting": 4,
    "active": 55,
    "amending": 7,
    "suspended": 5,
    "terminated": 11,
    "expired": 12,
}
GATEWAYS = (
    "Children Act 1989 s47",
    "Children Act 2004 s11",
    "Care Act 2014 s45",
    "Crime and Disorder Act 1998 s115",
    "Working Together to Safeguard Children 2023",
)
REASON_TEXT = {
    "CONSENT_NOT_REQUIRED": "The agreement does not need the person's consent for this share.",
    "CONSENT_GRANTED": "The person consented to this share.",
    "CONSENT_REFUSED": "The person refused consent for this share.",
    "CONSENT_MISSING": "The agreement needs consent and none is on record.",
    "SAFEGUARDING_OVERRIDE": "A risk of significant harm overrides the missing consent.",
    "PURPOSE_NOT_COVERED": "The agreement does not cover this purpose.",
    "NO_AGREEMENT": "No agreement between these agencies covers this share.",
    "URGENT_SAFEGUARDING": "Share now to protect the person from significant harm.",
}
#: (outcome, reason codes, weight) for checks asked under an agreement in force.
COVERED_OUTCOMES = (
    ("share", ("CONSENT_NOT_REQUIRED",), 45),
    ("share", ("CONSENT_GRANTED",), 20),
    ("share_with_justification", ("CONSENT_REFUSED", "SAFEGUARDING_OVERRIDE"), 10),
    ("share_with_justification", ("CONSENT_MISSING", "SAFEGUARDING_OVERRIDE"), 10),
    ("do_not_share", ("CONSENT_REFUSED",), 8),
    ("do_not_share", ("PURPOSE_NOT_COVERED",), 7),
)
#: ... and for checks between agencies with no agreement.
UNCOVERED_OUTCOMES = (
    ("do_not_share", ("NO_AGREEMENT",), 80),
    ("share_with_justification", ("NO_AGREEMENT", "URGENT_SAFEGUARDING"), 20),
)
SPECIAL = frozenset(code for code, c in DATA_CATEGORIES.items() if c.special_category)
CRIMINAL = frozenset(code for code, c in DATA_CATEGORIES.items() if c.criminal_offence)
OTHER_CATEGORIES = sorted(code for code in DATA_CATEGORIES if code != "identity_contact")
PURPOSE_CODES = sorted(PURPOSES)
