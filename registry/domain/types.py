"""Immutable facts the decision engine reads and the decision it returns.

The app translates database rows into these frozen dataclasses; the engine never sees a
model, a session or a request object. ``slots=True`` keeps them small and fast to build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from registry.domain.vocabulary import PROVIDING_ROLES, RECEIVING_ROLES


class Outcome(StrEnum):
    """The answer to "may we share?"."""

    SHARE = "share"
    SHARE_WITH_JUSTIFICATION = "share_with_justification"
    DO_NOT_SHARE = "do_not_share"


class ReasonCode(StrEnum):
    """Stable reason codes of decision-rules.md; each value equals its name."""

    NO_AGREEMENT = "NO_AGREEMENT"
    AGREEMENT_NOT_IN_FORCE = "AGREEMENT_NOT_IN_FORCE"
    PURPOSE_NOT_COVERED = "PURPOSE_NOT_COVERED"
    CATEGORY_NOT_COVERED = "CATEGORY_NOT_COVERED"
    AGENCY_INACTIVE = "AGENCY_INACTIVE"
    CONSENT_GRANTED = "CONSENT_GRANTED"
    CONSENT_NOT_REQUIRED = "CONSENT_NOT_REQUIRED"
    CONSENT_MISSING = "CONSENT_MISSING"
    CONSENT_REFUSED = "CONSENT_REFUSED"
    CONSENT_WITHDRAWN = "CONSENT_WITHDRAWN"
    CONSENT_EXPIRED = "CONSENT_EXPIRED"
    SAFEGUARDING_OVERRIDE = "SAFEGUARDING_OVERRIDE"
    OBJECTION_RECORDED = "OBJECTION_RECORDED"
    POLICY_DOCUMENT_MISSING = "POLICY_DOCUMENT_MISSING"
    URGENT_SAFEGUARDING = "URGENT_SAFEGUARDING"


class PartyRole(StrEnum):
    """What a party may do under an agreement version."""

    PROVIDER = "provider"
    RECIPIENT = "recipient"
    BOTH = "both"


class ConsentStatus(StrEnum):
    """The status of one (never edited) consent record."""

    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    message: str


@dataclass(frozen=True, slots=True)
class ShareRequest:
    provider: str
    recipient: str
    purpose: str
    data_categories: tuple[str, ...]
    on: date
    risk_of_harm: bool = False


@dataclass(frozen=True, slots=True)
class AgencyFacts:
    code: str
    name: str
    sector: str
    active: bool = True
    #: Reference of the agency's appropriate policy document (DPA 2018 Sch 1 Part 4), if any.
    policy_document: str | None = None


@dataclass(frozen=True, slots=True)
class LawfulBasis:
    article6: str | None
    article9: str | None = None
    schedule1: str | None = None
    article10: str | None = None
    statutory_gateways: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AgreementTerms:
    """The content of one agreement version; also what the activation checks read."""

    purposes: frozenset[str]
    data_categories: frozenset[str]
    lawful_basis: LawfulBasis
    consent_required: bool
    safeguarding_override: bool
    effective_from: date | None
    expires_on: date | None
    #: (agency code, role) pairs; role is provider, recipient or both.
    parties: tuple[tuple[str, str], ...]
    #: The codes that may provide and the codes that may receive, derived from ``parties``
    #: once: the engine asks who may share under a version several times a check.
    providers: frozenset[str] = field(init=False, repr=False, compare=False)
    receivers: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        providers = frozenset(code for code, role in self.parties if role in PROVIDING_ROLES)
        receivers = frozenset(code for code, role in self.parties if role in RECEIVING_ROLES)
        object.__setattr__(self, "providers", providers)
        object.__setattr__(self, "receivers", receivers)


@dataclass(frozen=True, slots=True)
class VersionFacts:
    number: int
    terms: AgreementTerms
    #: The day the last party signed; None while it has never come into force.
    activated_on: date | None
    #: Agency codes that have signed this version.
    signed_by: frozenset[str] = frozenset()
    #: The day a newer version came into force; this one stops covering that day.
    replaced_on: date | None = None


@dataclass(frozen=True, slots=True)
class Suspension:
    suspended_on: date
    resumed_on: date | None = None


@dataclass(frozen=True, slots=True)
class AgreementFacts:
    id: int
    reference: str
    title: str
    versions: tuple[VersionFacts, ...]
    suspensions: tuple[Suspension, ...] = ()
    terminated_on: date | None = None


@dataclass(frozen=True, slots=True)
class ConsentFacts:
    id: int
    status: str
    effective_from: date
    expires_on: date | None = None
    agreement_id: int | None = None
    recipients: frozenset[str] = frozenset()
    purposes: frozenset[str] = frozenset()
    data_categories: frozenset[str] = frozenset()
    given_by: str = "subject"
    #: Recording order, to break ties between records effective on the same day.
    recorded_seq: int = 0


@dataclass(frozen=True, slots=True)
class ShareFacts:
    provider: AgencyFacts
    recipient: AgencyFacts
    #: Agreements where both agencies are parties in some version, with any role.
    agreements: tuple[AgreementFacts, ...]
    #: All of the subject's consent records.
    consents: tuple[ConsentFacts, ...]


@dataclass(frozen=True, slots=True)
class ChosenAgreement:
    id: int
    reference: str
    version: int
    activated_on: date


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    agreement: ChosenAgreement | None
    also_covered_by: tuple[ChosenAgreement, ...]
    lawful_basis: LawfulBasis | None
    consent: ConsentFacts | None
    requires_justification: bool
    valid_until: date | None
