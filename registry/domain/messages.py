"""Plain-English wording of every reason the engine gives.

Messages use labels and agency names, never codes, except agency codes for parties the
engine knows only by code (signatures awaited). Codes not in the vocabulary, such as a
category an admin added, are shown as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from registry.domain.in_force import Obstacle
from registry.domain.types import (
    AgencyFacts,
    AgreementFacts,
    ConsentFacts,
    LawfulBasis,
    Reason,
    ReasonCode,
    VersionFacts,
)
from registry.domain.vocabulary import (
    ARTICLE6,
    DATA_CATEGORIES,
    GIVEN_BY,
    PURPOSES,
    RIGHT_TO_OBJECT,
    SCHEDULE1,
)

_REFERRAL = (
    "If you believe a person is at risk of significant harm, make a referral to children's "
    "social care, adult social care or the police instead."
)


_MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(day: date) -> str:
    """Return a date as people write it, e.g. 26 November 2026 (locale-independent)."""
    return f"{day.day} {_MONTHS[day.month]} {day.year}"


def _join(items: Iterable[str], last: str = "and") -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def category_label(code: str) -> str:
    category = DATA_CATEGORIES.get(code)
    return category.label if category is not None else code


def basis_phrase(basis: LawfulBasis) -> str:
    """Name the Article 6 basis, e.g. "public task (UK GDPR Article 6(1)(e))"."""
    article6 = ARTICLE6.get(basis.article6 or "")
    if article6 is None:
        return f"the lawful basis {basis.article6}"
    return f"{article6.label.lower()} (UK GDPR Article 6(1)({article6.point}))"


def _by_whom(record: ConsentFacts) -> str:
    who = GIVEN_BY.get(record.given_by, record.given_by)
    return who[0].lower() + who[1:]


def no_agreement(provider: AgencyFacts, recipient: AgencyFacts) -> Reason:
    return Reason(
        ReasonCode.NO_AGREEMENT,
        f"No registered agreement lets {provider.name} share information with {recipient.name}.",
    )


def not_in_force(
    agreement: AgreementFacts,
    version: VersionFacts,
    why: tuple[Obstacle, date | None],
    on: date,
    pair: str | None,
) -> Reason:
    """Say why the agreement does not cover the date; ``pair`` names a replacement's gap."""
    kind, day = why
    name = f"{agreement.reference} ({agreement.title})"
    if kind is Obstacle.DRAFT:
        state = f"version {version.number} is a draft that no party has signed yet"
    elif kind is Obstacle.AWAITING_SIGNATURES:
        waiting = sorted({code for code, _ in version.terms.parties} - version.signed_by)
        state = f"version {version.number} is awaiting signatures from {_join(waiting)}"
    elif kind is Obstacle.REPLACED:
        state = f"version {version.number} was replaced by a newer version"
        if day is not None:
            state += f" on {format_date(day)}"
        if pair is not None:
            state += f" that does not cover {pair}"
    else:
        state = {
            Obstacle.NOT_YET_EFFECTIVE: "does not take effect until {}",
            Obstacle.SIGNED_LATER: "came into force on {}, after the date asked about",
            Obstacle.EXPIRED: "expired on {}",
            Obstacle.SUSPENDED: "was suspended on {}",
            Obstacle.TERMINATED: "was terminated on {}",
        }[kind].format(format_date(day))
    return Reason(
        ReasonCode.AGREEMENT_NOT_IN_FORCE,
        f"Agreement {name} {state}, so it does not cover a share on {format_date(on)}.",
    )


def purpose_not_covered(reference: str, pair: str, purpose: str) -> Reason:
    label = PURPOSES.get(purpose, purpose)
    return Reason(
        ReasonCode.PURPOSE_NOT_COVERED,
        f"{reference} covers {pair}, but not for the purpose: {label}.",
    )


def category_not_covered(reference: str, pair: str, missing: list[str]) -> Reason:
    labels = _join((category_label(code) for code in missing), "or")
    return Reason(ReasonCode.CATEGORY_NOT_COVERED, f"{reference} covers {pair}, but not {labels}.")


def agency_inactive(agency: AgencyFacts, provides: bool) -> Reason:
    what = "share information under" if provides else "receive information under"
    return Reason(
        ReasonCode.AGENCY_INACTIVE,
        f"{agency.name} is deactivated in the registry, so it cannot {what} any agreement.",
    )


def consent_reason(code: ReasonCode, reference: str, record: ConsentFacts | None) -> Reason:
    """Word a rule 6 consent reason; ``record`` is the record used, if any."""
    if code is ReasonCode.CONSENT_GRANTED:
        text = (
            f"Consent to this share was given by {_by_whom(record)} "
            f"on {format_date(record.effective_from)}."
        )
    else:
        text = f"{reference} needs the person's consent, and "
        if record is None:
            text += "none is recorded for this share."
        elif code is ReasonCode.CONSENT_EXPIRED:
            text += (
                f"the consent recorded for this share ended on {format_date(record.expires_on)}."
            )
        else:
            done = "refused" if code is ReasonCode.CONSENT_REFUSED else "withdrawn"
            text += (
                f"consent was {done} by {_by_whom(record)} on {format_date(record.effective_from)}."
            )
    return Reason(code, text)


def consent_not_required(reference: str, basis: LawfulBasis) -> Reason:
    return Reason(
        ReasonCode.CONSENT_NOT_REQUIRED,
        f"{reference} relies on {basis_phrase(basis)}, so consent is not needed for this share.",
    )


def safeguarding_override(reference: str, objection: bool) -> Reason:
    lack = "the person's objection" if objection else "the lack of consent"
    return Reason(
        ReasonCode.SAFEGUARDING_OVERRIDE,
        f"You believe a person is at risk of significant harm, and protecting them outweighs "
        f"{lack} under {reference}. Share only what is necessary, and record your decision and "
        f"why consent was not sought or relied on.",
    )


def objection_recorded(reference: str, basis: LawfulBasis, record: ConsentFacts) -> Reason:
    """Rule 7: word the objection according to whether Article 21 gives a right to object."""
    done = "withdrawn" if record.status == "withdrawn" else "refused"
    head = (
        f"The person has objected to sharing: consent was {done} by {_by_whom(record)} on "
        f"{format_date(record.effective_from)}. {reference} relies on {basis_phrase(basis)}"
    )
    if basis.article6 in RIGHT_TO_OBJECT:
        tail = (
            ", and the person has a right to object (UK GDPR Article 21). Share only for "
            "compelling reasons, such as a risk of significant harm, and record them."
        )
    else:
        tail = (
            ", which an objection does not stop. Take their wishes into account and tell them "
            "what you share, unless that would increase the risk."
        )
    return Reason(ReasonCode.OBJECTION_RECORDED, head + tail)


def policy_document_missing(provider: AgencyFacts, reference: str, codes: list[str]) -> Reason:
    conditions = _join(
        f"DPA 2018 Schedule 1 paragraph {SCHEDULE1[code].para} ({SCHEDULE1[code].label})"
        for code in codes
    )
    return Reason(
        ReasonCode.POLICY_DOCUMENT_MISSING,
        f"{reference} relies on {conditions}, which needs an appropriate policy document "
        f"(DPA 2018 Schedule 1 Part 4), and {provider.name} has none on record. You may still "
        f"share; ask your data protection officer to record it.",
    )


def urgent_safeguarding(recipient: AgencyFacts, allowed: bool) -> Reason:
    """Rule 9: permit an urgent share to a safeguarding partner, or advise a referral."""
    if allowed:
        text = (
            "Nothing registered covers this share, but you believe a person is at risk of "
            f"significant harm and {recipient.name} is a statutory safeguarding partner. "
            "Fears about sharing must not stand in the way of protecting them: share only what "
            "is necessary for their protection, seek advice from your safeguarding lead if that "
            "causes no delay, and record what you shared and why."
        )
    elif not recipient.active:
        text = (
            f"{recipient.name} is deactivated in the registry and cannot receive information. "
            + _REFERRAL
        )
    else:
        text = (
            f"{recipient.name} is not a statutory safeguarding partner, so an urgent share "
            f"outside an agreement does not apply. {_REFERRAL}"
        )
    return Reason(ReasonCode.URGENT_SAFEGUARDING, text)
