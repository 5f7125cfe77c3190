"""Share checks end to end through the API, with real agreements and consent records."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from registry.clock import today_uk
from registry.extensions import db
from registry.models import AuditEvent, ShareCheck, ShareDecision
from registry.subjects import subject_hash
from tests.helpers import active_agreement, agreement_payload, check_payload, create_agreement

CHECKS = "/api/v1/checks"
SUBJECT = "943 476 5919"
RESULT_FIELDS = {
    "id",
    "outcome",
    "reasons",
    "agreement",
    "also_covered_by",
    "lawful_basis",
    "consent",
    "requires_justification",
    "valid_until",
    "checked_at",
}


def _iso(days: int = 0) -> str:
    return (today_uk() + timedelta(days=days)).isoformat()


def _check(client, world, who="prac_csc", expect=201, **overrides) -> dict:
    response = client.post(CHECKS, json=check_payload(**overrides), headers=world.headers(who))
    assert response.status_code == expect, response.json
    return response.json


def _codes(result: dict) -> list[str]:
    return [reason["code"] for reason in result["reasons"]]


def _consent(client, world, status, who="prac_csc", subject=SUBJECT, **fields) -> dict:
    payload = {"status": status, "given_by": "parent", "method": "written", **fields}
    response = client.post(
        f"/api/v1/subjects/{subject}/consents", json=payload, headers=world.headers(who)
    )
    assert response.status_code == 201, response.json
    return response.json


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(ShareCheck)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
        )


def _consent_agreement(client, world, **overrides):
    return active_agreement(client, world, consent_required=True, **overrides)


# --- the result and the plain cases ---------------------------------------------------


def test_share_result_has_every_field_of_the_contract(app, client, world):
    active_agreement(client, world)
    result = _check(client, world)
    assert set(result) >= RESULT_FIELDS
    assert result["outcome"] == "share"
    assert _codes(result) == ["CONSENT_NOT_REQUIRED"]
    assert all(r["message"] for r in result["reasons"])
    assert result["agreement"] == {"reference": "ISA-1", "version": 1}
    assert result["also_covered_by"] == []
    assert result["lawful_basis"]["article6"] == "public_task"
    assert result["lawful_basis"]["article9"] == "substantial_public_interest"
    assert result["lawful_basis"]["schedule1"] == "sch1_para_18"
    assert result["consent"] is None
    assert result["requires_justification"] is False
    assert result["valid_until"] == "2027-12-31"  # the day before expires_on 2028-01-01
    checked_at = datetime.fromisoformat(result["checked_at"])
    assert checked_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - checked_at) < timedelta(minutes=5)
    assert result["provider"] == "CSC" and result["recipient"] == "POL"
    assert result["date"] == _iso()
    assert result["decision"] is None
    assert "subject" not in result
    with app.app_context():
        stored = db.session.get(ShareCheck, result["id"])
        assert stored.subject_hash == subject_hash(SUBJECT)
        assert stored.outcome == "share"
        assert stored.agreement_version_id is not None
        assert stored.checked_by_id == world.users["prac_csc"]


def test_no_agreement(client, world):
    result = _check(client, world, recipient="SCH")
    assert result["outcome"] == "do_not_share"
    assert _codes(result) == ["NO_AGREEMENT"]
    assert result["agreement"] is None and result["lawful_basis"] is None
    assert result["valid_until"] is None
    assert result["requires_justification"] is False


def test_roles_decide_the_direction(client, world):
    active_agreement(
        client,
        world,
        parties=[{"agency": "CSC", "role": "provider"}, {"agency": "POL", "role": "recipient"}],
    )
    assert _check(client, world)["outcome"] == "share"
    backwards = _check(client, world, who="prac_pol", provider="POL", recipient="CSC")
    assert _codes(backwards) == ["NO_AGREEMENT"]


def test_draft_agreement_is_not_in_force(client, world):
    create_agreement(client, world, agreement_payload())
    result = _check(client, world)
    assert result["outcome"] == "do_not_share"
    assert _codes(result) == ["AGREEMENT_NOT_IN_FORCE"]
    assert "draft" in result["reasons"][0]["message"].lower()
    assert result["agreement"] is None


def test_suspended_agreement_is_not_in_force(client, world):
    active_agreement(client, world)
    client.post(
        "/api/v1/agreements/ISA-1/suspend", json={"reason": "x"}, headers=world.headers("admin")
    )
    result = _check(client, world)
    assert result["outcome"] == "do_not_share"
    assert _codes(result) == ["AGREEMENT_NOT_IN_FORCE"]
    message = result["reasons"][0]["message"]
    assert "suspended" in message.lower()
    assert today_uk().strftime("%Y") in message
    # Resumed: in force again.
    client.post("/api/v1/agreements/ISA-1/resume", json={}, headers=world.headers("admin"))
    assert _check(client, world)["outcome"] == "share"


def test_signed_today_does_not_cover_the_past(client, world):
    active_agreement(client, world)
    result = _check(client, world, date=_iso(-1))
    assert result["outcome"] == "do_not_share"
    assert _codes(result) == ["AGREEMENT_NOT_IN_FORCE"]


def test_purpose_and_category_not_covered(client, world):
    active_agreement(client, world)
    purpose = _check(client, world, purpose="research_statistics")
    assert purpose["outcome"] == "do_not_share"
    assert _codes(purpose) == ["PURPOSE_NOT_COVERED"]
    category = _check(client, world, data_categories=["social_care", "housing", "financial"])
    assert category["outcome"] == "do_not_share"
    assert _codes(category) == ["CATEGORY_NOT_COVERED"]
    message = category["reasons"][0]["message"]
    assert "Housing" in message and "Financial" in message
    assert "Social care" not in message


def test_agency_inactive_after_deactivation(client, world):
    active_agreement(client, world)
    response = client.patch(
        "/api/v1/agencies/POL", json={"active": False}, headers=world.headers("admin")
    )
    assert response.status_code == 200, response.json
    result = _check(client, world)
    assert result["outcome"] == "do_not_share"
    assert "AGENCY_INACTIVE" in _codes(result)


def test_several_agreements_name_the_others(client, world):
    active_agreement(client, world, "ISA-1")
    active_agreement(client, world, "ISA-2")
    result = _check(client, world)
    assert result["outcome"] == "share"
    # The one activated most recently is chosen.
    assert result["agreement"] == {"reference": "ISA-2", "version": 1}
    assert result["also_covered_by"] == [{"reference": "ISA-1", "version": 1}]


def test_policy_document_missing_is_advisory(client, world):
    active_agreement(
        client,
        world,
        parties=[{"agency": "NHS", "role": "provider"}, {"agency": "CSC", "role": "recipient"}],
    )
    result = _check(client, world, who="prac_nhs", provider="NHS", recipient="CSC")
    assert result["outcome"] == "share"
    assert _codes(result) == ["CONSENT_NOT_REQUIRED", "POLICY_DOCUMENT_MISSING"]
    # CSC has a policy document on record: no advisory the other way.
    active_agreement(
        client,
        world,
        "ISA-2",
        parties=[{"agency": "CSC", "role": "provider"}, {"agency": "NHS", "role": "recipient"}],
    )
    other = _check(client, world, recipient="NHS")
    assert _codes(other) == ["CONSENT_NOT_REQUIRED"]


# --- consent --------------------------------------------------------------------------


def test_consent_granted(client, world):
    _consent_agreement(client, world)
    record = _consent(client, world, "granted", effective_from=_iso(-3), expires_on=_iso(30))
    result = _check(client, world)
    assert result["outcome"] == "share"
    assert _codes(result) == ["CONSENT_GRANTED"]
    assert result["consent"] == {
        "id": record["id"],
        "status": "granted",
        "given_by": "parent",
        "effective_from": _iso(-3),
        "expires_on": _iso(30),
    }
    assert result["valid_until"] == _iso(29)  # the day before the consent expires


def test_consent_identifier_spellings_are_the_same_person(client, world):
    _consent_agreement(client, world)
    _consent(client, world, "granted", subject="9434765919")
    assert _codes(_check(client, world, subject="943 476 5919")) == ["CONSENT_GRANTED"]
    assert _codes(_check(client, world, subject="943-476-5919"))[0] == "CONSENT_MISSING"


@pytest.mark.parametrize(
    ("status", "code"), [("refused", "CONSENT_REFUSED"), ("withdrawn", "CONSENT_WITHDRAWN")]
)
def test_consent_refused_or_withdrawn(client, world, status, code):
    _consent_agreement(client, world)
    _consent(client, world, "granted", effective_from=_iso(-10))
    record = _consent(client, world, status, effective_from=_iso(-2))
    result = _check(client, world)
    assert result["outcome"] == "do_not_share"
    assert _codes(result) == [code]
    assert result["consent"]["id"] == record["id"]


def test_consent_missing(client, world):
    _consent_agreement(client, world)
    _consent(client, world, "granted", subject="someone else")
    _consent(client, world, "granted", recipients=["NHS"])  # scoped to another recipient
    result = _check(client, world)
    assert result["outcome"] == "do_not_share"
    assert _codes(result) == ["CONSENT_MISSING"]
    assert result["consent"] is None


def test_consent_expired(app, client, world):
    _consent_agreement(client, world)
    _consent(client, world, "granted", effective_from=_iso(-30), expires_on=_iso(-1))
    result = _check(client, world)
    assert result["outcome"] == "do_not_share"
    assert _codes(result) == ["CONSENT_EXPIRED"]
    # On a day the grant was valid it applies (the agreement was not in force then, though).
    earlier = _check(client, world, date=_iso(-5))
    assert _codes(earlier) == ["AGREEMENT_NOT_IN_FORCE"]


def test_safeguarding_override(client, world):
    _consent_agreement(client, world)
    _consent(client, world, "refused")
    result = _check(client, world, risk_of_harm=True)
    assert result["outcome"] == "share_with_justification"
    assert _codes(result) == ["CONSENT_REFUSED", "SAFEGUARDING_OVERRIDE"]
    assert result["requires_justification"] is True


def test_no_override_when_the_agreement_does_not_allow_it(client, world):
    _consent_agreement(client, world, safeguarding_override=False)
    # Not to a voluntary recipient: the agreement's do_not_share stands.
    active_agreement(
        client,
        world,
        "ISA-V",
        parties=[{"agency": "CSC", "role": "provider"}, {"agency": "VOL", "role": "recipient"}],
        consent_required=True,
        safeguarding_override=False,
    )
    result = _check(client, world, recipient="VOL", risk_of_harm=True)
    assert result["outcome"] == "do_not_share"
    assert _codes(result)[0] == "CONSENT_MISSING"
    assert "SAFEGUARDING_OVERRIDE" not in _codes(result)
    # To the police, rule 9 still applies after the agreement said no (engine judgement call).
    police = _check(client, world, risk_of_harm=True)
    assert police["outcome"] == "share_with_justification"
    assert _codes(police) == ["CONSENT_MISSING", "URGENT_SAFEGUARDING"]
    assert police["agreement"] == {"reference": "ISA-1", "version": 1}


def test_objection_recorded_under_public_task(client, world):
    active_agreement(client, world)
    _consent(client, world, "refused")
    result = _check(client, world)
    assert result["outcome"] == "share_with_justification"
    assert "OBJECTION_RECORDED" in _codes(result)
    assert result["requires_justification"] is True
    with_risk = _check(client, world, risk_of_harm=True)
    assert {"OBJECTION_RECORDED", "SAFEGUARDING_OVERRIDE"} <= set(_codes(with_risk))


def test_objection_is_advisory_under_legal_obligation(client, world):
    active_agreement(
        client,
        world,
        lawful_basis={
            "article6": "legal_obligation",
            "article9": "substantial_public_interest",
            "schedule1": "sch1_para_18",
        },
    )
    _consent(client, world, "withdrawn")
    result = _check(client, world)
    assert result["outcome"] == "share"
    assert "OBJECTION_RECORDED" in _codes(result)
    assert result["requires_justification"] is False


# --- urgent safeguarding outside any agreement -----------------------------------------


def test_urgent_safeguarding_to_the_police(client, world):
    result = _check(
        client, world, who="prac_sch", provider="SCH", recipient="POL", risk_of_harm=True
    )
    assert result["outcome"] == "share_with_justification"
    assert _codes(result) == ["NO_AGREEMENT", "URGENT_SAFEGUARDING"]
    assert result["requires_justification"] is True
    message = result["reasons"][1]["message"].lower()
    assert "necessary" in message and "record" in message


def test_no_urgent_route_to_a_voluntary_recipient(client, world):
    result = _check(
        client, world, who="prac_sch", provider="SCH", recipient="VOL", risk_of_harm=True
    )
    assert result["outcome"] == "do_not_share"
    assert result["requires_justification"] is False
    # The engine names rule 9 and, for a recipient that is no safeguarding partner, its
    # message advises a referral instead (engine.py, judgement calls).
    assert _codes(result) == ["NO_AGREEMENT", "URGENT_SAFEGUARDING"]
    referral = result["reasons"][1]["message"].lower()
    assert "social care" in referral and "police" in referral


# --- rejected input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"provider": "ZZZ"}, "provider"),
        ({"recipient": "ZZZ"}, "recipient"),
        ({"recipient": "CSC"}, "recipient"),
        ({"purpose": "gossip"}, "purpose"),
        ({"data_categories": ["shoe_size"]}, "data_categories"),
        ({"data_categories": []}, "data_categories"),
        ({"date": "2026-13-01"}, "date"),
        ({"date": "tomorrow"}, "date"),
        ({"subject": ""}, "subject"),
        ({"risk_of_harm": "perhaps"}, "risk_of_harm"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_422_and_nothing_is_recorded(app, client, world, overrides, field):
    active_agreement(client, world)
    before = _counts(app)
    response = client.post(
        CHECKS, json=check_payload(**overrides), headers=world.headers("prac_csc")
    )
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]["json"]) == [field], response.json
    assert response.json["code"] == 422
    assert _counts(app) == before


def test_missing_fields_and_malformed_body(app, client, world):
    before = _counts(app)
    response = client.post(CHECKS, json={}, headers=world.headers("prac_csc"))
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {
        "provider",
        "recipient",
        "subject",
        "purpose",
        "data_categories",
    }
    broken = client.post(
        CHECKS,
        data="{not json",
        content_type="application/json",
        headers=world.headers("prac_csc"),
    )
    assert broken.status_code == 400, broken.json
    assert _counts(app) == before


def test_checking_for_another_agency_is_forbidden_and_not_recorded(app, client, world):
    before = _counts(app)
    response = client.post(CHECKS, json=check_payload(), headers=world.headers("prac_pol"))
    assert response.status_code == 403, response.json
    for who in ("admin", "auditor"):
        assert (
            client.post(CHECKS, json=check_payload(), headers=world.headers(who)).status_code == 403
        )
    assert _counts(app) == before


# --- batch ----------------------------------------------------------------------------


def test_batch_results_in_order(app, client, world):
    active_agreement(client, world)
    items = [
        check_payload(),
        check_payload(recipient="SCH"),
        check_payload(purpose="research_statistics"),
    ]
    response = client.post(
        f"{CHECKS}/batch", json={"checks": items}, headers=world.headers("lead_csc")
    )
    assert response.status_code == 201, response.json
    results = response.json["checks"]
    assert [r["outcome"] for r in results] == ["share", "do_not_share", "do_not_share"]
    assert [_codes(r)[0] for r in results] == [
        "CONSENT_NOT_REQUIRED",
        "NO_AGREEMENT",
        "PURPOSE_NOT_COVERED",
    ]
    assert [r["recipient"] for r in results] == ["POL", "SCH", "POL"]
    assert results[0]["id"] < results[1]["id"] < results[2]["id"]
    assert _counts(app)[0] == 3


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"provider": "ZZZ"}, "provider"),
        ({"purpose": "gossip"}, "purpose"),
        ({"recipient": "CSC"}, "recipient"),
    ],
)
def test_batch_with_one_bad_item_records_nothing(app, client, world, bad, field):
    before = _counts(app)
    items = [check_payload(), check_payload(), check_payload(**bad), check_payload()]
    response = client.post(
        f"{CHECKS}/batch", json={"checks": items}, headers=world.headers("prac_csc")
    )
    assert response.status_code == 422, response.json
    errors = response.json["errors"]["json"]["checks"]
    assert list(errors) == ["2"], errors
    assert list(errors["2"]) == [field]
    assert _counts(app) == before


def test_batch_size_limits(app, client, world):
    before = _counts(app)
    too_many = client.post(
        f"{CHECKS}/batch",
        json={"checks": [check_payload()] * 1001},
        headers=world.headers("prac_csc"),
    )
    assert too_many.status_code == 422, too_many.json
    assert "checks" in too_many.json["errors"]["json"]
    empty = client.post(f"{CHECKS}/batch", json={"checks": []}, headers=world.headers("prac_csc"))
    assert empty.status_code == 422
    assert _counts(app) == before


def test_batch_for_another_agency_is_forbidden_and_not_recorded(app, client, world):
    before = _counts(app)
    items = [check_payload(), check_payload(provider="POL", recipient="CSC")]
    response = client.post(
        f"{CHECKS}/batch", json={"checks": items}, headers=world.headers("prac_csc")
    )
    assert response.status_code == 403, response.json
    assert "1" in response.json["message"]
    assert _counts(app) == before


# --- reading checks -------------------------------------------------------------------


def test_list_filters(app, client, world):
    active_agreement(client, world)
    shared = _check(client, world)
    refused = _check(client, world, recipient="SCH")
    _check(client, world, who="prac_pol", provider="POL", recipient="CSC")

    def ids(who="prac_csc", **params):
        response = client.get(CHECKS, query_string=params, headers=world.headers(who))
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["items"]]

    assert ids() == [refused["id"], shared["id"]]  # own agency only, newest first
    assert len(ids("auditor")) == 3
    assert ids(outcome="share") == [shared["id"]]
    assert ids(outcome="do_not_share") == [refused["id"]]
    assert ids(agency="SCH") == [refused["id"]]
    assert len(ids("admin", agency="POL")) == 2
    assert ids(**{"from": _iso()}) == [refused["id"], shared["id"]]
    assert ids(**{"from": _iso(1)}) == []
    assert ids(to=_iso(-1)) == []
    assert ids(**{"from": _iso(-1), "to": _iso()}) == [refused["id"], shared["id"]]
    bad = client.get(CHECKS, query_string={"outcome": "maybe"}, headers=world.headers("auditor"))
    assert bad.status_code == 422 and "outcome" in bad.json["errors"]["query"]
    bad_date = client.get(CHECKS, query_string={"from": "x"}, headers=world.headers("auditor"))
    assert bad_date.status_code == 422 and "from" in bad_date.json["errors"]["query"]


def test_get_one_check(client, world):
    active_agreement(client, world)
    made = _check(client, world)
    for who in ("prac_csc", "lead_csc", "auditor", "admin"):
        response = client.get(f"{CHECKS}/{made['id']}", headers=world.headers(who))
        assert response.status_code == 200, (who, response.json)
        assert response.json == made
    assert (
        client.get(f"{CHECKS}/{made['id']}", headers=world.headers("prac_pol")).status_code == 403
    )
    assert client.get(f"{CHECKS}/999999", headers=world.headers("auditor")).status_code == 404


# --- decisions ------------------------------------------------------------------------


def _decide(client, world, check_id, who="prac_csc", **body):
    return client.post(f"{CHECKS}/{check_id}/decision", json=body, headers=world.headers(who))


def test_decision_after_share_and_once_only(app, client, world):
    active_agreement(client, world)
    made = _check(client, world)
    response = _decide(
        client,
        world,
        made["id"],
        shared=True,
        information_shared="Address and case summary",
        method="secure email",
        recipient_contact="DS Smith",
        person_informed="yes",
    )
    assert response.status_code == 201, response.json
    decision = response.json
    assert decision["shared"] is True and decision["check_id"] == made["id"]
    assert decision["recorded_by"] == "Prac Csc"
    assert decision["person_informed"] == "yes"
    again = _decide(client, world, made["id"], who="lead_csc", shared=False)
    assert again.status_code == 409, again.json
    shown = client.get(f"{CHECKS}/{made['id']}", headers=world.headers("auditor")).json
    assert shown["decision"]["shared"] is True
    assert shown["decision"]["information_shared"] == "Address and case summary"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ShareDecision)) == 1


def test_justification_required_after_share_with_justification(client, world):
    active_agreement(client, world)
    _consent(client, world, "refused")
    made = _check(client, world)
    assert made["outcome"] == "share_with_justification"
    missing = _decide(client, world, made["id"], shared=True, justification="   ")
    assert missing.status_code == 422, missing.json
    assert list(missing.json["errors"]["json"]) == ["justification"]
    ok = _decide(client, world, made["id"], shared=True, justification="Risk to the child")
    assert ok.status_code == 201, ok.json
    assert ok.json["justification"] == "Risk to the child"


def test_justification_required_to_share_after_do_not_share(client, world):
    made = _check(client, world, recipient="SCH")
    assert made["outcome"] == "do_not_share"
    missing = _decide(client, world, made["id"], shared=True)
    assert missing.status_code == 422, missing.json
    assert list(missing.json["errors"]["json"]) == ["justification"]
    assert (
        client.get(f"{CHECKS}/{made['id']}", headers=world.headers("prac_csc")).json["decision"]
        is None
    )


def test_not_sharing_needs_no_justification(client, world):
    made = _check(client, world, recipient="SCH")
    response = _decide(client, world, made["id"], shared=False)
    assert response.status_code == 201, response.json
    assert response.json["shared"] is False and response.json["justification"] is None


def test_no_consent_reason_after_safeguarding_override(client, world):
    _consent_agreement(client, world)
    made = _check(client, world, risk_of_harm=True)
    assert "SAFEGUARDING_OVERRIDE" in _codes(made)
    missing = _decide(client, world, made["id"], shared=True, justification="Injuries seen")
    assert missing.status_code == 422, missing.json
    assert list(missing.json["errors"]["json"]) == ["no_consent_reason"]
    bad = _decide(
        client, world, made["id"], shared=True, justification="x", no_consent_reason="busy"
    )
    assert bad.status_code == 422 and list(bad.json["errors"]["json"]) == ["no_consent_reason"]
    ok = _decide(
        client,
        world,
        made["id"],
        shared=True,
        justification="Injuries seen",
        no_consent_reason="would_prejudice",
        person_informed="not_safe",
    )
    assert ok.status_code == 201, ok.json
    assert ok.json["no_consent_reason"] == "would_prejudice"


def test_both_fields_named_after_urgent_safeguarding(client, world):
    made = _check(client, world, who="prac_sch", provider="SCH", recipient="POL", risk_of_harm=True)
    missing = _decide(client, world, made["id"], who="prac_sch", shared=True)
    assert missing.status_code == 422, missing.json
    assert set(missing.json["errors"]["json"]) == {"justification", "no_consent_reason"}
    ok = _decide(
        client,
        world,
        made["id"],
        who="lead_sch",
        shared=True,
        justification="Disclosure of abuse",
        no_consent_reason="cannot_reasonably_obtain",
    )
    assert ok.status_code == 201, ok.json


def test_decision_permissions_and_unknown_check(client, world):
    made = _check(client, world, recipient="SCH")
    for who in ("prac_pol", "admin", "auditor"):
        response = _decide(client, world, made["id"], who=who, shared=False)
        assert response.status_code == 403, (who, response.json)
    assert _decide(client, world, 999999, shared=False).status_code == 404
    assert list(_decide(client, world, made["id"]).json["errors"]["json"]) == ["shared"]
