"""Share checks (every question asked, with its answer) and the decisions recorded on them."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.agency import Agency
from registry.models.base import CodeList, UTCDateTime, utcnow
from registry.models.consent import ConsentRecord
from registry.models.user import User


class ShareCheck(db.Model):
    __tablename__ = "share_checks"
    __table_args__ = (
        Index("ix_share_checks_provider_checked_at", "provider_id", "checked_at"),
        Index("ix_share_checks_checked_at", "checked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    subject_hash: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(60))
    data_categories: Mapped[list[str]] = mapped_column(CodeList)
    #: The day the share would happen (UK date).
    on: Mapped[date] = mapped_column(Date)
    risk_of_harm: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(30), index=True)
    #: [{code, message}] exactly as the practitioner saw them.
    reasons: Mapped[list[dict]] = mapped_column(JSON)
    agreement_version_id: Mapped[int | None] = mapped_column(ForeignKey("agreement_versions.id"))
    agreement_reference: Mapped[str | None] = mapped_column(String(60))
    agreement_version: Mapped[int | None]
    also_covered_by: Mapped[list[dict]] = mapped_column(JSON, default=list)
    lawful_basis: Mapped[dict | None] = mapped_column(JSON)
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent_records.id"))
    requires_justification: Mapped[bool] = mapped_column(Boolean)
    valid_until: Mapped[date | None] = mapped_column(Date)
    checked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Agency] = relationship(foreign_keys=[provider_id], lazy="joined")
    recipient: Mapped[Agency] = relationship(foreign_keys=[recipient_id], lazy="joined")
    consent: Mapped[ConsentRecord | None] = relationship(lazy="joined")
    checked_by: Mapped[User] = relationship(lazy="joined")
    decision: Mapped["ShareDecision | None"] = relationship(
        back_populates="check", lazy="joined", uselist=False
    )


class ShareDecision(db.Model):
    """What the practitioner did after a check; recorded once (unique per check)."""

    __tablename__ = "share_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("share_checks.id"), unique=True)
    shared: Mapped[bool] = mapped_column(Boolean)
    justification: Mapped[str | None] = mapped_column(Text)
    #: cannot_be_given, cannot_reasonably_obtain or would_prejudice (DPA 2018 Sch 1 para 18(2)).
    no_consent_reason: Mapped[str | None] = mapped_column(String(40))
    information_shared: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(200))
    recipient_contact: Mapped[str | None] = mapped_column(String(200))
    #: yes, no or not_safe
    person_informed: Mapped[str | None] = mapped_column(String(20))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    check: Mapped[ShareCheck] = relationship(back_populates="decision")
    recorded_by: Mapped[User] = relationship(lazy="joined")
