"""Record and read a person's consent history (append-only)."""

from sqlalchemy import select

from registry import audit
from registry.clock import today_uk
from registry.errors import Forbidden, Invalid
from registry.extensions import db
from registry.models import Agreement, ConsentRecord, Role
from registry.permissions import Actor
from registry.services.lookups import agencies_for_codes
from registry.subjects import subject_hash

RECORDERS = (Role.PRACTITIONER, Role.AGENCY_LEAD)
READERS = (Role.PRACTITIONER, Role.AGENCY_LEAD, Role.AUDITOR)


def record_consent(subject: str, data: dict, actor: Actor) -> ConsentRecord:
    if actor.role not in RECORDERS:
        raise Forbidden("Only practitioners and agency leads record consent.")
    hashed = subject_hash(subject)
    agreement = _scope_agreement(data.get("agreement"))
    if data.get("recipients"):
        agencies_for_codes(data["recipients"], "recipients")
    effective_from = data.get("effective_from") or today_uk()
    if data.get("expires_on") and data["expires_on"] <= effective_from:
        raise Invalid("Dates out of order.", {"expires_on": ["Must be after effective_from."]})
    record = ConsentRecord(
        subject_hash=hashed,
        status=data["status"],
        agreement_id=agreement.id if agreement else None,
        recipients=sorted(set(data.get("recipients") or [])),
        purposes=sorted(set(data.get("purposes") or [])),
        data_categories=sorted(set(data.get("data_categories") or [])),
        given_by=data["given_by"],
        method=data["method"],
        effective_from=effective_from,
        expires_on=data.get("expires_on"),
        evidence=data.get("evidence"),
        notes=data.get("notes"),
        recorded_by_id=actor.id,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        "consent.record",
        actor_id=actor.id,
        target_type="consent",
        target_id=record.id,
        subject_hash=hashed,
        details={"status": record.status},
    )
    return record


def _scope_agreement(reference: str | None) -> Agreement | None:
    """The agreement a record is scoped to; an unknown reference is a bad field value (422)."""
    if not reference:
        return None
    agreement = db.session.scalar(select(Agreement).where(Agreement.reference == reference))
    if agreement is None:
        raise Invalid(
            "Unknown agreement.", {"agreement": [f"There is no agreement {reference!r}."]}
        )
    return agreement


def consent_history(subject: str, actor: Actor) -> list[ConsentRecord]:
    """The person's records, newest first; the read itself goes on the audit trail."""
    if actor.role not in READERS:
        raise Forbidden("Only practitioners, agency leads and auditors read consent records.")
    hashed = subject_hash(subject)
    records = list(
        db.session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.subject_hash == hashed)
            .order_by(ConsentRecord.effective_from.desc(), ConsentRecord.id.desc())
        )
    )
    audit.record(
        "consent.read",
        actor_id=actor.id,
        target_type="subject",
        subject_hash=hashed,
        details={"records": len(records)},
    )
    return records
