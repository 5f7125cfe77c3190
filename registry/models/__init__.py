"""Persistence: every model, importable from one place."""

from registry.models.agency import Agency
from registry.models.agreement import (
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementParty,
    AgreementState,
    AgreementVersion,
    Signature,
)
from registry.models.audit import AuditEvent, AuditHead
from registry.models.change_stamp import ChangeStamp, FactChange
from registry.models.check import ShareCheck, ShareDecision
from registry.models.consent import ConsentRecord
from registry.models.crash_sentinel import CrashSentinel
from registry.models.user import ApiToken, Role, User

__all__ = [
    "Agency",
    "Agreement",
    "AgreementEvent",
    "AgreementEventKind",
    "AgreementParty",
    "AgreementState",
    "AgreementVersion",
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "ChangeStamp",
    "ConsentRecord",
    "CrashSentinel",
    "FactChange",
    "Role",
    "ShareCheck",
    "ShareDecision",
    "Signature",
    "User",
]
