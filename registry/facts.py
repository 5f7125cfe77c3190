"""Translate database rows into the decision engine's facts (and agreement terms)."""

from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from registry.domain import (
    AgencyFacts,
    AgreementFacts,
    AgreementTerms,
    ConsentFacts,
    LawfulBasis,
    ShareFacts,
    Suspension,
    VersionFacts,
)
from registry.extensions import db
from registry.models import (
    Agency,
    Agreement,
    AgreementEventKind,
    AgreementParty,
    AgreementVersion,
    ConsentRecord,
)


def agency_facts(agency: Agency) -> AgencyFacts:
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


def suspensions(agreement: Agreement) -> tuple[Suspension, ...]:
    """Pair each suspension with the resumption that ended it, if any."""
    windows: list[Suspension] = []
    for event in agreement.events:
        if event.kind == AgreementEventKind.SUSPENDED:
            windows.append(Suspension(suspended_on=event.on))
        elif event.kind == AgreementEventKind.RESUMED and windows:
            windows[-1] = Suspension(suspended_on=windows[-1].suspended_on, resumed_on=event.on)
    return tuple(windows)


def agreement_facts(agreement: Agreement) -> AgreementFacts:
    return AgreementFacts(
        id=agreement.id,
        reference=agreement.reference,
        title=agreement.latest_version.title,
        versions=tuple(
            VersionFacts(
                number=version.number,
                terms=agreement_terms(version),
                activated_on=version.activated_on,
                signed_by=frozenset(sig.agency.code for sig in version.signatures),
                replaced_on=version.replaced_on,
            )
            for version in agreement.versions
        ),
        suspensions=suspensions(agreement),
        terminated_on=agreement.terminated_on,
    )


def consent_facts(record: ConsentRecord) -> ConsentFacts:
    return ConsentFacts(
        id=record.id,
        status=record.status,
        effective_from=record.effective_from,
        expires_on=record.expires_on,
        agreement_id=record.agreement_id,
        recipients=frozenset(record.recipients or ()),
        purposes=frozenset(record.purposes or ()),
        data_categories=frozenset(record.data_categories or ()),
        given_by=record.given_by,
        recorded_seq=record.id,
    )


def agreements_between(provider: Agency, recipient: Agency) -> list[Agreement]:
    """Agreements where both agencies are parties in some version (indexed, per pair)."""
    other = aliased(AgreementParty)
    ids = (
        select(AgreementVersion.agreement_id)
        .join(AgreementParty, AgreementParty.version_id == AgreementVersion.id)
        .join(other, other.version_id == AgreementVersion.id)
        .where(AgreementParty.agency_id == provider.id, other.agency_id == recipient.id)
        .distinct()
    )
    return list(
        db.session.scalars(
            select(Agreement)
            .where(Agreement.id.in_(ids))
            .options(
                selectinload(Agreement.versions).selectinload(AgreementVersion.parties),
                selectinload(Agreement.versions).selectinload(AgreementVersion.signatures),
                selectinload(Agreement.events),
            )
        )
    )


def consent_records_for(subject: str) -> list[ConsentRecord]:
    return list(
        db.session.scalars(select(ConsentRecord).where(ConsentRecord.subject_hash == subject))
    )


def share_facts(
    provider: Agency, recipient: Agency, agreements: list[Agreement], subject: str
) -> ShareFacts:
    return ShareFacts(
        provider=agency_facts(provider),
        recipient=agency_facts(recipient),
        agreements=tuple(agreement_facts(a) for a in agreements),
        consents=tuple(consent_facts(r) for r in consent_records_for(subject)),
    )
