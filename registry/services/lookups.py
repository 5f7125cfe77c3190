"""Small fetchers shared by the use cases."""

from sqlalchemy import select

from registry.errors import Invalid, NotFound
from registry.extensions import db
from registry.models import Agency, Agreement


def agency_by_code(code: str) -> Agency | None:
    if "\x00" in code:  # from a URL path: PostgreSQL cannot even compare it
        return None
    return db.session.scalar(select(Agency).where(Agency.code == code))


def get_agency(code: str) -> Agency:
    agency = agency_by_code(code)
    if agency is None:
        raise NotFound(f"There is no agency with code {code!r}.")
    return agency


def agencies_for_codes(codes: list[str], field: str) -> dict[str, Agency]:
    """The agencies named by `codes`, or Invalid naming `field` and the unknown codes."""
    found = {a.code: a for a in db.session.scalars(select(Agency).where(Agency.code.in_(codes)))}
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise Invalid("Unknown agency.", {field: [f"Unknown agency code: {', '.join(unknown)}."]})
    return found


def get_agreement(reference: str, *, for_update: bool = False) -> Agreement:
    if "\x00" in reference:  # from a URL path: PostgreSQL cannot even compare it
        raise NotFound(f"There is no agreement with reference {reference!r}.")
    query = select(Agreement).where(Agreement.reference == reference)
    if for_update:
        # Row lock on PostgreSQL; on SQLite the optimistic lock_version does the job.
        query = query.with_for_update()
    agreement = db.session.scalar(query)
    if agreement is None:
        raise NotFound(f"There is no agreement with reference {reference!r}.")
    return agreement
