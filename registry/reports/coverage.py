"""Coverage: for every provider->recipient pair of active agencies, what is in force today.

A pair is covered by an agreement whose version in force today (decision rule 2) lets the
provider provide and the recipient receive (rule 1). Every ordered pair is listed, covered
or not, so gaps show; `covered` keeps only the pairs with (or without) an agreement, which
at national size is the difference between 3.85M rows and the few thousand covered. An
agency lead sees the pairs their agency is part of.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select

from registry.clock import today_uk
from registry.domain import AgreementFacts
from registry.domain.in_force import roles_allow, version_in_force
from registry.extensions import db
from registry.facts import agreement_facts_by_id
from registry.models import Agency, Agreement, AgreementState
from registry.reports.base import Column, Viewer, keyset, pages

COLUMNS = (
    Column("provider", "Provider", width=10),
    Column("provider_name", "Provider name", width=24),
    Column("recipient", "Recipient", width=10),
    Column("recipient_name", "Recipient name", width=24),
    Column("agreement_count", "Agreements in force", "int", 10),
    Column("agreements", "Agreements (version)", "list", 22),
    Column("purposes", "Purposes covered", "codes", 34),
    Column("data_categories", "Data categories covered", "codes", 34),
)


#: The most agencies the SVG heatmap draws: it holds every pair in memory, and past this
#: size it is no longer a picture anyone can read.
HEATMAP_AGENCIES = 100


@dataclass
class Cover:
    agreements: list[str] = field(default_factory=list)
    purposes: set[str] = field(default_factory=set)
    data_categories: set[str] = field(default_factory=set)


def _in_force_agreements() -> Iterator[AgreementFacts]:
    """The facts of every active or suspended agreement, by reference, a page at a time."""
    live = select(Agreement.id, Agreement.reference).where(
        Agreement.state.in_((AgreementState.ACTIVE, AgreementState.SUSPENDED))
    )
    for page in pages(keyset(live, Agreement.reference)):
        facts = agreement_facts_by_id([row.id for row in page])
        yield from (facts[row.id] for row in page)


def _covers() -> dict[tuple[str, str], Cover]:
    """Cover per (provider code, recipient code), from the versions in force today."""
    today, covers = today_uk(), defaultdict(Cover)
    for agreement in _in_force_agreements():
        version = version_in_force(agreement, today)
        if version is None:
            continue
        codes = [code for code, _ in version.terms.parties]
        for provider in codes:
            for recipient in codes:
                if provider != recipient and roles_allow(version.terms, provider, recipient):
                    cover = covers[provider, recipient]
                    cover.agreements.append(f"{agreement.reference} v{version.number}")
                    cover.purposes |= version.terms.purposes
                    cover.data_categories |= version.terms.data_categories
    return covers


def heatmap_oversize(filters: dict, viewer: Viewer) -> str | None:
    """Why the heatmap cannot draw the registry's active agencies, or None (other formats)."""
    if filters["format"] != "svg":
        return None
    count = db.session.scalar(select(func.count()).where(Agency.active.is_(True)))
    if count <= HEATMAP_AGENCIES:
        return None
    return (
        f"The heatmap draws at most {HEATMAP_AGENCIES} agencies, and {count:,} are active. "
        "Choose csv or json."
    )


def coverage_rows(filters: dict, viewer: Viewer) -> Iterator[dict]:
    agencies = db.session.execute(
        select(Agency.id, Agency.code, Agency.name)
        .where(Agency.active.is_(True))
        .order_by(Agency.code)
    ).all()
    covers = _covers()
    mine = {a.code for a in agencies if viewer.sees_everything or a.id == viewer.agency_id}
    if filters.get("agency"):
        mine &= {filters["agency"]}
    covered = filters.get("covered")
    for provider in agencies:
        for recipient in agencies:
            if provider.code == recipient.code or not {provider.code, recipient.code} & mine:
                continue
            cover = covers.get((provider.code, recipient.code), Cover())
            if covered is not None and bool(cover.agreements) != covered:
                continue
            yield {
                "provider": provider.code,
                "provider_name": provider.name,
                "recipient": recipient.code,
                "recipient_name": recipient.name,
                "agreement_count": len(cover.agreements),
                "agreements": cover.agreements,
                "purposes": sorted(cover.purposes),
                "data_categories": sorted(cover.data_categories),
            }
