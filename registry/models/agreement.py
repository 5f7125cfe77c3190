"""Data-sharing agreements, their versions, parties, signatures and lifecycle events."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.agency import Agency
from registry.models.base import CodeList, UTCDateTime, utcnow
from registry.models.user import User


class AgreementState(StrEnum):
    """The stored lifecycle state; `expired` is derived from the dates, not stored."""

    DRAFT = "draft"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class Agreement(db.Model):
    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=AgreementState.DRAFT, index=True)
    #: The version in force (NULL until the first version is signed by every party).
    #: Indexed: the start page finds the agreement a version due for review is in force for.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement_versions.id", use_alter=True), index=True
    )
    terminated_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Optimistic lock: every change bumps it, so two concurrent edits cannot both win.
    lock_version: Mapped[int] = mapped_column(default=1)

    versions: Mapped[list["AgreementVersion"]] = relationship(
        back_populates="agreement",
        foreign_keys="AgreementVersion.agreement_id",
        order_by="AgreementVersion.number",
    )
    current_version: Mapped["AgreementVersion | None"] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    events: Mapped[list["AgreementEvent"]] = relationship(
        back_populates="agreement", order_by="AgreementEvent.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def latest_version(self) -> "AgreementVersion":
        return self.versions[-1]

    @property
    def pending_version(self) -> "AgreementVersion | None":
        """The newest version while it awaits signatures, if there is one."""
        latest = self.latest_version
        return None if latest.activated_on is not None else latest

    def __repr__(self) -> str:
        return f"<Agreement {self.reference}>"


class AgreementVersion(db.Model):
    """One version of an agreement's terms. Versions in force are never edited."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    purposes: Mapped[list[str]] = mapped_column(CodeList)
    data_categories: Mapped[list[str]] = mapped_column(CodeList)
    #: UK GDPR Article 6(1) basis code.
    article6: Mapped[str | None] = mapped_column(String(40))
    #: UK GDPR Article 9(2) condition, needed when special-category data is listed.
    article9: Mapped[str | None] = mapped_column(String(40))
    #: DPA 2018 Schedule 1 condition (`sch1_para_N`).
    schedule1: Mapped[str | None] = mapped_column(String(20))
    #: Article 10 basis for criminal-offence data: `official_authority` or a Schedule 1 code.
    article10: Mapped[str | None] = mapped_column(String(40))
    statutory_gateways: Mapped[list[str]] = mapped_column(CodeList, default=list)
    consent_required: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Whether a risk of significant harm may override missing or refused consent.
    safeguarding_override: Mapped[bool] = mapped_column(Boolean, default=False)
    effective_from: Mapped[date | None] = mapped_column(Date)
    #: Indexed: the start page lists the soonest reviews due without sorting every agreement.
    review_date: Mapped[date | None] = mapped_column(Date, index=True)
    expires_on: Mapped[date | None] = mapped_column(Date)
    retention: Mapped[str | None] = mapped_column(Text)
    security_measures: Mapped[str | None] = mapped_column(Text)
    dpia_reference: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The UK day the last party signed: the version is in force from then (or effective_from).
    activated_on: Mapped[date | None] = mapped_column(Date)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The day a newer version came into force; this one stops covering shares that day.
    replaced_on: Mapped[date | None] = mapped_column(Date)

    agreement: Mapped[Agreement] = relationship(
        back_populates="versions", foreign_keys=[agreement_id]
    )
    parties: Mapped[list["AgreementParty"]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="AgreementParty.id"
    )
    signatures: Mapped[list["Signature"]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Signature.id"
    )
    created_by: Mapped[User] = relationship()

    def party_codes(self) -> set[str]:
        return {party.agency.code for party in self.parties}

    def unsigned_party_codes(self) -> set[str]:
        return self.party_codes() - {sig.agency.code for sig in self.signatures}


class AgreementParty(db.Model):
    __tablename__ = "agreement_parties"
    __table_args__ = (
        UniqueConstraint("version_id", "agency_id"),
        # Finds the agreements shared by two agencies without scanning the registry.
        Index("ix_agreement_parties_agency_version", "agency_id", "version_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: provider, recipient or both
    role: Mapped[str] = mapped_column(String(20))

    version: Mapped[AgreementVersion] = relationship(back_populates="parties")
    agency: Mapped[Agency] = relationship(lazy="joined")


class Signature(db.Model):
    """A party's sign-off of one version, by one of its agency leads."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("version_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[AgreementVersion] = relationship(back_populates="signatures")
    agency: Mapped[Agency] = relationship(lazy="joined")
    signed_by: Mapped[User] = relationship(lazy="joined")


class AgreementEventKind(StrEnum):
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    TERMINATED = "terminated"


class AgreementEvent(db.Model):
    """Suspension, resumption and termination, kept as history."""

    __tablename__ = "agreement_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: The UK day it took effect.
    on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="events")
    by: Mapped[User] = relationship(lazy="joined")
