"""Who is asking: passwords, bearer tokens, browser sessions and the role check."""

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, g, redirect, request, url_for
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import bindparam, select

from registry.extensions import db, login_manager
from registry.models import ApiToken, Role, User
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


_TOKEN_BY_HASH = select(ApiToken).where(ApiToken.token_hash == bindparam("token_hash"))


def _load_user_from_request(_request) -> User | None:
    token = _bearer_token()
    if token is None:
        return None
    record = db.session.scalar(_TOKEN_BY_HASH, {"token_hash": token_digest(token)})
    if record is None or record.revoked_at is not None or record.expires_at <= utcnow():
        return None
    if not record.user.active:
        return None
    g.api_token = record
    return record.user


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
