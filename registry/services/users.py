"""Create and change users; leads manage their own agency's practitioners."""

from sqlalchemy import select

from registry import audit
from registry.auth import hash_password
from registry.errors import Conflict, Invalid, NotFound
from registry.extensions import db
from registry.models import Role, User
from registry.permissions import Actor, ensure_can_manage_user
from registry.services.lookups import agencies_for_codes


def create_user(data: dict, actor: Actor | None) -> User:
    """Create a user; `actor` None means the command line (a trusted operator)."""
    role = Role(data["role"])
    agency = _agency_for_role(role, data.get("agency"))
    if actor is not None:
        ensure_can_manage_user(actor, agency.id if agency else None, role)
    email = data["email"].strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user with email {email} already exists.")
    user = User(
        email=email,
        name=data["name"],
        role=role,
        agency=agency,
        password_hash=hash_password(data["password"]),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        actor_id=actor.id if actor else None,
        target_type="user",
        target_id=user.id,
        details={"role": role.value, "agency": agency.code if agency else None},
    )
    return user


def _agency_for_role(role: Role, code: str | None):
    if role.needs_agency and not code:
        raise Invalid("Agency needed.", {"agency": [f"A user with role {role} needs an agency."]})
    if not role.needs_agency and code:
        raise Invalid(
            "No agency for this role.", {"agency": [f"A user with role {role} has no agency."]}
        )
    return agencies_for_codes([code], "agency")[code] if code else None


def get_user(user_id: int, actor: Actor) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user {user_id}.")
    ensure_can_manage_user(actor, user.agency_id, user.role)
    return user


def update_user(user_id: int, changes: dict, actor: Actor) -> User:
    user = get_user(user_id, actor)
    if "role" in changes:
        role = Role(changes["role"])
        ensure_can_manage_user(actor, user.agency_id, role)
        if role.needs_agency != Role(user.role).needs_agency:
            raise Invalid(
                "Role change not possible.",
                {"role": [f"A {user.role} cannot become a {role}: create a new user instead."]},
            )
        user.role = role
    if "name" in changes:
        user.name = changes["name"]
    if "active" in changes and changes["active"] != user.active:
        if user.id == actor.id and not changes["active"]:
            raise Conflict("You cannot deactivate yourself.")
        user.active = changes["active"]
        # Ends browser sessions at once; tokens are refused because the user is inactive.
        user.session_version += 1
    db.session.flush()
    audit.record(
        "user.update",
        actor_id=actor.id,
        target_type="user",
        target_id=user.id,
        details={"fields": sorted(changes)},
    )
    return user
