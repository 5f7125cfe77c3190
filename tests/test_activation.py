"""Table-driven tests of the activation checks (rule 8 and field checks) and basis warnings."""

from __future__ import annotations

from datetime import date

import pytest

from registry.domain import AgreementTerms, LawfulBasis, activation_problems, basis_warnings
from registry.domain.vocabulary import DATA_CATEGORIES, PURPOSES, DataCategory

SECTORS = {"police": "police", "school": "education", "charity": "voluntary", "homes": "housing"}
PAIR = (("police", "provider"), ("school", "recipient"))


def terms(categories=("education",), parties=PAIR, **changes) -> AgreementTerms:
    values = {
        "purposes": frozenset({"safeguarding_children"}),
        "data_categories": frozenset(categories),
        "lawful_basis": LawfulBasis("public_task"),
        "consent_required": False,
        "safeguarding_override": True,
        "effective_from": date(2026, 1, 1),
        "expires_on": date(2027, 1, 1),
        "parties": parties,
    }
    return AgreementTerms(**{**values, **changes})


def lb(article6="public_task", **kwargs) -> LawfulBasis:
    return LawfulBasis(article6, **kwargs)


SPI = "substantial_public_interest"

#: Each row: the terms, then field -> one entry per expected message: a phrase it must
#: contain, or a tuple of such phrases.
PROBLEMS = [
    pytest.param(terms(), {}, id="valid"),
    pytest.param(
        terms(lawful_basis=lb(None)),
        {"lawful_basis.article6": ["Article 6(1)"]},
        id="article6-missing",
    ),
    pytest.param(
        terms(lawful_basis=lb("vibes")), {"lawful_basis.article6": ["vibes"]}, id="article6-unknown"
    ),
    pytest.param(
        terms(categories=("health",)),
        {"lawful_basis.article9": [("Physical health", "Article 9(2)")]},
        id="special-category-needs-article9",
    ),
    pytest.param(
        terms(categories=("health", "mental_health", "education")),
        {"lawful_basis.article9": ["Mental health and Physical health are"]},
        id="special-categories-named-together",
    ),
    pytest.param(
        terms(categories=("health",), lawful_basis=lb(article9="magic")),
        {"lawful_basis.article9": ["magic"]},
        id="article9-unknown",
    ),
    pytest.param(
        terms(categories=("health",), lawful_basis=lb(article9="explicit_consent")),
        {},
        id="article9-without-schedule1",
    ),
    pytest.param(
        terms(categories=("health",), lawful_basis=lb(article9=SPI)),
        {"lawful_basis.schedule1": [("Article 9(2)(g)", "paragraphs 6 to 28")]},
        id="article9-g-needs-schedule1",
    ),
    pytest.param(
        terms(categories=("health",), lawful_basis=lb(article9=SPI, schedule1="sch1_para_18")),
        {},
        id="article9-g-with-para-18",
    ),
    pytest.param(
        terms(categories=("health",), lawful_basis=lb(article9=SPI, schedule1="sch1_para_2")),
        {
            "lawful_basis.schedule1": [
                ("paragraph 2 (Health or social care purposes)", "paragraphs 6 to 28"),
            ]
        },
        id="article9-g-with-part1-paragraph",
    ),
    pytest.param(
        terms(categories=("health",), lawful_basis=lb(article9=SPI, schedule1="sch1_para_29")),
        {"lawful_basis.schedule1": ["paragraph 29"]},
        id="article9-g-with-part3-paragraph",
    ),
    pytest.param(
        terms(
            categories=("health",),
            lawful_basis=lb(article9="health_social_care", schedule1="sch1_para_18"),
        ),
        {"lawful_basis.schedule1": [("Article 9(2)(h)", "choose paragraph 2")]},
        id="article9-h-with-wrong-paragraph",
    ),
    pytest.param(
        terms(lawful_basis=lb(schedule1="sch1_para_5")),
        {"lawful_basis.schedule1": ["sch1_para_5"]},
        id="schedule1-unknown",
    ),
    pytest.param(
        terms(categories=("criminal_offence",)),
        {"lawful_basis.article10": [("Criminal convictions", "Article 10")]},
        id="criminal-offence-needs-article10",
    ),
    pytest.param(
        terms(categories=("criminal_offence",), lawful_basis=lb(article10="guesswork")),
        {"lawful_basis.article10": ["guesswork"]},
        id="article10-unknown",
    ),
    pytest.param(
        terms(lawful_basis=lb("consent")),
        {"consent_required": ["Article 6(1)(a)"]},
        id="consent-basis-must-require-consent",
    ),
    pytest.param(
        terms(lawful_basis=lb("consent"), consent_required=True),
        {},
        id="consent-basis-requiring-consent",
    ),
    pytest.param(
        terms(purposes=frozenset()), {"purposes": ["at least one purpose"]}, id="no-purpose"
    ),
    pytest.param(
        terms(purposes=frozenset({"gossip"})), {"purposes": ["gossip"]}, id="unknown-purpose"
    ),
    pytest.param(terms(categories=()), {"data_categories": ["at least one"]}, id="no-category"),
    pytest.param(
        terms(categories=("shoe_size",)), {"data_categories": ["shoe_size"]}, id="unknown-category"
    ),
    pytest.param(
        terms(parties=(("police", "both"),)),
        {"parties": ["two different agencies"]},
        id="one-agency",
    ),
    pytest.param(
        terms(parties=(("police", "provider"), ("school", "provider"))),
        {"parties": ["receive"]},
        id="nobody-receives",
    ),
    pytest.param(
        terms(parties=(("police", "recipient"), ("school", "recipient"))),
        {"parties": ["provide"]},
        id="nobody-provides",
    ),
    pytest.param(terms(parties=(("police", "both"), ("school", "both"))), {}, id="both-roles"),
    pytest.param(
        terms(parties=(*PAIR, ("ghost", "recipient"))), {"parties": ["ghost"]}, id="unknown-agency"
    ),
    pytest.param(
        terms(parties=(*PAIR, ("charity", "boss"))), {"parties": ["boss"]}, id="unknown-role"
    ),
    pytest.param(
        terms(parties=(*PAIR, ("school", "both"))),
        {"parties": ["more than once"]},
        id="agency-listed-twice",
    ),
    pytest.param(
        terms(parties=(("police", "provider"), ("police", "recipient"))),
        {"parties": ["two different agencies", "more than once: police"]},
        id="same-agency-twice-is-one-agency",
    ),
    pytest.param(
        terms(categories=("health",), lawful_basis=lb(article9=SPI, schedule1="sch1_para_5")),
        {"lawful_basis.schedule1": ["'sch1_para_5' is not", "paragraphs 6 to 28"]},
        id="article9-g-with-unknown-paragraph",
    ),
    pytest.param(
        terms(expires_on=date(2026, 1, 1)),
        {"expires_on": ["2026-01-01"]},
        id="expires-on-effective-day",
    ),
    pytest.param(
        terms(expires_on=date(2025, 12, 31)),
        {"expires_on": ["2025-12-31"]},
        id="expires-before-effective",
    ),
    pytest.param(terms(expires_on=date(2026, 1, 2)), {}, id="expires-day-after-effective"),
    pytest.param(
        terms(effective_from=None, expires_on=date(2020, 1, 1)), {}, id="no-effective-date"
    ),
    pytest.param(
        terms(categories=("health", "criminal_offence"), lawful_basis=lb(None), parties=PAIR[:1]),
        {
            "lawful_basis.article6": [""],
            "lawful_basis.article9": [""],
            "lawful_basis.article10": [""],
            "parties": ["", ""],
        },
        id="several-problems-at-once",
    ),
]


@pytest.mark.parametrize(("agreement_terms", "expected"), PROBLEMS)
def test_activation_problems(agreement_terms, expected):
    problems = activation_problems(agreement_terms, SECTORS)
    assert sorted(problems) == sorted(expected)
    for field, messages in expected.items():
        assert len(problems[field]) == len(messages)
        for message, phrases in zip(problems[field], messages, strict=True):
            phrases = (phrases,) if isinstance(phrases, str) else phrases
            assert message and all(phrase in message for phrase in phrases)


@pytest.mark.parametrize(
    ("article9", "schedule1"),
    [
        ("employment_social_protection", "sch1_para_1"),
        ("health_social_care", "sch1_para_2"),
        ("public_health", "sch1_para_3"),
        ("archiving_research", "sch1_para_4"),
        (SPI, "sch1_para_6"),
        (SPI, "sch1_para_28"),
    ],
)
def test_article9_with_its_schedule1_paragraph(article9, schedule1):
    basis = lb(article9=article9, schedule1=schedule1)
    assert activation_problems(terms(categories=("health",), lawful_basis=basis), SECTORS) == {}


@pytest.mark.parametrize(
    "article10", ["official_authority", "sch1_para_1", "sch1_para_36", "sch1_para_37"]
)
def test_article10_choices(article10):
    agreement_terms = terms(categories=("criminal_offence",), lawful_basis=lb(article10=article10))
    assert activation_problems(agreement_terms, SECTORS) == {}


def test_admin_added_codes_accepted_when_passed():
    agreement_terms = terms(purposes=frozenset({"gossip"}), categories=("shoe_size",))
    problems = activation_problems(
        agreement_terms,
        SECTORS,
        purposes={**PURPOSES, "gossip": "Gossip"},
        data_categories={**DATA_CATEGORIES, "shoe_size": DataCategory("shoe_size", "Shoe size")},
    )
    assert problems == {}


WARNINGS = [
    pytest.param(terms(), [], id="public-task"),
    pytest.param(
        terms(lawful_basis=lb("legitimate_interests")),
        ["police", "6(1)(f)"],
        id="legitimate-interests-public-provider",
    ),
    pytest.param(
        terms(lawful_basis=lb("recognised_legitimate_interest")),
        ["police", "6(1)(ea)"],
        id="rli-public-provider",
    ),
    pytest.param(
        terms(
            lawful_basis=lb("recognised_legitimate_interest"),
            parties=(("charity", "provider"), ("police", "recipient")),
        ),
        [],
        id="rli-voluntary-provider-public-recipient",
    ),
    pytest.param(
        terms(
            lawful_basis=lb("legitimate_interests"),
            parties=(("charity", "provider"), ("homes", "both")),
        ),
        ["homes"],
        id="housing-both-is-public-provider",
    ),
    pytest.param(
        terms(
            lawful_basis=lb("legitimate_interests"),
            parties=(("police", "provider"), ("homes", "provider"), ("charity", "recipient")),
        ),
        ["homes and police provide"],
        id="several-public-providers",
    ),
]


@pytest.mark.parametrize(("agreement_terms", "phrases"), WARNINGS)
def test_basis_warnings(agreement_terms, phrases):
    warnings = basis_warnings(agreement_terms, SECTORS)
    assert len(warnings) == (1 if phrases else 0)
    for phrase in phrases:
        assert phrase in warnings[0]
