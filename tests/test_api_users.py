"""Users through the API: create, read, update, list; leads manage their own practitioners."""

import pytest

from tests.helpers import PASSWORD, assert_error, assert_field_errors

URL = "/api/v1/users"
NEW_PASSWORD = "a-long-enough-password"
USER_FIELDS = {"id", "email", "name", "role", "agency", "active", "created_at"}


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def assert_no_secret(response, *secrets: str) -> None:
    """No password, hash or token in the body (an error may name the `password` field)."""
    text = response.get_data(as_text=True)
    assert "$argon2" not in text
    for secret in secrets:
        assert secret not in text
    keys = _keys(response.get_json()) - {"errors", "json"}
    if response.status_code < 400:
        assert not {k for k in keys if "password" in k or "hash" in k}, keys


def new_user(**overrides) -> dict:
    data = {
        "email": "new.prac@example.org",
        "name": "New Practitioner",
        "role": "practitioner",
        "agency": "CSC",
        "password": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def user_count(client, world) -> int:
    return client.get(URL, headers=world.headers("admin")).json["total"]


def test_admin_creates_a_user_who_can_sign_in(client, world):
    response = client.post(URL, json=new_user(), headers=world.headers("admin"))
    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == USER_FIELDS
    assert body["email"] == "new.prac@example.org"
    assert (body["role"], body["agency"], body["active"]) == ("practitioner", "CSC", True)
    assert body["created_at"].endswith("+00:00")
    assert_no_secret(response, NEW_PASSWORD)
    token = client.post(
        "/api/v1/tokens", json={"email": "new.prac@example.org", "password": NEW_PASSWORD}
    )
    assert token.status_code == 201


@pytest.mark.parametrize(
    ("role", "agency"),
    [("admin", None), ("auditor", None), ("agency_lead", "POL"), ("practitioner", "SCH")],
)
def test_admin_creates_every_role(client, world, role, agency):
    data = new_user(email=f"{role}.x@example.org", role=role, agency=agency)
    response = client.post(URL, json=data, headers=world.headers("admin"))
    assert response.status_code == 201, response.json
    assert (response.json["role"], response.json["agency"]) == (role, agency)


def test_email_is_stored_lower_case_and_duplicates_are_409(client, world):
    admin = world.headers("admin")
    response = client.post(URL, json=new_user(email="Mixed.Case@Example.org"), headers=admin)
    assert response.status_code == 201, response.json
    assert response.json["email"] == "mixed.case@example.org"
    before = user_count(client, world)
    response = client.post(URL, json=new_user(email="MIXED.case@example.org"), headers=admin)
    body = assert_error(response, 409)
    assert "mixed.case@example.org" in body["message"]
    response = client.post(URL, json=new_user(email="prac_pol@example.org"), headers=admin)
    assert_error(response, 409)
    assert user_count(client, world) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "x" * 11}, "password"),
        ({"role": "superuser"}, "role"),
        ({"name": ""}, "name"),
        ({"agency": None}, "agency"),
        ({"role": "agency_lead", "agency": None}, "agency"),
        ({"role": "admin", "agency": "CSC"}, "agency"),
        ({"role": "auditor", "agency": "CSC"}, "agency"),
        ({"agency": "NOPE"}, "agency"),
        ({"is_admin": True}, "is_admin"),
    ],
    ids=[
        "bad email",
        "empty email",
        "short password",
        "11-char password",
        "bad role",
        "empty name",
        "practitioner without agency",
        "lead without agency",
        "admin with agency",
        "auditor with agency",
        "unknown agency",
        "unknown field",
    ],
)
def test_invalid_fields_are_422_per_field(client, world, overrides, field):
    before = user_count(client, world)
    response = client.post(URL, json=new_user(**overrides), headers=world.headers("admin"))
    errors = assert_field_errors(response, field)
    assert set(errors) == {field}
    assert_no_secret(response, NEW_PASSWORD)
    assert user_count(client, world) == before


@pytest.mark.parametrize("missing", ["email", "name", "role", "password"])
def test_required_fields(client, world, missing):
    data = new_user()
    del data[missing]
    response = client.post(URL, json=data, headers=world.headers("admin"))
    assert_field_errors(response, missing)


def test_a_password_of_12_characters_is_enough(client, world):
    response = client.post(URL, json=new_user(password="x" * 12), headers=world.headers("admin"))
    assert response.status_code == 201, response.json


# --- agency leads ----------------------------------------------------------------------


def test_lead_creates_a_practitioner_of_their_own_agency(client, world):
    response = client.post(URL, json=new_user(), headers=world.headers("lead_csc"))
    assert response.status_code == 201, response.json
    assert (response.json["role"], response.json["agency"]) == ("practitioner", "CSC")
    assert_no_secret(response, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"agency": "POL"}, "another agency"),
        ({"role": "agency_lead"}, "a lead"),
        ({"role": "admin", "agency": None}, "an admin"),
        ({"role": "auditor", "agency": None}, "an auditor"),
    ],
)
def test_lead_cannot_create_other_users(client, world, overrides, why):
    before = user_count(client, world)
    response = client.post(URL, json=new_user(**overrides), headers=world.headers("lead_csc"))
    assert_error(response, 403)
    assert user_count(client, world) == before, why


def test_lead_reads_and_renames_their_practitioner(client, world):
    lead = world.headers("lead_csc")
    prac_id = world.users["prac_csc"]
    response = client.get(f"{URL}/{prac_id}", headers=lead)
    assert response.status_code == 200
    assert set(response.json) == USER_FIELDS
    assert_no_secret(response)
    response = client.patch(f"{URL}/{prac_id}", json={"name": "Priya P."}, headers=lead)
    assert response.status_code == 200, response.json
    assert response.json["name"] == "Priya P."
    assert_no_secret(response)


def test_lead_cannot_promote_a_practitioner(client, world):
    prac_id = world.users["prac_csc"]
    for role in ("agency_lead", "admin", "auditor"):
        response = client.patch(
            f"{URL}/{prac_id}", json={"role": role}, headers=world.headers("lead_csc")
        )
        assert_error(response, 403)
    read = client.get(f"{URL}/{prac_id}", headers=world.headers("admin"))
    assert read.json["role"] == "practitioner"


def test_lead_cannot_touch_another_agencys_practitioner_or_another_lead(client, world):
    lead = world.headers("lead_csc")
    for key in ("prac_pol", "lead_pol", "admin", "auditor"):
        user_id = world.users[key]
        assert_error(client.get(f"{URL}/{user_id}", headers=lead), 403)
        response = client.patch(f"{URL}/{user_id}", json={"active": False}, headers=lead)
        assert_error(response, 403)
    # Nor themselves: a lead's own account is managed by an admin.
    response = client.patch(
        f"{URL}/{world.users['lead_csc']}", json={"role": "admin"}, headers=lead
    )
    assert_error(response, 403)


def test_lead_deactivates_their_practitioner(client, world):
    prac_id = world.users["prac_csc"]
    response = client.patch(
        f"{URL}/{prac_id}", json={"active": False}, headers=world.headers("lead_csc")
    )
    assert response.status_code == 200, response.json
    assert response.json["active"] is False
    response = client.get("/api/v1/vocabularies", headers=world.headers("prac_csc"))
    assert_error(response, 401)


# --- admin updates ---------------------------------------------------------------------


def test_admin_changes_role_within_the_same_kind(client, world):
    admin = world.headers("admin")
    prac_id = world.users["prac_pol"]
    response = client.patch(f"{URL}/{prac_id}", json={"role": "agency_lead"}, headers=admin)
    assert response.status_code == 200, response.json
    assert (response.json["role"], response.json["agency"]) == ("agency_lead", "POL")


def test_role_change_across_agency_kinds_is_422(client, world):
    admin = world.headers("admin")
    response = client.patch(
        f"{URL}/{world.users['prac_pol']}", json={"role": "admin"}, headers=admin
    )
    assert_field_errors(response, "role")
    response = client.patch(
        f"{URL}/{world.users['auditor']}", json={"role": "practitioner"}, headers=admin
    )
    assert_field_errors(response, "role")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "king"}, "role"),
        ({"name": ""}, "name"),
        ({"active": "maybe"}, "active"),
        ({"email": "x@example.org"}, "email"),
        ({"password": NEW_PASSWORD}, "password"),
    ],
)
def test_patch_invalid_fields_are_422(client, world, changes, field):
    response = client.patch(
        f"{URL}/{world.users['prac_csc']}", json=changes, headers=world.headers("admin")
    )
    assert_field_errors(response, field)


def test_admin_cannot_deactivate_themselves(client, world):
    response = client.patch(
        f"{URL}/{world.users['admin']}", json={"active": False}, headers=world.headers("admin")
    )
    assert_error(response, 409)
    assert client.get(URL, headers=world.headers("admin")).status_code == 200


def test_unknown_user_is_404(client, world):
    admin = world.headers("admin")
    assert_error(client.get(f"{URL}/999999", headers=admin), 404)
    assert_error(client.patch(f"{URL}/999999", json={"name": "X"}, headers=admin), 404)


# --- lists -----------------------------------------------------------------------------


def test_list_shape_filters_and_no_secrets(client, world):
    admin = world.headers("admin")
    response = client.get(URL, headers=admin)
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"items", "total", "page", "per_page"}
    assert body["total"] == len(world.users)
    assert (body["page"], body["per_page"]) == (1, 50)
    assert all(set(item) == USER_FIELDS for item in body["items"])
    assert_no_secret(response, PASSWORD)
    leads = client.get(f"{URL}?role=agency_lead", headers=admin).json
    assert leads["total"] == 6 and {u["role"] for u in leads["items"]} == {"agency_lead"}
    pol = client.get(f"{URL}?agency=POL", headers=admin).json
    assert sorted(u["email"] for u in pol["items"]) == [
        "lead_pol@example.org",
        "prac_pol@example.org",
    ]


def test_pagination(client, world):
    admin = world.headers("admin")
    total = len(world.users)
    first = client.get(f"{URL}?per_page=5", headers=admin).json
    last = client.get(f"{URL}?per_page=5&page={(total + 4) // 5}", headers=admin).json
    assert len(first["items"]) == 5 and first["total"] == total
    assert len(last["items"]) == total - 5 * ((total - 1) // 5)
    assert client.get(f"{URL}?per_page=500", headers=admin).json["per_page"] == 500
    assert_field_errors(client.get(f"{URL}?per_page=501", headers=admin), "per_page", where="query")
    assert_field_errors(client.get(f"{URL}?page=0", headers=admin), "page", where="query")
    assert_field_errors(client.get(f"{URL}?role=x", headers=admin), "role", where="query")
