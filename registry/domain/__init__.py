"""The pure decision engine: stdlib only, no Flask, no database, no clock."""

from registry.domain.activation import activation_problems, basis_warnings
from registry.domain.engine import check_share
from registry.domain.types import (
    AgencyFacts,
    AgreementFacts,
    AgreementTerms,
    ChosenAgreement,
    ConsentFacts,
    ConsentStatus,
    Decision,
    LawfulBasis,
    Outcome,
    PartyRole,
    Reason,
    ReasonCode,
    ShareFacts,
    ShareRequest,
    Suspension,
    VersionFacts,
)

__all__ = [
    "AgencyFacts",
    "AgreementFacts",
    "AgreementTerms",
    "ChosenAgreement",
    "ConsentFacts",
    "ConsentStatus",
    "Decision",
    "LawfulBasis",
    "Outcome",
    "PartyRole",
    "Reason",
    "ReasonCode",
    "ShareFacts",
    "ShareRequest",
    "Suspension",
    "VersionFacts",
    "activation_problems",
    "basis_warnings",
    "check_share",
]
