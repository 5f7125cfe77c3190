"""Keyed hashing of people's identifiers: the registry never stores them in clear."""

import hashlib
import hmac

from flask import current_app


def normalise_identifier(identifier: str) -> str:
    """Fold the ways people type the same identifier ("943 476 5919", "9434765919")."""
    return "".join(identifier.split()).upper()


def subject_hash(identifier: str, key: str | None = None) -> str:
    """HMAC-SHA256 of the normalised identifier under SUBJECT_KEY, as hex."""
    secret = (key or current_app.config["SUBJECT_KEY"]).encode("utf-8")
    message = normalise_identifier(identifier).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()
