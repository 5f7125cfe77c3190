"""Consent records: append-only; a change of mind is a new record."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.agreement import Agreement
from registry.models.base import CodeList, UTCDateTime, utcnow
from registry.models.user import User


class ConsentRecord(db.Model):
    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_subject", "subject_hash", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: HMAC-SHA256 of the person's identifier under SUBJECT_KEY; the identifier is never stored.
    subject_hash: Mapped[str] = mapped_column(String(64))
    #: granted, refused or withdrawn
    status: Mapped[str] = mapped_column(String(20))
    #: Scope: empty means "any".
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"))
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    purposes: Mapped[list[str]] = mapped_column(CodeList, default=list)
    data_categories: Mapped[list[str]] = mapped_column(CodeList, default=list)
    given_by: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    effective_from: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agreement: Mapped[Agreement | None] = relationship(lazy="joined")
    recorded_by: Mapped[User] = relationship(lazy="joined")
