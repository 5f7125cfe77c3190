"""Create and change agencies."""

from registry import audit
from registry.errors import Conflict
from registry.extensions import db
from registry.models import Agency
from registry.permissions import Actor
from registry.services.lookups import agency_by_code, get_agency

EDITABLE = ("name", "sector", "ico_registration", "dpo_email", "policy_document", "active")


def create_agency(data: dict, actor: Actor | None) -> Agency:
    if agency_by_code(data["code"]) is not None:
        raise Conflict(f"An agency with code {data['code']!r} already exists.")
    agency = Agency(**data)
    db.session.add(agency)
    db.session.flush()
    audit.record(
        "agency.create",
        actor_id=actor.id if actor else None,
        target_type="agency",
        target_id=agency.code,
        details={"fields": sorted(data)},
    )
    return agency


def update_agency(code: str, changes: dict, actor: Actor) -> Agency:
    agency = get_agency(code)
    changed = {k: v for k, v in changes.items() if k in EDITABLE and getattr(agency, k) != v}
    for key, value in changed.items():
        setattr(agency, key, value)
    db.session.flush()
    audit.record(
        "agency.update",
        actor_id=actor.id,
        target_type="agency",
        target_id=agency.code,
        details={"fields": sorted(changed)},
    )
    return agency
