"""Table-driven tests of check_share: one row per scenario, asserting codes, never wording."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import NamedTuple

import pytest

from registry.domain import (
    AgencyFacts,
    AgreementFacts,
    AgreementTerms,
    ConsentFacts,
    LawfulBasis,
    Outcome,
    ReasonCode,
    ShareFacts,
    ShareRequest,
    Suspension,
    VersionFacts,
    check_share,
)
from registry.domain.in_force import roles_allow

D = date(2026, 11, 26)
SHARE = Outcome.SHARE
JUSTIFY = Outcome.SHARE_WITH_JUSTIFICATION
DO_NOT = Outcome.DO_NOT_SHARE
C = ReasonCode


def day(offset: int) -> date:
    return D + timedelta(days=offset)


POLICE = AgencyFacts("police", "Northshire Police", "police", policy_document="APD-P")
SCHOOL = AgencyFacts("school", "Oak Academy", "education", policy_document="APD-S")
CSC = AgencyFacts("csc", "Northshire Children's Services", "children_social_care")
ASC = AgencyFacts("asc", "Northshire Adult Social Care", "adult_social_care")
HEALTH = AgencyFacts("nhs", "Northshire NHS Trust", "health")
HOUSING = AgencyFacts("homes", "Northshire Homes", "housing")
CHARITY = AgencyFacts("charity", "Safe Families", "voluntary")
NON_PARTNERS = (
    ("education", SCHOOL),
    ("housing", HOUSING),
    ("voluntary", CHARITY),
    ("probation", AgencyFacts("probation", "Probation Service", "probation")),
    ("youth-justice", AgencyFacts("yot", "Youth Justice Service", "youth_justice")),
    ("other", AgencyFacts("other", "Other Body", "other")),
)
ALL_PARTIES = tuple((a.code, "both") for a in (POLICE, SCHOOL, CSC, ASC, HEALTH, HOUSING, CHARITY))

EXPIRES = day(365)
A1 = day(-100)  # activation of the default version
CONSENTED = day(-30)  # default effective_from of consent records


def terms(**changes) -> AgreementTerms:
    values = {
        "purposes": frozenset({"safeguarding_children"}),
        "data_categories": frozenset({"identity_contact", "education", "health"}),
        "lawful_basis": LawfulBasis("public_task"),
        "consent_required": False,
        "safeguarding_override": True,
        "effective_from": day(-100),
        "expires_on": EXPIRES,
        "parties": (("police", "provider"), ("school", "recipient")),
    }
    return AgreementTerms(**{**values, **changes})


def version(number=1, activated_on=A1, signed_by=frozenset(), replaced_on=None, **changes):
    return VersionFacts(number, terms(**changes), activated_on, signed_by, replaced_on)


def agreement(id=1, versions=None, **kwargs) -> AgreementFacts:
    return AgreementFacts(id, f"ISA-{id}", f"Agreement {id}", versions or (version(),), **kwargs)


def only(**changes) -> tuple[AgreementFacts]:
    """Return the facts' agreements: one agreement with one version of these terms."""
    return (agreement(versions=(version(**changes),)),)


def consent(id, status="granted", effective_from=CONSENTED, **kwargs) -> ConsentFacts:
    return ConsentFacts(id, status, effective_from, **kwargs)


class Case(NamedTuple):
    agreements: tuple = (agreement(),)
    consents: tuple = ()
    on: date = D
    categories: tuple = ("education",)
    purpose: str = "safeguarding_children"
    risk: bool = False
    provider: AgencyFacts = POLICE
    recipient: AgencyFacts = SCHOOL


class Expect(NamedTuple):
    outcome: Outcome
    codes: list
    agreement: tuple | None = None  # (id, version)
    consent: int | None = None
    valid_until: date | None = None
    also: tuple = ()


def run(case: Case):
    facts = ShareFacts(case.provider, case.recipient, case.agreements, case.consents)
    request = ShareRequest(
        case.provider.code, case.recipient.code, case.purpose, case.categories, case.on, case.risk
    )
    return check_share(request, facts)


def check(case: Case, expect: Expect) -> None:
    decision = run(case)
    assert decision.outcome is expect.outcome
    assert [r.code for r in decision.reasons] == expect.codes
    assert all(r.message.strip() for r in decision.reasons)
    chosen = decision.agreement
    assert (chosen and (chosen.id, chosen.version)) == expect.agreement
    assert tuple((a.id, a.version) for a in decision.also_covered_by) == expect.also
    assert (decision.consent and decision.consent.id) == expect.consent
    assert decision.valid_until == expect.valid_until
    assert decision.requires_justification is (expect.outcome is JUSTIFY)
    if chosen is None:
        assert decision.lawful_basis is None and decision.consent is None
    else:
        chosen_version = next(
            v
            for a in case.agreements
            if a.id == chosen.id
            for v in a.versions
            if v.number == chosen.version
        )
        assert decision.lawful_basis == chosen_version.terms.lawful_basis
        assert chosen.activated_on == chosen_version.activated_on


OK = [C.CONSENT_NOT_REQUIRED]
LAST = EXPIRES - timedelta(days=1)
NOT_IN_FORCE = Expect(DO_NOT, [C.AGREEMENT_NOT_IN_FORCE])


def share(valid_until=LAST, agreement=(1, 1), **kwargs) -> Expect:
    return Expect(SHARE, OK, agreement, valid_until=valid_until, **kwargs)


SUSPENDED = agreement(suspensions=(Suspension(day(-5), resumed_on=day(5)),))
REPLACED = agreement(
    versions=(
        version(1, replaced_on=day(-10)),
        version(2, activated_on=day(-10), expires_on=day(200)),
    )
)
NO_SCHOOL = (("police", "provider"), ("csc", "recipient"))
PAIR_DROPPED = agreement(
    versions=(
        version(1, replaced_on=day(-10)),
        version(2, activated_on=day(-10), parties=NO_SCHOOL),
    )
)

CANDIDATE_AND_IN_FORCE = [
    pytest.param(Case(agreements=()), Expect(DO_NOT, [C.NO_AGREEMENT]), id="no-agreement"),
    pytest.param(
        Case(agreements=only(parties=(("school", "provider"), ("police", "recipient")))),
        Expect(DO_NOT, [C.NO_AGREEMENT]),
        id="wrong-direction-is-no-candidate",
    ),
    pytest.param(
        Case(agreements=only(parties=(("police", "recipient"), ("school", "both")))),
        Expect(DO_NOT, [C.NO_AGREEMENT]),
        id="provider-only-recipient-is-no-candidate",
    ),
    pytest.param(
        Case(agreements=only(parties=(("police", "both"), ("school", "both")))),
        share(),
        id="both-roles-share",
    ),
    pytest.param(Case(), share(), id="in-force-share"),
    pytest.param(Case(on=EXPIRES), NOT_IN_FORCE, id="expiry-day-not-in-force"),
    pytest.param(Case(on=LAST), share(), id="day-before-expiry-in-force"),
    pytest.param(
        Case(agreements=only(effective_from=D)),
        share(),
        id="effective-from-day-in-force",
    ),
    pytest.param(
        Case(agreements=only(effective_from=day(1))),
        NOT_IN_FORCE,
        id="day-before-effective-from-not-in-force",
    ),
    pytest.param(
        Case(agreements=only(activated_on=D, effective_from=day(-50))),
        share(),
        id="activated-on-the-date-in-force",
    ),
    pytest.param(
        Case(agreements=only(activated_on=day(1), effective_from=day(-50))),
        NOT_IN_FORCE,
        id="activated-after-the-date-no-retroactivity",
    ),
    pytest.param(
        Case(agreements=only(activated_on=None)),
        NOT_IN_FORCE,
        id="draft",
    ),
    pytest.param(
        Case(agreements=only(activated_on=None, signed_by=frozenset({"police"}))),
        NOT_IN_FORCE,
        id="awaiting-signatures",
    ),
    pytest.param(
        Case(agreements=(SUSPENDED,), on=day(-6)),
        share(valid_until=day(-6)),
        id="day-before-suspension-in-force-until-then",
    ),
    pytest.param(Case(agreements=(SUSPENDED,), on=day(-5)), NOT_IN_FORCE, id="suspension-day"),
    pytest.param(Case(agreements=(SUSPENDED,), on=day(4)), NOT_IN_FORCE, id="day-before-resumed"),
    pytest.param(Case(agreements=(SUSPENDED,), on=day(5)), share(), id="resumed-day-in-force"),
    pytest.param(
        Case(agreements=(agreement(suspensions=(Suspension(day(-5)),)),), on=day(300)),
        NOT_IN_FORCE,
        id="suspension-never-resumed",
    ),
    pytest.param(
        Case(agreements=(agreement(terminated_on=D),)), NOT_IN_FORCE, id="termination-day"
    ),
    pytest.param(
        Case(agreements=(agreement(terminated_on=D),), on=day(-1)),
        share(valid_until=day(-1)),
        id="day-before-termination",
    ),
    pytest.param(
        Case(agreements=(REPLACED,), on=day(-11)),
        share(valid_until=day(-11)),
        id="old-version-covers-day-before-replacement",
    ),
    pytest.param(
        Case(agreements=(REPLACED,), on=day(-10)),
        share(valid_until=day(199), agreement=(1, 2)),
        id="new-version-covers-from-replacement",
    ),
    pytest.param(
        Case(
            agreements=(
                agreement(versions=(version(1), version(2, activated_on=None, expires_on=day(9)))),
            )
        ),
        share(),
        id="pending-v2-does-not-replace-v1",
    ),
    pytest.param(
        Case(
            agreements=(
                agreement(versions=(version(1, parties=NO_SCHOOL), version(2, activated_on=None))),
            )
        ),
        NOT_IN_FORCE,
        id="pair-only-in-pending-version",
    ),
    pytest.param(
        Case(agreements=(PAIR_DROPPED,), on=day(-11)),
        share(valid_until=day(-11)),
        id="pair-covered-until-newer-version-drops-it",
    ),
    pytest.param(
        Case(agreements=(PAIR_DROPPED,), on=day(-10)),
        NOT_IN_FORCE,
        id="pair-dropped-by-newer-version",
    ),
]


@pytest.mark.parametrize(("case", "expect"), CANDIDATE_AND_IN_FORCE)
def test_candidates_and_in_force(case, expect):
    check(case, expect)


NOT_IN_FORCE_WORDING = [
    pytest.param(Case(on=EXPIRES), ["ISA-1", "expired on", "26 November 2027"], id="expired"),
    pytest.param(
        Case(agreements=only(activated_on=None)),
        ["draft", "no party has signed"],
        id="draft",
    ),
    pytest.param(
        Case(agreements=only(activated_on=None, signed_by=frozenset({"police"}))),
        ["awaiting signatures from school"],
        id="awaiting",
    ),
    pytest.param(
        Case(agreements=only(effective_from=day(1))),
        ["does not take effect until 27 November 2026"],
        id="not-yet-effective",
    ),
    pytest.param(
        Case(agreements=only(activated_on=day(1))),
        ["came into force on 27 November 2026", "after the date"],
        id="signed-later",
    ),
    pytest.param(
        Case(agreements=(SUSPENDED,), on=D), ["suspended on 21 November 2026"], id="suspended"
    ),
    pytest.param(
        Case(agreements=(agreement(terminated_on=D),)),
        ["terminated on 26 November 2026"],
        id="terminated",
    ),
    pytest.param(
        Case(agreements=(PAIR_DROPPED,), on=day(-10)),
        ["version 1", "replaced by a newer version on 16 November 2026", "Oak Academy"],
        id="replaced",
    ),
    pytest.param(
        Case(
            agreements=(
                agreement(versions=(version(1, expires_on=day(-5)), version(2, activated_on=None))),
            )
        ),
        ["expired on 21 November 2026"],
        id="ending-of-started-version-beats-pending-draft",
    ),
]


@pytest.mark.parametrize(("case", "phrases"), NOT_IN_FORCE_WORDING)
def test_not_in_force_says_which(case, phrases):
    (reason,) = run(case).reasons
    assert reason.code is C.AGREEMENT_NOT_IN_FORCE
    for phrase in phrases:
        assert phrase in reason.message


SCHOOL_ONLY = agreement(2, versions=(version(data_categories=frozenset({"education"})),))
INACTIVE_POLICE = replace(POLICE, active=False)
INACTIVE_CSC = replace(CSC, active=False)
TO_CSC = (("police", "provider"), ("csc", "recipient"))

SCOPE_AND_AGENCIES = [
    pytest.param(
        Case(purpose="early_help"),
        Expect(DO_NOT, [C.PURPOSE_NOT_COVERED]),
        id="purpose-not-covered",
    ),
    pytest.param(
        Case(categories=("education", "housing")),
        Expect(DO_NOT, [C.CATEGORY_NOT_COVERED]),
        id="category-not-covered",
    ),
    pytest.param(
        Case(categories=("housing",), purpose="early_help"),
        Expect(DO_NOT, [C.PURPOSE_NOT_COVERED, C.CATEGORY_NOT_COVERED]),
        id="purpose-and-category-not-covered",
    ),
    pytest.param(
        Case(agreements=(agreement(), SCHOOL_ONLY), categories=("health",), purpose="early_help"),
        Expect(DO_NOT, [C.PURPOSE_NOT_COVERED, C.PURPOSE_NOT_COVERED, C.CATEGORY_NOT_COVERED]),
        id="every-failing-candidate-reported",
    ),
    pytest.param(
        Case(agreements=(agreement(terminated_on=D), SCHOOL_ONLY), categories=("health",)),
        Expect(DO_NOT, [C.AGREEMENT_NOT_IN_FORCE, C.CATEGORY_NOT_COVERED]),
        id="not-in-force-and-out-of-scope",
    ),
    pytest.param(
        Case(provider=INACTIVE_POLICE), Expect(DO_NOT, [C.AGENCY_INACTIVE]), id="provider-inactive"
    ),
    pytest.param(
        Case(agreements=only(parties=TO_CSC), recipient=INACTIVE_CSC),
        Expect(DO_NOT, [C.AGENCY_INACTIVE]),
        id="recipient-inactive",
    ),
    pytest.param(
        Case(provider=INACTIVE_POLICE, categories=("housing",)),
        Expect(DO_NOT, [C.CATEGORY_NOT_COVERED, C.AGENCY_INACTIVE]),
        id="inactive-after-scope-reasons",
    ),
    pytest.param(
        Case(agreements=(), provider=INACTIVE_POLICE),
        Expect(DO_NOT, [C.NO_AGREEMENT, C.AGENCY_INACTIVE]),
        id="inactive-without-candidate",
    ),
    pytest.param(
        Case(
            agreements=only(parties=TO_CSC),
            recipient=INACTIVE_CSC,
            risk=True,
        ),
        Expect(DO_NOT, [C.AGENCY_INACTIVE, C.URGENT_SAFEGUARDING]),
        id="inactive-partner-recipient-no-urgent-share",
    ),
    pytest.param(
        Case(
            agreements=only(parties=TO_CSC),
            provider=INACTIVE_POLICE,
            recipient=CSC,
            risk=True,
        ),
        Expect(JUSTIFY, [C.AGENCY_INACTIVE, C.URGENT_SAFEGUARDING]),
        id="inactive-provider-urgent-share-to-partner",
    ),
]


@pytest.mark.parametrize(("case", "expect"), SCOPE_AND_AGENCIES)
def test_scope_and_agencies(case, expect):
    check(case, expect)


def test_scope_messages_name_agreement_and_missing_labels():
    case = Case(agreements=(agreement(), SCHOOL_ONLY), categories=("health", "housing"))
    messages = [r.message for r in run(case).reasons]
    assert "ISA-1" in messages[0] and "Housing and tenancy" in messages[0]
    assert "Physical health" not in messages[0]
    assert "ISA-2" in messages[1] and "Physical health" in messages[1]
    purpose = run(Case(purpose="early_help")).reasons[0].message
    assert "Early help and family support" in purpose


def test_inactive_message_names_agency():
    (reason,) = run(Case(provider=INACTIVE_POLICE)).reasons
    assert "Northshire Police" in reason.message
    twice = basis("public_task", schedule1="sch1_para_18", article10="sch1_para_18")
    reason = run(Case(agreements=twice, provider=NO_APD)).reasons[-1]
    assert reason.message.count("paragraph 18") == 1


def choice(id, activated_on, **changes):
    return agreement(id, versions=(version(activated_on=activated_on, **changes),))


NEEDS_CONSENT_NEW = choice(1, day(-5), consent_required=True)
BASIS_CONSENT_NEW = choice(1, day(-5), lawful_basis=LawfulBasis("consent"))
PUBLIC_OLD = choice(2, day(-50))
PUBLIC_NEW = choice(3, day(-20), expires_on=day(40))
OUT_OF_SCOPE_NEWEST = choice(4, day(-1), purposes=frozenset({"early_help"}))

CHOICE = [
    pytest.param(
        Case(agreements=(NEEDS_CONSENT_NEW, PUBLIC_OLD)),
        share(agreement=(2, 1), also=((1, 1),)),
        id="prefer-no-consent-needed",
    ),
    pytest.param(
        Case(agreements=(BASIS_CONSENT_NEW, PUBLIC_OLD)),
        share(agreement=(2, 1), also=((1, 1),)),
        id="consent-basis-counts-as-needing",
    ),
    pytest.param(
        Case(agreements=(PUBLIC_OLD, PUBLIC_NEW)),
        share(agreement=(3, 1), also=((2, 1),), valid_until=day(39)),
        id="prefer-latest-activated",
    ),
    pytest.param(
        Case(agreements=(PUBLIC_OLD, OUT_OF_SCOPE_NEWEST, NEEDS_CONSENT_NEW, PUBLIC_NEW)),
        share(agreement=(3, 1), also=((2, 1), (1, 1)), valid_until=day(39)),
        id="failing-candidate-not-in-also-covered-by",
    ),
    pytest.param(
        Case(agreements=(choice(5, day(-5)), choice(6, day(-5)))),
        share(agreement=(6, 1), also=((5, 1),)),
        id="tie-goes-to-higher-id",
    ),
    pytest.param(
        Case(agreements=(NEEDS_CONSENT_NEW,), consents=(consent(7),)),
        Expect(SHARE, [C.CONSENT_GRANTED], (1, 1), 7, LAST),
        id="only-consent-agreement-chosen",
    ),
]


@pytest.mark.parametrize(("case", "expect"), CHOICE)
def test_choice_between_candidates(case, expect):
    check(case, expect)


NEEDS = only(consent_required=True)
NEEDS_NO_OVERRIDE = (
    agreement(versions=(version(consent_required=True, safeguarding_override=False),)),
)
TO_CSC_NO_OVERRIDE = (
    agreement(
        versions=(version(consent_required=True, safeguarding_override=False, parties=TO_CSC),)
    ),
)
GRANTED = Expect(SHARE, [C.CONSENT_GRANTED], (1, 1), 1, LAST)
MISSING = Expect(DO_NOT, [C.CONSENT_MISSING], (1, 1), None, LAST)
TWO = ("education", "identity_contact")

CONSENT_NEEDED = [
    pytest.param(Case(agreements=NEEDS, consents=(consent(1),)), GRANTED, id="granted"),
    pytest.param(Case(agreements=NEEDS), MISSING, id="missing"),
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, "refused"),)),
        Expect(DO_NOT, [C.CONSENT_REFUSED], (1, 1), 1, LAST),
        id="refused",
    ),
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, "withdrawn"),)),
        Expect(DO_NOT, [C.CONSENT_WITHDRAWN], (1, 1), 1, LAST),
        id="withdrawn",
    ),
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, "refused"),), risk=True),
        Expect(JUSTIFY, [C.CONSENT_REFUSED, C.SAFEGUARDING_OVERRIDE], (1, 1), 1, LAST),
        id="refused-override-with-risk",
    ),
    pytest.param(
        Case(agreements=NEEDS, risk=True),
        Expect(JUSTIFY, [C.CONSENT_MISSING, C.SAFEGUARDING_OVERRIDE], (1, 1), None, LAST),
        id="missing-override-with-risk",
    ),
    pytest.param(
        Case(agreements=NEEDS_NO_OVERRIDE, consents=(consent(1, "refused"),), risk=True),
        Expect(DO_NOT, [C.CONSENT_REFUSED, C.URGENT_SAFEGUARDING], (1, 1), 1, LAST),
        id="no-override-non-partner-recipient",
    ),
    pytest.param(
        Case(
            agreements=TO_CSC_NO_OVERRIDE,
            consents=(consent(1, "refused"),),
            risk=True,
            recipient=CSC,
        ),
        Expect(JUSTIFY, [C.CONSENT_REFUSED, C.URGENT_SAFEGUARDING], (1, 1), 1, LAST),
        id="no-override-partner-recipient-urgent",
    ),
    pytest.param(
        Case(agreements=only(lawful_basis=LawfulBasis("consent"))),
        MISSING,
        id="consent-basis-needs-consent",
    ),
    # Scope of the record.
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, agreement_id=1),)),
        GRANTED,
        id="scope-agreement-match",
    ),
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, agreement_id=9),)),
        MISSING,
        id="scope-other-agreement",
    ),
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, recipients=frozenset({"school"})),)),
        GRANTED,
        id="scope-recipient-match",
    ),
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, recipients=frozenset({"csc"})),)),
        MISSING,
        id="scope-other-recipient",
    ),
    pytest.param(
        Case(
            agreements=NEEDS, consents=(consent(1, purposes=frozenset({"safeguarding_children"})),)
        ),
        GRANTED,
        id="scope-purpose-match",
    ),
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, purposes=frozenset({"early_help"})),)),
        MISSING,
        id="scope-other-purpose",
    ),
    pytest.param(
        Case(
            agreements=NEEDS, categories=TWO, consents=(consent(1, data_categories=frozenset(TWO)),)
        ),
        GRANTED,
        id="scope-grant-every-category",
    ),
    pytest.param(
        Case(
            agreements=NEEDS,
            categories=TWO,
            consents=(consent(1, data_categories=frozenset({"education"})),),
        ),
        MISSING,
        id="scope-grant-missing-a-category",
    ),
    pytest.param(
        Case(
            agreements=NEEDS,
            categories=TWO,
            consents=(
                consent(1, effective_from=day(-60)),
                consent(2, "refused", data_categories=frozenset({"identity_contact"})),
            ),
        ),
        Expect(DO_NOT, [C.CONSENT_REFUSED], (1, 1), 2, LAST),
        id="scope-refusal-of-one-category-stops-broad-grant",
    ),
    pytest.param(
        Case(
            agreements=NEEDS,
            categories=TWO,
            consents=(
                consent(1, effective_from=day(-60)),
                consent(2, "withdrawn", data_categories=frozenset({"housing"})),
            ),
        ),
        GRANTED,
        id="scope-withdrawal-of-other-category-ignored",
    ),
    # Precedence.
    pytest.param(
        Case(
            agreements=NEEDS,
            consents=(consent(1, effective_from=day(-10)), consent(2, "refused", day(-5))),
        ),
        Expect(DO_NOT, [C.CONSENT_REFUSED], (1, 1), 2, LAST),
        id="later-refusal-wins",
    ),
    pytest.param(
        Case(
            agreements=NEEDS,
            consents=(consent(2, "refused", day(-10)), consent(1, effective_from=day(-5))),
        ),
        GRANTED,
        id="later-grant-wins",
    ),
    pytest.param(
        Case(
            agreements=NEEDS,
            consents=(consent(1, recorded_seq=1), consent(2, "withdrawn", recorded_seq=2)),
        ),
        Expect(DO_NOT, [C.CONSENT_WITHDRAWN], (1, 1), 2, LAST),
        id="tie-latest-recorded-withdrawal-wins",
    ),
    pytest.param(
        Case(
            agreements=NEEDS,
            consents=(consent(2, "withdrawn", recorded_seq=1), consent(1, recorded_seq=2)),
        ),
        GRANTED,
        id="tie-latest-recorded-grant-wins",
    ),
    # Dates of the record.
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, effective_from=D),)),
        GRANTED,
        id="grant-effective-on-the-date",
    ),
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, effective_from=day(1)),)),
        Expect(DO_NOT, [C.CONSENT_MISSING], (1, 1), None, D),
        id="grant-effective-tomorrow-changes-answer",
    ),
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, expires_on=day(1)),)),
        Expect(SHARE, [C.CONSENT_GRANTED], (1, 1), 1, D),
        id="grant-last-day",
    ),
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, expires_on=D),)),
        Expect(DO_NOT, [C.CONSENT_EXPIRED], (1, 1), 1, LAST),
        id="grant-expired",
    ),
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, expires_on=D),), risk=True),
        Expect(JUSTIFY, [C.CONSENT_EXPIRED, C.SAFEGUARDING_OVERRIDE], (1, 1), 1, LAST),
        id="grant-expired-override",
    ),
    pytest.param(
        Case(
            agreements=NEEDS,
            consents=(
                consent(1, effective_from=day(-90), expires_on=day(-20)),
                consent(2, expires_on=day(-1)),
                consent(3, effective_from=day(-80), expires_on=day(-10)),
            ),
        ),
        Expect(DO_NOT, [C.CONSENT_EXPIRED], (1, 1), 2, LAST),
        id="latest-expiring-grant-reported",
    ),
    pytest.param(
        Case(
            agreements=NEEDS, consents=(consent(1, expires_on=D), consent(2, "refused", day(-60)))
        ),
        Expect(DO_NOT, [C.CONSENT_REFUSED], (1, 1), 2, LAST),
        id="applicable-refusal-beats-expired-grant",
    ),
    pytest.param(
        Case(
            agreements=NEEDS,
            consents=(consent(1, effective_from=day(-60)), consent(2, "refused", expires_on=D)),
        ),
        GRANTED,
        id="expired-refusal-not-applicable",
    ),
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(2, "withdrawn", expires_on=D),)),
        MISSING,
        id="expired-withdrawal-is-no-reason",
    ),
    # valid_until from consent records.
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1, expires_on=day(30)),)),
        Expect(SHARE, [C.CONSENT_GRANTED], (1, 1), 1, day(29)),
        id="valid-until-consent-expiry",
    ),
    pytest.param(
        Case(agreements=NEEDS, consents=(consent(1), consent(2, "refused", day(10)))),
        Expect(SHARE, [C.CONSENT_GRANTED], (1, 1), 1, day(9)),
        id="valid-until-later-record-on-file",
    ),
    pytest.param(
        Case(
            agreements=NEEDS,
            consents=(consent(1), consent(2, "refused", day(10), recipients=frozenset({"csc"}))),
        ),
        GRANTED,
        id="later-record-out-of-scope-ignored",
    ),
]


@pytest.mark.parametrize(("case", "expect"), CONSENT_NEEDED)
def test_consent_needed(case, expect):
    check(case, expect)


def test_consent_messages_mention_dates():
    expired = run(Case(agreements=NEEDS, consents=(consent(1, expires_on=D),))).reasons[0]
    assert "26 November 2026" in expired.message
    refused = run(Case(agreements=NEEDS, consents=(consent(1, "refused", given_by="parent"),)))
    assert "a parent" in refused.reasons[0].message
    assert "27 October 2026" in refused.reasons[0].message


def basis(article6, **kwargs):
    return only(lawful_basis=LawfulBasis(article6, **kwargs))


REFUSAL = (consent(1, "refused"),)
OBJECTIONS = (
    [
        pytest.param(
            Case(agreements=basis(b), consents=REFUSAL),
            Expect(JUSTIFY, [*OK, C.OBJECTION_RECORDED], (1, 1), 1, LAST),
            id=f"objection-{b}",
        )
        for b in ("public_task", "legitimate_interests", "recognised_legitimate_interest")
    ]
    + [
        pytest.param(
            Case(agreements=basis(b), consents=REFUSAL, risk=True),
            Expect(JUSTIFY, [*OK, C.OBJECTION_RECORDED, C.SAFEGUARDING_OVERRIDE], (1, 1), 1, LAST),
            id=f"objection-with-risk-{b}",
        )
        for b in ("public_task", "legitimate_interests", "recognised_legitimate_interest")
    ]
    + [
        pytest.param(
            Case(agreements=basis(b), consents=REFUSAL),
            Expect(SHARE, [*OK, C.OBJECTION_RECORDED], (1, 1), 1, LAST),
            id=f"advisory-objection-{b}",
        )
        for b in ("legal_obligation", "vital_interests", "contract")
    ]
    + [
        pytest.param(
            Case(agreements=basis("consent"), consents=REFUSAL),
            Expect(DO_NOT, [C.CONSENT_REFUSED], (1, 1), 1, LAST),
            id="refusal-under-consent-basis-is-rule-6",
        ),
        pytest.param(
            Case(agreements=basis("public_task"), consents=(consent(1, "withdrawn"),)),
            Expect(JUSTIFY, [*OK, C.OBJECTION_RECORDED], (1, 1), 1, LAST),
            id="withdrawal-is-an-objection",
        ),
        pytest.param(
            Case(agreements=basis("public_task"), consents=(consent(1),)),
            Expect(SHARE, OK, (1, 1), 1, LAST),
            id="grant-on-file-no-consent-needed",
        ),
        pytest.param(
            Case(agreements=basis("public_task"), consents=(consent(1, expires_on=D),)),
            share(),
            id="expired-grant-ignored-when-no-consent-needed",
        ),
        pytest.param(
            Case(agreements=basis("public_task"), consents=(consent(1, "refused", day(3)),)),
            share(valid_until=day(2)),
            id="future-objection-limits-valid-until",
        ),
    ]
)


@pytest.mark.parametrize(("case", "expect"), OBJECTIONS)
def test_consent_not_needed(case, expect):
    check(case, expect)


def test_objection_message_explains_right_to_object():
    reasons = run(Case(agreements=basis("public_task"), consents=REFUSAL)).reasons
    assert "Article 21" in reasons[1].message
    assert (
        "Article 21"
        not in run(Case(agreements=basis("legal_obligation"), consents=REFUSAL)).reasons[1].message
    )


URGENT = (
    [
        pytest.param(
            Case(agreements=(), risk=True, recipient=recipient),
            Expect(JUSTIFY, [C.NO_AGREEMENT, C.URGENT_SAFEGUARDING]),
            id=f"urgent-to-{name}",
        )
        for name, recipient in (
            ("children-social-care", CSC),
            ("adult-social-care", ASC),
            ("health", HEALTH),
        )
    ]
    + [
        pytest.param(
            Case(agreements=(), risk=True, provider=SCHOOL, recipient=POLICE),
            Expect(JUSTIFY, [C.NO_AGREEMENT, C.URGENT_SAFEGUARDING]),
            id="urgent-to-police",
        ),
    ]
    + [
        pytest.param(
            Case(agreements=(), risk=True, recipient=recipient),
            Expect(DO_NOT, [C.NO_AGREEMENT, C.URGENT_SAFEGUARDING]),
            id=f"no-urgent-share-to-{name}",
        )
        for name, recipient in NON_PARTNERS
    ]
    + [
        pytest.param(
            Case(agreements=(), recipient=CSC),
            Expect(DO_NOT, [C.NO_AGREEMENT]),
            id="no-risk-no-urgent-share",
        ),
        pytest.param(
            Case(
                agreements=(agreement(terminated_on=D, versions=(version(parties=TO_CSC),)),),
                risk=True,
                recipient=CSC,
            ),
            Expect(JUSTIFY, [C.AGREEMENT_NOT_IN_FORCE, C.URGENT_SAFEGUARDING]),
            id="urgent-despite-agreement-not-in-force",
        ),
        pytest.param(
            Case(agreements=(), consents=(consent(1, "refused"),), risk=True, recipient=CSC),
            Expect(JUSTIFY, [C.NO_AGREEMENT, C.URGENT_SAFEGUARDING]),
            id="no-consent-reason-without-agreement",
        ),
    ]
)


@pytest.mark.parametrize(("case", "expect"), URGENT)
def test_urgent_safeguarding(case, expect):
    check(case, expect)


@pytest.mark.parametrize(
    ("recipient", "phrases"),
    [
        pytest.param(CSC, ["only what is necessary", "safeguarding lead", "record"], id="partner"),
        pytest.param(SCHOOL, ["referral", "children's social care", "police"], id="non-partner"),
        pytest.param(INACTIVE_CSC, ["deactivated", "referral"], id="inactive-partner"),
    ],
)
def test_urgent_safeguarding_wording(recipient, phrases):
    reason = run(Case(agreements=(), risk=True, recipient=recipient)).reasons[-1]
    assert reason.code is C.URGENT_SAFEGUARDING
    for phrase in phrases:
        assert phrase in reason.message


NO_APD = replace(POLICE, policy_document=None)
SCHOOL_NO_APD = replace(SCHOOL, policy_document=None)
PARA18 = basis("public_task", article9="substantial_public_interest", schedule1="sch1_para_18")
APD = [*OK, C.POLICY_DOCUMENT_MISSING]

POLICY_DOCUMENT = [
    pytest.param(Case(agreements=PARA18), share(), id="apd-on-record"),
    pytest.param(
        Case(agreements=PARA18, provider=NO_APD),
        Expect(SHARE, APD, (1, 1), None, LAST),
        id="apd-missing",
    ),
    pytest.param(
        Case(agreements=basis("public_task", schedule1="sch1_para_2"), provider=NO_APD),
        share(),
        id="para-2-needs-no-apd",
    ),
    pytest.param(
        Case(agreements=basis("public_task", article10="sch1_para_18"), provider=NO_APD),
        Expect(SHARE, APD, (1, 1), None, LAST),
        id="article10-schedule1-needs-apd",
    ),
    pytest.param(
        Case(agreements=basis("public_task", article10="official_authority"), provider=NO_APD),
        share(),
        id="official-authority-needs-no-apd",
    ),
    pytest.param(
        Case(
            agreements=basis("public_task", schedule1="sch1_para_18", article10="sch1_para_18"),
            provider=NO_APD,
        ),
        Expect(SHARE, APD, (1, 1), None, LAST),
        id="same-paragraph-reported-once",
    ),
    pytest.param(
        Case(
            agreements=only(
                lawful_basis=LawfulBasis("public_task", schedule1="sch1_para_10"),
                parties=(("school", "provider"), ("police", "recipient")),
            ),
            provider=SCHOOL_NO_APD,
            recipient=POLICE,
        ),
        share(),
        id="para-10-to-police-needs-no-apd",
    ),
    pytest.param(
        Case(
            agreements=only(
                lawful_basis=LawfulBasis("public_task", schedule1="sch1_para_10"),
                parties=(("csc", "provider"), ("school", "recipient")),
            ),
            provider=CSC,
        ),
        Expect(SHARE, APD, (1, 1), None, LAST),
        id="para-10-to-school-needs-apd",
    ),
    pytest.param(
        Case(agreements=PARA18, provider=NO_APD, consents=REFUSAL),
        Expect(JUSTIFY, [*OK, C.OBJECTION_RECORDED, C.POLICY_DOCUMENT_MISSING], (1, 1), 1, LAST),
        id="apd-after-objection",
    ),
    pytest.param(
        Case(
            agreements=only(
                consent_required=True,
                safeguarding_override=False,
                parties=TO_CSC,
                lawful_basis=LawfulBasis("public_task", schedule1="sch1_para_18"),
            ),
            provider=NO_APD,
            recipient=CSC,
            risk=True,
        ),
        Expect(
            JUSTIFY,
            [C.CONSENT_MISSING, C.POLICY_DOCUMENT_MISSING, C.URGENT_SAFEGUARDING],
            (1, 1),
            None,
            LAST,
        ),
        id="apd-before-urgent-safeguarding",
    ),
    pytest.param(
        Case(
            agreements=(
                agreement(
                    terminated_on=D,
                    versions=(
                        version(lawful_basis=LawfulBasis("public_task", schedule1="sch1_para_18")),
                    ),
                ),
            ),
            provider=NO_APD,
        ),
        NOT_IN_FORCE,
        id="no-apd-advice-without-chosen-agreement",
    ),
]


@pytest.mark.parametrize(("case", "expect"), POLICY_DOCUMENT)
def test_policy_document(case, expect):
    check(case, expect)


def test_policy_document_message_names_condition_and_provider():
    reason = run(Case(agreements=PARA18, provider=NO_APD)).reasons[-1]
    assert "Safeguarding of children and of individuals at risk" in reason.message
    assert "Northshire Police" in reason.message


TABLES = (
    CANDIDATE_AND_IN_FORCE,
    SCOPE_AND_AGENCIES,
    CHOICE,
    CONSENT_NEEDED,
    OBJECTIONS,
    URGENT,
    POLICY_DOCUMENT,
)


def test_every_reason_code_and_outcome_is_exercised():
    codes = {code for table in TABLES for row in table for code in row.values[1].codes}
    outcomes = {row.values[1].outcome for table in TABLES for row in table}
    assert codes == set(ReasonCode)
    assert outcomes == set(Outcome)


def test_reason_codes_are_their_names():
    assert all(code.value == code.name for code in ReasonCode)
    assert len(ReasonCode) == 15


@pytest.mark.parametrize(
    ("parties", "provider", "recipient", "allowed"),
    [
        ((("police", "provider"), ("school", "recipient")), "police", "school", True),
        ((("police", "provider"), ("school", "recipient")), "school", "police", False),
        ((("police", "both"), ("school", "both")), "school", "police", True),
        ((("police", "recipient"), ("school", "recipient")), "police", "school", False),
        ((("police", "both"),), "police", "police", False),
    ],
)
def test_roles_allow_reads_the_parties_roles(parties, provider, recipient, allowed):
    assert roles_allow(terms(parties=parties), provider, recipient) is allowed


def test_derived_roles_follow_replace_and_do_not_change_equality():
    original = terms()
    swapped = replace(original, parties=(("school", "provider"), ("police", "recipient")))
    assert swapped.providers == {"school"} and swapped.receivers == {"police"}
    assert original == terms() and original != swapped
