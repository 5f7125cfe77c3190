"""Template helpers: the vocabulary's labels, UK dates and status tags."""

from datetime import date, datetime

from flask import Flask

from registry.clock import UK
from registry.domain import vocabulary as vocab
from registry.web import legal

LABELS = {
    "purpose": vocab.PURPOSES,
    "category": {code: c.label for code, c in vocab.DATA_CATEGORIES.items()},
    "sector": vocab.SECTORS,
    "party_role": vocab.PARTY_ROLES,
    "consent_status": vocab.CONSENT_STATUSES,
    "given_by": vocab.GIVEN_BY,
    "consent_method": vocab.CONSENT_METHODS,
    "no_consent_reason": vocab.NO_CONSENT_REASONS,
    "person_informed": vocab.PERSON_INFORMED,
    "role": {
        "admin": "Administrator",
        "agency_lead": "Agency lead",
        "practitioner": "Practitioner",
        "auditor": "Auditor",
    },
    "outcome": {
        "share": "Share",
        "share_with_justification": "Share only with a recorded justification",
        "do_not_share": "Do not share",
    },
    "status": {
        "draft": "Draft",
        "active": "In force",
        "suspended": "Suspended",
        "terminated": "Terminated",
        "expired": "Expired",
        "in_force": "In force",
        "superseded": "Replaced",
    },
}
TAG_COLOURS = {
    "draft": "grey",
    "active": "green",
    "in_force": "green",
    "suspended": "orange",
    "terminated": "red",
    "expired": "red",
    "superseded": "grey",
    "share": "green",
    "share_with_justification": "yellow",
    "do_not_share": "red",
    "granted": "green",
    "refused": "red",
    "withdrawn": "orange",
}


def label(code, kind: str) -> str:
    """The readable label of a code (the code itself when unknown, e.g. added by an admin)."""
    if code is None or code == "":
        return ""
    return LABELS[kind].get(str(code), str(code))


def uk_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UK).date()
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.day} {value:%B %Y}"


def uk_datetime(value: datetime | None) -> str:
    if not value:
        return ""
    local = value.astimezone(UK)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def tag_colour(code) -> str:
    return TAG_COLOURS.get(str(code), "grey")


def lookup(codes, mapping) -> list[str]:
    """Each code's entry in `mapping` (the code itself when missing)."""
    return [mapping.get(code, code) for code in codes or ()]


def init_app(app: Flask) -> None:
    app.add_template_filter(lookup, "lookup")
    app.add_template_filter(label, "label")
    app.add_template_filter(uk_date, "uk_date")
    app.add_template_filter(uk_datetime, "uk_datetime")
    app.add_template_filter(tag_colour, "tag_colour")
    app.add_template_global(legal.basis_lines, "basis_lines")
    app.add_template_global(legal.FIELD_NAMES, "FIELD_NAMES")
    app.add_template_global(
        frozenset(c for c, cat in vocab.DATA_CATEGORIES.items() if cat.special_category), "special"
    )
