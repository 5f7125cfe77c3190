"""Small helpers shared by the page views."""

from urllib.parse import urlsplit

from flask import abort, flash, request
from flask_login import current_user

from registry.errors import RegistryError
from registry.extensions import db
from registry.queries import MAX_PAGE


def commit() -> None:
    db.session.commit()


def page_number() -> int:
    """The page of a list the query string asks for: 1 if none or not a number, and a 404
    past MAX_PAGE, whose rows' offset the database could not hold."""
    page = max(request.args.get("page", 1, type=int), 1)
    if page > MAX_PAGE:
        abort(404)
    return page


def show_errors(form, err: RegistryError, field_map: dict | None = None) -> None:
    """Put a service's per-field errors on the form's fields; the rest on the form itself."""
    db.session.rollback()
    field_map = field_map or {}
    leftovers = []
    for key, messages in (err.errors or {}).items():
        name = field_map.get(key, key)
        field = form._fields.get(name)
        flat = _flatten(messages)
        if field is not None:
            field.errors = [*field.errors, *flat]
        else:
            leftovers.extend(flat)
    if not err.errors or leftovers:
        form.form_errors.extend([err.message, *leftovers])


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flatten(value)]
    return [str(messages)]


def success(message: str) -> None:
    flash(message, "success")


def safe_next(default: str) -> str:
    """The `next` page after sign-in, only when it is a path on this site."""
    target = request.args.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def my_agency_id() -> int | None:
    return current_user.agency_id
