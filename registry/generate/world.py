"""The generated world, kept in memory only as far as later tables need it."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import date


def person_identifier(index: int) -> str:
    """The identifier of generated person ``index`` (0-based): NHS-number-like, 10 digits."""
    return f"9{index:09d}"


@dataclass
class Sizes:
    agencies: int
    agreements: int
    people: int
    checks: int


@dataclass
class World:
    today: date
    start: date
    n_areas: int
    agency_codes: list[str] = field(default_factory=list)
    agency_area: list[int] = field(default_factory=list)
    area_agencies: list[list[int]] = field(default_factory=list)
    #: agency index -> user ids of its lead and practitioners
    lead: list[int] = field(default_factory=list)
    practitioners: list[tuple[int, int]] = field(default_factory=list)
    #: agreements in force: (agreement id, current version id, number, providers, recipients,
    #: purposes, categories, lawful basis dict)
    in_force: list[tuple] = field(default_factory=list)
    area_agreements: list[list[int]] = field(default_factory=list)
    #: person index -> subject hash, and -> id of the person's newest consent record
    hashes: list[str] = field(default_factory=list)
    latest_consent: array = field(default_factory=lambda: array("l"))
    counts: dict[str, int] = field(default_factory=dict)
