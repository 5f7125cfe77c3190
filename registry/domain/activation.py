"""Rule 8 and the field checks an agreement version must pass to come into force.

Problems are keyed by field name, with nested lawful-basis fields written
``lawful_basis.article9``; each message names the field and the legal reference.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from registry.domain.types import AgreementTerms, LawfulBasis
from registry.domain.vocabulary import (
    ARTICLE6,
    ARTICLE9,
    ARTICLE10,
    DATA_CATEGORIES,
    PARTY_ROLES,
    PROVIDING_ROLES,
    PUBLIC_SECTORS,
    PURPOSES,
    RECEIVING_ROLES,
    SCHEDULE1,
    DataCategory,
)

Problem = tuple[str, str]
#: Article 6 bases that public authorities cannot use for their tasks (Article 6(1) last words).
_NOT_FOR_PUBLIC_TASKS = frozenset({"recognised_legitimate_interest", "legitimate_interests"})


def activation_problems(
    terms: AgreementTerms,
    party_sectors: Mapping[str, str],
    *,
    purposes: Mapping[str, str] = PURPOSES,
    data_categories: Mapping[str, DataCategory] = DATA_CATEGORIES,
) -> dict[str, list[str]]:
    """Return what stops these terms coming into force, by field; empty when nothing does.

    ``party_sectors`` maps every known agency code to its sector. Pass ``purposes`` and
    ``data_categories`` when admins have added codes to the shipped vocabulary.
    """
    problems: dict[str, list[str]] = {}
    checks = (
        _scope_problems(terms, purposes, data_categories),
        _party_problems(terms.parties, party_sectors),
        _basis_problems(terms, data_categories),
        _date_problems(terms),
    )
    for check in checks:
        for field, message in check:
            problems.setdefault(field, []).append(message)
    return problems


def basis_warnings(terms: AgreementTerms, party_sectors: Mapping[str, str]) -> list[str]:
    """Return advice that does not block activation: (ea) or (f) with a public-sector provider."""
    basis = ARTICLE6.get(terms.lawful_basis.article6 or "")
    if basis is None or basis.code not in _NOT_FOR_PUBLIC_TASKS:
        return []
    public = sorted(
        {
            code
            for code, role in terms.parties
            if role in PROVIDING_ROLES and party_sectors.get(code) in PUBLIC_SECTORS
        }
    )
    if not public:
        return []
    verb = "provides" if len(public) == 1 else "provide"
    return [
        f"Public authorities cannot rely on {basis.label.lower()} (UK GDPR Article "
        f"6(1)({basis.point})) for their public tasks, and {_join(public)} {verb} information "
        "under this agreement as public-sector bodies. Public task (UK GDPR Article 6(1)(e)) "
        "is usually the right basis for them."
    ]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _scope_problems(
    terms: AgreementTerms, purposes: Mapping[str, str], categories: Mapping[str, DataCategory]
) -> Iterator[Problem]:
    if not terms.purposes:
        yield "purposes", "Choose at least one purpose the agreement covers."
    unknown = sorted(code for code in terms.purposes if code not in purposes)
    if unknown:
        yield "purposes", f"Unknown purpose: {', '.join(unknown)}."
    if not terms.data_categories:
        yield "data_categories", "Choose at least one data category the agreement covers."
    unknown = sorted(code for code in terms.data_categories if code not in categories)
    if unknown:
        yield "data_categories", f"Unknown data category: {', '.join(unknown)}."


def _party_problems(
    parties: tuple[tuple[str, str], ...], party_sectors: Mapping[str, str]
) -> Iterator[Problem]:
    codes = [code for code, _ in parties]
    if len(set(codes)) < 2:
        yield "parties", "An agreement needs at least two different agencies as parties."
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        yield (
            "parties",
            f"Each agency may be a party once; listed more than once: {_join(repeated)}.",
        )
    unknown = sorted({code for code in codes if code not in party_sectors})
    if unknown:
        yield "parties", f"Unknown agency: {', '.join(unknown)}."
    roles = {role for _, role in parties}
    bad = sorted(roles - PARTY_ROLES.keys())
    if bad:
        yield "parties", f"Unknown role: {', '.join(bad)} (use provider, recipient or both)."
    if not roles & PROVIDING_ROLES:
        yield "parties", "At least one party must provide information (role provider or both)."
    if not roles & RECEIVING_ROLES:
        yield "parties", "At least one party must receive information (role recipient or both)."


def _basis_problems(
    terms: AgreementTerms, categories: Mapping[str, DataCategory]
) -> Iterator[Problem]:
    """Rule 8: Article 6, then Article 9 with Schedule 1, then Article 10."""
    basis = terms.lawful_basis
    if not basis.article6:
        yield "lawful_basis.article6", "Choose an Article 6 lawful basis (UK GDPR Article 6(1))."
    elif basis.article6 not in ARTICLE6:
        yield (
            "lawful_basis.article6",
            f"'{basis.article6}' is not an Article 6 lawful basis (UK GDPR Article 6(1)).",
        )
    elif basis.article6 == "consent" and not terms.consent_required:
        yield (
            "consent_required",
            "The lawful basis is consent (UK GDPR Article 6(1)(a)), so the agreement must "
            "require consent.",
        )
    listed = sorted(
        (categories[code] for code in terms.data_categories if code in categories),
        key=lambda category: category.label,
    )
    special = [category.label for category in listed if category.special_category]
    criminal = [category.label for category in listed if category.criminal_offence]
    yield from _article9_problems(basis, special)
    yield from _article10_problems(basis, criminal)


def _article9_problems(basis: LawfulBasis, special: list[str]) -> Iterator[Problem]:
    schedule1 = basis.schedule1
    if schedule1 and schedule1 not in SCHEDULE1:
        yield (
            "lawful_basis.schedule1",
            f"'{schedule1}' is not a DPA 2018 Schedule 1 condition.",
        )
        schedule1 = None
    if not basis.article9:
        if special:
            verb = "is" if len(special) == 1 else "are"
            yield (
                "lawful_basis.article9",
                f"{_join(special)} {verb} special category data: choose an Article 9 condition "
                "(UK GDPR Article 9(2)).",
            )
        return
    condition = ARTICLE9.get(basis.article9)
    if condition is None:
        yield (
            "lawful_basis.article9",
            f"'{basis.article9}' is not an Article 9 condition (UK GDPR Article 9(2)).",
        )
        return
    paras = condition.schedule1_paras
    if not paras or (schedule1 and SCHEDULE1[schedule1].para in paras):
        return
    needed = (
        f"paragraph {min(paras)}"
        if len(paras) == 1
        else f"one of paragraphs {min(paras)} to {max(paras)}"
    )
    article = f"UK GDPR Article 9(2)({condition.point}) ({condition.label})"
    if schedule1:
        chosen = SCHEDULE1[schedule1]
        message = (
            f"DPA 2018 Schedule 1 paragraph {chosen.para} ({chosen.label}) does not go with "
            f"{article}: choose {needed} of Schedule 1."
        )
    else:
        message = f"{article} needs a DPA 2018 Schedule 1 condition: choose {needed}."
    yield "lawful_basis.schedule1", message


def _article10_problems(basis: LawfulBasis, criminal: list[str]) -> Iterator[Problem]:
    if basis.article10:
        if basis.article10 not in ARTICLE10:
            yield (
                "lawful_basis.article10",
                f"'{basis.article10}' is not an Article 10 basis: choose official authority or "
                "a DPA 2018 Schedule 1 condition (UK GDPR Article 10).",
            )
    elif criminal:
        yield (
            "lawful_basis.article10",
            f"{_join(criminal)} is criminal offence data: choose an Article 10 basis, official "
            "authority or a DPA 2018 Schedule 1 condition (UK GDPR Article 10).",
        )


def _date_problems(terms: AgreementTerms) -> Iterator[Problem]:
    start, end = terms.effective_from, terms.expires_on
    if start is not None and end is not None and end <= start:
        yield (
            "expires_on",
            f"The expiry date ({end.isoformat()}) must be after the date the agreement takes "
            f"effect ({start.isoformat()}).",
        )
