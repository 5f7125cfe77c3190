"""The lawful basis in plain English, with the legal reference for each part."""

from registry.domain import vocabulary as vocab

ARTICLE6_PLAIN = {
    "consent": "The person has agreed to their information being shared for this purpose.",
    "contract": "Sharing is needed for a contract with the person.",
    "legal_obligation": "The law requires the agencies to share this information.",
    "vital_interests": "Sharing is needed to protect someone's life.",
    "public_task": (
        "Sharing is needed to carry out the agencies' official functions, set out in law "
        "(for example their safeguarding duties)."
    ),
    "recognised_legitimate_interest": (
        "Sharing serves an interest the law recognises as legitimate, such as safeguarding."
    ),
    "legitimate_interests": (
        "Sharing is needed for the agencies' legitimate interests and does not override the "
        "person's rights. Public authorities cannot use this for their public tasks."
    ),
}
ARTICLE9_PLAIN = {
    "explicit_consent": "The person has explicitly agreed to sharing this sensitive information.",
    "employment_social_protection": "Needed for employment, social security or social protection.",
    "vital_interests": "Needed to protect someone's life when they cannot consent.",
    "not_for_profit_bodies": "Shared by a not-for-profit body about its members.",
    "made_public": "The person has made this information public themselves.",
    "legal_claims": "Needed for legal claims or by courts.",
    "substantial_public_interest": (
        "Needed for reasons of substantial public interest, under a condition of DPA 2018 "
        "Schedule 1 Part 2."
    ),
    "health_social_care": "Needed to provide health or social care.",
    "public_health": "Needed for public health.",
    "archiving_research": "Needed for archiving, research or statistics.",
}
#: Readable names of agreement fields, for error messages and "what changed".
FIELD_NAMES = {
    "title": "title",
    "description": "description",
    "purposes": "purposes",
    "data_categories": "information shared",
    "consent_required": "consent required",
    "safeguarding_override": "safeguarding override",
    "effective_from": "start date",
    "review_date": "review date",
    "expires_on": "end date",
    "retention": "retention",
    "security_measures": "security measures",
    "dpia_reference": "DPIA reference",
    "article6": "Article 6 lawful basis",
    "article9": "Article 9 condition",
    "schedule1": "Schedule 1 condition",
    "article10": "Article 10 basis",
    "statutory_gateways": "statutory gateways",
    "parties": "parties",
}


def schedule1_reference(code: str) -> str:
    condition = vocab.SCHEDULE1[code]
    return (
        f"Data Protection Act 2018, Schedule 1, Part {condition.part}, paragraph {condition.para}"
    )


def basis_lines(basis: dict | None) -> list[dict]:
    """Rows of {heading, label, reference, plain} describing a lawful basis."""
    if not basis:
        return []
    rows = []
    art6 = vocab.ARTICLE6.get(basis.get("article6") or "")
    if art6:
        rows.append(
            {
                "heading": "Lawful basis",
                "label": art6.label,
                "reference": f"UK GDPR Article 6(1)({art6.point})",
                "plain": ARTICLE6_PLAIN.get(art6.code, ""),
            }
        )
    art9 = vocab.ARTICLE9.get(basis.get("article9") or "")
    if art9:
        rows.append(
            {
                "heading": "Special category condition",
                "label": art9.label,
                "reference": f"UK GDPR Article 9(2)({art9.point})",
                "plain": ARTICLE9_PLAIN.get(art9.code, ""),
            }
        )
    if basis.get("schedule1") in vocab.SCHEDULE1:
        rows.append(
            {
                "heading": "Schedule 1 condition",
                "label": vocab.SCHEDULE1[basis["schedule1"]].label,
                "reference": schedule1_reference(basis["schedule1"]),
                "plain": "The condition of the Data Protection Act 2018 that the sharing meets.",
            }
        )
    rows.extend(_article10(basis.get("article10")))
    gateways = basis.get("statutory_gateways") or []
    if gateways:
        rows.append(
            {
                "heading": "Statutory gateways",
                "label": "; ".join(gateways),
                "reference": "",
                "plain": "The laws that give the agencies the power or duty to share.",
            }
        )
    return rows


def _article10(code: str | None) -> list[dict]:
    if not code:
        return []
    if code == "official_authority":
        label, reference = vocab.ARTICLE10[code], "UK GDPR Article 10"
    else:
        label = vocab.SCHEDULE1[code].label
        reference = f"UK GDPR Article 10 and {schedule1_reference(code)}"
    return [
        {
            "heading": "Criminal offence data",
            "label": label,
            "reference": reference,
            "plain": "Why information about crimes, convictions or allegations may be shared.",
        }
    ]
