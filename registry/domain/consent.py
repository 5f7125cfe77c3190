"""Which of the subject's consent records applies to a check (decision-rules.md).

Refinement 2: a grant covers the request only when its categories are empty or contain
every requested category, but a refusal or withdrawal applies as soon as it shares one
requested category, so an objection to sharing health data also stops a request for health
and education data instead of being bypassed by an older, broader grant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from registry.domain.types import ConsentFacts, ShareRequest


@dataclass(frozen=True, slots=True)
class ConsentMatch:
    #: The record that decides: in scope, effective, latest effective_from then recorded.
    record: ConsentFacts | None
    #: The in-scope grant that expired most recently, for CONSENT_EXPIRED.
    expired_grant: ConsentFacts | None
    #: The earliest effective_from of an in-scope record that starts after the date.
    next_change: date | None


def in_scope(record: ConsentFacts, agreement_id: int, request: ShareRequest) -> bool:
    """Return whether the record's scope covers this request under this agreement."""
    if record.agreement_id is not None and record.agreement_id != agreement_id:
        return False
    if record.recipients and request.recipient not in record.recipients:
        return False
    if record.purposes and request.purpose not in record.purposes:
        return False
    allowed = record.data_categories
    if not allowed:
        return True
    if record.status == "granted":
        return all(category in allowed for category in request.data_categories)
    return any(category in allowed for category in request.data_categories)


def find_consent(
    consents: tuple[ConsentFacts, ...], agreement_id: int, request: ShareRequest
) -> ConsentMatch:
    """Find the applicable record, the latest expired grant and the next change on file.

    An expired refusal or withdrawal is simply not applicable (refinement 3).
    """
    on = request.on
    record = expired_grant = next_change = None
    for candidate in consents:
        if not in_scope(candidate, agreement_id, request):
            continue
        starts, ends = candidate.effective_from, candidate.expires_on
        if starts > on:
            if next_change is None or starts < next_change:
                next_change = starts
        elif ends is None or ends > on:
            if record is None or (starts, candidate.recorded_seq) > (
                record.effective_from,
                record.recorded_seq,
            ):
                record = candidate
        elif candidate.status == "granted" and (
            expired_grant is None
            or (ends, candidate.recorded_seq)
            > (expired_grant.expires_on, expired_grant.recorded_seq)
        ):
            expired_grant = candidate
    return ConsentMatch(record, expired_grant, next_change)
