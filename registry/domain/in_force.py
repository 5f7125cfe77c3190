"""Rules 1 and 2: who may share under a version, and which version is in force on a date."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from registry.domain.types import AgreementFacts, AgreementTerms, VersionFacts


class Obstacle(StrEnum):
    """Why a version is not in force on a date; each has its own wording."""

    DRAFT = "draft"
    AWAITING_SIGNATURES = "awaiting_signatures"
    NOT_YET_EFFECTIVE = "not_yet_effective"
    SIGNED_LATER = "signed_later"
    EXPIRED = "expired"
    REPLACED = "replaced"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


def roles_allow(terms: AgreementTerms, provider: str, recipient: str) -> bool:
    """Return whether the provider may provide and the recipient may receive (rule 1).

    An agency never shares with itself under an agreement.
    """
    return provider != recipient and provider in terms.providers and recipient in terms.receivers


def starts_on(version: VersionFacts) -> date | None:
    """Return the first day in force: the later of activation and effective_from."""
    activated, effective = version.activated_on, version.terms.effective_from
    if activated is None:
        return None
    return effective if effective is not None and effective > activated else activated


def suspended_since(agreement: AgreementFacts, on: date) -> date | None:
    """Return the day the suspension covering ``on`` began (resumed_on is in force again)."""
    for suspension in agreement.suspensions:
        resumed = suspension.resumed_on
        if suspension.suspended_on <= on and (resumed is None or resumed > on):
            return suspension.suspended_on
    return None


def obstacle(
    agreement: AgreementFacts, version: VersionFacts, on: date
) -> tuple[Obstacle, date | None] | None:
    """Return why the version is not in force on ``on`` and the day that matters, or None.

    Termination is checked first because it is final; a version never signed by every party
    is a draft or awaits signatures; nothing is in force before it was signed (no
    retroactivity), whatever its effective_from says.
    """
    terms = version.terms
    if agreement.terminated_on is not None and agreement.terminated_on <= on:
        return Obstacle.TERMINATED, agreement.terminated_on
    if version.activated_on is None:
        if version.signed_by:
            return Obstacle.AWAITING_SIGNATURES, None
        return Obstacle.DRAFT, None
    start = starts_on(version)
    if start > on:
        if start == version.activated_on:
            return Obstacle.SIGNED_LATER, start
        return Obstacle.NOT_YET_EFFECTIVE, start
    if terms.expires_on is not None and terms.expires_on <= on:
        return Obstacle.EXPIRED, terms.expires_on
    if version.replaced_on is not None and version.replaced_on <= on:
        return Obstacle.REPLACED, version.replaced_on
    suspended = suspended_since(agreement, on)
    if suspended is not None:
        return Obstacle.SUSPENDED, suspended
    return None


def version_in_force(agreement: AgreementFacts, on: date) -> VersionFacts | None:
    """Return the version in force on ``on`` (the newest, should data ever overlap)."""
    found = None
    for version in agreement.versions:
        if (found is None or version.number > found.number) and obstacle(
            agreement, version, on
        ) is None:
            found = version
    return found


def version_to_explain(
    agreement: AgreementFacts, provider: str, recipient: str, on: date
) -> VersionFacts:
    """Pick the version whose state best explains why nothing covers the pair on ``on``.

    Only versions in which the pair may share count. The newest one that had started by
    ``on`` explains an ending (expired, suspended, replaced, terminated); when none had
    started, the newest one explains a beginning (draft, awaiting signatures, not yet).
    The agreement must have at least one such version.
    """
    started = newest = None
    for version in agreement.versions:
        if not roles_allow(version.terms, provider, recipient):
            continue
        if newest is None or version.number > newest.number:
            newest = version
        start = starts_on(version)
        if (
            start is not None
            and start <= on
            and (started is None or version.number > started.number)
        ):
            started = version
    return started or newest
