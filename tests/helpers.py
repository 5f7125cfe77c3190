"""Test helpers: a small world of agencies and users, and agreement payloads."""

from dataclasses import dataclass, field

from sqlalchemy import select

from registry.auth import issue_token
from registry.extensions import db
from registry.models import Agreement
from registry.services.agencies import create_agency
from registry.services.users import create_user

PASSWORD = "correct-horse-battery"

AGENCIES = {
    "CSC": ("Children's Services", "children_social_care", "APD-CSC"),
    "POL": ("Police", "police", "APD-POL"),
    "NHS": ("NHS Trust", "health", None),
    "SCH": ("Academy", "education", "APD-SCH"),
    "VOL": ("Family Charity", "voluntary", None),
    "OTH": ("Unrelated Housing", "housing", None),
}


@dataclass
class World:
    #: agency code -> id
    agencies: dict[str, int] = field(default_factory=dict)
    #: user key ("admin", "lead_csc", "prac_pol", ...) -> id
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls) -> "World":
        world = cls()
        for code, (name, sector, apd) in AGENCIES.items():
            agency = create_agency(
                {"code": code, "name": name, "sector": sector, "policy_document": apd}, None
            )
            world.agencies[code] = agency.id
        world.add_user("admin", "admin")
        world.add_user("auditor", "auditor")
        for code in AGENCIES:
            world.add_user(f"lead_{code.lower()}", "agency_lead", code)
            world.add_user(f"prac_{code.lower()}", "practitioner", code)
        db.session.commit()
        return world

    def add_user(self, key: str, role: str, agency: str | None = None) -> int:
        user = create_user(
            {
                "email": f"{key}@example.org",
                "name": key.replace("_", " ").title(),
                "role": role,
                "agency": agency,
                "password": PASSWORD,
            },
            None,
        )
        self.users[key] = user.id
        self.tokens[key], _ = issue_token(user)
        return user.id

    def headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[key]}"}


def agreement_payload(reference: str = "ISA-1", parties=None, **overrides) -> dict:
    """A valid safeguarding agreement between CSC and POL unless told otherwise."""
    payload = {
        "reference": reference,
        "title": f"Agreement {reference}",
        "parties": parties
        or [{"agency": "CSC", "role": "both"}, {"agency": "POL", "role": "both"}],
        "purposes": ["safeguarding_children", "child_protection_enquiry"],
        "data_categories": ["identity_contact", "social_care", "health"],
        "lawful_basis": {
            "article6": "public_task",
            "article9": "substantial_public_interest",
            "schedule1": "sch1_para_18",
            "statutory_gateways": ["Children Act 1989 s47"],
        },
        "consent_required": False,
        "safeguarding_override": True,
        "effective_from": "2026-01-01",
        "review_date": "2027-01-01",
        "expires_on": "2028-01-01",
    }
    payload.update(overrides)
    return payload


def create_agreement(client, world: World, payload: dict, drafter: str | None = None) -> dict:
    drafter = drafter or f"lead_{payload['parties'][0]['agency'].lower()}"
    response = client.post("/api/v1/agreements", json=payload, headers=world.headers(drafter))
    assert response.status_code == 201, response.json
    return response.json


def sign_all(client, world: World, reference: str, parties: list[str]) -> dict:
    body = None
    for code in parties:
        response = client.post(
            f"/api/v1/agreements/{reference}/signatures",
            headers=world.headers(f"lead_{code.lower()}"),
        )
        assert response.status_code == 201, response.json
        body = response.json
    return body


def active_agreement(client, world: World, reference: str = "ISA-1", **overrides) -> dict:
    payload = agreement_payload(reference, **overrides)
    create_agreement(client, world, payload)
    return sign_all(client, world, reference, [p["agency"] for p in payload["parties"]])


def check_payload(**overrides) -> dict:
    payload = {
        "provider": "CSC",
        "recipient": "POL",
        "subject": "943 476 5919",
        "purpose": "safeguarding_children",
        "data_categories": ["social_care"],
    }
    payload.update(overrides)
    return payload


def assert_error(response, status: int) -> dict:
    """The API's error shape: {code, status, message}, with this status."""
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    return body


def assert_field_errors(response, *fields: str, where: str = "json") -> dict:
    """A 422 with a non-empty message for each of these fields."""
    body = assert_error(response, 422)
    errors = body["errors"][where]
    assert set(fields) <= set(errors), errors
    for name in fields:
        assert errors[name] and all(isinstance(m, str) and m for m in errors[name])
    return errors


def generate_registry(runner, agreements: int, checks: int = 10) -> None:
    """A generated registry of 24 agencies and `agreements` agreements in every state."""
    result = runner.invoke(
        args=["registry", "generate", "--agencies", "24", "--agreements", str(agreements)]
        + ["--people", "10", "--checks", str(checks)]
    )
    assert result.exit_code == 0, result.output


def agreements_involving(agency_id: int | None) -> list:
    """Every agreement (None) or those with the agency as a party to any version, by reference.

    The ORM's answer to "which agreements may this lead see", for comparing reports with.
    """
    agreements = db.session.scalars(select(Agreement).order_by(Agreement.reference)).all()
    if agency_id is None:
        return list(agreements)
    return [
        agreement
        for agreement in agreements
        if any(party.agency_id == agency_id for v in agreement.versions for party in v.parties)
    ]
