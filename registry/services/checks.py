"""Ask the decision engine about a proposed share, keep the answer, record what was done."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from registry import async_commit, audit
from registry.clock import today_uk
from registry.domain import ConsentFacts, ReasonCode, ShareFacts, ShareRequest, check_share
from registry.errors import Conflict, Forbidden, Invalid, NotFound
from registry.extensions import db
from registry.fact_cache import Stamps, caches, current_stamps
from registry.facts import (
    AgencyRow,
    PairFacts,
    agencies_by_code,
    agency_facts,
    consent_facts_by_subject,
    provider_pair_facts,
)
from registry.fast_sql import FastStatement
from registry.models import Role, ShareCheck, ShareDecision
from registry.models.base import utcnow
from registry.permissions import Actor, ensure_can_check_for, ensure_can_view_check
from registry.subjects import subject_hash

CHECKERS = (Role.PRACTITIONER, Role.AGENCY_LEAD)
NEEDS_NO_CONSENT_REASON = {ReasonCode.SAFEGUARDING_OVERRIDE, ReasonCode.URGENT_SAFEGUARDING}


@dataclass(slots=True)
class NewCheck:
    """A check as it was just recorded: its row's values plus what its answer shows.

    Showing the answer needs no query: the agencies, the asker and the consent relied on are
    already in hand (a new check has no decision yet).
    """

    provider: AgencyRow
    recipient: AgencyRow
    checked_by: Actor
    subject_hash: str
    purpose: str
    data_categories: list[str]
    on: date
    risk_of_harm: bool
    outcome: str
    reasons: list[dict]
    agreement_reference: str | None
    agreement_version: int | None
    agreement_version_id: int | None
    also_covered_by: list[dict]
    lawful_basis: dict | None
    consent: ConsentFacts | None
    requires_justification: bool
    valid_until: date | None
    checked_at: datetime
    id: int | None = None
    decision: None = None

    def row(self) -> dict:
        """The share_checks row."""
        return {
            "provider_id": self.provider.id,
            "recipient_id": self.recipient.id,
            "subject_hash": self.subject_hash,
            "purpose": self.purpose,
            "data_categories": self.data_categories,
            "on": self.on,
            "risk_of_harm": self.risk_of_harm,
            "outcome": self.outcome,
            "reasons": self.reasons,
            "agreement_version_id": self.agreement_version_id,
            "agreement_reference": self.agreement_reference,
            "agreement_version": self.agreement_version,
            "also_covered_by": self.also_covered_by,
            "lawful_basis": self.lawful_basis,
            "consent_id": self.consent.id if self.consent else None,
            "requires_justification": self.requires_justification,
            "valid_until": self.valid_until,
            "checked_by_id": self.checked_by.id,
            "checked_at": self.checked_at,
        }


def run_check(data: dict, actor: Actor) -> NewCheck:
    stamps = _stamps()
    provider, recipient = _resolve_agencies(
        data, _agencies((data["provider"], data["recipient"]), stamps)
    )
    ensure_can_check_for(actor, provider.id)
    hashed = subject_hash(data["subject"])
    consents = consent_facts_by_subject([hashed])
    agreements = _pair_facts(provider.id, [recipient.id], stamps)[recipient.id]
    return _recorded(
        [_check(data, hashed, provider, recipient, actor, consents[hashed], agreements)]
    )[0]


def run_batch(items: list[dict], actor: Actor) -> list[NewCheck]:
    """Validate every item first, so a bad item rejects the batch before anything is kept."""
    # The facts are read once for the whole batch: the agencies it names, its people's consent
    # records in one query, and the agreements of all its agency pairs.
    stamps = _stamps()
    known = _agencies(
        {code for item in items for code in (item["provider"], item["recipient"])}, stamps
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
    pairs = _pair_facts(actor.agency_id, {recipient.id for _, recipient in resolved}, stamps)
    return _recorded(
        [
            _check(item, hashed, p, r, actor, consents[hashed], pairs[r.id])
            for item, hashed, (p, r) in zip(items, hashes, resolved, strict=True)
        ]
    )


def _stamps() -> Stamps:
    # The facts are read from the connection, which does not autoflush: flush first, so a
    # change pending in this session (a caller that edits, then checks) is seen.
    db.session.flush()
    return current_stamps()


def _agencies(codes, stamps: Stamps) -> dict[str, AgencyRow]:
    return caches().facts.agencies(set(codes), stamps.facts, agencies_by_code)


def _pair_facts(provider_id: int, recipient_ids, stamps: Stamps) -> dict[int, PairFacts]:
    """The agreements between the provider and each recipient, by recipient id."""
    found = caches().facts.pairs(
        {(provider_id, recipient_id) for recipient_id in recipient_ids},
        stamps.facts,
        lambda pairs: {
            (provider_id, recipient_id): facts
            for recipient_id, facts in provider_pair_facts(
                provider_id, {recipient for _, recipient in pairs}
            ).items()
        },
    )
    return {recipient_id: facts for (_, recipient_id), facts in found.items()}


_CHECKS = ShareCheck.__table__
_INSERT_CHECK = FastStatement(
    insert(_CHECKS).returning(_CHECKS.c.id),
    columns=[column.key for column in _CHECKS.c if column.key != "id"],
)
_INSERT_CHECKS = insert(_CHECKS).returning(_CHECKS.c.id, sort_by_parameter_order=True)
#: PostgreSQL: the check's INSERT and the audit chain's next place in one round trip, and
#: with ASYNC_CHECK_COMMIT, the relaxed commit in the same statement.
_RECORD_CHECK = audit.AuditedInsert(_CHECKS)
_RECORD_CHECK_RELAXED = audit.AuditedInsert(_CHECKS, async_commit.RELAX_COLUMN)


def _recorded(checks: list[NewCheck]) -> list[NewCheck]:
    """Insert the checks in one statement, each with an audit event."""
    connection = db.session.connection()
    if len(checks) == 1 and connection.dialect.name == "postgresql":
        (check,) = checks
        recording = _RECORD_CHECK_RELAXED if async_commit.relaxes(connection) else _RECORD_CHECK
        check.id = recording.run(connection, check.row(), "check.create", **_about(check))
        return checks
    async_commit.relax_check_commit(connection)
    if len(checks) == 1:
        # One check takes the fast path (registry/fast_sql.py); a batch, one multi-row INSERT.
        ((check_id,),) = _INSERT_CHECK.rows(connection, checks[0].row())
        ids = [check_id]
    else:
        ids = connection.execute(_INSERT_CHECKS, [check.row() for check in checks]).scalars()
    for check, check_id in zip(checks, ids, strict=True):
        check.id = check_id
        audit.record("check.create", target_id=check_id, **_about(check))
    return checks


def _about(check: NewCheck) -> dict:
    """The fields of a new check's audit event, but its target's id."""
    return {
        "actor_id": check.checked_by.id,
        "target_type": "check",
        "subject_hash": check.subject_hash,
        "details": {"outcome": check.outcome},
    }


def _resolve_agencies(data: dict, known: dict) -> tuple[AgencyRow, AgencyRow]:
    """The provider and the recipient named by a check request."""
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
    data: dict,
    hashed: str,
    provider: AgencyRow,
    recipient: AgencyRow,
    actor: Actor,
    consents,
    agreements: PairFacts,
) -> NewCheck:
    """Decide one check from facts already read; the answer is returned, not yet stored.

    The facts were read straight from the connection, after a flush (see `_stamps`).
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
    chosen = decision.agreement
    return NewCheck(
        provider=provider,
        recipient=recipient,
        checked_by=actor,
        subject_hash=hashed,
        purpose=request.purpose,
        data_categories=list(request.data_categories),
        on=request.on,
        risk_of_harm=request.risk_of_harm,
        outcome=decision.outcome.value,
        reasons=[{"code": r.code.value, "message": r.message} for r in decision.reasons],
        agreement_reference=chosen.reference if chosen else None,
        agreement_version=chosen.version if chosen else None,
        agreement_version_id=(
            agreements.version_ids[(chosen.id, chosen.version)] if chosen else None
        ),
        also_covered_by=[
            {"reference": a.reference, "version": a.version} for a in decision.also_covered_by
        ],
        lawful_basis=_basis_dict(decision.lawful_basis),
        consent=decision.consent,
        requires_justification=decision.requires_justification,
        valid_until=decision.valid_until,
        checked_at=utcnow(),
    )


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


def get_check(check_id: int, actor: Actor) -> ShareCheck:
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


def record_decision(check_id: int, data: dict, actor: Actor) -> ShareDecision:
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
