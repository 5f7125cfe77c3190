"""Time check_share on typical facts: three candidate agreements and three consent records.

Run with ``.venv/bin/python bench/bench_engine.py``; the target is under 20 µs a decision.
"""

from __future__ import annotations

import sys
import timeit
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry.domain import (  # noqa: E402 (the path is set just above)
    AgencyFacts,
    AgreementFacts,
    AgreementTerms,
    ConsentFacts,
    LawfulBasis,
    ShareFacts,
    ShareRequest,
    Suspension,
    VersionFacts,
    check_share,
)

ON = date(2026, 11, 26)
POLICE = AgencyFacts("police", "Northshire Police", "police")
SCHOOL = AgencyFacts("school", "Oak Academy", "education", policy_document="APD-7")
CSC = AgencyFacts("csc", "Northshire Children's Services", "children_social_care")
PARTIES = (("police", "both"), ("school", "both"), ("csc", "both"))


def version(number, activated_days_ago, consent_required=False, replaced_on=None):
    terms = AgreementTerms(
        purposes=frozenset({"safeguarding_children", "early_help", "education_welfare"}),
        data_categories=frozenset({"identity_contact", "education", "family_household", "health"}),
        lawful_basis=LawfulBasis("public_task", "substantial_public_interest", "sch1_para_18"),
        consent_required=consent_required,
        safeguarding_override=True,
        effective_from=ON - timedelta(days=400),
        expires_on=ON + timedelta(days=365),
        parties=PARTIES,
    )
    return VersionFacts(
        number, terms, ON - timedelta(days=activated_days_ago), replaced_on=replaced_on
    )


AGREEMENTS = (
    AgreementFacts(
        1,
        "ISA-2025-001",
        "Early help",
        (version(1, 300, replaced_on=ON - timedelta(days=100)), version(2, 100)),
        suspensions=(Suspension(ON - timedelta(days=200), ON - timedelta(days=190)),),
    ),
    AgreementFacts(2, "ISA-2025-002", "Attendance", (version(1, 200, consent_required=True),)),
    AgreementFacts(3, "ISA-2026-003", "MASH", (version(1, 50),)),
)
CONSENTS = (
    ConsentFacts(1, "granted", ON - timedelta(days=90), recorded_seq=1),
    ConsentFacts(
        2, "refused", ON - timedelta(days=30), recipients=frozenset({"csc"}), recorded_seq=2
    ),
    ConsentFacts(
        3, "granted", ON - timedelta(days=10), purposes=frozenset({"early_help"}), recorded_seq=3
    ),
)
FACTS = ShareFacts(POLICE, SCHOOL, AGREEMENTS, CONSENTS)
ASK = ShareRequest("police", "school", "safeguarding_children", ("education", "health"), ON)

SCENARIOS = {
    "share (3 covering, 3 consents)": (ASK, FACTS),
    "objection recorded + APD advice": (
        replace(ASK, recipient="csc", risk_of_harm=True),
        replace(FACTS, recipient=CSC),
    ),
    "consent needed and granted": (ASK, replace(FACTS, agreements=AGREEMENTS[1:2])),
    "3 failing candidates + urgent": (
        replace(ASK, data_categories=("housing",), purpose="crime_prevention", risk_of_harm=True),
        FACTS,
    ),
    "no agreement": (ASK, replace(FACTS, agreements=())),
}


def main() -> None:
    print(f"{'scenario':<34} {'decisions/s':>12} {'µs/decision':>12}")
    for name, (request, facts) in SCENARIOS.items():
        timer = timeit.Timer(lambda r=request, f=facts: check_share(r, f))
        number, _ = timer.autorange()
        best = min(timer.repeat(repeat=5, number=number)) / number
        print(f"{name:<34} {1 / best:>12,.0f} {best * 1e6:>12.2f}")


if __name__ == "__main__":
    main()
