"""Translate database rows into the decision engine's facts (and agreement terms)."""

from dataclasses import dataclass

from sqlalchemy import bindparam, exists, null, select, union_all
from sqlalchemy.orm import aliased

from registry.domain import (
    AgencyFacts,
    AgreementFacts,
    AgreementTerms,
    ConsentFacts,
    LawfulBasis,
    Suspension,
    VersionFacts,
)
from registry.extensions import db
from registry.fast_sql import FastStatement
from registry.models import (
    Agency,
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementParty,
    AgreementVersion,
    ConsentRecord,
    Signature,
)


def agency_facts(agency: "Agency | AgencyRow") -> AgencyFacts:
    return AgencyFacts(
        code=agency.code,
        name=agency.name,
        sector=agency.sector,
        active=agency.active,
        policy_document=agency.policy_document,
    )


def lawful_basis(version: AgreementVersion) -> LawfulBasis:
    return LawfulBasis(
        article6=version.article6,
        article9=version.article9,
        schedule1=version.schedule1,
        article10=version.article10,
        statutory_gateways=tuple(version.statutory_gateways or ()),
    )


def agreement_terms(version: AgreementVersion) -> AgreementTerms:
    return AgreementTerms(
        purposes=frozenset(version.purposes or ()),
        data_categories=frozenset(version.data_categories or ()),
        lawful_basis=lawful_basis(version),
        consent_required=version.consent_required,
        safeguarding_override=version.safeguarding_override,
        effective_from=version.effective_from,
        expires_on=version.expires_on,
        parties=tuple((party.agency.code, party.role) for party in version.parties),
    )


# --------------------------------------------------------------------------------------
# The share check's fast path: the same facts from a few Core queries over plain rows.
# Statements are built once (bound parameters), so SQLAlchemy compiles each of them once
# per process; no ORM object is created, so nothing lands in the identity map.


@dataclass(frozen=True, slots=True)
class PairFacts:
    """Agreements shared by two agencies, as engine facts, and their versions' row ids."""

    agreements: tuple[AgreementFacts, ...]
    #: (agreement id, version number) -> agreement_versions.id
    version_ids: dict[tuple[int, int], int]


@dataclass(frozen=True, slots=True)
class AgencyRow:
    """An agency's columns, read without the ORM (safe to keep between requests)."""

    id: int
    code: str
    name: str
    sector: str
    active: bool
    policy_document: str | None


_AGENCIES_BY_CODE = select(
    Agency.id, Agency.code, Agency.name, Agency.sector, Agency.active, Agency.policy_document
).where(Agency.code.in_(bindparam("codes", expanding=True)))


def agencies_by_code(codes) -> dict[str, AgencyRow]:
    """The agencies with these codes, by code, in one query."""
    rows = db.session.connection().execute(_AGENCIES_BY_CODE, {"codes": sorted(set(codes))})
    return {row.code: AgencyRow(*row) for row in rows}


def _pair_matches():
    """(agreement, recipient) for the agreements the provider shares with each recipient."""
    provider_party, recipient_party = aliased(AgreementParty), aliased(AgreementParty)
    return (
        select(
            AgreementVersion.agreement_id.label("agreement_id"),
            recipient_party.agency_id.label("recipient_id"),
        )
        .join(provider_party, provider_party.version_id == AgreementVersion.id)
        .join(recipient_party, recipient_party.version_id == AgreementVersion.id)
        .where(
            provider_party.agency_id == bindparam("provider_id"),
            recipient_party.agency_id.in_(bindparam("recipient_ids", expanding=True)),
        )
        .distinct()
        .subquery()
    )


_MATCHES = _pair_matches()
#: An agreement's columns and each of its versions', in the shape `_agreement_facts` reads.
_VERSION_COLUMNS = (
    Agreement.id,
    Agreement.reference,
    Agreement.terminated_on,
    exists()
    .where(AgreementEvent.agreement_id == Agreement.id)
    .correlate(Agreement)
    .label("has_events"),
    AgreementVersion.id.label("version_id"),
    AgreementVersion.number,
    AgreementVersion.title,
    AgreementVersion.purposes,
    AgreementVersion.data_categories,
    AgreementVersion.article6,
    AgreementVersion.article9,
    AgreementVersion.schedule1,
    AgreementVersion.article10,
    AgreementVersion.statutory_gateways,
    AgreementVersion.consent_required,
    AgreementVersion.safeguarding_override,
    AgreementVersion.effective_from,
    AgreementVersion.expires_on,
    AgreementVersion.activated_on,
    AgreementVersion.replaced_on,
)
_PAIR_VERSIONS = (
    select(_MATCHES.c.recipient_id, *_VERSION_COLUMNS)
    .select_from(Agreement)
    .join(_MATCHES, _MATCHES.c.agreement_id == Agreement.id)
    .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
    .order_by(_MATCHES.c.recipient_id, Agreement.id, AgreementVersion.number)
)
_AGREEMENT_VERSIONS = (
    select(*_VERSION_COLUMNS)
    .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
    .where(Agreement.id.in_(bindparam("agreements", expanding=True)))
    .order_by(Agreement.id, AgreementVersion.number)
)
_VERSIONS = bindparam("versions", expanding=True)
#: Parties (role set) and signatures (role NULL) of the versions, with agency codes.
_PARTIES_AND_SIGNATURES = union_all(
    select(AgreementParty.version_id, Agency.code, AgreementParty.role, AgreementParty.id)
    .join(Agency, Agency.id == AgreementParty.agency_id)
    .where(AgreementParty.version_id.in_(_VERSIONS)),
    select(Signature.version_id, Agency.code, null(), Signature.id)
    .join(Agency, Agency.id == Signature.agency_id)
    .where(Signature.version_id.in_(_VERSIONS)),
)
_EVENTS = (
    select(AgreementEvent.agreement_id, AgreementEvent.kind, AgreementEvent.on)
    .where(AgreementEvent.agreement_id.in_(bindparam("agreements", expanding=True)))
    .order_by(AgreementEvent.id)
)


def provider_pair_facts(provider_id: int, recipient_ids) -> dict[int, PairFacts]:
    """The facts of every agreement the provider shares with each recipient, in 3 queries."""
    conn = db.session.connection()
    found = {recipient_id: PairFacts((), {}) for recipient_id in recipient_ids}
    rows = conn.execute(
        _PAIR_VERSIONS, {"provider_id": provider_id, "recipient_ids": sorted(found)}
    ).all()
    if not rows:
        return found
    details = _details(conn, rows)
    by_recipient: dict[int, dict[int, list]] = {}
    for row in rows:
        by_recipient.setdefault(row.recipient_id, {}).setdefault(row.id, []).append(row)
    built: dict[int, AgreementFacts] = {}
    for recipient_id, groups in by_recipient.items():
        for agreement_id, group in groups.items():
            if agreement_id not in built:
                built[agreement_id] = _agreement_facts(group, *details)
        found[recipient_id] = PairFacts(
            tuple(built[agreement_id] for agreement_id in groups),
            {(row.id, row.number): row.version_id for group in groups.values() for row in group},
        )
    return found


def agreement_facts_by_id(agreement_ids) -> dict[int, AgreementFacts]:
    """The facts of each of these agreements, by id, in 3 queries of plain rows."""
    conn = db.session.connection()
    rows = conn.execute(_AGREEMENT_VERSIONS, {"agreements": sorted(set(agreement_ids))}).all()
    if not rows:
        return {}
    details = _details(conn, rows)
    groups: dict[int, list] = {}
    for row in rows:
        groups.setdefault(row.id, []).append(row)
    return {key: _agreement_facts(group, *details) for key, group in groups.items()}


def _details(conn, rows) -> tuple[dict, dict, dict]:
    """(parties, signing agency codes) by version id and (kind, on) events by agreement id."""
    parties: dict[int, list] = {}
    signed: dict[int, set[str]] = {}
    versions = sorted({row.version_id for row in rows})
    for version_id, code, role, row_id in conn.execute(
        _PARTIES_AND_SIGNATURES, {"versions": versions}
    ):
        if role is None:
            signed.setdefault(version_id, set()).add(code)
        else:
            parties.setdefault(version_id, []).append((row_id, code, role))
    events: dict[int, list] = {}
    with_events = sorted({row.id for row in rows if row.has_events})
    if with_events:
        for agreement_id, kind, on in conn.execute(_EVENTS, {"agreements": with_events}):
            events.setdefault(agreement_id, []).append((kind, on))
    return parties, signed, events


def _agreement_facts(rows, parties, signed, events) -> AgreementFacts:
    """One agreement's facts from its version rows (in number order) and their details."""
    first = rows[0]
    return AgreementFacts(
        id=first.id,
        reference=first.reference,
        title=rows[-1].title,
        versions=tuple(
            VersionFacts(
                number=row.number,
                terms=AgreementTerms(
                    purposes=frozenset(row.purposes or ()),
                    data_categories=frozenset(row.data_categories or ()),
                    lawful_basis=LawfulBasis(
                        article6=row.article6,
                        article9=row.article9,
                        schedule1=row.schedule1,
                        article10=row.article10,
                        statutory_gateways=tuple(row.statutory_gateways or ()),
                    ),
                    consent_required=row.consent_required,
                    safeguarding_override=row.safeguarding_override,
                    effective_from=row.effective_from,
                    expires_on=row.expires_on,
                    parties=tuple(
                        (code, role) for _, code, role in sorted(parties.get(row.version_id, ()))
                    ),
                ),
                activated_on=row.activated_on,
                signed_by=frozenset(signed.get(row.version_id, ())),
                replaced_on=row.replaced_on,
            )
            for row in rows
        ),
        suspensions=_suspension_windows(events.get(first.id, ())),
        terminated_on=first.terminated_on,
    )


def _suspension_windows(events) -> tuple[Suspension, ...]:
    """Pair each suspension with the resumption that ended it, from (kind, on) in order."""
    windows: list[Suspension] = []
    for kind, on in events:
        if kind == AgreementEventKind.SUSPENDED:
            windows.append(Suspension(suspended_on=on))
        elif kind == AgreementEventKind.RESUMED and windows:
            windows[-1] = Suspension(suspended_on=windows[-1].suspended_on, resumed_on=on)
    return tuple(windows)


_CONSENT_COLUMNS = (
    ConsentRecord.subject_hash,
    ConsentRecord.id,
    ConsentRecord.status,
    ConsentRecord.effective_from,
    ConsentRecord.expires_on,
    ConsentRecord.agreement_id,
    ConsentRecord.recipients,
    ConsentRecord.purposes,
    ConsentRecord.data_categories,
    ConsentRecord.given_by,
)
_CONSENTS = select(*_CONSENT_COLUMNS).where(
    ConsentRecord.subject_hash.in_(bindparam("subjects", expanding=True))
)
#: A single check's question, on the fast path (registry/fast_sql.py).
_CONSENTS_OF_ONE = FastStatement(
    select(*_CONSENT_COLUMNS).where(ConsentRecord.subject_hash == bindparam("subject"))
)


def consent_facts_by_subject(subjects) -> dict[str, tuple[ConsentFacts, ...]]:
    """Each person's consent records as facts (empty for none), from one query of plain rows."""
    found: dict[str, list[ConsentFacts]] = {subject: [] for subject in subjects}
    connection = db.session.connection()
    if len(found) == 1:
        rows = _CONSENTS_OF_ONE.rows(connection, {"subject": next(iter(found))})
    else:
        rows = connection.execute(_CONSENTS, {"subjects": sorted(found)})
    for subject, *values in rows:
        found[subject].append(_consent_facts(*values))
    return {subject: tuple(facts) for subject, facts in found.items()}


def _consent_facts(
    id, status, effective_from, expires_on, agreement_id, recipients, purposes, categories, by
) -> ConsentFacts:
    return ConsentFacts(
        id=id,
        status=status,
        effective_from=effective_from,
        expires_on=expires_on,
        agreement_id=agreement_id,
        recipients=frozenset(recipients or ()),
        purposes=frozenset(purposes or ()),
        data_categories=frozenset(categories or ()),
        given_by=by,
        recorded_seq=id,
    )
