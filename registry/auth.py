"""Who is asking: passwords, bearer tokens, browser sessions and the role check."""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, g, redirect, request, url_for
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import bindparam, select

from registry.extensions import db, login_manager
from registry.fact_cache import caches, current_stamps
from registry.models import Agency, ApiToken, Role, User
from registry.models.base import utcnow


def _hasher() -> PasswordHasher:
    hasher = current_app.extensions.get("registry.password_hasher")
    if hasher is None:
        hasher = PasswordHasher(**current_app.config["PASSWORD_HASH_PARAMS"])
        current_app.extensions["registry.password_hasher"] = hasher
    return hasher


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same cost either way)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    stored = user.password_hash if user else _dummy_hash()
    try:
        _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher().check_needs_rehash(stored):
        user.password_hash = hash_password(password)
    return user


def _dummy_hash() -> str:
    # Verifying against a throwaway hash keeps unknown emails as slow as wrong passwords.
    dummy = current_app.extensions.get("registry.dummy_hash")
    if dummy is None:
        dummy = current_app.extensions["registry.dummy_hash"] = hash_password(
            secrets.token_urlsafe(16)
        )
    return dummy


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User, name: str | None = None) -> tuple[str, ApiToken]:
    """Create a bearer token; the plaintext is returned once and only its hash is kept."""
    token = "isr_" + secrets.token_urlsafe(32)
    record = ApiToken(
        user=user,
        token_hash=token_digest(token),
        prefix=token[:12],
        name=name,
        expires_at=utcnow() + current_app.config["TOKEN_LIFETIME"],
    )
    db.session.add(record)
    db.session.flush()
    return token, record


def revoke_token(token: ApiToken, when: datetime | None = None) -> None:
    token.revoked_at = when or utcnow()


def list_tokens(user: User | None = None) -> list[ApiToken]:
    """Tokens, newest first: one user's, or everyone's when `user` is None."""
    query = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query))


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


@dataclass(frozen=True, slots=True)
class ApiPrincipal:
    """Who an API request comes from: a live token's user, as read with the token.

    API requests act through these plain values (services need only the user's id, role,
    agency, name and email), not through a session object: building and merging an ORM user
    for every request cost a tenth of a share check (docs/performance.md). A principal is
    kept per process under the principals stamp (registry/fact_cache.py), so it is never older
    than the database's users and tokens. It holds no password hash.
    """

    token_id: int
    expires_at: datetime
    id: int
    email: str
    name: str
    role: str
    agency_id: int | None
    agency_code: str | None
    active: bool
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)


_PRINCIPAL_BY_TOKEN = (
    select(
        ApiToken.id.label("token_id"),
        ApiToken.expires_at,
        User.id,
        User.email,
        User.name,
        User.role,
        User.agency_id,
        Agency.code.label("agency_code"),
        User.active,
    )
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(Agency, Agency.id == User.agency_id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
)


def _principals_by_digest(digests) -> dict[str, ApiPrincipal]:
    (digest,) = digests
    row = db.session.execute(_PRINCIPAL_BY_TOKEN, {"token_hash": digest}).first()
    return {} if row is None else {digest: ApiPrincipal(**row._mapping)}


def _load_user_from_request(_request) -> ApiPrincipal | None:
    # Pages are signed in by their session cookie only, as the API by its token only.
    token = _bearer_token() if request.path.startswith("/api/") else None
    if token is None:
        return None
    # Tokens and users are kept per process while the principals stamp is unchanged: a
    # revoked or expired token, a deactivated user or a moved user is seen at once.
    found = caches().principals.get_many(
        [token_digest(token)], current_stamps().principals, _principals_by_digest
    )
    if not found:
        return None
    (principal,) = found.values()
    if principal.expires_at <= utcnow() or not principal.active:
        return None
    g.api_token_id = principal.token_id
    return principal


def _load_user_from_session(user_id: str) -> User | None:
    # The API is token-only: a browser session cookie must not authorise API calls.
    if request.path.startswith("/api/"):
        return None
    ident, _, version = user_id.partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _unauthorized():
    if not request.path.startswith("/api/"):
        # Pages send people to the sign-in page and back to where they were going.
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    abort(
        401,
        message="Sign in first: send a valid bearer token in the Authorization header.",
        headers={"WWW-Authenticate": 'Bearer realm="registry"'},
    )


def require_role(*roles: Role) -> Callable:
    """Allow only signed-in users with one of these roles (401 anonymous, 403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403, message="Your role does not allow this.")
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


ANY_ROLE = tuple(Role)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.request_loader(_load_user_from_request)
    login_manager.user_loader(_load_user_from_session)
    login_manager.unauthorized_handler(_unauthorized)
