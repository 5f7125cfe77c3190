"""check_share: the rules of decision-rules.md, applied in order to facts the app gathered.

Refinements chosen by the product owner:

1. A version whose Article 6 basis is ``consent`` needs consent even if consent_required
   is false.
2. A consent grant applies only when its categories are empty or contain every requested
   category; a refusal or withdrawal applies when its categories are empty or share at
   least one requested category. Precedence among applicable records is unchanged.
3. An expired refusal or withdrawal is not applicable; only an expired grant gives
   CONSENT_EXPIRED, when no record applies, and it is then the decision's ``consent``
   (the one that expired last).
4. When no agreement is chosen, ``consent`` is None and no consent reason is given.
5. ``valid_until`` is the day before the earliest of the chosen version's expires_on, the
   applicable consent record's expires_on and the effective_from of any later consent
   record on file that would apply. Without a chosen agreement it is None.
6. AGREEMENT_NOT_IN_FORCE says which: draft, awaiting signatures from whom, not effective
   until D, came into force after the date, expired, suspended or terminated on D.
7. Reasons follow the rule order: candidate and scope reasons (of every candidate when
   none covers the share), AGENCY_INACTIVE, the consent reason, OBJECTION_RECORDED and
   SAFEGUARDING_OVERRIDE, POLICY_DOCUMENT_MISSING, then URGENT_SAFEGUARDING.
8. A deactivated provider or recipient makes every candidate fail rule 4. Urgent
   safeguarding (rule 9) still applies whatever the agreements say, but never to a
   deactivated recipient: a deactivated agency cannot receive.
9. POLICY_DOCUMENT_MISSING is added, only when an agreement is chosen, if the version's
   schedule1 or a Schedule 1 article10 needs an appropriate policy document for this
   recipient and the provider has none on record.

Judgement calls (rules the spec does not name):

- AGENCY_INACTIVE is given once per deactivated agency, not once per candidate, and also
  when there is no candidate, so the practitioner learns it in every case.
- When the version in force does not let the pair share (a newer version changed the
  parties), the candidate gives AGREEMENT_NOT_IN_FORCE about the newest version that did:
  replaced on D, or the pending draft that would add them.
- URGENT_SAFEGUARDING is given whenever rule 9 is considered (rules 1-7 say do_not_share
  and risk_of_harm is true). For a recipient that is not a statutory safeguarding partner,
  or is deactivated, the outcome stays do_not_share and the message advises a referral.
- Rule 9 also applies after a chosen agreement said do_not_share (consent missing and no
  override); the decision still names that agreement and consent record.
- Ties in rule 5 (same consent need, same activation day) go to the higher agreement id.
- ``valid_until`` also stops before other changes already on file for the chosen
  agreement after the date: the version's replacement, a suspension, the termination.
  These only lie ahead when someone asks about a past day.
"""

from __future__ import annotations

from datetime import date, timedelta

from registry.domain import messages
from registry.domain.consent import ConsentMatch, find_consent
from registry.domain.in_force import (
    Obstacle,
    obstacle,
    roles_allow,
    version_in_force,
    version_to_explain,
)
from registry.domain.types import (
    AgreementFacts,
    AgreementTerms,
    ChosenAgreement,
    ConsentFacts,
    Decision,
    LawfulBasis,
    Outcome,
    Reason,
    ReasonCode,
    ShareFacts,
    ShareRequest,
    VersionFacts,
)
from registry.domain.vocabulary import (
    RIGHT_TO_OBJECT,
    STATUTORY_SAFEGUARDING_PARTNERS,
    needs_policy_document,
)

_ONE_DAY = timedelta(days=1)
_SHARE = Outcome.SHARE
_JUSTIFY = Outcome.SHARE_WITH_JUSTIFICATION
_DO_NOT = Outcome.DO_NOT_SHARE

Covered = tuple[AgreementFacts, VersionFacts]
#: What rules 6 and 7 give: the outcome so far, its reasons and the consent record used.
Ruling = tuple[Outcome, list[Reason], ConsentFacts | None]


def check_share(request: ShareRequest, facts: ShareFacts) -> Decision:
    """Decide whether the provider may share the requested data with the recipient."""
    inactive = _inactive_agencies(facts)
    covered = [] if inactive else _covered(facts.agreements, request)
    if not covered:
        provider, recipient = request.provider, request.recipient
        candidates = [
            agreement
            for agreement in facts.agreements
            if any(roles_allow(v.terms, provider, recipient) for v in agreement.versions)
        ]
        reasons = _candidate_reasons(candidates, request, facts) + inactive
        return _finish(_DO_NOT, reasons, request, facts)
    covered.sort(key=_preference, reverse=True)
    return _decide_with(covered[0], covered[1:], request, facts)


def _covered(agreements: tuple[AgreementFacts, ...], request: ShareRequest) -> list[Covered]:
    """Rules 1-3: the agreements whose version in force lets the pair share this request."""
    covered = []
    for agreement in agreements:
        version = version_in_force(agreement, request.on)
        if version is None:
            continue
        terms = version.terms
        if (
            roles_allow(terms, request.provider, request.recipient)
            and request.purpose in terms.purposes
            and terms.data_categories.issuperset(request.data_categories)
        ):
            covered.append((agreement, version))
    return covered


def _needs_consent(terms: AgreementTerms) -> bool:
    """Consent is needed when the version says so, and always on the consent basis."""
    return terms.consent_required or terms.lawful_basis.article6 == "consent"


def _preference(item: Covered) -> tuple[bool, date, int]:
    """Rule 5: prefer no consent needed, then the latest activated, then the newest id."""
    agreement, version = item
    return (not _needs_consent(version.terms), version.activated_on, agreement.id)


def _inactive_agencies(facts: ShareFacts) -> list[Reason]:
    """Rule 4, once per deactivated agency."""
    reasons = []
    if not facts.provider.active:
        reasons.append(messages.agency_inactive(facts.provider, provides=True))
    if not facts.recipient.active:
        reasons.append(messages.agency_inactive(facts.recipient, provides=False))
    return reasons


def _candidate_reasons(
    candidates: list[AgreementFacts], request: ShareRequest, facts: ShareFacts
) -> list[Reason]:
    """Rules 1-3: why each candidate does not cover the share (or that there is none)."""
    if not candidates:
        return [messages.no_agreement(facts.provider, facts.recipient)]
    pair = f"{facts.provider.name} sharing with {facts.recipient.name}"
    reasons: list[Reason] = []
    for agreement in candidates:
        version = version_in_force(agreement, request.on)
        if version is not None and roles_allow(version.terms, request.provider, request.recipient):
            reasons += _scope_reasons(agreement.reference, version.terms, request, pair)
        else:
            reasons.append(_not_in_force(agreement, request, pair if version else None))
    return reasons


def _not_in_force(agreement: AgreementFacts, request: ShareRequest, pair: str | None) -> Reason:
    """Rule 2: explain the version that would have covered the pair.

    When the data says a version is in force although a newer one is too, the older one
    counts as replaced (the newest version wins).
    """
    version = version_to_explain(agreement, request.provider, request.recipient, request.on)
    why = obstacle(agreement, version, request.on) or (Obstacle.REPLACED, None)
    return messages.not_in_force(agreement, version, why, request.on, pair)


def _scope_reasons(
    reference: str, terms: AgreementTerms, request: ShareRequest, pair: str
) -> list[Reason]:
    """Rule 3: the purpose and every requested category must be listed."""
    reasons = []
    if request.purpose not in terms.purposes:
        reasons.append(messages.purpose_not_covered(reference, pair, request.purpose))
    missing = [c for c in dict.fromkeys(request.data_categories) if c not in terms.data_categories]
    if missing:
        reasons.append(messages.category_not_covered(reference, pair, missing))
    return reasons


def _decide_with(
    chosen: Covered, others: list[Covered], request: ShareRequest, facts: ShareFacts
) -> Decision:
    """Rules 6-8 for the chosen agreement, then rule 9 if the answer is still no."""
    agreement, version = chosen
    terms = version.terms
    match = find_consent(facts.consents, agreement.id, request)
    if _needs_consent(terms):
        outcome, reasons, record = _consent_needed(agreement.reference, terms, match, request)
    else:
        outcome, reasons, record = _consent_not_needed(agreement.reference, terms, match, request)
    apd = _policy_document_reason(agreement.reference, terms.lawful_basis, facts)
    if apd is not None:
        reasons.append(apd)
    return _finish(
        outcome,
        reasons,
        request,
        facts,
        agreement=_chosen(agreement, version),
        also=tuple(_chosen(a, v) for a, v in others),
        basis=terms.lawful_basis,
        consent=record,
        valid_until=_valid_until(agreement, version, request.on, match),
    )


def _chosen(agreement: AgreementFacts, version: VersionFacts) -> ChosenAgreement:
    return ChosenAgreement(agreement.id, agreement.reference, version.number, version.activated_on)


def _consent_needed(
    reference: str, terms: AgreementTerms, match: ConsentMatch, request: ShareRequest
) -> Ruling:
    """Rule 6: a grant lets the share go ahead; otherwise only the safeguarding override."""
    record = match.record
    if record is not None and record.status == "granted":
        reason = messages.consent_reason(ReasonCode.CONSENT_GRANTED, reference, record)
        return _SHARE, [reason], record
    if record is None:
        record = match.expired_grant
        code = ReasonCode.CONSENT_MISSING if record is None else ReasonCode.CONSENT_EXPIRED
    elif record.status == "refused":
        code = ReasonCode.CONSENT_REFUSED
    else:
        code = ReasonCode.CONSENT_WITHDRAWN
    reasons = [messages.consent_reason(code, reference, record)]
    if request.risk_of_harm and terms.safeguarding_override:
        reasons.append(messages.safeguarding_override(reference, objection=False))
        return _JUSTIFY, reasons, record
    return _DO_NOT, reasons, record


def _consent_not_needed(
    reference: str, terms: AgreementTerms, match: ConsentMatch, request: ShareRequest
) -> Ruling:
    """Rule 7: share, but a recorded objection needs compelling reasons under Article 21."""
    basis = terms.lawful_basis
    record = match.record
    reasons = [messages.consent_not_required(reference, basis)]
    if record is None or record.status == "granted":
        return _SHARE, reasons, record
    reasons.append(messages.objection_recorded(reference, basis, record))
    if basis.article6 not in RIGHT_TO_OBJECT:
        return _SHARE, reasons, record
    if request.risk_of_harm:
        reasons.append(messages.safeguarding_override(reference, objection=True))
    return _JUSTIFY, reasons, record


def _policy_document_reason(reference: str, basis: LawfulBasis, facts: ShareFacts) -> Reason | None:
    """Rule 8: advise when a Schedule 1 condition relied on needs an APD the provider lacks."""
    if facts.provider.policy_document:
        return None
    sector = facts.recipient.sector
    codes = [
        code
        for code in dict.fromkeys((basis.schedule1, basis.article10))
        if code and needs_policy_document(code, sector)
    ]
    return messages.policy_document_missing(facts.provider, reference, codes) if codes else None


def _valid_until(
    agreement: AgreementFacts, version: VersionFacts, on: date, match: ConsentMatch
) -> date | None:
    """Rule 10: the day before the first change already on file that alters the answer."""
    ends = [
        version.terms.expires_on,
        version.replaced_on,
        agreement.terminated_on,
        match.next_change,
        match.record.expires_on if match.record is not None else None,
    ]
    ends += [suspension.suspended_on for suspension in agreement.suspensions]
    ahead = [day for day in ends if day is not None and day > on]
    return min(ahead) - _ONE_DAY if ahead else None


def _finish(
    outcome: Outcome,
    reasons: list[Reason],
    request: ShareRequest,
    facts: ShareFacts,
    *,
    agreement: ChosenAgreement | None = None,
    also: tuple[ChosenAgreement, ...] = (),
    basis: LawfulBasis | None = None,
    consent: ConsentFacts | None = None,
    valid_until: date | None = None,
) -> Decision:
    """Apply rule 9 to a do_not_share with a risk of harm, then build the decision."""
    if outcome is _DO_NOT and request.risk_of_harm:
        recipient = facts.recipient
        allowed = recipient.active and recipient.sector in STATUTORY_SAFEGUARDING_PARTNERS
        if allowed:
            outcome = _JUSTIFY
        reasons.append(messages.urgent_safeguarding(recipient, allowed))
    return Decision(
        outcome, tuple(reasons), agreement, also, basis, consent, outcome is _JUSTIFY, valid_until
    )
