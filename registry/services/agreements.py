"""The agreement lifecycle: draft, amend, sign, suspend, resume, terminate.

Every change touches the agreement row, whose `lock_version` is an optimistic lock; on
PostgreSQL the row is also locked for the transaction. So two people signing or amending
the same agreement at once cannot both win: the second gets a 409 and tries again.
"""

from sqlalchemy import select

from registry import audit
from registry.clock import today_uk
from registry.domain import activation_problems, basis_warnings
from registry.errors import Conflict, Invalid
from registry.extensions import db
from registry.facts import agreement_terms
from registry.models import (
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementParty,
    AgreementState,
    AgreementVersion,
    Signature,
)
from registry.models.base import utcnow
from registry.permissions import (
    Actor,
    ensure_can_draft_with_parties,
    ensure_can_manage_agreement,
    ensure_can_sign,
)
from registry.services.lookups import agencies_for_codes, get_agreement

TERM_FIELDS = (
    "title",
    "description",
    "purposes",
    "data_categories",
    "consent_required",
    "safeguarding_override",
    "effective_from",
    "review_date",
    "expires_on",
    "retention",
    "security_measures",
    "dpia_reference",
)
BASIS_FIELDS = ("article6", "article9", "schedule1", "article10", "statutory_gateways")


def create_agreement(data: dict, actor: Actor) -> Agreement:
    if db.session.scalar(select(Agreement.id).where(Agreement.reference == data["reference"])):
        raise Conflict(f"An agreement with reference {data['reference']!r} already exists.")
    agreement = Agreement(reference=data["reference"], created_by_id=actor.id)
    version = AgreementVersion(number=1, created_by_id=actor.id, statutory_gateways=[])
    _apply_terms(version, data, actor)
    agreement.versions.append(version)
    db.session.add(agreement)
    db.session.flush()
    _record(agreement, "agreement.create", actor, version=1)
    return agreement


def update_agreement(reference: str, changes: dict, actor: Actor) -> Agreement:
    """Edit the pending draft in place (clearing its signatures) or start a new version."""
    agreement = _for_change(reference, actor)
    version = agreement.pending_version
    if version is None:
        version = _new_version_from(agreement.latest_version, actor)
        agreement.versions.append(version)
    else:
        version.signatures.clear()
    _apply_terms(version, changes, actor)
    _touch(agreement)
    db.session.flush()
    _record(agreement, "agreement.update", actor, version=version.number, fields=sorted(changes))
    return agreement


def sign_agreement(reference: str, actor: Actor) -> Agreement:
    """Sign the pending version for the actor's agency; the last signature brings it into force."""
    agreement = _for_change(reference, actor, manage=False)
    version = agreement.pending_version
    if version is None:
        raise Conflict(f"{reference} has no version waiting for signatures.")
    ensure_can_sign(actor, version)
    if actor.agency_id in {sig.agency_id for sig in version.signatures}:
        raise Conflict(f"Your agency has already signed version {version.number} of {reference}.")
    terms = agreement_terms(version)
    problems = activation_problems(terms, _party_sectors(version))
    if problems:
        raise Invalid(f"{reference} cannot come into force as drafted.", problems)
    version.signatures.append(Signature(agency_id=actor.agency_id, signed_by_id=actor.id))
    db.session.flush()
    activated = not version.unsigned_party_codes()
    if activated:
        _activate(agreement, version)
    _touch(agreement)
    db.session.flush()
    _record(agreement, "agreement.sign", actor, version=version.number, activated=activated)
    return agreement


def _activate(agreement: Agreement, version: AgreementVersion) -> None:
    today = today_uk()
    version.activated_on = today
    version.activated_at = utcnow()
    previous = agreement.current_version
    if previous is not None:
        # The old version stays in force until the new one takes effect.
        previous.replaced_on = max(today, version.effective_from or today)
    agreement.current_version = version
    if agreement.state == AgreementState.DRAFT:
        agreement.state = AgreementState.ACTIVE


def suspend_agreement(reference: str, reason: str, actor: Actor) -> Agreement:
    agreement = _for_change(reference, actor)
    if agreement.state != AgreementState.ACTIVE:
        raise Conflict(
            f"{reference} is {agreement.state}; only an agreement in force is suspended."
        )
    return _lifecycle(
        agreement, AgreementEventKind.SUSPENDED, AgreementState.SUSPENDED, reason, actor
    )


def resume_agreement(reference: str, reason: str | None, actor: Actor) -> Agreement:
    agreement = _for_change(reference, actor)
    if agreement.state != AgreementState.SUSPENDED:
        raise Conflict(f"{reference} is not suspended.")
    return _lifecycle(agreement, AgreementEventKind.RESUMED, AgreementState.ACTIVE, reason, actor)


def terminate_agreement(reference: str, reason: str, actor: Actor) -> Agreement:
    agreement = _for_change(reference, actor)
    agreement.terminated_on = today_uk()
    return _lifecycle(
        agreement, AgreementEventKind.TERMINATED, AgreementState.TERMINATED, reason, actor
    )


def _lifecycle(agreement, kind, new_state, reason, actor) -> Agreement:
    agreement.events.append(AgreementEvent(kind=kind, on=today_uk(), reason=reason, by_id=actor.id))
    agreement.state = new_state
    _touch(agreement)
    db.session.flush()
    _record(agreement, f"agreement.{kind}", actor, reason=reason)
    return agreement


def _for_change(reference: str, actor: Actor, *, manage: bool = True) -> Agreement:
    agreement = get_agreement(reference, for_update=True)
    if manage:
        ensure_can_manage_agreement(actor, agreement)
    if agreement.state == AgreementState.TERMINATED:
        raise Conflict(
            f"{reference} was terminated on {agreement.terminated_on}; it cannot change."
        )
    # Claim the row before writing anything else: a change committed since it was read
    # fails here (409), before this request reads the signatures or versions it depends on.
    _touch(agreement)
    db.session.flush()
    return agreement


def _touch(agreement: Agreement) -> None:
    # Dirtying the row makes SQLAlchemy bump lock_version and check it in the UPDATE.
    agreement.updated_at = utcnow()


def _new_version_from(current: AgreementVersion, actor: Actor) -> AgreementVersion:
    version = AgreementVersion(number=current.number + 1, created_by_id=actor.id)
    for field in TERM_FIELDS + BASIS_FIELDS:
        setattr(version, field, getattr(current, field))
    version.parties = [AgreementParty(agency=p.agency, role=p.role) for p in current.parties]
    return version


def _apply_terms(version: AgreementVersion, data: dict, actor: Actor) -> None:
    for field in TERM_FIELDS:
        if field in data:
            setattr(version, field, data[field])
    for field, value in (data.get("lawful_basis") or {}).items():
        setattr(version, field, value)
    if "parties" in data:
        _set_parties(version, data["parties"], actor)
    _check_dates(version)


def _set_parties(version: AgreementVersion, parties: list[dict], actor: Actor) -> None:
    codes = [party["agency"] for party in parties]
    if len(set(codes)) != len(codes):
        raise Invalid("Duplicate party.", {"parties": ["Each agency may be a party only once."]})
    agencies = agencies_for_codes(codes, "parties")
    ensure_can_draft_with_parties(actor, {agency.id for agency in agencies.values()})
    if version.id is not None:
        # Delete the old rows before inserting, or the (version, agency) unique key trips.
        version.parties.clear()
        db.session.flush()
    version.parties = [
        AgreementParty(agency=agencies[party["agency"]], role=party["role"]) for party in parties
    ]


def _check_dates(version: AgreementVersion) -> None:
    start, end = version.effective_from, version.expires_on
    if start and end and end <= start:
        raise Invalid("Dates out of order.", {"expires_on": ["Must be after effective_from."]})
    if start and version.review_date and version.review_date < start:
        raise Invalid(
            "Dates out of order.", {"review_date": ["Must be on or after effective_from."]}
        )


def _party_sectors(version: AgreementVersion) -> dict[str, str]:
    return {party.agency.code: party.agency.sector for party in version.parties}


def warnings_for(version: AgreementVersion) -> list[str]:
    return basis_warnings(agreement_terms(version), _party_sectors(version))


def problems_for(version: AgreementVersion) -> dict[str, list[str]]:
    return activation_problems(agreement_terms(version), _party_sectors(version))


def _record(agreement: Agreement, action: str, actor: Actor, **details) -> None:
    audit.record(
        action,
        actor_id=actor.id,
        target_type="agreement",
        target_id=agreement.reference,
        details=details,
    )
