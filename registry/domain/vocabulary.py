"""The controlled vocabulary of vocabulary.md as immutable data.

Codes are stable identifiers; labels are what people read. The legal lists (Article 6,
Article 9, Schedule 1, Article 10) are fixed by law and change only with a release.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class DataCategory:
    code: str
    label: str
    special_category: bool = False
    criminal_offence: bool = False


@dataclass(frozen=True, slots=True)
class Article6Basis:
    code: str
    label: str
    point: str


@dataclass(frozen=True, slots=True)
class Article9Condition:
    code: str
    label: str
    point: str
    #: Schedule 1 paragraphs one of which must accompany the condition; empty when none.
    schedule1_paras: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Schedule1Condition:
    code: str
    para: int
    part: int
    label: str
    #: Whether an appropriate policy document is needed: yes, no, not_for_competent_authority.
    policy_document: str


def _frozen(pairs) -> Mapping[str, str]:
    return MappingProxyType(dict(pairs))


PURPOSES: Mapping[str, str] = _frozen(
    [
        ("safeguarding_children", "Safeguarding and promoting the welfare of children"),
        ("child_protection_enquiry", "Child protection enquiry (Children Act 1989 s47)"),
        ("early_help", "Early help and family support"),
        ("safeguarding_adults", "Safeguarding adults at risk (Care Act 2014 s42)"),
        ("domestic_abuse_risk", "Domestic abuse risk assessment and MARAC"),
        (
            "crime_prevention",
            "Prevention and detection of crime (Crime and Disorder Act 1998 s115)",
        ),
        ("care_coordination", "Coordinating health and social care"),
        ("education_welfare", "Education welfare and attendance"),
        ("research_statistics", "Research and statistics"),
    ]
)

DATA_CATEGORIES: Mapping[str, DataCategory] = MappingProxyType(
    {
        c.code: c
        for c in (
            DataCategory("identity_contact", "Identity and contact details"),
            DataCategory("family_household", "Family and household members"),
            DataCategory("education", "Education records"),
            DataCategory("social_care", "Social care records"),
            DataCategory("housing", "Housing and tenancy"),
            DataCategory("financial", "Financial circumstances and benefits"),
            DataCategory("health", "Physical health", special_category=True),
            DataCategory("mental_health", "Mental health", special_category=True),
            DataCategory("ethnicity", "Racial or ethnic origin", special_category=True),
            DataCategory("religion", "Religious or philosophical beliefs", special_category=True),
            DataCategory(
                "sex_life_orientation", "Sex life or sexual orientation", special_category=True
            ),
            DataCategory("genetic_biometric", "Genetic or biometric data", special_category=True),
            DataCategory(
                "criminal_offence",
                "Criminal convictions, offences and allegations",
                criminal_offence=True,
            ),
        )
    }
)

ARTICLE6: Mapping[str, Article6Basis] = MappingProxyType(
    {
        b.code: b
        for b in (
            Article6Basis("consent", "Consent", "a"),
            Article6Basis("contract", "Contract", "b"),
            Article6Basis("legal_obligation", "Legal obligation", "c"),
            Article6Basis("vital_interests", "Vital interests", "d"),
            Article6Basis("public_task", "Public task", "e"),
            Article6Basis("recognised_legitimate_interest", "Recognised legitimate interest", "ea"),
            Article6Basis("legitimate_interests", "Legitimate interests", "f"),
        )
    }
)

ARTICLE9: Mapping[str, Article9Condition] = MappingProxyType(
    {
        c.code: c
        for c in (
            Article9Condition("explicit_consent", "Explicit consent", "a"),
            Article9Condition(
                "employment_social_protection",
                "Employment, social security and social protection",
                "b",
                frozenset({1}),
            ),
            Article9Condition("vital_interests", "Vital interests", "c"),
            Article9Condition("not_for_profit_bodies", "Not-for-profit bodies", "d"),
            Article9Condition("made_public", "Made public by the person", "e"),
            Article9Condition("legal_claims", "Legal claims and judicial acts", "f"),
            Article9Condition(
                "substantial_public_interest",
                "Substantial public interest",
                "g",
                frozenset(range(6, 29)),
            ),
            Article9Condition("health_social_care", "Health or social care", "h", frozenset({2})),
            Article9Condition("public_health", "Public health", "i", frozenset({3})),
            Article9Condition(
                "archiving_research", "Archiving, research and statistics", "j", frozenset({4})
            ),
        )
    }
)

_SCHEDULE1_HEADINGS = {
    1: "Employment, social security and social protection",
    2: "Health or social care purposes",
    3: "Public health",
    4: "Research",
    6: "Statutory and government purposes",
    7: "Administration of justice and parliamentary purposes",
    8: "Equality of opportunity or treatment",
    9: "Racial and ethnic diversity at senior levels",
    10: "Preventing or detecting unlawful acts",
    11: "Protecting the public",
    12: "Regulatory requirements",
    13: "Journalism in connection with unlawful acts and dishonesty",
    14: "Preventing fraud",
    15: "Suspicion of terrorist financing or money laundering",
    16: "Support for individuals with a particular disability or medical condition",
    17: "Counselling",
    18: "Safeguarding of children and of individuals at risk",
    19: "Safeguarding of economic well-being of certain individuals",
    20: "Insurance",
    21: "Occupational pensions",
    22: "Political parties",
    23: "Elected representatives responding to requests",
    24: "Disclosure to elected representatives",
    25: "Informing elected representatives about prisoners",
    26: "Publication of legal judgments",
    27: "Anti-doping in sport",
    28: "Standards of behaviour in sport",
    29: "Consent",
    30: "Protecting individual's vital interests",
    31: "Processing by not-for-profit bodies",
    32: "Personal data in the public domain",
    33: "Legal claims",
    34: "Judicial acts",
    35: "Administration of accounts used in commission of indecency offences involving children",
    36: "Part 2 conditions without the substantial public interest test",
    37: "Insurance",
}


def _schedule1_part(para: int) -> int:
    return 1 if para <= 4 else 2 if para <= 28 else 3


def _schedule1_policy(para: int) -> str:
    """Whether an APD is needed (Sch 1 paras 1, 5 and 39).

    Paras 2-4 and 29-34 need none and para 13 is exempt; para 10 is exempt for a disclosure
    to a competent authority. Para 36 extends a Part 2 condition, which we cannot see here,
    so it counts as needing one (conservative); para 37 follows para 20 (yes).
    """
    if para == 10:
        return "not_for_competent_authority"
    if para in (2, 3, 4, 13) or 29 <= para <= 34:
        return "no"
    return "yes"


SCHEDULE1: Mapping[str, Schedule1Condition] = MappingProxyType(
    {
        f"sch1_para_{para}": Schedule1Condition(
            f"sch1_para_{para}", para, _schedule1_part(para), label, _schedule1_policy(para)
        )
        for para, label in _SCHEDULE1_HEADINGS.items()
    }
)

#: Article 10 bases: official authority, or any Schedule 1 condition.
ARTICLE10: Mapping[str, str] = _frozen(
    [("official_authority", "Under the control of official authority")]
    + [(code, cond.label) for code, cond in SCHEDULE1.items()]
)

SECTORS: Mapping[str, str] = _frozen(
    [
        ("children_social_care", "Children's social care"),
        ("adult_social_care", "Adult social care"),
        ("police", "Police"),
        ("health", "Health"),
        ("education", "Education"),
        ("housing", "Housing"),
        ("probation", "Probation"),
        ("youth_justice", "Youth justice"),
        ("voluntary", "Voluntary and community sector"),
        ("other", "Other"),
    ]
)

STATUTORY_SAFEGUARDING_PARTNERS = frozenset(
    {"children_social_care", "adult_social_care", "police", "health"}
)
PUBLIC_SECTORS = frozenset(SECTORS) - {"voluntary", "other"}
#: Sectors that are competent authorities for Schedule 1 paragraph 10 (DPA 2018 s30).
COMPETENT_AUTHORITY_SECTORS = frozenset({"police", "probation", "youth_justice"})

#: Article 6 bases under which the person has a right to object (UK GDPR Article 21).
RIGHT_TO_OBJECT = frozenset(
    {"public_task", "legitimate_interests", "recognised_legitimate_interest"}
)

#: Roles that may provide, and roles that may receive, under an agreement version.
PROVIDING_ROLES = frozenset({"provider", "both"})
RECEIVING_ROLES = frozenset({"recipient", "both"})

PARTY_ROLES: Mapping[str, str] = _frozen(
    [
        ("provider", "Provides information"),
        ("recipient", "Receives information"),
        ("both", "Provides and receives information"),
    ]
)
CONSENT_STATUSES: Mapping[str, str] = _frozen(
    [
        ("granted", "Consent given"),
        ("refused", "Consent refused"),
        ("withdrawn", "Consent withdrawn"),
    ]
)
GIVEN_BY: Mapping[str, str] = _frozen(
    [
        ("subject", "The person themselves"),
        ("parent", "A parent"),
        ("guardian", "A guardian"),
        ("advocate", "An advocate"),
        ("other", "Someone else"),
    ]
)
CONSENT_METHODS: Mapping[str, str] = _frozen(
    [("written", "Written"), ("verbal", "Verbal"), ("electronic", "Electronic")]
)
NO_CONSENT_REASONS: Mapping[str, str] = _frozen(
    [
        ("cannot_be_given", "Consent cannot be given by the person"),
        ("cannot_reasonably_obtain", "We cannot reasonably be expected to obtain consent"),
        ("would_prejudice", "Seeking consent would put the person's protection at risk"),
    ]
)
PERSON_INFORMED: Mapping[str, str] = _frozen(
    [
        ("yes", "Yes"),
        ("no", "No"),
        ("not_safe", "No, because telling them would increase the risk"),
    ]
)


def needs_policy_document(schedule1_code: str, recipient_sector: str) -> bool:
    """Return whether relying on this Schedule 1 condition needs an appropriate policy document.

    Unknown codes (including ``official_authority``) need none.
    """
    condition = SCHEDULE1.get(schedule1_code)
    if condition is None or condition.policy_document == "no":
        return False
    if condition.policy_document == "not_for_competent_authority":
        return recipient_sector not in COMPETENT_AUTHORITY_SECTORS
    return True
