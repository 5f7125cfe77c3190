"""Agreements as people read them: status, terms, signatures and history, as plain dicts."""

from datetime import date

from registry.clock import today_uk
from registry.models import Agreement, AgreementState, AgreementVersion
from registry.services.agreements import BASIS_FIELDS, TERM_FIELDS, problems_for, warnings_for


def agreement_status(agreement: Agreement, today: date | None = None) -> str:
    """draft, active, suspended, terminated or expired, as api.md defines them."""
    current = agreement.current_version
    return status_of(agreement.state, current.expires_on if current else None, today)


def status_of(state: str, expires_on: date | None, today: date | None = None) -> str:
    """An agreement's status from its state and its version in force's expiry day."""
    if state in (AgreementState.TERMINATED, AgreementState.DRAFT):
        return state
    if expires_on is not None and expires_on <= (today or today_uk()):
        return "expired"
    return state


def version_state(agreement: Agreement, version: AgreementVersion) -> str:
    if version.activated_on is None:
        return "draft"
    return "in_force" if version.id == agreement.current_version_id else "superseded"


def signatures(version: AgreementVersion) -> list[dict]:
    return [
        {"agency": sig.agency.code, "signed_by": sig.signed_by.name, "signed_at": sig.signed_at}
        for sig in version.signatures
    ]


def terms(version: AgreementVersion) -> dict:
    view = {field: getattr(version, field) for field in TERM_FIELDS}
    view["version"] = version.number
    view["parties"] = [{"agency": p.agency.code, "role": p.role} for p in version.parties]
    view["lawful_basis"] = {field: getattr(version, field) for field in BASIS_FIELDS}
    view["signatures"] = signatures(version)
    view["awaiting_signatures"] = sorted(version.unsigned_party_codes())
    view["warnings"] = warnings_for(version)
    view["activation_problems"] = problems_for(version) if version.activated_on is None else {}
    return view


def changed_fields(before: AgreementVersion | None, after: AgreementVersion) -> list[str]:
    """Which fields a version changed compared with the one before it."""
    if before is None:
        return []
    changed = [f for f in TERM_FIELDS + BASIS_FIELDS if getattr(before, f) != getattr(after, f)]
    parties = {(p.agency_id, p.role) for p in before.parties}
    if parties != {(p.agency_id, p.role) for p in after.parties}:
        changed.append("parties")
    return changed


def agreement_view(agreement: Agreement) -> dict:
    shown = agreement.current_version or agreement.latest_version
    pending = agreement.pending_version
    view = terms(shown)
    view.update(
        reference=agreement.reference,
        status=agreement_status(agreement),
        terminated_on=agreement.terminated_on,
        pending_version=terms(pending) if pending is not None and pending is not shown else None,
        versions=[
            {
                "version": v.number,
                "state": version_state(agreement, v),
                "created_at": v.created_at,
                "activated_on": v.activated_on,
                "replaced_on": v.replaced_on,
                "signatures": signatures(v),
                "changed_fields": changed_fields(prev, v),
            }
            for prev, v in zip([None, *agreement.versions], agreement.versions, strict=False)
        ],
        events=[
            {"kind": e.kind, "on": e.on, "reason": e.reason, "by": e.by.name, "at": e.at}
            for e in agreement.events
        ],
        created_at=agreement.created_at,
        updated_at=agreement.updated_at,
    )
    return view
