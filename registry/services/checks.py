"""Ask the decision engine about a proposed share, keep the answer, record what was done."""

from sqlalchemy.exc import IntegrityError

from registry import audit
from registry.clock import today_uk
from registry.domain import Decision, ReasonCode, ShareFacts, ShareRequest, check_share
from registry.errors import Conflict, Forbidden, Invalid, NotFound
from registry.extensions import db
from registry.facts import (
    PairFacts,
    agencies_by_code,
    agency_facts,
    consent_facts_by_subject,
    pair_facts,
    provider_pair_facts,
)
from registry.models import Role, ShareCheck, ShareDecision, User
from registry.permissions import ensure_can_check_for, ensure_can_view_check
from registry.subjects import subject_hash

CHECKERS = (Role.PRACTITIONER, Role.AGENCY_LEAD)
NEEDS_NO_CONSENT_REASON = {ReasonCode.SAFEGUARDING_OVERRIDE, ReasonCode.URGENT_SAFEGUARDING}


def run_check(data: dict, actor: User) -> ShareCheck:
    provider, recipient = _resolve_agencies(data)
    ensure_can_check_for(actor, provider.id)
    hashed = subject_hash(data["subject"])
    consents = consent_facts_by_subject([hashed])
    agreements = pair_facts(provider.id, recipient.id)
    return _recorded(
        [_check(data, hashed, provider, recipient, actor, consents[hashed], agreements)]
    )[0]


def run_batch(items: list[dict], actor: User) -> list[ShareCheck]:
    """Validate every item first, so a bad item rejects the batch before anything is kept."""
    # The facts are read once for the whole batch: one query for the agencies it names, one
    # for its people's consent records, three for the agreements of all its agency pairs.
    known = agencies_by_code(
        code for item in items for code in (item["provider"], item["recipient"])
    )
    resolved, errors = [], {}
    for index, item in enumerate(items):
        try:
            resolved.append(_resolve_agencies(item, known))
        except Invalid as err:
            errors[str(index)] = err.errors
    if errors:
        raise Invalid("Some checks in the batch are not valid.", {"checks": errors})
    for index, (provider, _) in enumerate(resolved):
        if actor.agency_id != provider.id:
            raise Forbidden(f"Check {index}: you can only check shares from your own agency.")
    hashes = [subject_hash(item["subject"]) for item in items]
    consents = consent_facts_by_subject(hashes)
    # Every item's provider is the actor's agency (checked above): one read for all pairs.
    pairs = provider_pair_facts(actor.agency_id, {recipient.id for _, recipient in resolved})
    return _recorded(
        [
            _check(item, hashed, p, r, actor, consents[hashed], pairs[r.id])
            for item, hashed, (p, r) in zip(items, hashes, resolved, strict=True)
        ]
    )


def _recorded(checks: list[ShareCheck]) -> list[ShareCheck]:
    """Insert the checks in one flush and queue an audit event for each."""
    db.session.add_all(checks)
    db.session.flush()
    for check in checks:
        audit.record(
            "check.create",
            actor_id=check.checked_by_id,
            target_type="check",
            target_id=check.id,
            subject_hash=check.subject_hash,
            details={"outcome": check.outcome},
        )
    return checks


def _resolve_agencies(data: dict, known: dict | None = None) -> tuple:
    """The provider and the recipient named by a check request."""
    if known is None:
        known = agencies_by_code((data["provider"], data["recipient"]))
    provider, recipient = known.get(data["provider"]), known.get(data["recipient"])
    errors = {}
    if provider is None:
        errors["provider"] = [f"Unknown agency code: {data['provider']}."]
    if recipient is None:
        errors["recipient"] = [f"Unknown agency code: {data['recipient']}."]
    if errors:
        raise Invalid("Unknown agency.", errors)
    return provider, recipient


def _check(
    data: dict, hashed: str, provider, recipient, actor: User, consents, agreements: PairFacts
) -> ShareCheck:
    """Decide one check from facts already read; the new ShareCheck is returned unsaved.

    The facts are read straight from the connection. Nothing pending in this transaction can
    change them: a check writes only share_checks rows, which no fact comes from.
    """
    if actor.role not in CHECKERS:
        raise Forbidden("Only practitioners and agency leads check shares.")
    request = ShareRequest(
        provider=provider.code,
        recipient=recipient.code,
        purpose=data["purpose"],
        data_categories=tuple(sorted(set(data["data_categories"]))),
        on=data.get("date") or today_uk(),
        risk_of_harm=data.get("risk_of_harm", False),
    )
    facts = ShareFacts(
        provider=agency_facts(provider),
        recipient=agency_facts(recipient),
        agreements=agreements.agreements,
        consents=consents,
    )
    decision = check_share(request, facts)
    check = _stored(request, decision, provider, recipient, hashed, actor)
    check.agreement_version_id = _version_id(agreements, decision)
    # The relations the answer shows are known already: set them, so reading them costs no
    # query (a new check has no decision yet).
    check.provider = provider
    check.recipient = recipient
    check.checked_by = actor
    check.decision = None
    return check


def _stored(request, decision: Decision, provider, recipient, hashed, actor) -> ShareCheck:
    chosen = decision.agreement
    return ShareCheck(
        provider_id=provider.id,
        recipient_id=recipient.id,
        subject_hash=hashed,
        purpose=request.purpose,
        data_categories=list(request.data_categories),
        on=request.on,
        risk_of_harm=request.risk_of_harm,
        outcome=decision.outcome.value,
        reasons=[{"code": r.code.value, "message": r.message} for r in decision.reasons],
        agreement_reference=chosen.reference if chosen else None,
        agreement_version=chosen.version if chosen else None,
        also_covered_by=[
            {"reference": a.reference, "version": a.version} for a in decision.also_covered_by
        ],
        lawful_basis=_basis_dict(decision.lawful_basis),
        consent_id=decision.consent.id if decision.consent else None,
        requires_justification=decision.requires_justification,
        valid_until=decision.valid_until,
        checked_by_id=actor.id,
    )


def _version_id(agreements: PairFacts, decision: Decision) -> int | None:
    chosen = decision.agreement
    if chosen is None:
        return None
    return agreements.version_ids[(chosen.id, chosen.version)]


def _basis_dict(basis) -> dict | None:
    if basis is None:
        return None
    return {
        "article6": basis.article6,
        "article9": basis.article9,
        "schedule1": basis.schedule1,
        "article10": basis.article10,
        "statutory_gateways": list(basis.statutory_gateways),
    }


def get_check(check_id: int, actor: User) -> ShareCheck:
    check = db.session.get(ShareCheck, check_id)
    if check is None:
        raise NotFound(f"There is no check {check_id}.")
    ensure_can_view_check(actor, check)
    audit.record(
        "check.read",
        actor_id=actor.id,
        target_type="check",
        target_id=check.id,
        subject_hash=check.subject_hash,
    )
    return check


def record_decision(check_id: int, data: dict, actor: User) -> ShareDecision:
    check = db.session.get(ShareCheck, check_id)
    if check is None:
        raise NotFound(f"There is no check {check_id}.")
    if actor.role not in CHECKERS or actor.agency_id != check.provider_id:
        raise Forbidden("Only the provider agency's practitioners and lead record this decision.")
    if check.decision is not None:
        raise Conflict(f"A decision was already recorded for check {check_id}.")
    _validate_decision(check, data)
    decision = ShareDecision(check_id=check.id, recorded_by_id=actor.id, **data)
    try:
        with db.session.begin_nested():
            db.session.add(decision)
    except IntegrityError:
        raise Conflict(f"A decision was already recorded for check {check_id}.") from None
    audit.record(
        "decision.record",
        actor_id=actor.id,
        target_type="check",
        target_id=check.id,
        subject_hash=check.subject_hash,
        details={"shared": decision.shared, "outcome": check.outcome},
    )
    return decision


def _validate_decision(check: ShareCheck, data: dict) -> None:
    """Ask for a justification and a no-consent reason exactly when the rules require them."""
    if not data["shared"]:
        return
    errors = {}
    if check.outcome != "share" and not (data.get("justification") or "").strip():
        errors["justification"] = [
            "You shared although the answer was not a plain 'share': record why."
        ]
    codes = {reason["code"] for reason in check.reasons}
    if codes & NEEDS_NO_CONSENT_REASON and not data.get("no_consent_reason"):
        errors["no_consent_reason"] = [
            "You shared without consent: say why consent was not sought or relied on."
        ]
    if errors:
        raise Invalid("The decision needs more detail.", errors)
