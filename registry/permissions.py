"""Who may see and do what, by role and agency; shared by the API and the pages.

Each `ensure_*` raises Forbidden with a message the user can act on.
"""

from typing import Protocol

from registry.errors import Forbidden
from registry.models import Agreement, AgreementVersion, Role, ShareCheck

SEES_EVERYTHING = (Role.ADMIN, Role.AUDITOR)


class Actor(Protocol):
    """Who acts, as the services see them: a page's signed-in `User`, or an API request's
    `ApiPrincipal` (registry/auth.py). Nothing else about them is read."""

    id: int
    name: str
    email: str
    role: str
    agency_id: int | None


def agreement_agency_ids(agreement: Agreement) -> set[int]:
    """Agencies that are a party to any version of the agreement."""
    return {party.agency_id for version in agreement.versions for party in version.parties}


def can_view_agreement(user: Actor, agreement: Agreement) -> bool:
    return user.role in SEES_EVERYTHING or user.agency_id in agreement_agency_ids(agreement)


def ensure_can_view_agreement(user: Actor, agreement: Agreement) -> None:
    if not can_view_agreement(user, agreement):
        raise Forbidden(f"{agreement.reference} does not involve your agency.")


def ensure_can_manage_agreement(user: Actor, agreement: Agreement) -> None:
    """Amend, suspend, resume or terminate: an admin, or a lead of a party."""
    if user.role == Role.ADMIN:
        return
    if user.role == Role.AGENCY_LEAD and user.agency_id in agreement_agency_ids(agreement):
        return
    raise Forbidden(f"Only an admin or a lead of a party to {agreement.reference} may do this.")


def ensure_can_draft_with_parties(user: Actor, party_agency_ids: set[int]) -> None:
    if user.role == Role.ADMIN:
        return
    if user.role == Role.AGENCY_LEAD and user.agency_id in party_agency_ids:
        return
    raise Forbidden("An agency lead may only draft agreements their own agency is a party to.")


def ensure_can_sign(user: Actor, version: AgreementVersion) -> None:
    if user.role != Role.AGENCY_LEAD:
        raise Forbidden("Only an agency lead signs an agreement, for their own agency.")
    if user.agency_id not in {party.agency_id for party in version.parties}:
        raise Forbidden("Your agency is not a party to this version of the agreement.")


def ensure_can_check_for(user: Actor, provider_id: int) -> None:
    if user.agency_id != provider_id:
        raise Forbidden("You can only check shares from your own agency's records.")


def can_view_check(user: Actor, check: ShareCheck) -> bool:
    return user.role in SEES_EVERYTHING or user.agency_id == check.provider_id


def ensure_can_view_check(user: Actor, check: ShareCheck) -> None:
    if not can_view_check(user, check):
        raise Forbidden("This check was made by another agency.")


def ensure_can_manage_user(actor: Actor, agency_id: int | None, role: str) -> None:
    """Admins manage everyone; a lead manages practitioners of their own agency."""
    if actor.role == Role.ADMIN:
        return
    if (
        actor.role == Role.AGENCY_LEAD
        and role == Role.PRACTITIONER
        and agency_id == actor.agency_id
    ):
        return
    raise Forbidden("An agency lead may only manage practitioners of their own agency.")
