"""A small, realistic demo world for `make run` and for trying the API by hand."""

from datetime import date, timedelta

from sqlalchemy import func, select

from registry.clock import today_uk
from registry.extensions import db
from registry.models import Agency, Agreement, User
from registry.services import agreements as agreements_service
from registry.services.agencies import create_agency
from registry.services.checks import record_decision, run_check
from registry.services.consents import record_consent
from registry.services.users import create_user

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed on purpose, development only

AGENCIES = [
    ("CSC", "Riverside Children's Services", "children_social_care", "APD-CSC-2025"),
    ("ASC", "Riverside Adult Social Care", "adult_social_care", "APD-ASC-2025"),
    ("POL", "Riverside Police", "police", "APD-POL-2024"),
    ("NHS", "Riverside NHS Foundation Trust", "health", None),
    ("SCH", "Riverside Academy", "education", "APD-SCH-2025"),
    ("HOU", "Riverside Homes", "housing", None),
    ("VOL", "Riverside Family Support (charity)", "voluntary", None),
]

USERS = [
    ("admin@demo.example", "Ada Admin", "admin", None),
    ("auditor@demo.example", "Aziz Auditor", "auditor", None),
    ("lead.csc@demo.example", "Lena Lead (CSC)", "agency_lead", "CSC"),
    ("lead.pol@demo.example", "Paul Lead (Police)", "agency_lead", "POL"),
    ("lead.nhs@demo.example", "Nadia Lead (NHS)", "agency_lead", "NHS"),
    ("lead.sch@demo.example", "Sam Lead (School)", "agency_lead", "SCH"),
    ("lead.hou@demo.example", "Hana Lead (Housing)", "agency_lead", "HOU"),
    ("lead.asc@demo.example", "Ali Lead (ASC)", "agency_lead", "ASC"),
    ("lead.vol@demo.example", "Vic Lead (Charity)", "agency_lead", "VOL"),
    ("practitioner.csc@demo.example", "Priya Practitioner (CSC)", "practitioner", "CSC"),
    ("practitioner.sch@demo.example", "Tom Teacher (School DSL)", "practitioner", "SCH"),
    ("practitioner.nhs@demo.example", "Hannah Health Visitor", "practitioner", "NHS"),
]


class DemoRefused(Exception):
    pass


def demo_logins() -> list[tuple[str, str, str | None, str]]:
    """The demo users present in this database, with the demo password."""
    emails = [email for email, *_ in USERS]
    users = db.session.scalars(select(User).where(User.email.in_(emails)).order_by(User.id))
    return [(u.email, u.role, u.agency_code, DEMO_PASSWORD) for u in users]


def seed_demo() -> None:
    """Create the demo world; refuse unless the database is empty."""
    if db.session.scalar(select(func.count()).select_from(Agency)) or db.session.scalar(
        select(func.count()).select_from(User)
    ):
        raise DemoRefused("The database is not empty: seed-demo only loads into an empty one.")
    for code, name, sector, apd in AGENCIES:
        create_agency({"code": code, "name": name, "sector": sector, "policy_document": apd}, None)
    users = {}
    for email, name, role, agency in USERS:
        data = {"email": email, "name": name, "role": role, "agency": agency}
        users[email] = create_user({**data, "password": DEMO_PASSWORD}, None)
    _agreements(users)
    _consents_and_checks(users)


def _lead(users, code):
    return users[f"lead.{code.lower()}@demo.example"]


def _draft(users, drafter, reference, title, parties, **terms):
    data = {
        "reference": reference,
        "title": title,
        "parties": [{"agency": code, "role": role} for code, role in parties],
        **terms,
    }
    return agreements_service.create_agreement(data, _lead(users, drafter))


def _sign_all(users, agreement: Agreement, signed_on: date | None = None):
    for party in agreement.latest_version.parties:
        agreements_service.sign_agreement(agreement.reference, _lead(users, party.agency.code))
    if signed_on is not None:
        # Demo history: pretend the last signature was given on `signed_on`.
        agreement.current_version.activated_on = signed_on


def _agreements(users) -> None:
    today = today_uk()
    year_ago = today - timedelta(days=365)
    safeguarding = {
        "purposes": ["safeguarding_children", "child_protection_enquiry"],
        "data_categories": [
            "identity_contact",
            "family_household",
            "education",
            "social_care",
            "health",
            "mental_health",
            "criminal_offence",
        ],
        "lawful_basis": {
            "article6": "public_task",
            "article9": "substantial_public_interest",
            "schedule1": "sch1_para_18",
            "article10": "official_authority",
            "statutory_gateways": ["Children Act 1989 s47", "Children Act 2004 s11"],
        },
        "consent_required": False,
        "safeguarding_override": True,
        "effective_from": year_ago,
        "review_date": today + timedelta(days=45),
        "expires_on": today + timedelta(days=730),
        "retention": "Six years after the child's 25th birthday.",
        "security_measures": "Secure email (NHSmail/CJSM) or the MASH case system only.",
        "dpia_reference": "DPIA-MASH-2025-03",
    }
    mash = _draft(
        users,
        "CSC",
        "ISA-2025-001",
        "Riverside MASH: children's safeguarding",
        [("CSC", "both"), ("POL", "both"), ("NHS", "both"), ("SCH", "both")],
        description="Sharing at the front door of the Multi-Agency Safeguarding Hub.",
        **safeguarding,
    )
    _sign_all(users, mash, signed_on=year_ago)

    early_help = _draft(
        users,
        "CSC",
        "ISA-2026-004",
        "Early help family support (with consent)",
        [("CSC", "provider"), ("VOL", "recipient"), ("SCH", "provider")],
        purposes=["early_help"],
        data_categories=["identity_contact", "family_household", "education"],
        lawful_basis={"article6": "consent", "statutory_gateways": []},
        consent_required=True,
        safeguarding_override=False,
        effective_from=year_ago,
        review_date=today + timedelta(days=200),
        expires_on=today + timedelta(days=400),
        dpia_reference="DPIA-EH-2026-01",
    )
    _sign_all(users, early_help, signed_on=year_ago)

    housing = _draft(
        users,
        "HOU",
        "ISA-2026-009",
        "Housing and adult safeguarding",
        [("HOU", "provider"), ("ASC", "recipient")],
        purposes=["safeguarding_adults"],
        data_categories=["identity_contact", "housing"],
        lawful_basis={"article6": "public_task", "statutory_gateways": ["Care Act 2014 s42"]},
        effective_from=today,
        review_date=today + timedelta(days=365),
        expires_on=today + timedelta(days=1095),
    )
    agreements_service.sign_agreement(housing.reference, _lead(users, "HOU"))  # awaiting ASC

    _draft(
        users,
        "POL",
        "ISA-2026-011",
        "Domestic abuse MARAC information sharing",
        [("POL", "both"), ("CSC", "both"), ("HOU", "both"), ("NHS", "both")],
        purposes=["domestic_abuse_risk"],
        data_categories=["identity_contact", "family_household", "criminal_offence"],
        lawful_basis={
            "article6": "public_task",
            "article10": "official_authority",
            "statutory_gateways": ["Crime and Disorder Act 1998 s115"],
        },
    )

    school_health = _draft(
        users,
        "SCH",
        "ISA-2024-002",
        "School nursing referrals",
        [("SCH", "provider"), ("NHS", "recipient")],
        purposes=["care_coordination"],
        data_categories=["identity_contact", "education"],
        lawful_basis={"article6": "public_task", "statutory_gateways": ["Education Act 2002 s175"]},
        effective_from=year_ago - timedelta(days=365),
        expires_on=today + timedelta(days=90),
        review_date=today - timedelta(days=10),
    )
    _sign_all(users, school_health, signed_on=year_ago - timedelta(days=365))
    agreements_service.suspend_agreement(
        school_health.reference, "Data breach under investigation.", _lead(users, "NHS")
    )

    old = _draft(
        users,
        "CSC",
        "ISA-2023-007",
        "Youth offending information exchange (old)",
        [("CSC", "both"), ("POL", "both")],
        purposes=["crime_prevention"],
        data_categories=["identity_contact"],
        lawful_basis={"article6": "public_task", "statutory_gateways": []},
        effective_from=year_ago - timedelta(days=700),
    )
    _sign_all(users, old, signed_on=year_ago - timedelta(days=700))
    agreements_service.terminate_agreement(
        old.reference, "Replaced by the MASH agreement.", _lead(users, "POL")
    )
    agreements_service.update_agreement(
        mash.reference,
        {"purposes": ["safeguarding_children", "child_protection_enquiry", "domestic_abuse_risk"]},
        _lead(users, "CSC"),
    )
    db.session.flush()


def _consents_and_checks(users) -> None:
    today = today_uk()
    practitioner = users["practitioner.csc@demo.example"]
    record_consent(
        "DEMO-0001",
        {
            "status": "refused",
            "given_by": "parent",
            "method": "verbal",
            "effective_from": today - timedelta(days=20),
            "notes": "Mother declined early help.",
        },
        practitioner,
    )
    record_consent(
        "DEMO-0002",
        {
            "status": "granted",
            "given_by": "subject",
            "method": "written",
            "agreement": "ISA-2026-004",
            "effective_from": today - timedelta(days=60),
            "expires_on": today + timedelta(days=305),
        },
        practitioner,
    )
    check = run_check(
        {
            "provider": "CSC",
            "recipient": "VOL",
            "subject": "DEMO-0002",
            "purpose": "early_help",
            "data_categories": ["identity_contact", "family_household"],
        },
        practitioner,
    )
    record_decision(
        check.id, {"shared": True, "method": "secure email", "person_informed": "yes"}, practitioner
    )
    run_check(
        {
            "provider": "CSC",
            "recipient": "VOL",
            "subject": "DEMO-0001",
            "purpose": "early_help",
            "data_categories": ["identity_contact"],
            "risk_of_harm": False,
        },
        practitioner,
    )
