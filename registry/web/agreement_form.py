"""The agreement form: each legal field explained, converted to and from the service's dict."""

from flask_wtf import FlaskForm
from wtforms.validators import Length, Optional

from registry.domain import vocabulary as vocab
from registry.web.forms import (
    CODES_HINT,
    AgencyChoices,
    GovDate,
    area,
    blank_to_none,
    checkboxes,
    radios,
    required,
    select,
    text,
    yes_no,
)

CATEGORY_CHOICES = [
    (
        code,
        c.label
        + (" (special category)" if c.special_category else "")
        + (" (criminal offence data)" if c.criminal_offence else ""),
    )
    for code, c in vocab.DATA_CATEGORIES.items()
]
ARTICLE6_CHOICES = [
    (code, f"{b.label}: Article 6(1)({b.point})") for code, b in vocab.ARTICLE6.items()
]
ARTICLE9_CHOICES = [("", "None: no special category data")] + [
    (code, f"({c.point}) {c.label}") for code, c in vocab.ARTICLE9.items()
]
SCHEDULE1_CHOICES = [("", "None")] + [
    (code, f"Part {c.part}, para {c.para}: {c.label}") for code, c in vocab.SCHEDULE1.items()
]
ARTICLE10_CHOICES = [
    ("", "None: no criminal offence data"),
    ("official_authority", vocab.ARTICLE10["official_authority"]),
] + [(code, f"Schedule 1 para {c.para}: {c.label}") for code, c in vocab.SCHEDULE1.items()]
#: Service error keys that are not the form field's name.
ERROR_FIELDS = {
    "lawful_basis.article6": "article6",
    "lawful_basis.article9": "article9",
    "lawful_basis.schedule1": "schedule1",
    "lawful_basis.article10": "article10",
    "lawful_basis.statutory_gateways": "statutory_gateways",
    "lawful_basis": "article6",
    "parties": "providers",
}


class AgreementForm(FlaskForm):
    title = text("Title", required("Enter a title"), Length(max=300))
    description = area("Description (optional)", Optional(), Length(max=10000))
    providers = AgencyChoices(
        "Which agencies provide information?",
        "Select every agency that will share information it holds.",
        f"Every agency that will share information it holds. {CODES_HINT}",
    )
    recipients = AgencyChoices(
        "Which agencies receive information?",
        "An agency ticked in both lists both provides and receives.",
        f"An agency in both lists both provides and receives. {CODES_HINT}",
    )
    purposes = checkboxes(
        "Purposes",
        list(vocab.PURPOSES.items()),
        description="Information may be shared under this agreement only for these purposes.",
    )
    data_categories = checkboxes(
        "Information that may be shared",
        CATEGORY_CHOICES,
        description=(
            "Special category data needs an Article 9 condition; criminal offence data needs an "
            "Article 10 basis."
        ),
    )
    article6 = radios(
        "Lawful basis (UK GDPR Article 6)",
        ARTICLE6_CHOICES,
        Optional(),
        description="Why the agencies may share personal data at all. Most public bodies use "
        "public task.",
    )
    article9 = select(
        "Special category condition (UK GDPR Article 9)",
        ARTICLE9_CHOICES,
        description="Needed when health, ethnicity, religion, sex life or genetic data is shared.",
    )
    schedule1 = select(
        "Schedule 1 condition (Data Protection Act 2018)",
        SCHEDULE1_CHOICES,
        description="Article 9 conditions (b), (g), (h), (i) and (j) need one, e.g. paragraph 18 "
        "for safeguarding.",
    )
    article10 = select(
        "Criminal offence data basis (UK GDPR Article 10)",
        ARTICLE10_CHOICES,
        description="Needed when criminal convictions, offences or allegations are shared.",
    )
    statutory_gateways = area(
        "Statutory gateways (optional)",
        Optional(),
        description="The laws that give the power or duty to share, one per line, e.g. "
        "Children Act 1989 s47.",
    )
    consent_required = radios(
        "Does sharing need the person's consent?",
        [("yes", "Yes, only share with a recorded consent"), ("no", "No")],
        Optional(),
        description="Always yes when the lawful basis is consent.",
    )
    safeguarding_override = radios(
        "May a risk of significant harm override missing or refused consent?",
        [("yes", "Yes"), ("no", "No")],
        Optional(),
        description="If yes, a practitioner may share without consent to protect someone at "
        "risk, and must record why.",
    )
    effective_from = GovDate("Start date", description="For example, 1 4 2026.")
    review_date = GovDate("Review date", description="When the parties will review it.")
    expires_on = GovDate("End date (optional)", description="Leave blank if it has no end date.")
    retention = area("How long is the information kept? (optional)", Optional(), Length(max=2000))
    security_measures = area("How is it kept secure? (optional)", Optional(), Length(max=5000))
    dpia_reference = text(
        "Data protection impact assessment reference (optional)", Optional(), Length(max=200)
    )

    def set_agencies(self, active) -> None:
        """Offer the active agencies (an AgencyOptions) as parties."""
        self.providers.set_agencies(active, active_only=True)
        self.recipients.set_agencies(active, active_only=True)

    def to_data(self) -> dict:
        """The service's dict (the API's fields) from the form."""
        return {
            "title": self.title.data.strip(),
            "description": blank_to_none(self.description.data),
            "parties": self.parties(),
            "purposes": self.purposes.data or [],
            "data_categories": self.data_categories.data or [],
            "lawful_basis": {
                "article6": self.article6.data or None,
                "article9": self.article9.data or None,
                "schedule1": self.schedule1.data or None,
                "article10": self.article10.data or None,
                "statutory_gateways": [
                    line.strip()
                    for line in (self.statutory_gateways.data or "").splitlines()
                    if line.strip()
                ],
            },
            "consent_required": yes_no(self.consent_required.data),
            "safeguarding_override": yes_no(self.safeguarding_override.data),
            "effective_from": self.effective_from.data,
            "review_date": self.review_date.data,
            "expires_on": self.expires_on.data,
            "retention": blank_to_none(self.retention.data),
            "security_measures": blank_to_none(self.security_measures.data),
            "dpia_reference": blank_to_none(self.dpia_reference.data),
        }

    def parties(self) -> list[dict]:
        providers, recipients = set(self.providers.data or []), set(self.recipients.data or [])
        codes = self.providers.in_order(providers | recipients)
        return [
            {
                "agency": code,
                "role": "both"
                if code in providers and code in recipients
                else "provider"
                if code in providers
                else "recipient",
            }
            for code in codes
        ]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if len(self.parties()) < 2:
            self.providers.errors = [*self.providers.errors, "Choose at least two agencies"]
            ok = False
        return ok

    def fill(self, terms: dict) -> None:
        """Pre-fill from a version's terms (presenters.terms)."""
        for name in ("title", "description", "retention", "security_measures", "dpia_reference"):
            getattr(self, name).data = terms.get(name) or ""
        for name in ("purposes", "data_categories"):
            getattr(self, name).data = list(terms.get(name) or [])
        for name in ("effective_from", "review_date", "expires_on"):
            getattr(self, name).data = terms.get(name)
        roles = {p["agency"]: p["role"] for p in terms["parties"]}
        self.providers.data = [c for c, r in roles.items() if r in vocab.PROVIDING_ROLES]
        self.recipients.data = [c for c, r in roles.items() if r in vocab.RECEIVING_ROLES]
        basis = terms["lawful_basis"]
        for name in ("article6", "article9", "schedule1", "article10"):
            getattr(self, name).data = basis.get(name) or ""
        self.statutory_gateways.data = "\n".join(basis.get("statutory_gateways") or [])
        self.consent_required.data = "yes" if terms.get("consent_required") else "no"
        self.safeguarding_override.data = "yes" if terms.get("safeguarding_override") else "no"


class AgreementCreateForm(AgreementForm):
    reference = text(
        "Reference",
        required("Enter a reference"),
        Length(max=60),
        description="A unique reference such as ISA-2026-014. It cannot be changed later.",
    )
