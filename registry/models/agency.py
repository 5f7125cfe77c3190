"""Agencies: the organisations that share information."""

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import UTCDateTime, utcnow


class Agency(db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: One of the sector codes of the vocabulary; decides who is a statutory safeguarding partner.
    sector: Mapped[str] = mapped_column(String(40))
    ico_registration: Mapped[str | None] = mapped_column(String(40))
    dpo_email: Mapped[str | None] = mapped_column(String(254))
    #: Reference of the agency's appropriate policy document (DPA 2018 Sch 1 Part 4), if any.
    policy_document: Mapped[str | None] = mapped_column(String(200))
    #: A deactivated agency can neither provide nor receive under any agreement.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"
