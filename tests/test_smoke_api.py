"""End-to-end through the API: draft, sign, check, decide, audit."""

from tests.helpers import active_agreement, check_payload


def test_share_check_journey(client, world):
    agreement = active_agreement(client, world)
    assert agreement["status"] == "active"
    prac = world.headers("prac_csc")
    response = client.post("/api/v1/checks", json=check_payload(), headers=prac)
    assert response.status_code == 201, response.json
    check = response.json
    assert check["outcome"] == "share"
    assert [r["code"] for r in check["reasons"]] == ["CONSENT_NOT_REQUIRED"]
    assert check["agreement"] == {"reference": "ISA-1", "version": 1}
    decision = client.post(
        f"/api/v1/checks/{check['id']}/decision", json={"shared": True}, headers=prac
    )
    assert decision.status_code == 201, decision.json
    verify = client.get("/api/v1/audit/verify", headers=world.headers("auditor"))
    assert verify.json["ok"] is True
    assert verify.json["events"] > 5
