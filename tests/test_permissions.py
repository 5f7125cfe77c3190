"""Who may call what: every endpoint of api.md (but /reports) x every role.

The roles: anonymous, admin, auditor, the lead and a practitioner of CSC (a party to the
agreement and the provider of the check), of POL (the other party, the recipient of the
check) and of OTH (an agency unrelated to anything in the case).

Where api.md is silent, the expectations below are what a careful reviewer expects:

- Authentication comes first: an anonymous caller gets 401 everywhere but POST /tokens,
  before any body validation or lookup.
- An agreement is visible to admins, auditors and users of a party agency only; users of
  an unrelated agency get 403 on it (not its content) and do not see it in lists.
- Signing is done by agency leads only, each for their own party agency: admins draft and
  manage but never sign on an agency's behalf (403).
- Admins do not read or record consent history: they administer the registry and have no
  need to know about individuals. Auditors read consent history but never record it.
  Practitioners and leads of any agency may record and read a person's consent: consent
  belongs to the person, not to an agency, and a practitioner must see a refusal recorded
  elsewhere before sharing.
- Checks are asked only by practitioners and leads of the provider agency (a user of the
  recipient agency gets 403 for a check whose provider is CSC); admins and auditors never
  ask them. A check is read by its provider agency, auditors and admins; the recipient
  agency does not read the provider's check (it is the provider's record of its decision).
- Decisions are recorded by the provider agency's practitioners and lead only.
- GET /users/{id} follows PATCH /users/{id}: admins, and a lead for their own agency's
  practitioners; a practitioner cannot read user records, not even their own.
- POST /tokens answers the same for everyone, whatever Authorization header is sent.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.helpers import (
    PASSWORD,
    active_agreement,
    agreement_payload,
    assert_error,
    check_payload,
    create_agreement,
)

ROLES = (
    "anonymous",
    "admin",
    "auditor",
    "lead_csc",
    "prac_csc",
    "lead_pol",
    "prac_pol",
    "lead_oth",
    "prac_oth",
)
SUBJECT = "9434765919"


def _statuses(default: int, **overrides: int) -> dict[str, int]:
    """Expected status per role: 401 for anonymous, `default` for the others, then overrides."""
    expected = {role: default for role in ROLES}
    expected["anonymous"] = 401
    expected.update(overrides)
    return expected


def allowed(success: int, *roles: str) -> dict[str, int]:
    """`success` for the named roles, 403 for every other signed-in role, 401 anonymous."""
    return _statuses(403, **{role: success for role in roles})


EVERY_USER = tuple(r for r in ROLES if r != "anonymous")
LEADS_AND_PRACS = ("lead_csc", "prac_csc", "lead_pol", "prac_pol", "lead_oth", "prac_oth")
PARTIES = ("lead_csc", "prac_csc", "lead_pol", "prac_pol")
PARTY_LEADS = ("lead_csc", "lead_pol")
PROVIDER = ("lead_csc", "prac_csc")


# --- preconditions, built through the API ----------------------------------------------


def nothing(client, world) -> dict:
    return {}


def draft(client, world) -> dict:
    create_agreement(client, world, agreement_payload("ISA-1"))
    return {"ref": "ISA-1"}


def active(client, world) -> dict:
    active_agreement(client, world, "ISA-1")
    return {"ref": "ISA-1"}


def suspended(client, world) -> dict:
    active_agreement(client, world, "ISA-1")
    response = client.post(
        "/api/v1/agreements/ISA-1/suspend",
        json={"reason": "Breach under investigation"},
        headers=world.headers("admin"),
    )
    assert response.status_code == 200, response.json
    return {"ref": "ISA-1"}


def a_check(client, world) -> dict:
    active_agreement(client, world, "ISA-1")
    response = client.post(
        "/api/v1/checks", json=check_payload(subject=SUBJECT), headers=world.headers("prac_csc")
    )
    assert response.status_code == 201, response.json
    assert response.json["outcome"] == "share"
    return {"check": response.json["id"], "ref": "ISA-1"}


def a_practitioner(client, world) -> dict:
    return {"user": world.users["prac_csc"]}


def a_consent(client, world) -> dict:
    response = client.post(
        f"/api/v1/subjects/{SUBJECT}/consents",
        json={"status": "granted", "given_by": "subject", "method": "written"},
        headers=world.headers("prac_csc"),
    )
    assert response.status_code == 201, response.json
    return {}


# --- the matrix ------------------------------------------------------------------------


def _is_page(body) -> bool:
    return set(body) >= {"items", "total", "page", "per_page"}


@dataclass
class Case:
    name: str
    method: str
    path: str
    expect: dict[str, int]
    setup: Callable = nothing
    body: object = None
    #: Checks the body of a successful answer.
    ok: Callable[[object], bool] = field(default=lambda body: True)


def _new_user_body():
    return {
        "email": "new.prac@example.org",
        "name": "New Practitioner",
        "role": "practitioner",
        "agency": "CSC",
        "password": "a-long-enough-password",
    }


CASES = [
    Case(
        "POST /tokens",
        "POST",
        "/api/v1/tokens",
        {role: 201 for role in ROLES},
        body={"email": "prac_csc@example.org", "password": PASSWORD},
        ok=lambda b: b["token"].startswith("isr_") and b["expires_at"],
    ),
    Case(
        "DELETE /tokens/current",
        "DELETE",
        "/api/v1/tokens/current",
        allowed(204, *EVERY_USER),
    ),
    Case(
        "GET /vocabularies",
        "GET",
        "/api/v1/vocabularies",
        allowed(200, *EVERY_USER),
        ok=lambda b: {"purposes", "data_categories", "article6", "article9", "schedule1"} <= set(b),
    ),
    Case(
        "POST /agencies",
        "POST",
        "/api/v1/agencies",
        allowed(201, "admin"),
        body={"code": "NEW", "name": "New Agency", "sector": "housing"},
        ok=lambda b: b["code"] == "NEW" and b["active"] is True,
    ),
    Case(
        "GET /agencies",
        "GET",
        "/api/v1/agencies",
        allowed(200, *EVERY_USER),
        ok=lambda b: _is_page(b) and b["total"] == 6,
    ),
    Case(
        "GET /agencies/{code}",
        "GET",
        "/api/v1/agencies/POL",
        allowed(200, *EVERY_USER),
        ok=lambda b: b["code"] == "POL" and b["sector"] == "police",
    ),
    Case(
        "PATCH /agencies/{code}",
        "PATCH",
        "/api/v1/agencies/VOL",
        allowed(200, "admin"),
        body={"name": "Renamed Charity"},
        ok=lambda b: b["name"] == "Renamed Charity",
    ),
    Case(
        "POST /users",
        "POST",
        "/api/v1/users",
        allowed(201, "admin", "lead_csc"),
        body=_new_user_body(),
        ok=lambda b: b["email"] == "new.prac@example.org" and "password" not in b,
    ),
    Case(
        "GET /users",
        "GET",
        "/api/v1/users",
        allowed(200, "admin", "lead_csc", "lead_pol", "lead_oth"),
        ok=_is_page,
    ),
    Case(
        "GET /users/{id}",
        "GET",
        "/api/v1/users/{user}",
        allowed(200, "admin", "lead_csc"),
        setup=a_practitioner,
        ok=lambda b: b["email"] == "prac_csc@example.org",
    ),
    Case(
        "PATCH /users/{id}",
        "PATCH",
        "/api/v1/users/{user}",
        allowed(200, "admin", "lead_csc"),
        setup=a_practitioner,
        body={"name": "Renamed Practitioner"},
        ok=lambda b: b["name"] == "Renamed Practitioner",
    ),
    Case(
        "POST /agreements",
        "POST",
        "/api/v1/agreements",
        allowed(201, "admin", *PARTY_LEADS),
        body=agreement_payload("ISA-NEW"),
        ok=lambda b: b["reference"] == "ISA-NEW" and b["status"] == "draft" and b["version"] == 1,
    ),
    Case(
        "GET /agreements",
        "GET",
        "/api/v1/agreements",
        allowed(200, *EVERY_USER),
        setup=draft,
        ok=_is_page,
    ),
    Case(
        "GET /agreements/{reference}",
        "GET",
        "/api/v1/agreements/{ref}",
        allowed(200, "admin", "auditor", *PARTIES),
        setup=draft,
        ok=lambda b: b["reference"] == "ISA-1",
    ),
    Case(
        "PATCH /agreements/{reference}",
        "PATCH",
        "/api/v1/agreements/{ref}",
        allowed(200, "admin", *PARTY_LEADS),
        setup=draft,
        body={"title": "Retitled"},
        ok=lambda b: b["title"] == "Retitled",
    ),
    Case(
        "POST /agreements/{reference}/signatures",
        "POST",
        "/api/v1/agreements/{ref}/signatures",
        allowed(201, *PARTY_LEADS),
        setup=draft,
        ok=lambda b: len(b["signatures"]) == 1 and b["status"] == "draft",
    ),
    Case(
        "POST /agreements/{reference}/suspend",
        "POST",
        "/api/v1/agreements/{ref}/suspend",
        allowed(200, "admin", *PARTY_LEADS),
        setup=active,
        body={"reason": "Breach under investigation"},
        ok=lambda b: b["status"] == "suspended",
    ),
    Case(
        "POST /agreements/{reference}/resume",
        "POST",
        "/api/v1/agreements/{ref}/resume",
        allowed(200, "admin", *PARTY_LEADS),
        setup=suspended,
        body={"reason": "Investigation closed"},
        ok=lambda b: b["status"] == "active",
    ),
    Case(
        "POST /agreements/{reference}/terminate",
        "POST",
        "/api/v1/agreements/{ref}/terminate",
        allowed(200, "admin", *PARTY_LEADS),
        setup=active,
        body={"reason": "Service decommissioned"},
        ok=lambda b: b["status"] == "terminated",
    ),
    Case(
        "POST /subjects/{subject}/consents",
        "POST",
        f"/api/v1/subjects/{SUBJECT}/consents",
        allowed(201, *LEADS_AND_PRACS),
        body={"status": "refused", "given_by": "parent", "method": "verbal"},
        ok=lambda b: b["status"] == "refused" and b["id"] > 0,
    ),
    Case(
        "GET /subjects/{subject}/consents",
        "GET",
        f"/api/v1/subjects/{SUBJECT}/consents",
        allowed(200, "auditor", *LEADS_AND_PRACS),
        setup=a_consent,
        ok=lambda b: b["total"] == 1 and b["items"][0]["status"] == "granted",
    ),
    Case(
        "POST /checks",
        "POST",
        "/api/v1/checks",
        allowed(201, *PROVIDER),
        setup=active,
        body=check_payload(),
        ok=lambda b: b["outcome"] == "share",
    ),
    Case(
        "POST /checks/batch",
        "POST",
        "/api/v1/checks/batch",
        allowed(201, *PROVIDER),
        setup=active,
        body={"checks": [check_payload(), check_payload(data_categories=["financial"])]},
        ok=lambda b: [c["outcome"] for c in b["checks"]] == ["share", "do_not_share"],
    ),
    Case(
        "GET /checks",
        "GET",
        "/api/v1/checks",
        allowed(200, "admin", "auditor", *LEADS_AND_PRACS),
        setup=a_check,
        ok=_is_page,
    ),
    Case(
        "GET /checks/{id}",
        "GET",
        "/api/v1/checks/{check}",
        allowed(200, "admin", "auditor", *PROVIDER),
        setup=a_check,
        ok=lambda b: b["outcome"] == "share" and b["provider"] == "CSC",
    ),
    Case(
        "POST /checks/{id}/decision",
        "POST",
        "/api/v1/checks/{check}/decision",
        allowed(201, *PROVIDER),
        setup=a_check,
        body={"shared": True, "information_shared": "Case summary"},
        ok=lambda b: b["shared"] is True,
    ),
    Case(
        "GET /audit",
        "GET",
        "/api/v1/audit",
        allowed(200, "admin", "auditor"),
        ok=lambda b: _is_page(b) and b["total"] > 0,
    ),
    Case(
        "GET /audit/verify",
        "GET",
        "/api/v1/audit/verify",
        allowed(200, "admin", "auditor"),
        ok=lambda b: b["ok"] is True and b["first_broken"] is None,
    ),
]


def _matrix():
    for case in CASES:
        for role in ROLES:
            yield pytest.param(case, role, case.expect[role], id=f"{case.name} as {role}")


def test_every_endpoint_of_api_md_is_in_the_matrix(app):
    """The matrix covers every route under /api/v1 the API serves, but reports and docs."""
    served = set()
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if not path.startswith("/api/v1/") or path.startswith("/api/v1/reports"):
            continue
        if path.startswith(("/api/v1/docs", "/api/v1/openapi")):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((method, _placeholders(path)))
    covered = {(case.method, _placeholders(case.path)) for case in CASES}
    assert served <= covered, served - covered


def _placeholders(path: str) -> str:
    import re

    path = path.replace(f"/subjects/{SUBJECT}", "/subjects/{x}")
    path = path.replace("/agencies/POL", "/agencies/{x}").replace("/agencies/VOL", "/agencies/{x}")
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{x}", path)


@pytest.mark.parametrize(("case", "role", "expected"), list(_matrix()))
def test_access(client, world, case: Case, role: str, expected: int):
    context = case.setup(client, world)
    path = case.path.format(**context)
    headers = {} if role == "anonymous" else world.headers(role)
    response = client.open(path, method=case.method, json=case.body, headers=headers)
    assert response.status_code == expected, response.get_json()
    if expected >= 400:
        assert_error(response, expected)
        if expected == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    elif expected != 204:
        assert case.ok(response.get_json()), response.get_json()
    else:
        assert response.data == b""


# --- a refused request changes nothing -----------------------------------------------


def test_forbidden_changes_leave_no_trace(client, world):
    """A 403 on a change leaves the agreement as it was and adds nothing to its history."""
    active(client, world)
    before = client.get("/api/v1/agreements/ISA-1", headers=world.headers("admin")).json
    for who in ("lead_oth", "prac_csc", "auditor"):
        for action, body in (("suspend", {"reason": "x"}), ("terminate", {"reason": "x"})):
            response = client.post(
                f"/api/v1/agreements/ISA-1/{action}", json=body, headers=world.headers(who)
            )
            assert response.status_code == 403
        response = client.patch(
            "/api/v1/agreements/ISA-1", json={"title": "Hijacked"}, headers=world.headers(who)
        )
        assert response.status_code == 403
    after = client.get("/api/v1/agreements/ISA-1", headers=world.headers("admin")).json
    assert after == before


def test_unrelated_lead_cannot_draft_an_agreement_between_others(client, world):
    """A lead of OTH drafting a CSC-POL agreement: 403, and the reference stays free."""
    response = client.post(
        "/api/v1/agreements", json=agreement_payload("ISA-X"), headers=world.headers("lead_oth")
    )
    assert response.status_code == 403
    assert_error(response, 403)
    response = client.get("/api/v1/agreements/ISA-X", headers=world.headers("admin"))
    assert response.status_code == 404


def test_lead_cannot_amend_an_agreement_to_hand_it_to_strangers(client, world):
    """A party lead cannot rewrite parties to an agreement of which they are no longer part."""
    draft(client, world)
    parties = [{"agency": "NHS", "role": "both"}, {"agency": "SCH", "role": "both"}]
    response = client.patch(
        "/api/v1/agreements/ISA-1", json={"parties": parties}, headers=world.headers("lead_csc")
    )
    assert response.status_code == 403, response.json
    assert_error(response, 403)


def test_check_for_another_provider_is_refused_in_a_batch(client, world):
    """One item of a batch with another agency as provider refuses the whole batch."""
    active(client, world)
    checks = [check_payload(), check_payload(provider="POL", recipient="CSC")]
    response = client.post(
        "/api/v1/checks/batch", json={"checks": checks}, headers=world.headers("prac_csc")
    )
    assert response.status_code == 403
    assert_error(response, 403)
    listed = client.get("/api/v1/checks", headers=world.headers("admin")).json
    assert listed["total"] == 0


def test_revoked_or_garbage_bearer_is_401(client, world):
    for header in ("Bearer isr_not-a-real-token", "Basic YWRtaW46cGFzcw==", "Bearer "):
        response = client.get("/api/v1/vocabularies", headers={"Authorization": header})
        assert response.status_code == 401
        assert_error(response, 401)


# --- lists are scoped ------------------------------------------------------------------


def _references(client, world, who: str, query: str = "") -> list[str]:
    response = client.get(f"/api/v1/agreements{query}", headers=world.headers(who))
    assert response.status_code == 200, response.json
    return [item["reference"] for item in response.json["items"]]


def test_agreement_list_is_scoped_to_the_users_agency(client, world):
    active_agreement(client, world, "ISA-1")
    create_agreement(
        client,
        world,
        agreement_payload(
            "ISA-2", parties=[{"agency": "NHS", "role": "both"}, {"agency": "SCH", "role": "both"}]
        ),
    )
    assert _references(client, world, "prac_oth") == []
    assert _references(client, world, "lead_oth") == []
    assert _references(client, world, "prac_csc") == ["ISA-1"]
    assert _references(client, world, "prac_pol") == ["ISA-1"]
    assert _references(client, world, "lead_nhs") == ["ISA-2"]
    assert _references(client, world, "admin") == ["ISA-1", "ISA-2"]
    assert _references(client, world, "auditor") == ["ISA-1", "ISA-2"]
    # Filtering by another agency does not widen what a practitioner sees.
    assert _references(client, world, "prac_oth", "?agency=CSC") == []
    response = client.get("/api/v1/agreements", headers=world.headers("prac_oth"))
    assert response.json["total"] == 0


def test_check_list_is_scoped_to_the_provider_agency(client, world):
    a_check(client, world)
    for who, total in (
        ("prac_pol", 0),
        ("lead_pol", 0),
        ("prac_oth", 0),
        ("prac_csc", 1),
        ("lead_csc", 1),
        ("auditor", 1),
        ("admin", 1),
    ):
        response = client.get("/api/v1/checks", headers=world.headers(who))
        assert response.status_code == 200
        assert response.json["total"] == total, who
        assert len(response.json["items"]) == total, who
    # Naming the other agency as a filter does not reveal its checks.
    response = client.get("/api/v1/checks?agency=CSC", headers=world.headers("prac_pol"))
    assert response.json["total"] == 0
    assert response.json["items"] == []


def test_user_list_of_a_lead_shows_only_their_agencys_practitioners(client, world):
    world_extra = client.post(
        "/api/v1/users", json=_new_user_body(), headers=world.headers("lead_csc")
    )
    assert world_extra.status_code == 201
    response = client.get("/api/v1/users?per_page=500", headers=world.headers("lead_csc"))
    assert response.status_code == 200
    emails = sorted(item["email"] for item in response.json["items"])
    assert emails == ["new.prac@example.org", "prac_csc@example.org"]
    assert response.json["total"] == 2
    for item in response.json["items"]:
        assert item["agency"] == "CSC" and item["role"] == "practitioner"
    # Asking for another agency or role does not widen the list.
    response = client.get("/api/v1/users?agency=POL", headers=world.headers("lead_csc"))
    assert response.json["items"] == []
    response = client.get("/api/v1/users?role=admin", headers=world.headers("lead_csc"))
    assert response.json["items"] == []
    # The admin sees everyone.
    response = client.get("/api/v1/users?per_page=500", headers=world.headers("admin"))
    assert response.json["total"] == len(world.users) + 1
