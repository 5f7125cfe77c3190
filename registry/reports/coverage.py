"""Coverage: for every provider->recipient pair of active agencies, what is in force today.

A pair is covered by an agreement whose version in force today (decision rule 2) lets the
provider provide and the recipient receive (rule 1). Every ordered pair is listed, covered
or not, so gaps show; `covered` keeps only the pairs with (or without) an agreement, which
at national size is the difference between 3.85M rows and the few thousand covered. An
agency lead sees the pairs their agency is part of.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select

from registry.clock import today_uk
from registry.domain import AgreementFacts
from registry.domain.in_force import roles_allow, version_in_force
from registry.extensions import db
from registry.facts import agreement_facts_by_id
from registry.models import Agency, Agreement, AgreementParty, AgreementState, AgreementVersion
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
#: The most pairs a coverage export lists, covered or not. 2,000 agencies make 4M pairs (a
#: CSV of about 400 MB); every agency in England, tens of thousands, would make 10^8 and more,
#: which no one can read and which takes hours to write.
LISTED_PAIRS = 5_000_000


@dataclass(frozen=True, slots=True)
class InForce:
    """A version in force today, as each pair it covers lists it (one object for all pairs)."""

    label: str
    purposes: frozenset[str]
    data_categories: frozenset[str]


def _in_force_agreements(wanted: set[str]) -> Iterator[AgreementFacts]:
    """The facts of every active or suspended agreement, by reference, a page at a time.

    With `wanted` agency codes, only the agreements that have one of them as a party.
    """
    live = select(Agreement.id, Agreement.reference).where(
        Agreement.state.in_((AgreementState.ACTIVE, AgreementState.SUSPENDED))
    )
    if wanted:
        live = live.where(
            Agreement.id.in_(
                select(AgreementVersion.agreement_id)
                .join(AgreementParty, AgreementParty.version_id == AgreementVersion.id)
                .join(Agency, Agency.id == AgreementParty.agency_id)
                .where(Agency.code.in_(wanted))
            )
        )
    for page in pages(keyset(live, Agreement.reference)):
        facts = agreement_facts_by_id([row.id for row in page])
        yield from (facts[row.id] for row in page)


def _covers(wanted: set[str]) -> dict[tuple[str, str], list[InForce]]:
    """What covers each (provider code, recipient code), from the versions in force today.

    Each agency code and each set of codes is kept once (`kept`), not once per agreement:
    the half a million pairs covered in a national registry held a copy for each.
    """
    today, covers, kept = today_uk(), defaultdict(list), {}
    for agreement in _in_force_agreements(wanted):
        version = version_in_force(agreement, today)
        if version is None:
            continue
        terms = version.terms
        entry = InForce(
            f"{agreement.reference} v{version.number}",
            kept.setdefault(terms.purposes, terms.purposes),
            kept.setdefault(terms.data_categories, terms.data_categories),
        )
        codes = [kept.setdefault(code, code) for code, _ in terms.parties]
        for provider in codes:
            for recipient in codes:
                if provider != recipient and roles_allow(terms, provider, recipient):
                    covers[provider, recipient].append(entry)
    return covers


def coverage_oversize(filters: dict, viewer: Viewer) -> str | None:
    """Why the format cannot hold the pairs the filters list, or None.

    The heatmap draws at most HEATMAP_AGENCIES agencies; a list of every pair, covered or
    not, holds at most LISTED_PAIRS (only an operator's unfiltered list can pass it).
    """
    count = db.session.scalar(select(func.count()).where(Agency.active.is_(True)))
    if filters["format"] == "svg":
        if count <= HEATMAP_AGENCIES:
            return None
        return (
            f"The heatmap draws at most {HEATMAP_AGENCIES} agencies, and {count:,} are active. "
            "Choose csv or json."
        )
    if filters.get("covered") or filters.get("agency") or not viewer.sees_everything:
        return None
    if count * (count - 1) <= LISTED_PAIRS:
        return None
    return (
        f"Every pair of the {count:,} active agencies would be {count * (count - 1):,} rows; "
        f"a list holds at most {LISTED_PAIRS:,}. Choose only the covered pairs "
        "(covered=true) or one agency's pairs (agency)."
    )


def coverage_rows(filters: dict, viewer: Viewer) -> Iterator[dict]:
    """Each listed pair with what covers it; a lead's pairs involve their agency, and an
    `agency` filter keeps the pairs that involve it too (a lead's pairs with that agency)."""
    agencies = db.session.execute(
        select(Agency.id, Agency.code, Agency.name)
        .where(Agency.active.is_(True))
        .order_by(Agency.code)
    ).all()
    wanted = {filters["agency"]} if filters.get("agency") else set()
    if not viewer.sees_everything:
        own = next((a.code for a in agencies if a.id == viewer.agency_id), None)
        if own is None:
            return
        wanted.add(own)
    covers = _covers(wanted)
    covered = filters.get("covered")
    for provider, recipient in _listed_pairs(agencies, wanted, covers if covered else None):
        cover = covers.get((provider.code, recipient.code), ())
        if covered is not None and bool(cover) != covered:
            continue
        yield {
            "provider": provider.code,
            "provider_name": provider.name,
            "recipient": recipient.code,
            "recipient_name": recipient.name,
            "agreement_count": len(cover),
            "agreements": [entry.label for entry in cover],
            "purposes": sorted(set().union(*(entry.purposes for entry in cover))),
            "data_categories": sorted(set().union(*(entry.data_categories for entry in cover))),
        }


def _listed_pairs(agencies, wanted: set[str], covered_only: dict | None) -> Iterator[tuple]:
    """Each (provider, recipient) pair of these agencies that involves every `wanted` code.

    In the agencies' order (by provider, then recipient). With `covered_only`, only its pairs.
    Walking only those pairs, rather than every pair of agencies and filtering, keeps a lead's
    view and the covered pairs quick when tens of thousands of agencies make 10^8 pairs.
    """
    place = {agency.code: (index, agency) for index, agency in enumerate(agencies)}
    if covered_only is not None:
        pairs = sorted(
            (place[provider], place[recipient])
            for provider, recipient in covered_only
            if provider in place and recipient in place and wanted <= {provider, recipient}
        )
        yield from ((provider, recipient) for (_, provider), (_, recipient) in pairs)
        return
    for provider in agencies:
        rest = wanted - {provider.code}
        if not rest:
            recipients = agencies
        elif len(rest) == 1 and (code := rest.pop()) in place:
            recipients = [place[code][1]]
        else:
            continue
        yield from ((provider, r) for r in recipients if r.code != provider.code)
