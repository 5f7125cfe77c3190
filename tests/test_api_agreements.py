"""The agreement lifecycle through the API: draft, validate, sign, amend, suspend, end."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.clock import today_uk
from registry.extensions import db
from registry.models import Agreement, AgreementVersion, AuditEvent, Signature
from tests.helpers import (
    active_agreement,
    agreement_payload,
    check_payload,
    create_agreement,
    sign_all,
)

API = "/api/v1/agreements"


def _iso(days: int = 0) -> str:
    return (today_uk() + timedelta(days=days)).isoformat()


def _sign(client, world, reference, lead):
    return client.post(f"{API}/{reference}/signatures", headers=world.headers(lead))


def _get(client, world, reference, who="admin"):
    response = client.get(f"{API}/{reference}", headers=world.headers(who))
    assert response.status_code == 200, response.json
    return response.json


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _field_errors(response) -> dict:
    assert response.status_code == 422, response.json
    return response.json["errors"]["json"]


# --- drafting -------------------------------------------------------------------------


def test_draft_is_version_1_and_signed_by_nobody(client, world):
    response = client.post(API, json=agreement_payload(), headers=world.headers("lead_csc"))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["reference"] == "ISA-1"
    assert body["status"] == "draft"
    assert body["version"] == 1
    assert body["signatures"] == []
    assert body["awaiting_signatures"] == ["CSC", "POL"]
    assert body["pending_version"] is None
    assert body["parties"] == [
        {"agency": "CSC", "role": "both"},
        {"agency": "POL", "role": "both"},
    ]
    assert body["lawful_basis"]["article9"] == "substantial_public_interest"
    assert [v["state"] for v in body["versions"]] == ["draft"]
    # The draft is stored as drafted, and GET agrees.
    shown = _get(client, world, "ISA-1", "lead_pol")
    assert shown["status"] == "draft" and shown["signatures"] == []


def test_duplicate_reference_is_409_and_changes_nothing(app, client, world):
    create_agreement(client, world, agreement_payload())
    before = _count(app, AgreementVersion)
    response = client.post(
        API, json=agreement_payload(title="Other"), headers=world.headers("admin")
    )
    assert response.status_code == 409, response.json
    assert "ISA-1" in response.json["message"]
    assert _count(app, AgreementVersion) == before
    assert _get(client, world, "ISA-1")["title"] == "Agreement ISA-1"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"purposes": ["gossip"]}, "purposes"),
        ({"data_categories": ["shoe_size"]}, "data_categories"),
        (
            {"parties": [{"agency": "CSC", "role": "both"}, {"agency": "ZZZ", "role": "both"}]},
            "parties",
        ),
        (
            {"parties": [{"agency": "CSC", "role": "both"}, {"agency": "CSC", "role": "both"}]},
            "parties",
        ),
        ({"parties": [{"agency": "CSC", "role": "both"}]}, "parties"),
        (
            {"parties": [{"agency": "CSC", "role": "boss"}, {"agency": "POL", "role": "both"}]},
            "parties",
        ),
        ({"effective_from": "2026-06-01", "expires_on": "2026-05-31"}, "expires_on"),
        ({"effective_from": "2026-06-01", "expires_on": "2026-06-01"}, "expires_on"),
        ({"lawful_basis": {"article6": "because_we_can"}}, "lawful_basis"),
        ({"lawful_basis": {"article6": "public_task", "article9": "vibes"}}, "lawful_basis"),
        (
            {"lawful_basis": {"article6": "public_task", "schedule1": "sch1_para_99"}},
            "lawful_basis",
        ),
        ({"effective_from": "not-a-date"}, "effective_from"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_invalid_draft_is_422_per_field_and_stores_nothing(app, client, world, overrides, field):
    response = client.post(API, json=agreement_payload(**overrides), headers=world.headers("admin"))
    errors = _field_errors(response)
    assert list(errors) == [field], errors
    assert _count(app, Agreement) == 0
    assert _count(app, AuditEvent) == _count_before_world(app)


def _count_before_world(app) -> int:
    # World.build records agency and user creations; nothing else may be on the trail.
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(["agency.create", "user.create"]))
        )


def test_missing_required_fields_are_named(client, world):
    response = client.post(API, json={"title": "x"}, headers=world.headers("admin"))
    errors = _field_errors(response)
    assert set(errors) == {"reference", "parties"}


def test_lead_cannot_draft_for_other_agencies(client, world):
    response = client.post(API, json=agreement_payload(), headers=world.headers("lead_sch"))
    assert response.status_code == 403, response.json
    assert client.get(f"{API}/ISA-1", headers=world.headers("admin")).status_code == 404


# --- signing --------------------------------------------------------------------------


def test_active_only_when_the_last_party_signs(client, world):
    create_agreement(
        client,
        world,
        agreement_payload(
            parties=[
                {"agency": "CSC", "role": "both"},
                {"agency": "POL", "role": "recipient"},
                {"agency": "SCH", "role": "provider"},
            ]
        ),
    )
    first = _sign(client, world, "ISA-1", "lead_csc")
    assert first.status_code == 201, first.json
    assert first.json["status"] == "draft"
    assert [s["agency"] for s in first.json["signatures"]] == ["CSC"]
    assert first.json["awaiting_signatures"] == ["POL", "SCH"]
    second = _sign(client, world, "ISA-1", "lead_sch")
    assert second.json["status"] == "draft"
    assert second.json["awaiting_signatures"] == ["POL"]
    last = _sign(client, world, "ISA-1", "lead_pol")
    assert last.status_code == 201, last.json
    body = last.json
    assert body["status"] == "active"
    assert body["version"] == 1
    assert {s["agency"] for s in body["signatures"]} == {"CSC", "POL", "SCH"}
    assert body["awaiting_signatures"] == []
    assert body["versions"][0]["state"] == "in_force"
    assert body["versions"][0]["activated_on"] == _iso()


def test_signing_twice_is_409(client, world):
    create_agreement(client, world, agreement_payload())
    assert _sign(client, world, "ISA-1", "lead_csc").status_code == 201
    again = _sign(client, world, "ISA-1", "lead_csc")
    assert again.status_code == 409, again.json
    assert "already signed" in again.json["message"]
    assert [s["agency"] for s in _get(client, world, "ISA-1")["signatures"]] == ["CSC"]


def test_nothing_to_sign_is_409(client, world):
    active_agreement(client, world)
    response = _sign(client, world, "ISA-1", "lead_csc")
    assert response.status_code == 409, response.json
    assert "no version waiting" in response.json["message"]


def test_non_party_lead_and_practitioner_cannot_sign(client, world):
    create_agreement(client, world, agreement_payload())
    assert _sign(client, world, "ISA-1", "lead_sch").status_code == 403
    assert _sign(client, world, "ISA-1", "prac_csc").status_code == 403
    assert _sign(client, world, "ISA-1", "admin").status_code == 403
    assert _get(client, world, "ISA-1")["signatures"] == []


def test_sign_unknown_agreement_is_404(client, world):
    response = _sign(client, world, "NOPE", "lead_csc")
    assert response.status_code == 404, response.json


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        (
            {
                "data_categories": ["health"],
                "lawful_basis": {"article6": "public_task"},
            },
            "lawful_basis.article9",
            "special category",
        ),
        (
            {
                "data_categories": ["health"],
                "lawful_basis": {
                    "article6": "public_task",
                    "article9": "substantial_public_interest",
                    "schedule1": "sch1_para_2",
                },
            },
            "lawful_basis.schedule1",
            "paragraph 2",
        ),
        (
            {
                "data_categories": ["health"],
                "lawful_basis": {
                    "article6": "public_task",
                    "article9": "substantial_public_interest",
                },
            },
            "lawful_basis.schedule1",
            "needs a DPA 2018 Schedule 1 condition",
        ),
        (
            {
                "data_categories": ["criminal_offence"],
                "lawful_basis": {"article6": "public_task"},
            },
            "lawful_basis.article10",
            "criminal offence",
        ),
        (
            {
                "data_categories": ["social_care"],
                "lawful_basis": {"article6": "consent"},
                "consent_required": False,
            },
            "consent_required",
            "consent",
        ),
    ],
)
def test_signing_fails_lawful_basis_checks_with_422(app, client, world, overrides, field, words):
    payload = agreement_payload(**overrides)
    created = create_agreement(client, world, payload)
    # The draft says what blocks it before anyone signs.
    assert field in created["activation_problems"]
    response = _sign(client, world, "ISA-1", "lead_csc")
    errors = _field_errors(response)
    assert list(errors) == [field], errors
    assert words in " ".join(errors[field])
    assert _count(app, Signature) == 0
    assert _get(client, world, "ISA-1")["status"] == "draft"


def test_article9_without_schedule1_need_activates(client, world):
    body = active_agreement(
        client,
        world,
        data_categories=["health"],
        lawful_basis={"article6": "public_task", "article9": "vital_interests"},
    )
    assert body["status"] == "active"


def test_criminal_offence_with_official_authority_activates(client, world):
    body = active_agreement(
        client,
        world,
        data_categories=["criminal_offence"],
        lawful_basis={"article6": "public_task", "article10": "official_authority"},
    )
    assert body["status"] == "active"
    assert body["lawful_basis"]["article10"] == "official_authority"


# --- editing and amending -------------------------------------------------------------


def test_patch_draft_edits_in_place_and_clears_signatures(app, client, world):
    create_agreement(client, world, agreement_payload())
    assert _sign(client, world, "ISA-1", "lead_csc").status_code == 201
    response = client.patch(
        f"{API}/ISA-1", json={"title": "Renamed"}, headers=world.headers("lead_pol")
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["title"] == "Renamed"
    assert body["version"] == 1
    assert body["status"] == "draft"
    assert body["signatures"] == []
    assert body["awaiting_signatures"] == ["CSC", "POL"]
    assert len(body["versions"]) == 1
    assert _count(app, AgreementVersion) == 1
    # Both parties sign the edited text; CSC's old signature does not count.
    assert _sign(client, world, "ISA-1", "lead_pol").json["status"] == "draft"
    assert _sign(client, world, "ISA-1", "lead_csc").json["status"] == "active"


def test_patch_draft_parties_replaces_them(client, world):
    create_agreement(client, world, agreement_payload())
    response = client.patch(
        f"{API}/ISA-1",
        json={
            "parties": [
                {"agency": "CSC", "role": "provider"},
                {"agency": "SCH", "role": "recipient"},
            ]
        },
        headers=world.headers("lead_csc"),
    )
    assert response.status_code == 200, response.json
    assert response.json["parties"] == [
        {"agency": "CSC", "role": "provider"},
        {"agency": "SCH", "role": "recipient"},
    ]
    assert response.json["awaiting_signatures"] == ["CSC", "SCH"]


def test_patch_with_bad_values_is_422_and_changes_nothing(client, world):
    create_agreement(client, world, agreement_payload())
    response = client.patch(
        f"{API}/ISA-1", json={"expires_on": "2025-01-01"}, headers=world.headers("lead_csc")
    )
    assert list(_field_errors(response)) == ["expires_on"]
    assert _get(client, world, "ISA-1")["expires_on"] == "2028-01-01"


def test_amending_an_agreement_in_force_creates_a_pending_version(client, world):
    active_agreement(client, world)
    response = client.patch(
        f"{API}/ISA-1",
        json={"title": "Amended", "purposes": ["safeguarding_children", "early_help"]},
        headers=world.headers("lead_csc"),
    )
    assert response.status_code == 200, response.json
    body = response.json
    # Version 1 stays in force and is what the agreement shows.
    assert body["status"] == "active"
    assert body["version"] == 1
    assert body["title"] == "Agreement ISA-1"
    pending = body["pending_version"]
    assert pending["version"] == 2
    assert pending["title"] == "Amended"
    assert pending["signatures"] == []
    assert pending["awaiting_signatures"] == ["CSC", "POL"]
    assert [v["state"] for v in body["versions"]] == ["in_force", "draft"]
    # Editing the pending draft again edits version 2 in place.
    again = client.patch(
        f"{API}/ISA-1", json={"description": "v2 text"}, headers=world.headers("admin")
    )
    assert again.json["pending_version"]["version"] == 2
    assert again.json["pending_version"]["description"] == "v2 text"
    assert len(again.json["versions"]) == 2

    # Half-signed: still version 1 in force.
    half = _sign(client, world, "ISA-1", "lead_pol").json
    assert half["version"] == 1 and half["status"] == "active"
    assert [s["agency"] for s in half["pending_version"]["signatures"]] == ["POL"]
    # A check now uses version 1, which does not cover early help.
    prac = world.headers("prac_csc")
    early = client.post("/api/v1/checks", json=check_payload(purpose="early_help"), headers=prac)
    assert early.json["outcome"] == "do_not_share"
    assert "PURPOSE_NOT_COVERED" in [r["code"] for r in early.json["reasons"]]

    done = _sign(client, world, "ISA-1", "lead_csc").json
    assert done["status"] == "active"
    assert done["version"] == 2
    assert done["title"] == "Amended"
    assert done["pending_version"] is None
    states = {v["version"]: v for v in done["versions"]}
    assert states[1]["state"] == "superseded"
    assert states[1]["replaced_on"] == _iso()
    assert states[2]["state"] == "in_force"
    assert states[2]["changed_fields"] == ["title", "description", "purposes"]
    assert states[1]["changed_fields"] == []
    late = client.post("/api/v1/checks", json=check_payload(purpose="early_help"), headers=prac)
    assert late.json["outcome"] == "share"
    assert late.json["agreement"] == {"reference": "ISA-1", "version": 2}


def test_check_between_the_dates_uses_the_right_version(client, world):
    active_agreement(client, world, effective_from=_iso(-30))
    client.patch(
        f"{API}/ISA-1",
        json={"effective_from": _iso(10), "data_categories": ["social_care", "education"]},
        headers=world.headers("lead_csc"),
    )
    body = sign_all(client, world, "ISA-1", ["CSC", "POL"])
    assert body["version"] == 2
    assert body["versions"][0]["replaced_on"] == _iso(10)
    prac = world.headers("prac_csc")

    def check(days):
        response = client.post(
            "/api/v1/checks",
            json=check_payload(date=_iso(days), data_categories=["social_care"]),
            headers=prac,
        )
        assert response.status_code == 201, response.json
        return response.json

    assert check(0)["agreement"] == {"reference": "ISA-1", "version": 1}
    assert check(9)["agreement"] == {"reference": "ISA-1", "version": 1}
    assert check(10)["agreement"] == {"reference": "ISA-1", "version": 2}
    # Version 1 ends the day version 2 begins, so valid_until stops the day before.
    assert check(0)["valid_until"] == _iso(9)


def test_past_history_built_in_the_database_picks_the_version_of_the_day(app, client, world):
    active_agreement(client, world, effective_from=None)
    client.patch(
        f"{API}/ISA-1", json={"purposes": ["early_help"]}, headers=world.headers("lead_csc")
    )
    sign_all(client, world, "ISA-1", ["CSC", "POL"])
    today = today_uk()
    with app.app_context():
        v1, v2 = db.session.scalars(
            select(AgreementVersion).order_by(AgreementVersion.number)
        ).all()
        v1.activated_on = today - timedelta(days=60)
        v1.replaced_on = today - timedelta(days=20)
        v2.activated_on = today - timedelta(days=20)
        db.session.commit()
    prac = world.headers("prac_csc")

    def check(days, purpose):
        payload = check_payload(date=(today + timedelta(days=days)).isoformat(), purpose=purpose)
        return client.post("/api/v1/checks", json=payload, headers=prac).json

    assert check(-61, "safeguarding_children")["outcome"] == "do_not_share"
    old = check(-30, "safeguarding_children")
    assert old["outcome"] == "share" and old["agreement"]["version"] == 1
    assert check(-30, "early_help")["outcome"] == "do_not_share"
    new = check(-20, "early_help")
    assert new["outcome"] == "share" and new["agreement"]["version"] == 2
    assert check(-20, "safeguarding_children")["outcome"] == "do_not_share"


# --- suspend, resume, terminate -------------------------------------------------------


def _action(client, world, who, action, reference="ISA-1", reason="Because"):
    body = {} if reason is None else {"reason": reason}
    return client.post(f"{API}/{reference}/{action}", json=body, headers=world.headers(who))


def test_suspend_resume_terminate_and_their_history(client, world):
    active_agreement(client, world)
    suspended = _action(client, world, "lead_pol", "suspend", reason="Breach under review")
    assert suspended.status_code == 200, suspended.json
    assert suspended.json["status"] == "suspended"
    again = _action(client, world, "admin", "suspend")
    assert again.status_code == 409, again.json
    resumed = _action(client, world, "lead_csc", "resume", reason=None)
    assert resumed.status_code == 200, resumed.json
    assert resumed.json["status"] == "active"
    assert _action(client, world, "lead_csc", "resume").status_code == 409
    ended = _action(client, world, "admin", "terminate", reason="Service closed")
    assert ended.status_code == 200, ended.json
    assert ended.json["status"] == "terminated"
    assert ended.json["terminated_on"] == _iso()
    events = ended.json["events"]
    assert [(e["kind"], e["reason"], e["on"]) for e in events] == [
        ("suspended", "Breach under review", _iso()),
        ("resumed", None, _iso()),
        ("terminated", "Service closed", _iso()),
    ]
    assert [e["by"] for e in events] == ["Lead Pol", "Lead Csc", "Admin"]
    # A terminated agreement cannot change at all.
    for action in ("suspend", "resume", "terminate"):
        response = _action(client, world, "admin", action)
        assert response.status_code == 409, (action, response.json)
        assert "terminated" in response.json["message"]
    patch = client.patch(f"{API}/ISA-1", json={"title": "x"}, headers=world.headers("admin"))
    assert patch.status_code == 409, patch.json
    assert _get(client, world, "ISA-1")["events"] == events


def test_wrong_state_transitions_are_409(client, world):
    create_agreement(client, world, agreement_payload())
    response = _action(client, world, "lead_csc", "suspend")
    assert response.status_code == 409, response.json
    assert "draft" in response.json["message"]
    assert _action(client, world, "lead_csc", "resume").status_code == 409
    active_agreement(client, world, "ISA-2")
    assert _action(client, world, "admin", "resume", "ISA-2").status_code == 409
    assert _get(client, world, "ISA-2")["events"] == []


def test_suspend_needs_a_reason_and_a_manager(client, world):
    active_agreement(client, world)
    missing = _action(client, world, "lead_csc", "suspend", reason=None)
    assert list(_field_errors(missing)) == ["reason"]
    assert _action(client, world, "lead_sch", "suspend").status_code == 403
    assert _action(client, world, "prac_csc", "suspend").status_code == 403
    assert _action(client, world, "auditor", "terminate").status_code == 403
    assert _get(client, world, "ISA-1")["status"] == "active"


# --- listing --------------------------------------------------------------------------


def _list(client, world, who="admin", **params):
    response = client.get(API, query_string=params, headers=world.headers(who))
    assert response.status_code == 200, response.json
    return response.json


def test_list_filters_and_pagination(client, world):
    active_agreement(client, world, "ISA-A", title="Child protection")
    create_agreement(
        client,
        world,
        agreement_payload(
            "ISA-B",
            title="School welfare",
            parties=[{"agency": "SCH", "role": "both"}, {"agency": "CSC", "role": "both"}],
            purposes=["education_welfare"],
        ),
    )
    active_agreement(
        client,
        world,
        "ISA-C",
        parties=[{"agency": "NHS", "role": "provider"}, {"agency": "POL", "role": "recipient"}],
        purposes=["crime_prevention"],
    )
    _action(client, world, "admin", "suspend", "ISA-C")

    def refs(**params):
        return [a["reference"] for a in _list(client, world, **params)["items"]]

    assert refs() == ["ISA-A", "ISA-B", "ISA-C"]
    assert refs(agency="SCH") == ["ISA-B"]
    assert refs(agency="POL") == ["ISA-A", "ISA-C"]
    assert refs(status="active") == ["ISA-A"]
    assert refs(status="draft") == ["ISA-B"]
    assert refs(status="suspended") == ["ISA-C"]
    assert refs(status="terminated") == []
    assert refs(purpose="education_welfare") == ["ISA-B"]
    assert refs(purpose="safeguarding_children") == ["ISA-A"]
    assert refs(q="welfare") == ["ISA-B"]
    assert refs(q="isa-c") == ["ISA-C"]
    page = _list(client, world, per_page=2, page=2)
    assert page["total"] == 3 and page["page"] == 2 and page["per_page"] == 2
    assert [a["reference"] for a in page["items"]] == ["ISA-C"]
    # Leads and practitioners see their own agency's agreements only.
    assert [a["reference"] for a in _list(client, world, "prac_sch")["items"]] == ["ISA-B"]
    assert _list(client, world, "lead_vol")["total"] == 0
    assert client.get(f"{API}/ISA-B", headers=world.headers("prac_nhs")).status_code == 403


@pytest.mark.parametrize(
    "params", [{"status": "sleeping"}, {"purpose": "gossip"}, {"per_page": 501}, {"page": 0}]
)
def test_list_rejects_bad_query_values(client, world, params):
    response = client.get(API, query_string=params, headers=world.headers("admin"))
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]["query"]) == list(params)


def test_expired_when_the_version_in_force_has_expired(app, client, world):
    active_agreement(client, world, "ISA-X", effective_from=None, expires_on=_iso(1))
    active_agreement(client, world, "ISA-Y")
    assert _get(client, world, "ISA-X")["status"] == "active"
    with app.app_context():
        version = db.session.scalar(
            select(AgreementVersion)
            .join(Agreement, Agreement.id == AgreementVersion.agreement_id)
            .where(Agreement.reference == "ISA-X")
        )
        version.activated_on = today_uk() - timedelta(days=10)
        version.effective_from = today_uk() - timedelta(days=10)
        version.expires_on = today_uk()
        db.session.commit()
    assert _get(client, world, "ISA-X")["status"] == "expired"
    assert [a["reference"] for a in _list(client, world, status="expired")["items"]] == ["ISA-X"]
    assert [a["reference"] for a in _list(client, world, status="active")["items"]] == ["ISA-Y"]
    response = client.post(
        "/api/v1/checks", json=check_payload(), headers=world.headers("prac_csc")
    )
    reasons = {r["code"]: r["message"] for r in response.json["reasons"]}
    # ISA-Y covers it; ISA-X is listed nowhere as covering.
    assert response.json["agreement"]["reference"] == "ISA-Y"
    assert response.json["also_covered_by"] == []
    assert "CONSENT_NOT_REQUIRED" in reasons


def test_amending_the_parties_needs_the_new_party_to_sign(client, world):
    active_agreement(client, world)
    parties = [
        {"agency": "CSC", "role": "both"},
        {"agency": "POL", "role": "both"},
        {"agency": "SCH", "role": "recipient"},
    ]
    response = client.patch(
        f"{API}/ISA-1", json={"parties": parties}, headers=world.headers("lead_pol")
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["parties"] == parties[:2]  # version 1 still in force
    assert body["pending_version"]["parties"] == parties
    assert body["pending_version"]["awaiting_signatures"] == ["CSC", "POL", "SCH"]
    # SCH is not a party of version 1, yet signs version 2 for its agency.
    prac = world.headers("prac_csc")
    before = client.post("/api/v1/checks", json=check_payload(recipient="SCH"), headers=prac)
    assert [r["code"] for r in before.json["reasons"]] == ["AGREEMENT_NOT_IN_FORCE"]
    done = sign_all(client, world, "ISA-1", ["SCH", "CSC", "POL"])
    assert done["version"] == 2 and done["parties"] == parties
    assert done["versions"][1]["changed_fields"] == ["parties"]
    after = client.post("/api/v1/checks", json=check_payload(recipient="SCH"), headers=prac)
    assert after.json["outcome"] == "share"
    assert after.json["agreement"] == {"reference": "ISA-1", "version": 2}


def test_a_terminated_draft_cannot_be_signed(client, world):
    create_agreement(client, world, agreement_payload())
    ended = _action(client, world, "lead_csc", "terminate", reason="Abandoned")
    assert ended.status_code == 200, ended.json
    assert ended.json["status"] == "terminated"
    response = _sign(client, world, "ISA-1", "lead_pol")
    assert response.status_code == 409, response.json
    assert "terminated" in response.json["message"]
    assert _get(client, world, "ISA-1")["signatures"] == []
